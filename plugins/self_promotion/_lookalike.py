"""Look-alike domains: names made to pass for the sites that scams imitate (`links.protected`).

Compromised accounts post "free nitro" and fake trade links to sites named like Discord or
Steam. Three shapes are caught, each from the host alone:

* **typosquats**: a protected name with digits or `l` standing in for its letters
  (`dlscord.com`, `disc0rd.gift`, `dlscordapp.com`), or one insertion, deletion or swap away
  from a brand (substitutions and a second edit for long ones: `discrod.com`,
  `steamcommunlty.com`); in a sub-brand only within its brand part (`discrodapp.com`), since
  third-party sites are named after sub-brands (`discordapi.com`, `discordstats.com`);
* **brand plus lure**: a protected name in the host next to a lure word, or glued to one
  (`discord-nitro.click`, `discord.gift-promo.xyz`, `discordgift.site`,
  `discordnitros-free.com`); "nitro" only as a word of its own or glued to a lure
  (`free-nitro.ru`, not a longer name: `nitrokey.com`); a site that only carries the name
  (`discord.js.org`, `discordpy.readthedocs.io`) is fine, and names shorter than four letters
  (an admin's `x.com`) are never matched as a prefix;
* **disguised**: a protected host that the message spells with letters from other scripts or
  invisible characters (`dіscord.gift` with a Cyrillic і), or an IDN (`xn--...`) host that
  reads as one.
"""

from __future__ import annotations

from plugins.self_promotion._links import DomainSet, Link
from plugins.self_promotion._normalize import fold, undefang

# digits and look-alike letters -> the letter they pass for (compared on both sides)
_SKELETON = str.maketrans("0134578l", "oieastbi")
LURES = frozenset(
    "gift gifts nitro free promo drop drops claim airdrop giveaway giveaways reward rewards bonus verify "
    "verification login signin auth support trade tradeoffer".split())
_LURES = frozenset(w.translate(_SKELETON) for w in LURES)  # compared with skeletons
_LURE_BRANDS = ("nitro",)  # a lure's own brand: "free-nitro.ru" needs no protected name
_MIN_BRAND = 6  # shorter names have too many real words one edit away ("steam" / "stream")
_MIN_PREFIX = 4  # shorter names start too many words to match as a prefix ("x" of x.com)
_CACHE = 4096


def skeleton(token: str) -> str:
    """The token with digits and `l` mapped to the letters they pass for."""
    return token.translate(_SKELETON)


class Lookalikes:
    """Built from `links.protected`; `check(...)` names a look-alike host, else None."""

    def __init__(self, protected: list[str]) -> None:
        self.protected = DomainSet.of(protected)
        names = {_name(entry) for entry in protected} - {""}
        self._brands = {skeleton(n): n for n in names}  # skeleton -> name
        self._prefixes = {s: n for s, n in self._brands.items() if len(s) >= _MIN_PREFIX}  # brand plus lure
        # Digits and `l` standing in for letters are caught in every name ("dlscordapp"). Other
        # typos: in a brand anywhere ("discrod"), in a sub-brand only within its brand part
        # ("discrodapp"), since third-party sites are named after sub-brands ("discordapi",
        # "discordstats" next to "discordapp", "discordstatus").
        self._spelled = {s: n for s, n in self._brands.items() if len(s) >= _MIN_BRAND}
        self._typo: dict[str, str] = {}
        self._sub: list[tuple[str, str, str]] = []  # (brand skeleton, suffix, sub-brand name)
        for s, n in self._spelled.items():
            brand = max((b for b in self._prefixes if b != s and s.startswith(b)), key=len, default=None)
            if brand is None:
                self._typo[s] = n
            else:
                self._sub.append((brand, s[len(brand):], n))
        self._by_host: dict[str, str | None] = {}

    def check(self, link: Link, text: str, normalized: str, listed: bool = False) -> str | None:
        """Why `link` is a look-alike (shown to moderators), or None.

        `text` is the raw message and `normalized` the text its links were found in; a link that is
        not in it came from an embed, which Discord spells for us (never a disguise). A `listed` site
        (on an allow, common, promo or shortener list) is what it says, unless it is a protected one.
        """
        if self.protected.match(link):
            return _disguised(link.host, text) if link.host in normalized else None
        if listed:
            return None
        found = self._by_host.get(link.host, "")
        if found == "":
            if len(self._by_host) >= _CACHE:
                self._by_host.clear()
            found = self._by_host[link.host] = self._judge(link.host)
        return found

    def _judge(self, host: str) -> str | None:
        if "xn--" in host:
            decoded = _idna(host)
            if decoded is not None and decoded != host:
                if self.protected.match(Link("", decoded, "/", ())):
                    return f"{host} reads as {decoded}"
                host = decoded
        words = [t for label in host.split(".")[:-1] for t in label.split("-") if t]
        tokens = [skeleton(t) for t in words]
        for word, token in zip(words, tokens, strict=True):
            name = self._spelled.get(token)
            if name is not None and word != name:
                return f"{host} looks like {name}"
            for typo, name in self._typo.items():
                if _typo_of(token, typo):
                    return f"{host} looks like {name}"
            for brand, suffix, name in self._sub:
                if token.endswith(suffix) and _typo_of(token[:-len(suffix)], brand):
                    return f"{host} looks like {name}"
        for i, token in enumerate(tokens):
            lured = any(t in _LURES for j, t in enumerate(tokens) if j != i)
            for brand, name in self._prefixes.items():
                # a protected name in the host, next to a lure or glued to one ("discordgift")
                if token.startswith(brand) and (lured or token[len(brand):] in _LURES):
                    return f"{host}: {name} with a lure word"
            for brand in _LURE_BRANDS:
                # a lure's own brand only as a word of its own, not a longer name ("nitrokey")
                if token == brand and lured or token.startswith(brand) and token[len(brand):] in _LURES:
                    return f"{host}: {brand} with a lure word"
        return None


def _typo_of(token: str, name: str) -> bool:
    """A typo of `name` (see _near); a typo rarely changes both ends, so most tokens skip _near."""
    return (token[:2] == name[:2] or token[-2:] == name[-2:]) and token != name \
        and abs(len(token) - len(name)) <= 2 and _near(token, name)


def _name(entry: str) -> str:
    """The name a protected entry is known by: `discord` for `discord.com`, `steamcommunity` for its host."""
    host = entry.strip().lower().removeprefix("https://").removeprefix("http://").partition("/")[0]
    labels = host.removeprefix("www.").split(".")
    return labels[-2] if len(labels) >= 2 else ""


def _near(a: str, b: str) -> bool:
    """`a` is a typo of the name `b`: an insertion, deletion or swap of neighbours; for names of 10+
    letters a substitution too, and for 12+ letters two such edits. (Digits and `l` are mapped
    before: "disc0rd" is an exact skeleton match; "discard" is a word, not a typo of "discord".)"""
    limit = 2 if len(b) >= 12 else 1
    substitution = 1 if len(b) >= 10 else 2
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (0 if ca == cb else substitution))
            if previous2 is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return False
        previous2, previous = previous, row
    return previous[-1] <= limit


def _disguised(host: str, text: str) -> str | None:
    """A protected host the message does not spell plainly (other scripts, invisible characters)."""
    if text.isascii():
        return None
    return None if host in undefang(text.lower()) else f"{host} spelled with look-alike or hidden characters"


def _idna(host: str) -> str | None:
    try:
        return fold(host.encode("ascii").decode("idna"))
    except (UnicodeError, ValueError):
        return None
