"""The question heuristic: a question mark, or question phrasing in the configured languages.

Word-based so that it stays around a microsecond per message: the first 200 characters are
lower-cased and split into words once; a message is a question when it has a question mark
(outside links), starts with a question word (and has 3+ words, not ending in "!"; an English
auxiliary must be followed by a subject, as in "have you", and "what a ..." is an exclamation), or contains
one of the help-seeking phrases below. Admins may add their own regexes (RE2).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.config import compile_admin_regex, search_test

_MARKS = ("?", "？", "¿", "؟")  # ASCII, full-width (CJK), inverted (Spanish), Arabic
# Where a "?" asks nothing: links (with or without a scheme: `www.x.com/p?id=3`) and code
# (`user?.name ?? 'anon'`).
# Each link alternative starts where a run of non-space starts and its parts cannot overlap, so a
# long run without spaces is scanned once (`\S+\.\S+/\S*\?` took seconds on "a./" * 300).
# A "?" ending the run is a question mark, not a query: "is it at github.com/foo/bar?".
_NOT_PROSE = re.compile(
    r"```[\s\S]*?```|`[^`\n]*`|(?<!\S)\S*://\S*|(?<!\S)[^\s/.?]*(?:\.[^\s/.?]+)+/[^\s?]*\?[^\s?]\S*")
_HEAD = 200

# Words that make a question when they start the message.
_OPENERS: dict[str, str] = {
    "en": "how what why when where who whom whose which can could would should shall does do did is are "
          "was were has have will may might anyone anybody",
    "de": "wie was warum wieso weshalb weswegen wann wo woher wohin wer wen wem welche welcher welches "
          "welchen kann kannst könnt könnte könntet gibt hat habt hast ist sind weiß weiss muss soll darf",
    "fr": "comment pourquoi quand où qui quoi quel quelle quels quelles combien est-ce quelqu'un "
          "pouvez-vous peut-on sais-tu savez-vous y",
    # not "puedes"/"pode"/"puoi" (also "you can ...", how answers start) or "hay" ("hay que": one must)
    "es": "cómo qué cuándo dónde quién quiénes cuál cuáles cuánto cuánta alguien puedo sabéis saben sabes",
    "pt": "como quando onde quem qual quais quanto alguém alguem posso existe sabem sabe",
    "it": "come perché perche quando dove chi quale quali quanto qualcuno posso esiste sapete sai",
    "nl": "hoe wat waarom wanneer waar wie welke welk kan kun kunnen heeft hebben is zijn weet iemand",
}

# English auxiliaries start statements too ("have a good week", "was great", "did it"); without a
# question mark they make a question only when inverted with a subject ("have you", "is there").
_INVERTED_AUX = frozenset(
    "can could would should shall does do did is are was were has have will may might".split())
_SUBJECTS = frozenset(
    "i you u we they he she it there anyone anybody someone somebody this that these those your my ur".split())
# "what I did was ...", "how we fixed it ...", "when I ran it again it worked": an English
# question word followed by its subject opens a statement (a question inverts: "how do I").
_WH = frozenset("what how when where why who which".split())
_STATEMENT_SUBJECTS = frozenset("i we he she they".split())

# Help-seeking phrases, matched as whole word sequences anywhere in the first 200 characters.
_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("does anyone", "does anybody", "anyone know", "anybody know", "anyone have", "anyone tried",
           "i was wondering", "wondering if", "any help", "whats the best", "idk how to", "don't know how to",
           "dont know how to", "help pls", "help plz", "help please",
           "anyone seen", "any idea", "any ideas", "any tips", "any advice", "any suggestions",
           "any suggestion", "need help", "need some help", "need advice", "can someone", "can somebody",
           "can anyone", "could someone", "could anyone", "i'm wondering", "i wonder", "i'm stuck",
           "i am stuck", "not sure how", "how do i", "how can i", "how should i", "is there a way",
           "is there any way", "help me", "please help", "what's the best", "what is the best"),
    "de": ("hat jemand", "weiß jemand", "weiss jemand", "kann jemand", "kann mir jemand", "kennt jemand",
           "brauche hilfe", "ich frage mich", "gibt es eine möglichkeit", "wie kann ich"),
    "fr": ("quelqu'un sait", "quelqu'un a", "quelqu'un peut", "quelqu'un connaît", "quelqu'un connait",
           "besoin d'aide", "je me demande", "comment faire", "comment puis-je", "est-ce que",
           "savez-vous", "sauriez-vous"),
    "es": ("alguien sabe", "alguien tiene", "alguien puede", "alguien conoce", "necesito ayuda",
           "me pregunto", "cómo puedo", "cómo hago", "hay alguna forma", "hay alguna manera", "alguna idea"),
    "pt": ("alguém sabe", "alguém tem", "alguém pode", "alguém conhece", "alguem sabe", "preciso de ajuda",
           "como posso", "como faço", "como faco", "alguma ideia"),
    "it": ("qualcuno sa", "qualcuno ha", "qualcuno può", "qualcuno conosce", "ho bisogno di aiuto",
           "mi chiedo", "come posso", "come faccio", "qualche idea"),
    "nl": ("weet iemand", "heeft iemand", "kan iemand", "kent iemand", "hulp nodig", "hoe kan ik",
           "is er een manier"),
}


# Words too frequent in answers and chat to anchor a phrase on (speed only: see build_detector).
_EVERYDAY = frozenset("need there sure know have does can could should what how is the any me please "
                      "i'm am not some anyone anybody is".split())


# A reply that only says "me too" answers nothing: the question is still open.
ME_TOO = re.compile(
    r"\W*(?:<@!?\d+>\W*)*(?:\+1|same(?: here| for me| problem| issue| error| thing| question)?(?: here)?|me too|"
    r"(?:i(?:'m| am)? )?(?:have|having|got|getting) the same (?:problem|issue|error|question)(?: here)?|"
    r"any (?:update|news|luck)s?)[\W\s]*\Z")


def build_detector(languages: Sequence[str], extra_patterns: Sequence[str] = (),
                   min_chars: int = 8) -> Callable[[str], bool]:
    """Return `is_question(text)` for the given languages and extra RE2 patterns."""
    openers = frozenset(w for lang in languages for w in _OPENERS.get(lang, "").split())
    # Each phrase is indexed by its longest (rarest) word: most messages share none of them.
    # (phrase text " w1 w2 ", its words) by an anchor: any of its words works, since all must be
    # there; the longest one outside the everyday words below is looked up less often.
    by_anchor: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for lang in languages:
        for phrase in _PHRASES.get(lang, ()):
            words = phrase.split()
            anchor = max(words, key=lambda w: (w not in _EVERYDAY, len(w)))
            by_anchor.setdefault(anchor, []).append((" " + " ".join(words) + " ", frozenset(words)))
    anchors = frozenset(by_anchor)
    extras = [search_test(compile_admin_regex(p)) for p in extra_patterns]

    def is_question(text: str) -> bool:
        if len(text) < min_chars:
            return False
        # a "?" inside a link's query string or in code is not a question
        marked = "?" in text or (not text.isascii() and ("？" in text or "¿" in text or "؟" in text))
        if marked and (not ("/" in text or "`" in text) or text.rstrip().endswith("?")
                       or any(m in _NOT_PROSE.sub(" ", text, 20) for m in _MARKS)):
            return True
        head = text[:_HEAD].lower()
        if "’" in head:
            head = head.replace("’", "'")
        words = head.replace(",", " ").replace(".", " ").split()
        if len(words) >= 3 and words[0] in openers and not text.rstrip().endswith("!") and (
                words[0] not in _INVERTED_AUX or words[1] in _SUBJECTS) and words[1] not in ("a", "an") and not (
                words[0] in _WH and words[1] in _STATEMENT_SUBJECTS):
            return True
        if not anchors.isdisjoint(words) and _has_phrase(words, by_anchor, anchors):
            return True
        if extras:
            head = text[:_HEAD * 2]
            return any(found_in(head) for found_in in extras)
        return False

    return is_question


def _has_phrase(words: list[str], by_anchor: dict, anchors: frozenset[str]) -> bool:
    """Whether a phrase anchored on one of the words occurs as consecutive words.

    A phrase whose words are not all there is skipped with a set test; the others are looked
    for as a substring of the words joined by single spaces.
    """
    present = set(words)
    joined = None
    for word in anchors & present:
        for text, needed in by_anchor[word]:
            if needed <= present:
                if joined is None:
                    joined = " " + " ".join(words) + " "
                if text in joined:
                    return True
    return False
