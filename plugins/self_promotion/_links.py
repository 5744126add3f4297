"""Find links and invites in normalised text and classify their domains."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from plugins.self_promotion._normalize import TLD_PATTERN

# Anything that might be a link: cheap test used for the fast path on the raw text.
LINK_HINT = re.compile(rf"://|www\.|\.(?:{TLD_PATTERN})\b|\[\.\]|\(\.\)|\bdot\s+(?:com|net|org)\b|\.gg\s*/|h[tx]{{2}}ps?", re.I)

_URL = re.compile(
    rf"(?:(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{{0,15}}://[^\s<>()\[\]\"']+)"
    rf"|(?:(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{TLD_PATTERN})\b(?:[/?#][^\s<>()\[\]\"']*)?)",
    re.IGNORECASE,
)
_MASKED = re.compile(r"\[([^\]\n]{1,200})\]\(\s*<?([^\s)>]{1,500})>?\s*\)")
_INVITE = re.compile(
    r"(?:discord(?:app)?\.com/invite|discord\.gg|(?<![\w.])\.gg|discord\.com/servers/[\w-]*)\s*/\s*([a-z0-9-]{2,32})",
    re.IGNORECASE,
)
# Letters spelled out with spaces or leetspeak: "d i s c o r d . g g / x", "d1sc0rd.gg/x".
_SPACED_INVITE = re.compile(r"d\W?[i1l!|]\W?s\W?c\W?[o0]\W?r\W?d\W?(?:a\W?p\W?p\W?)?\W{0,3}g\W?g\W{0,3}/\W?([a-z0-9-]{2,32})")


@dataclass(frozen=True, slots=True)
class Link:
    """One link: host without `www.`, path, lower-cased query keys and values."""

    url: str
    host: str
    path: str
    query: tuple[tuple[str, str], ...]
    masked_text: str | None = None


# The common shape of a link, split without urlsplit: lower-case ASCII host, optional port.
_SIMPLE_URL = re.compile(r"[a-z][a-z0-9+.-]*://([a-z0-9.-]+)(?::[0-9]*)?(?=[/?#]|$)")


def _split(url: str) -> tuple[str, str, str, str] | None:
    """(hostname, path, query, fragment) as `urlsplit` gives them; None when it raises."""
    m = _SIMPLE_URL.match(url) if url.isascii() else None
    if m is None:
        try:
            parts = urlsplit(url)
            return parts.hostname or "", parts.path, parts.query, parts.fragment
        except ValueError:
            return None
    rest = url[m.end():]
    fragment = query = ""
    if "#" in rest:
        rest, fragment = rest.split("#", 1)
    if "?" in rest:
        rest, query = rest.split("?", 1)
    return m.group(1), rest, query, fragment


def _parse(raw: str, masked_text: str | None = None) -> Link | None:
    url = raw.rstrip(".,;:!?*_~'\"")
    if "://" not in url:
        url = "http://" + url
    parts = _split(url)
    if parts is None:
        return None
    hostname, path, query_text, fragment = parts
    host = hostname.strip(".")
    if not host or "." not in host:
        return None
    if host.startswith("www."):
        host = host[4:]
    if unreachable(host):
        return None
    query = tuple(parse_qsl(query_text, keep_blank_values=True)[:30]) if query_text else ()
    if fragment and "=" in fragment:
        query += tuple(parse_qsl(fragment, keep_blank_values=True)[:10])
    return Link(url, host, path or "/", tuple((k.lower(), v) for k, v in query) if query else (), masked_text)


# Names nobody else can open (RFC 2606 and 6761 reserved names, local-network suffixes): "set the
# url to https://api.example.com/v1" or "http://192.168.1.1" in a help answer is not a link to promote.
_RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local", ".internal", ".lan", ".home.arpa",
                      ".example.com", ".example.net", ".example.org")
_EXAMPLE_DOMAINS = frozenset({"example.com", "example.net", "example.org"})


def unreachable(host: str) -> bool:
    """Whether a host only exists on the poster's machine or network, or is reserved for examples."""
    if host.endswith(_RESERVED_SUFFIXES) or host in _EXAMPLE_DOMAINS:
        return True
    if not host[-1:].isdigit():
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_unspecified


