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
