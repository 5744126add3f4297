"""The asker's own follow-ups to their open question: "nvm, figured it out" (solved) and "anyone?" (a bump).

Both only matter for a member with an open question in the same channel (see `_settle`); they
run on the first 200 characters, like the question heuristic.
"""

from __future__ import annotations

import re

from plugins.engagement._questions import _HEAD

# The asker saying their problem is gone: the question needs no answer any more.
# - A withdrawal: "nvm"/"never mind" opening the message, alone or followed by what the fix was
#   ("nvm, it was a typo"; not "nvm use 18" or "never mind the logs, here's the trace"), or
#   "figured it out", "fixed it myself" anywhere. It counts even with thanks ("nvm, got it, thanks").
# - A success the asker claims ("I fixed it", "got it working", "it works now"), as a clause of
#   its own: "that / the update / your tip fixed it" credits someone else. Not with thanks in the
#   message ("fixed it, thanks all": someone helped, their thanks or ✅ says who).
# Quotes and code are left out. Words of doubt or of trouble anywhere ("still", "but", "I think",
# "except", "same error"), or a negation before the phrase ("never figured it out"), keep the
# question open; a negation after it explains ("nvm, I didn't save the file").
_QUOTED = re.compile(r"^>.*$|```[\s\S]*?```|`[^`\n]*`", re.M)
# "nvm"/"never mind" alone, or followed by what the fix was ("nvm, it was a typo", "nvm got it")
_WITHDRAWN = re.compile(
    r"\A\W*(?:(?:ok|okay|oh|ah+|welp|oops|lol|haha|sorry|actually)\W+)*(?:nvm|nevermind|never mind)"
    r"(?:\W*\Z|[\s,.!;:\-–—]+(?:i\s+)?(?:just\s+)?(?:it was|it's fine|got it|figured|found it|found the|fixed|solved|"
    r"sorted|works|working|my bad|my mistake|typo|forgot|missed|dumb|stupid|silly|all good|i see|makes sense|"
    r"didn't|had to|needed to|was|wrong)(?![\w']))"
    r"|(?<![\w'])(?:figured it out|worked it out|(?:fixed|solved|sorted) it myself|ya (?:lo )?(?:resolv[íi]|"
    r"solucion[ée])|j[áa] resolvi|deixa pra l[áa]|hat sich erledigt|c'est bon,? j'ai trouv[ée]|laat maar)(?!\w)")
_SOLVED = re.compile(
    r"(?:^|[,.!;:(\n][^\S\n]*|(?<![\w'])(?:i|i've|ok|okay|oh|ah+|yay|yes|so|lol|welp|and)\s+)"
    r"(?:i(?:'ve| have)?\s+)?(?:finally\s+|just\s+)?"
    r"(?:(?:fixed|solved|sorted) it|got it (?:working|to work|running|sorted|fixed)|"
    r"(?:it'?s|its|it is|all|it's all) (?:(?:working|good) now|fixed(?: now)?)|(?:it )?works now|now it works|"
    r"(?:problem|issue) (?:solved|resolved|fixed)|solved\W*\Z|"
    r"found (?:the|my) (?:problem|issue|fix|solution|cause|bug|mistake))(?!\w)")
# doubt, new trouble, someone else's success, or not done yet
_DOUBT = re.compile(
    r"(?<![\w'])(?:still|but|yet|again|though|thought|if|until|unless|except|only|same|fails?|failing|"
    r"persists?|hopefully|maybe|probably|might|perhaps|think|guess|testing|nope|no idea|no clue|no luck|idk|"
    r"dunno|give up|gave up|supposed|should|say|says|said|not|another|different|other|broke|broken|crash\w*|"
    r"came back|once|when|i'll|will|gonna|going to|for (?:my|them|him|her|everyone|others|some|most)|"
    r"now (?:i|it|we)(?:'m)? (?:get|gets|getting|give|gives|throw|throws|show|shows|say|says)|"
    r"nicht|pas|nada|não|nao|niet)(?![\w'])"
    r"|n't (?:work|help|fix|change|load|start|run|connect)")
# a negation before the phrase ("I never figured it out"); after it, one explains ("I didn't save")
_NEGATION = re.compile(
    r"n't(?!\w)|(?<![\w'])(?:never(?! ?mind)|no|nobody|no one|noone|havent|hasnt|cant|didnt|dont|doesnt|wont|"
    r"isnt)(?![\w'])")
_THANKED = re.compile(r"(?<!\w)(?:thank(?:s|you)?|thx|ty|tysm|cheers|appreciated?)(?!\w)")


# The asker thanking for a success without naming anyone: "that fixed it, thanks all", "thanks,
# that worked", "ty, works now". Someone here answered; engagement does not know who.
_HELPED = re.compile(
    r"(?<![\w'])(?:(?:(?:that|this|it|which)|(?:your|the) [a-z]+(?: [a-z]+)?) (?:finally |really |totally )?"
    r"(?:(?:fixed|solved|sorted) it|(?:fixed|solved) the (?:problem|issue)|worked|works|did it|did the trick|helped)"
    r"|(?:it )?(?:works|worked|working) (?:now|perfectly|great|fine|like a charm)|now it works)(?![\w'])")