def find_links(text: str, embed_urls: tuple[str, ...] = ()) -> list[Link]:
    """Links in a normalised text (masked `[text](url)` ones included) and in embeds, deduplicated."""
    return scan_links(text, embed_urls)[0]


def scan_links(text: str, embed_urls: tuple[str, ...] = ()) -> tuple[list[Link], str]:
    """`find_links`, and the text with every URL-looking span replaced by a space (`_URL.sub(" ", text)`)."""
    found: dict[str, Link] = {}
    masked_spans = []
    if "](" in text:
        for m in _MASKED.finditer(text):
            link = _parse(m.group(2), m.group(1))
            if link is not None:
                found.setdefault(link.url, link)
                masked_spans.append(m.span(2))
    pieces = []
    end = 0
    for m in _URL.finditer(text):
        start = m.start()
        pieces.append(text[end:start])
        end = m.end()
        if masked_spans and any(a <= start < b for a, b in masked_spans):
            continue
        link = _parse(m.group(0))
        if link is not None:
            found.setdefault(link.url, link)
    for raw in embed_urls[:10]:
        link = _parse(raw.lower())
        if link is not None:
            found.setdefault(link.url, link)
    if pieces:
        pieces.append(text[end:])
        text = " ".join(pieces)
    return list(found.values())[:20], text


def find_invites(text: str) -> list[str]:
    """Invite codes (discord.gg, discord.com/invite, `.gg/`, spelled-out forms) in a normalised text."""
    if text.isascii():
        low = text.lower()
        # every form of _INVITE holds "discord" or ".gg" (non-ASCII text may match them through
        # IGNORECASE's Unicode folds, so it always runs the pattern)
        codes = [m.group(1) for m in _INVITE.finditer(text)] if ".gg" in low or "discord" in low else []
    else:
        codes = [m.group(1) for m in _INVITE.finditer(text)]
    if not codes and "/" in text and "g" in text and ("d" in text or "1" in text):
        codes = [m.group(1) for m in _SPACED_INVITE.finditer(text[:2000])]
    return list(dict.fromkeys(codes))[:10]


_MISS = object()
_HOST_CACHE = 4096  # hosts remembered per domain set (cleared when full: hosts come from members)


@dataclass(frozen=True, slots=True)
class DomainSet:
    """Domains with subdomain semantics, optionally narrowed to a path prefix (`youtube.com/@`)."""

    hosts: frozenset[str]
    prefixed: tuple[tuple[str, str], ...]
    # host -> entry (or None) for hosts whose answer does not depend on the path: the same few
    # sites come up again and again
    _by_host: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, entries) -> DomainSet:
        """Build from config entries like `example.com` or `example.com/path`."""
        hosts, prefixed = set(), []
        for entry in entries:
            entry = entry.strip().lower()
            for scheme in ("https://", "http://"):
                entry = entry.removeprefix(scheme)
            entry = entry.removeprefix("www.").removeprefix("*.")
            host, slash, path = entry.partition("/")
            if not host:
                continue
            if slash and path:
                prefixed.append((host, "/" + path))
            else:
                hosts.add(host)
        return cls(frozenset(hosts), tuple(prefixed))

    def match(self, link: Link) -> str | None:
        """The entry covering this link's host (or a parent domain), or None."""
        by_host = self._by_host
        found = by_host.get(link.host, _MISS)
        if found is not _MISS:
            return found
        found, path_read = self._walk(link)
        if not path_read:
            if len(by_host) >= _HOST_CACHE:
                by_host.clear()
            by_host[link.host] = found
        return found

    def _walk(self, link: Link) -> tuple[str | None, bool]:
        """(entry, whether a path-prefixed entry was consulted) from the host up through its parents."""
        host = link.host
        path_read = False
        while True:
            if host in self.hosts:
                return host, path_read
            for p_host, prefix in self.prefixed:
                if host == p_host:
                    path_read = True
                    if link.path.lower().startswith(prefix):
                        return p_host + prefix, True
            dot = host.find(".")
            if dot < 0 or host.count(".") < 1:
                return None, path_read
            host = host[dot + 1:]
            if "." not in host:
                return None, path_read
