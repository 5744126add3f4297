"""The multilingual question heuristic."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.engagement._config import ALL_LANGUAGES, EngagementConfig
from plugins.engagement._questions import build_detector

is_question = build_detector(ALL_LANGUAGES)


@pytest.mark.parametrize("text", [
    "Is this the right channel for setup problems?",
    "How do I install the plugin on Windows",
    "does anyone know a good library for charts",
    "I am stuck with the build since yesterday",
    "Weiß jemand, wie man das konfiguriert",
    "Wie kann ich den Bot neu starten",
    "quelqu’un sait comment faire ça",
    "¿Alguien sabe cómo hacerlo",
    "alguém sabe resolver esse erro",
    "qualcuno sa come risolvere questo",
    "weet iemand hoe dit werkt",
    "これはどうやって使うの？",
    "I was wondering if there's a dark mode",
    "any help appreciated with this",
    "idk how to fix this error",
    "help pls my bot is down",
    "is this a bug? `x?.y`",
    "```py\nx = a ?? b\n```\nwhy does this fail?",
    "¿Puedes ayudarme?",
])
def test_questions_are_recognised(text):
    assert is_question(text)


@pytest.mark.parametrize("text", [
    "thanks, that worked",
    "good morning everyone",
    "The answer is 42 as usual",
    "What a great release this is!",
    "see https://example.org/search?q=docs for the docs",
    "ok?",  # shorter than min_question_chars
    # a "?" in code or in a link without a scheme
    "`user?.name ?? 'anon'` is the idiom here",
    "see www.x.com/p?id=3 for the docs",
    # an answer opening with a question word and its subject, or with "you can"
    "What I did was restart the bot",
    "How I fixed it: reinstall the package",
    "When I ran it again it worked",
    "Puedes usar el comando /reset",
    "Pode usar o comando /reset",
    "hay que reiniciar el servidor",
])
def test_statements_are_not_questions(text):
    assert not is_question(text)


def test_languages_are_configurable():
    english_only = build_detector(["en"])
    assert not english_only("weet iemand hoe dit werkt")
    assert english_only("does anyone know how this works")


def test_extra_patterns_are_re2_and_case_insensitive():
    detector = build_detector(["en"], [r"\bhalp\b"])
    assert detector("HALP the server is down")
    with pytest.raises(ValueError):
        EngagementConfig(question_patterns=["(unclosed"])


def test_hostile_input_is_bounded():
    text = "a " * 200_000 + "anyone know"
    start = time.perf_counter()
    assert not is_question(text)  # phrases are only looked for at the start
    assert time.perf_counter() - start < 0.05


@pytest.mark.parametrize("text", ["? " + "a./" * 1500, "? " + "a.b/" * 1000 + "?c", "x://" * 1000 + "?",
                                  "```" * 1000 + "?", "? " + "ab.cd" * 800 + "/"])
def test_links_and_code_are_stripped_in_linear_time(text):
    start = time.perf_counter()
    is_question(text)
    assert time.perf_counter() - start < 0.05  # a backtracking pattern took seconds on the first


def test_a_question_mark_ending_a_path_is_a_question_mark():
    assert is_question("so it lives at github.com/foo/bar?")
    assert is_question("is it at https://github.com/foo/bar?")
    assert is_question("does it work on 3.11/3.12?")
    assert not is_question("see www.x.com/p?id=3 for the docs")
    assert not is_question("docs:https://x.com/p?id=3 for details")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_any_text_gives_a_bool(text):
    assert is_question(text) in (True, False)