# consolation ("thanks anyway": nobody here helped) or only part of the problem
_NOT_HELPED = re.compile(r"(?<![\w'])(?:anyway|anyways|regardless|part|partly|partially|half|some of)(?![\w'])")


# A bump under one's own open question asks nothing new: "anyone?", "any ideas?", "still need
# help with this", "jemand?", "¿alguien?". Every word is one of these, at most eight, in at most
# 60 characters. The other languages are those of the question heuristic: someone, nobody, help,
# please, still, ideas, hello, people.
_BUMP_WORDS = frozenset(
    "anyone anybody someone somebody any one else ideas idea help helps please pls plz bump up ping still "
    "need needs stuck here guys so with this that it me my on can could would know thoughts suggestions "
    "update updates news hello hi hey again the problem issue question "
    # de, fr, es, pt, it, nl
    "jemand irgendwer irgendjemand niemand keiner hilfe bitte noch immer hier da ideen idee hallo leute kann "
    "mir helfen quelqu'un personne aide svp stp des idées idée toujours encore bonjour salut peut aider m'aider "
    "alguien nadie ayuda por favor todavía aún hola gente puede ayudar alguna "
    "alguém alguem ninguém ninguem ajuda ideias ideia ainda olá ola pessoal pode ajudar "
    "qualcuno nessuno aiuto per ancora ciao ragazzi può aiutare mi "
    "iemand niemand hulp alsjeblieft aub ideeën nog steeds mensen helpen".split())
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")  # digits too: "anyone on 3.12?" asks something new


def is_bump(text: str) -> bool:
    """Whether a question only repeats the call for help ("anyone?", "still stuck, any ideas?")."""
    if len(text) > 60:
        return False
    lowered = text.lower()
    first = lowered.partition(" ")[0].strip("?!.,;:¿¡")
    if first and first not in _BUMP_WORDS:
        return False  # "how do I…", "is there…": most questions fail on their first word
    found = _WORD.findall(lowered.replace("’", "'"))
    if not found:  # "??" is a bump
        return True
    return len(found) <= 8 and _BUMP_WORDS.issuperset(found)


def may_say_solved(text: str) -> bool:
    """Cheap gate for `says_solved`: False when none of its phrases can be in the text."""
    return _may_say_solved(text[:_HEAD].lower())


def _may_say_solved(head: str) -> bool:
    return ("d it" in head or "now" in head or "got it" in head or "nvm" in head or "mind" in head or "fixed" in head
            or "solv" in head or "found" in head or "soluc" in head or "erledigt" in head or "trouv" in head
            or "deixa" in head or "laat maar" in head)


def _may_say_helped(head: str) -> bool:
    # "ty" only as a word of thanks ("ty!", "tysm"), not in "pretty" or "type"
    return ("thank" in head or "thx" in head or "cheers" in head or "apprecia" in head
            or ("ty" in head and _THANKED.search(head) is not None))


def says_solved(text: str) -> bool:
    """Whether the asker's message says their problem is solved or the question withdrawn."""
    head = text[:_HEAD]  # quotes and code are cut out of the same head the gate saw
    if "`" in head or ">" in head:
        head = _QUOTED.sub(" ", head)
    head = head.lower().replace("’", "'")
    found = _WITHDRAWN.search(head)
    if found is None:
        found = _SOLVED.search(head)
        if found is None or _THANKED.search(head) is not None:
            return False
    return _DOUBT.search(head) is None and _NEGATION.search(head, 0, found.start()) is None


def may_say_helped(text: str) -> bool:
    """Cheap gate for `says_helped`: False when the text cannot hold a word of thanks."""
    return _may_say_helped(text[:_HEAD].lower())


def says_helped(text: str) -> bool:
    """Whether the asker's message thanks for a success without naming anyone ("that fixed it,
    thanks all"): someone here answered their question."""
    head = text[:_HEAD]
    if "`" in head or ">" in head:
        head = _QUOTED.sub(" ", head)
    head = head.lower().replace("’", "'")
    if _THANKED.search(head) is None or _NOT_HELPED.search(head) is not None:
        return False
    found = _HELPED.search(head) or _SOLVED.search(head)
    return found is not None and _DOUBT.search(head) is None and _NEGATION.search(head, 0, found.start()) is None


SOLVED_ALONE = "solved alone"
HELPED = "helped"


def may_close(text: str) -> bool:
    """Cheap gate for `closing`: `may_say_solved` or `may_say_helped`, the text lowered once."""
    head = text[:_HEAD].lower()
    return _may_say_solved(head) or _may_say_helped(head)


def closing(text: str) -> str | None:
    """How the asker's message closes their open question: SOLVED_ALONE ("nvm, figured it out"),
    HELPED by someone it does not name ("that fixed it, thanks all"), or not at all (None)."""
    head = text[:_HEAD].lower()  # for both gates
    if _may_say_solved(head) and says_solved(text):
        return SOLVED_ALONE
    if _may_say_helped(head) and says_helped(text):
        return HELPED
    return None
