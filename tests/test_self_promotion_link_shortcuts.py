"""The link parser's shortcuts give exactly what the general code gives."""

from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.self_promotion._links import _INVITE, _SPACED_INVITE, _split, find_invites

URLISH = st.text(alphabet=st.sampled_from("ahtps:/.-_?#=&@[]:0123456789AZéx %\x00"), max_size=40)


def _reference_split(url):
    try:
        p = urlsplit(url)
        return p.hostname or "", p.path, p.query, p.fragment
    except ValueError:
        return None


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(["http://", "https://", "ftp://", "h://", "", "HTTP://"]), URLISH)
def test_split_agrees_with_urlsplit(scheme, rest):
    url = scheme + rest
    assert _split(url) == _reference_split(url)


def test_split_takes_the_shortcut_for_common_links():
    for url in ("https://github.com/a/b?x=1#y", "http://bit.ly/3xyz", "https://example.com:8080"):
        assert _split(url) == _reference_split(url)


def _reference_invites(text):
    codes = [m.group(1) for m in _INVITE.finditer(text)]
    if not codes and "g" in text and ("d" in text or "1" in text):
        codes = [m.group(1) for m in _SPACED_INVITE.finditer(text[:2000])]
    return list(dict.fromkeys(codes))[:10]


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=st.sampled_from("discordapDISCORDGgm.c/ invte-x1!|0serv\u0130\u0131\u017f\u212a"), max_size=40))
def test_find_invites_agrees_with_running_every_pattern(text):
    assert find_invites(text) == _reference_invites(text)


def test_find_invites_still_finds_the_forms():
    assert find_invites("join discord.gg/abc now") == ["abc"]
    assert find_invites("JOIN DISCORD.GG/Abc") == ["Abc"]
    assert find_invites("see .gg/xyz") == ["xyz"]
    assert find_invites("d i s c o r d . g g / spaced") == ["spaced"]
    assert find_invites("nothing here") == []


_PIECES = st.sampled_from(["https://", "x.com", "bit.ly/", "a", " ", "\n", "[t](", ")", "](", "/p?q=1", ".", "com",
                           "www.", "example", "@", "<", ">", "é", "discord.gg/x", "-"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join), st.lists(st.sampled_from(["https://e.com/x", "bit.ly/y"]),
                                                              max_size=2).map(tuple))
def test_scan_links_finds_the_links_and_blanks_the_urls_as_sub_would(text, embeds):
    from plugins.self_promotion._links import _MASKED, _URL, _parse, scan_links

    found = {}
    masked = []
    for m in _MASKED.finditer(text):  # find_links as first written
        link = _parse(m.group(2), m.group(1))
        if link is not None:
            found.setdefault(link.url, link)
            masked.append(m.span(2))
    for m in _URL.finditer(text):
        if not any(a <= m.start() < b for a, b in masked) and (link := _parse(m.group(0))) is not None:
            found.setdefault(link.url, link)
    for raw in embeds:
        if (link := _parse(raw.lower())) is not None:
            found.setdefault(link.url, link)
    assert scan_links(text, embeds) == (list(found.values())[:20], _URL.sub(" ", text))
