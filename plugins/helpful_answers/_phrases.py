"""Default gratitude phrase sets per language: positive cues and the guards that cancel them.

Every entry is a regex fragment matched on lowercased text between word boundaries (see
`_gratitude.GratitudeDetector`); `stems` are plain lowercase substrings, at least one of which
any cue contains (the fast precheck), and `word_stems` the same for stems that count only where
a word starts ("ty": the cues holding it start a word with it, and "pretty" or "city" must not
send a message to the detector). Categories: `thanks` (direct thanks), `appreciation`
("appreciate it", "grateful"), `success` ("that worked!"), `relief` ("thank god", "thanks to
the update ..."), `acknowledgement` ("you're welcome"), `advance` ("thanks in advance", said
before anyone helped), `consolation` ("thanks anyway", said when it did not help). Only some
categories earn credit (config decides).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LanguageSet:
    """Cues of one language: positives by category, plus guard and failure fragments."""

    code: str
    positives: tuple[tuple[str, tuple[str, ...]], ...]
    refusals: tuple[str, ...] = ()
    ironic: tuple[str, ...] = ()
    failures: tuple[str, ...] = ()
    stems: tuple[str, ...] = ()
    word_stems: tuple[str, ...] = ()  # counted only after a non-word character (or at the start)
    advance_hints: tuple[str, ...] = ()  # substrings every `advance` phrase of the language holds
    consolation: tuple[str, ...] = ()  # "thanks anyway": gratitude, but said when it did not help
    consolation_hints: tuple[str, ...] = ()  # substrings every `consolation` phrase holds


# Thanks right after a success cue ("that was it, thanks", "that worked, cheers").
_THANKS_NEXT = r",? th(?:anks?|ank|x|nx)\b| ty\b|,? cheers\b"
# What may follow a success cue: its end, thanks, or a smiley; not "... for a while, but".
# (Not "?": "so it's working now?" asks. Not "then"/"though": "fixed, then it broke again".)
_DONE = (r"(?= ?[!.]|$| perfectly| like a charm|" + _THANKS_NEXT + r"| ?[:;=]-?[)d\]p3]| ?<3"
         r"| ?[🎉🙏👍✅💯🔥😀😃😄😁😊🙂😎🥳❤♥☺💪🙌👌🤩😍🥰])")

EN = LanguageSet(
    code="en",
    positives=(
        ("relief", (
            r"thank (?:god|goodness|heavens?|the lord|lord|christ|jesus|fuck|f\*+k|science)",
            # "it broke, thanks to the update": mid-sentence and before a word (a removed mention
            # leaves a space), so "thanks to @x for the fix" and "Thanks to Bob!" stay thanks
            r"thanks? to(?:(?<=\w thanks to)|(?<=\w, thanks to)|(?<=\w thank to)|(?<=\w, thank to))"
            r"(?= (?!(?:you|u|ya|y'?all|your|ur|all|every(?:one|body)|the (?:community|server|team|mods?|devs?))\b)\w)",
        )),
        ("thanks", (
            r"tha+nk(?:s+)?", r"thank(?:you|u|yu|ya|yaa?|yall|ies|q)", r"thnx|thanx|thnks|thnk|thx+|thks|tks|tnx",
            # said on its own, the whole message is the thanks ("cheers!", "legend 🙏")
            r"(?<![\s\S])(?:cheers|(?:absolute |real |total )?(?:legend|life ?saver))(?=[\s!.🙏🙇]*$)",
            r"ty(?:sm|svm|vm|ty|y+)?", r"many thanks", r"(?:you|u|ya) rock(?=\s*(?:[!.,]|$))", r"much obliged|(?:i'?m|i am|am) (?:much |very )?obliged",
            r"cheers (?:mate|man|dude|bud|buddy|pal|m8|for)", r"\+ ?(?:1 ?)?rep", r"rep ?\+",
            r"(?:you(?:'re| are)|ur|you) (?:a |an |my |the )?(?:absolute |real |true )?(?:life ?saver|legend|hero)",
            r"(?:you|u) (?:just )?saved (?:me|my|us)", r"(?:you(?:'re| are)|ur|youre|your) the best",
            r"(?:i )?owe (?:you|ya|u) (?:one|a (?:beer|coffee|pizza))",
        )),
        ("advance", (
            r"(?:thanks?|thank (?:you|u)|thx|ty|tyvm|cheers|(?:much )?appreciated?)(?: (?:so much|very much|a lot|all))?"
            r",? (?:in advance|beforehand|ahead of time)",
        )),
        ("appreciation", (
            r"(?:(?:much|greatly|really|truly|very much|highly|deeply|so|very|definitely|(?:it'?s|is) (?:much |greatly |really )?) )?appreciated",
            r"(?:(?:i|we|i'?d|we'?d|really|truly|much|greatly|definitely|deeply|sincerely|do|(?:^|[.!?,] ?))\s*)appreciate "
            r"(?:it|this|that|you|ya|u|y'?all|your|ur|the (?:help|advice|info|answer|tip|reply|response|support|effort)s?)",
            r"(?:i'?m|i am|we'?re|we are|i feel|i was|am|so|very|really|truly|forever|eternally|deeply|super) (?:so |very |really |truly )?(?:grateful|thankful)",
            r"my (?:gratitude|thanks)",
        )),
        ("success", (
            r"(?:that|this|it|they|those|yours?|your (?:fix|solution|answer|suggestion|tip|idea|code|command|advice)) "
            r"(?:totally |finally |actually |really |just |def(?:initely)? )?(?:worked|did the trick|did it|fixed it|solved it|"
            r"(?:fixed|solved) my (?:problem|issue|error|bug)|works now|works perfectly|works like a charm)" + _DONE,
            r"did the trick|works? like a charm|worked like a charm|(?:problem|issue) (?:is )?(?:solved|fixed)" + _DONE,
            r"(?:it'?s|it is|its|everything'?s|everything is|all) (?:finally )?working (?:now|again|perfectly)" + _DONE,
            r"(?:got it|it'?s|it is) (?:finally )?(?:working|fixed)(?: now)?" + _DONE,
            r"that was it(?= ?!|" + _THANKS_NEXT + ")",
            # a message opening with the news: "fixed!", "works now :)"
            r"(?<![\s\S])(?:fixed|solved|works now|working now|it works)(?: it| now)?(?= ?!| ?[:;]-?[)d]|" + _THANKS_NEXT + ")",
        )),
        ("acknowledgement", (
            r"(?:you(?:'|’)?re|your|you are|ur|u r|yer|youre) (?:very |so |most |more than )?welcome",
        )),
    ),
    refusals=(
        r"no,? thanks?(?: you| u)?", r"no,? ty", r"nah,? thanks?", r"no thx",
        r"(?:i'?d|i would) rather not,? thanks?(?: you)?", r"thanks?,? but no(?: thanks?| thank you)?",
        r"thank(?:s| you)? me later", r"don'?t (?:need to )?thank me", r"no need to thank(?: me)?",
        r"(?:thanks?|ty|thx|cheers) (?:for|4) (?:nothing|wasting|ruining|the downvote)s?", r"gee,? thanks?", r"thanks,? i hate it",
        r"thanks? obama", r"thank(?:s| you)?,? (?:ro)?bot", r"not thankful", r"not grateful", r"ungrateful",
    ),
    ironic=(r"(?<!\w)/s(?:arc(?:asm)?)?(?!\w)", r"yeah,? right", r"🙄", r"😒", r"🖕"),
    failures=(
        r"still (?:fails?|failing|broken|crash(?:es|ing)?|errors?|not working|doesn'?t|does not|isn'?t|won'?t|"
        r"get(?:ting)? (?:the same|an? )|the same)",
        r"(?:doesn'?t|does not|didn'?t|did not|won'?t|isn'?t|not) work(?:ing)?", r"same (?:error|issue|problem)",
        r"no luck", r"didn'?t help", r"did not help",
        r"(?:still|now) (?:i |we |it )?(?:get(?:ting)?|have|having|gives?|giving|throws?|throwing) (?:me )?"
        r"(?:the |that |this |a |an )?"
        r"(?:same |different |new |another |other )?(?:error|issue|problem|exception|crash)",
    ),
    # (every cue holds one: "works like a charm" has "a charm"; each is as long as the cues allow, so
    # that questions such as "how does the retry policy work?" or a "welcome!" to a newcomer stop at
    # the precheck; a test samples every cue and checks it holds a stem)
    stems=("thank", "thaa", "thx", "did it", "at was it", "working now", "working again", "working perfectly",
           "it working", "s working", "finally working", "thnx", "thanx", "thnk", "thks", "tks", "tnx",
           "obliged", "cheers", "+rep", "+ rep", "1rep", "1 rep", "rep+", "rep +", "life saver", "lifesaver",
           "legend", "hero", "saved", "re the best", "ur the best", "owe you", "owe ya", "owe u", "apprec",
           "grateful", "thankful", "gratitude", "worked", "works now", "works perf", "it works", "a charm",
           "trick", "fixed", "solved", "r welcome", "re welcome", "very welcome", "so welcome", "most welcome",
           "than welcome", "u rock", "ya rock"),
    word_stems=("ty",),
    advance_hints=("in advance", "beforehand", "ahead of time"),
    consolation=(
        r"(?:thanks?|thank (?:you|u)|ty|thx|appreciate (?:it|the (?:help|effort)))"
        r"(?: (?:for trying|for the (?:help|effort|try|tips?)))?,? (?:anyway|anyways|though|tho|all the same|regardless)",
        r"(?:anyway|anyways),? (?:thanks?|thank (?:you|u)|ty|thx)", r"thanks? for trying",
    ),
    consolation_hints=("anyway", "though", "tho", "all the same", "regardless", "for trying"),
)

ES = LanguageSet(
    code="es",
    positives=(
        ("relief", (r"gracias a dios",)),
        ("advance", (r"(?:(?:muchas )?gracias|te lo agradezco) (?:de antemano|por adelantado)",)),
        ("thanks", (r"(?:muchas |mil |muchísimas |muchisimas )?gracias", r"grax|grcs|grs",
                    r"te lo agradezco|se (?:te )?agradece|(?:muy )?agradecid[oa]s?|te agradezco|le agradezco")),
        ("success", (r"(?<!no )(?<!no me )(?<!no le )(?<!no te )(?<!nunca )(?<!tampoco )(?<!nunca me )"
                     r"(?:ya )?(?:funcionó|funciono|funciona)(?: (?:perfecto|perfectamente|bien))?(?= ?[!.]|$|,? gra)",
                     r"(?<!no )lo solucion[eé]")),
        ("acknowledgement", (r"de nada", r"no hay de qu[eé]", r"con gusto")),
    ),
    refusals=(r"no,? gracias", r"gracias por nada"),
    failures=(r"(?:sigue|todav[ií]a|a[uú]n) (?:sin funcionar|no funciona|falla)", r"no funcion(?:a|ó|o)"),
    stems=("graci", "grax", "grcs", "grs", "agrade", "funcion", "solucion", "de nada", "no hay de", "con gusto"),
    advance_hints=("de antemano", "por adelantado"),
    consolation=(r"(?:gracias|grax) (?:igual|igualmente|de todos modos|de todas formas)",),
    consolation_hints=("igual", "de todos", "de todas"),
)

PT = LanguageSet(
    code="pt",
    positives=(
        ("relief", (r"gra[cç]as a deus",)),
        ("advance", (r"(?:(?:muito )?obrigad[oa]|valeu|agrade[cç]o),? desde j[aá]|desde j[aá],? (?:(?:muito )?obrigad[oa]|agrade[cç]o)",)),
        ("thanks", (r"(?:muito )?obrigad[oa]s?|brigad[oa]|obg|obgd[oa]?|valeu|vlw|agrade[cç]o|"
                    r"muito grat[oa]|gratid[aã]o",)),
        ("success", (r"(?<!n[aã]o )(?<!nunca )(?<!nem )(?<!n[aã]o me )(?:deu certo|funcionou|resolveu)",)),
        ("acknowledgement", (r"de nada", r"por nada", r"disponha")),
    ),
    refusals=(r"n[aã]o,? obrigad[oa]", r"obrigad[oa] por nada"),
    failures=(r"(?:ainda|continua) (?:n[aã]o funciona|dando erro|com erro)", r"n[aã]o (?:funcionou|funciona|deu certo)"),
    stems=("brigad", "obg", "valeu", "vlw", "agrade", "grat", "graças", "gracas", "deu certo", "funcionou",
           "resolveu", "de nada", "por nada", "disponha"),
    advance_hints=("desde j",),
    consolation=(r"obrigad[oa] (?:mesmo assim|de qualquer forma|de qualquer jeito)",),
    consolation_hints=("mesmo assim", "de qualquer"),
)

FR = LanguageSet(
    code="fr",
    positives=(
        ("relief", (r"dieu merci",)),
        ("advance", (r"merci(?: beaucoup)? (?:d'avance|par avance|à l'avance|a l'avance)",)),
        ("thanks", (r"merci(?: beaucoup| bien| mille fois| infiniment)?|mille mercis|mrc|mci",
                    r"je (?:te|vous) remercie|remerciements?|reconnaissante?")),
        ("success", (r"(?:ça|ca|cela) (?:a |m'a )?(?:marché|marche|fonctionné|fonctionne) (?:maintenant|nickel|parfaitement)",
                     r"(?:ça|ca|cela) a (?:marché|fonctionné)", r"c'est r[ée]solu")),
        ("acknowledgement", (r"de rien", r"(?:avec|[aà]) plaisir", r"je t'en prie|je vous en prie")),
    ),
    refusals=(r"non,? merci", r"merci pour rien"),
    failures=(r"(?:marche|fonctionne) (?:toujours )?pas", r"(?:ne|n') (?:marche|fonctionne) (?:toujours )?pas",
              r"toujours (?:la même|le même) (?:erreur|problème)"),
    stems=("merci", "mrc", "mci", "remerci", "reconnaiss", "marché", "marche", "fonctionn", "résolu",
           "resolu", "de rien", "plaisir", "en prie"),
    advance_hints=("avance",),
    consolation=(r"merci (?:quand m[eê]me|malgr[eé] tout|tout de m[eê]me)",),
    consolation_hints=("quand m", "malgr", "tout de m"),
)

DE = LanguageSet(
    code="de",
    positives=(
        ("relief", (r"gott sei dank",)),
        ("advance", (r"(?:danke|vielen dank|besten dank)(?: schon)? im voraus",)),
        ("thanks", (r"danke(?:sch[oö]n| sch[oö]n| sehr| dir| euch| vielmals)?|dankesch[oö]n|vielen dank|"
                    r"besten dank|tausend dank|herzlichen dank|thx|dank dir|dankbar",)),
        ("success", (r"(?:hat|es hat) (?:jetzt )?(?:geklappt|funktioniert)", r"funktioniert jetzt|l[aä]uft jetzt")),
        ("acknowledgement", (r"gern geschehen|bitte sehr|bitte sch[oö]n",)),
    ),
    refusals=(r"nein,? danke", r"danke f[uü]r nichts"),
    failures=(r"(?:funktioniert|geht|klappt|l[aä]uft) (?:immer )?(?:noch )?nicht",),
    stems=("dank", "thx", "geklappt", "funktioniert", "läuft", "lauft", "gern", "bitte"),
    advance_hints=("im voraus",),
    consolation=(r"danke (?:trotzdem|dennoch|aber trotzdem)",),
    consolation_hints=("trotzdem", "dennoch"),
)

RU = LanguageSet(
    code="ru",
    positives=(
        ("relief", (r"слава богу",)),
        ("advance", (r"заранее (?:спасибо|благодарю|благодарен|благодарна)|(?:спасибо|благодарю) заранее",)),
        ("thanks", (r"спасибо(?: большое| огромное)?|спасиб|спс|сенкс|пасиб[оa]?|благодарю|благодарен|"
                    r"благодарна|благодарочка|мерси",)),
        ("success", (r"(?:всё|все|теперь) (?:заработало|работает)|заработало|помогло",)),
        ("acknowledgement", (r"не за что|обращайтесь",)),
    ),
    refusals=(r"нет,? спасибо", r"спасибо за ничего"),
    failures=(r"(?:всё ещё|все еще|всё равно|все равно|по-прежнему)?\s*не (?:работает|помогло|заработало)",),
    stems=("спасиб", "пасиб", "спс", "сенкс", "благодар", "мерси", "работа", "помогло", "не за что",
           "обращай", "слава бог"),
    advance_hints=("заранее",),
    consolation=(r"(?:всё|все) равно спасибо|спасибо (?:всё|все) равно",),
    consolation_hints=("равно",),
)

LANGUAGES: dict[str, LanguageSet] = {s.code: s for s in (EN, ES, PT, FR, DE, RU)}
