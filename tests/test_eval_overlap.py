"""Content-word overlap between a question and its answer sentence, names set aside."""

from __future__ import annotations

import pytest

from bot.evaluate.overlap import (
    capitalised_words,
    content_words,
    name_terms,
    shared_content_words,
)
from bot.evaluate.paraphrase import (
    ParaphraseQuestion,
    ParaphraseSetError,
    resolve_answers,
    set_problems,
)

SENTENCE = (
    "Interior Minister Wolfgang Peschorn said the house where the dictator was born "
    "will become a police station."
)
ARTICLE = [
    SENTENCE,
    "Police officers will move in next year, the Interior Ministry said.",
    '"Nothing will remind anyone of him," a spokesman said.',
]


def test_content_words_are_stemmed_index_terms_without_stop_words() -> None:
    assert content_words("Who was killed when the helicopters crashed?") == {
        "kill",
        "helicopt",
        "crash",
    }


@pytest.mark.parametrize(
    ("question", "shared"),
    [
        ("What will the building be turned into?", set()),
        ("Will the house serve as a station?", {"hous", "station"}),
        ("Which stations did Peschorn name?", {"station"}),  # the name is set aside
        ("Did Wolfgang Peschorn say the police would move in?", {"say", "polic"}),
    ],
    ids=["paraphrase", "two-words", "name-aside", "names-aside-but-two-words"],
)
def test_shared_content_words_sets_names_aside(question: str, shared: set[str]) -> None:
    names = name_terms(SENTENCE, capitalised_words(ARTICLE))
    assert shared_content_words(question, SENTENCE, names) == shared


def test_a_capitalised_first_word_is_a_name_only_when_the_article_capitalises_it_elsewhere() -> (
    None
):
    # "Interior" starts SENTENCE, and "the Interior Ministry" capitalises it mid-sentence.
    assert "interior" in name_terms(SENTENCE, capitalised_words(ARTICLE))
    assert "interior" not in name_terms(SENTENCE)
    # "Police" starts a sentence and is written lower case elsewhere: a plain word.
    assert "polic" not in name_terms(ARTICLE[1], capitalised_words(ARTICLE))
    assert {"minist", "wolfgang", "peschorn"} <= name_terms(SENTENCE)


def test_the_first_word_of_a_quotation_is_not_a_name() -> None:
    assert "noth" not in name_terms(ARTICLE[2])
    assert "noth" not in capitalised_words(ARTICLE)
    assert "Nothing" not in capitalised_words(ARTICLE)


def test_a_capital_written_in_the_question_does_not_make_a_name() -> None:
    shared = shared_content_words(
        "Will the House serve as a Station?", SENTENCE, name_terms(SENTENCE)
    )
    assert shared == {"hous", "station"}


# A few words of SENTENCE, as the question set stores its answers.
FRAGMENT = "dictator was born"


def question(text: str, fragment: str | None) -> ParaphraseQuestion:
    return ParaphraseQuestion(article="a1", text=text, fragment=fragment, kind="what")


def test_a_fragment_resolves_to_the_one_full_sentence_that_contains_it() -> None:
    questions = [
        question("What will the building be turned into?", FRAGMENT),
        question("Is the house haunted?", None),
    ]
    assert resolve_answers(questions, {"a1": ARTICLE}) == [SENTENCE, None]


def test_a_set_breaking_the_overlap_rule_is_refused_with_each_offending_question() -> None:
    # The shared words are in SENTENCE, not in FRAGMENT: the rule is checked on the sentence.
    questions = [
        question("What will the building be turned into?", FRAGMENT),
        question("Will the house serve as a station?", FRAGMENT),
        question("Where will the officers work from?", FRAGMENT),
        question("Where will the police station be?", FRAGMENT),
        question("Is the house haunted?", None),  # unanswerable: no answer to overlap with
    ]
    with pytest.raises(ParaphraseSetError) as caught:
        resolve_answers(questions, {"a1": ARTICLE})
    message = str(caught.value)
    assert "2 question(s)" in message
    assert "Will the house serve as a station?" in message and "(hous, station)" in message
    assert "Where will the police station be?" in message and "polic, station" in message
    assert "turned into" not in message and "officers" not in message and "haunted" not in message


def test_a_set_within_the_rule_passes_thanks_to_names_aside() -> None:
    questions = [
        question("What did Wolfgang Peschorn announce about the birthplace?", FRAGMENT),
        question("Is the house haunted?", None),
    ]
    assert set_problems(questions, {"a1": ARTICLE}) == []
    assert resolve_answers(questions, {"a1": ARTICLE}) == [SENTENCE, None]


@pytest.mark.parametrize(
    ("fragment", "found"),
    [
        ("become a fire station", "is in no sentence"),
        (SENTENCE.replace("police", "fire"), "is in no sentence"),
        ("said", "is in 3 sentences"),
    ],
    ids=["no-sentence", "edited-sentence", "several-sentences"],
)
def test_a_fragment_that_names_no_single_sentence_is_refused_naming_its_question(
    fragment: str, found: str
) -> None:
    questions = [question("What will it become?", fragment), question("Is it haunted?", None)]
    problems = set_problems(questions, {"a1": ARTICLE})
    assert len(problems) == 1
    assert "'What will it become?'" in problems[0] and found in problems[0]
    with pytest.raises(ParaphraseSetError, match="What will it become"):
        resolve_answers(questions, {"a1": ARTICLE})
