"""The library: answers from the shipped corpus, live add/remove, restarts and caches."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from bot.conversation import Conversation
from bot.ingest import article_id, read_text
from bot.library import Library, canonical_url
from bot.models import Article, ArticleNotFoundError, DuplicateArticleError
from bot.settings import Settings

MARS_TEXT = """Reuters: Mars rover finds ancient lake bed

The rover found clay minerals in Jezero crater, said a NASA scientist.

The mission will return samples to Earth in the 2030s, according to the agency's plan.
"""


def mars_article(url: str | None = "https://example.com/mars") -> Article:
    return read_text(MARS_TEXT, fmt="text", url=url)


def test_shipped_corpus_answers_the_seed_question_with_speaker_and_outlet(
    settings: Settings,
) -> None:
    library = Library.open(settings)
    answer = library.ask("Who wants U.S. troops in Ukraine?")
    assert answer.answered
    top = answer.quotes[0]
    assert "troops" in top.text
    assert top.article.outlet == "Bloomberg"
    assert any(q.speaker for q in answer.quotes)
    assert 1 <= len(answer.quotes) <= settings.max_quotes


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of Peru?",
        "How do I bake sourdough bread?",
        "",
        "   ",
        "what is it?",
        "?!",
    ],
    ids=["unrelated", "unrelated-2", "empty", "whitespace", "stop-words-only", "punctuation"],
)
def test_questions_the_articles_do_not_answer_are_declined(
    settings: Settings, question: str
) -> None:
    assert not Library.open(settings).ask(question).answered


def test_every_quote_is_a_verbatim_sentence_of_its_article(settings: Settings) -> None:
    library = Library.open(settings)
    for question in ["Who wants U.S. troops in Ukraine?", "What does Trump expect from Europe?"]:
        for quote in library.ask(question).quotes:
            assert quote.text in quote.article.body


def test_empty_corpus_declines_instead_of_crashing(empty_settings: Settings) -> None:
    library = Library.open(empty_settings)
    assert len(library) == 0
    assert not library.ask("Who wants U.S. troops in Ukraine?").answered


def test_added_article_is_answerable_at_once_and_after_restart(settings: Settings) -> None:
    library = Library.open(settings)
    added = library.add(mars_article())
    assert added.added is not None
    answer = library.ask("What did the rover find in Jezero crater?")
    assert answer.answered and answer.quotes[0].article.id == added.id
    assert answer.quotes[0].speaker == "a NASA scientist"
    restarted = Library.open(settings)
    assert (
        restarted.ask("What did the rover find in Jezero crater?").quotes[0].article.id == added.id
    )


def test_same_body_or_same_url_is_reported_as_duplicate(settings: Settings) -> None:
    library = Library.open(settings)
    first = library.add(mars_article())
    with pytest.raises(DuplicateArticleError) as same_body:
        library.add(mars_article(url=None))
    assert same_body.value.existing_id == first.id
    other_body = read_text(
        MARS_TEXT.replace("clay", "iron"), fmt="text", url="https://EXAMPLE.com/mars/#top"
    )
    with pytest.raises(DuplicateArticleError):
        library.add(other_body)
    assert len(library) == 2


def test_a_known_url_is_a_duplicate_after_a_restart_until_its_article_is_removed(
    settings: Settings,
) -> None:
    first = Library.open(settings).add(mars_article())
    restarted = Library.open(settings)
    same_page = read_text(
        MARS_TEXT.replace("clay", "iron"), fmt="text", url="https://example.com/mars/"
    )
    with pytest.raises(DuplicateArticleError) as duplicate:
        restarted.add(same_page)
    assert duplicate.value.existing_id == first.id
    restarted.remove(first.id)
    assert restarted.add(same_page).url == "https://example.com/mars/"


def test_removed_article_is_no_longer_quoted_even_after_restart(settings: Settings) -> None:
    library = Library.open(settings)
    added = library.add(mars_article())
    library.remove(added.id[:8])
    assert not library.ask("What did the rover find in Jezero crater?").answered
    assert not Library.open(settings).ask("What did the rover find in Jezero crater?").answered
    with pytest.raises(ArticleNotFoundError):
        library.get(added.id)


def numbered_article(number: int) -> Article:
    return read_text(
        f"Harbour report {number}\n\nThe harbour handled {number} ships, said the port chief.\n\n"
        f"Crane {number} will be replaced next year, according to the harbour board.",
        fmt="text",
    )


def test_removing_articles_while_another_thread_lists_them_shows_each_whole_or_gone(
    settings: Settings,
) -> None:
    library = Library.open(settings)
    shipped = library.articles_with_counts()
    added = {library.add(numbered_article(n)).id for n in range(20)}
    listed_added: list[int] = []
    without_sentences: set[str] = set()
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                rows = library.articles_with_counts()
                listed_added.append(sum(article.id in added for article, _ in rows))
                without_sentences.update(article.id for article, count in rows if count == 0)
        except BaseException as exc:
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    for key in sorted(added):
        library.remove(key)
    done.set()
    reader.join()
    assert errors == [] and without_sentences == set()
    assert max(listed_added) > 0
    assert library.articles_with_counts() == shipped


def test_article_copied_into_corpus_folder_is_picked_up_despite_cached_index(
    settings: Settings, tmp_path: Path
) -> None:
    other = Settings(_env_file=None, corpus_dir=tmp_path / "other", data_dir=tmp_path / "other-var")
    added = Library.open(other).add(mars_article())
    Library.open(settings).flush()  # a cache that does not know the new article
    shutil.copy(other.corpus_dir / f"{added.id}.json", settings.corpus_dir)
    assert Library.open(settings).ask("What did the rover find in Jezero crater?").answered


def test_corrupt_index_cache_is_rebuilt_not_trusted(settings: Settings) -> None:
    library = Library.open(settings)
    expected = library.ask("Who wants U.S. troops in Ukraine?")
    library.flush()
    for path in settings.index_dir.iterdir():
        if path.is_file():
            path.write_bytes(b"garbage")
    again = Library.open(settings).ask("Who wants U.S. troops in Ukraine?")
    assert [q.text for q in again.quotes] == [q.text for q in expected.quotes]


def test_follow_up_what_else_quotes_the_same_speaker_again(settings: Settings) -> None:
    library = Library.open(settings)
    conversation = Conversation()
    first = library.ask(
        "What did the senior Western diplomat say about Trump's team?", conversation
    )
    assert first.answered
    conversation.remember(first)
    speaker = first.quotes[0].speaker
    assert speaker and "diplomat" in speaker
    second = library.ask("What else did he say?", conversation)
    assert second.answered
    assert {q.text for q in second.quotes}.isdisjoint(q.text for q in first.quotes)
    assert all(q.speaker == speaker for q in second.quotes)


def test_who_said_that_names_the_speaker_of_the_last_quote(settings: Settings) -> None:
    library = Library.open(settings)
    conversation = Conversation()
    first = library.ask("What could create a rift within NATO?", conversation)
    conversation.remember(first)
    second = library.ask("Who said that?", conversation)
    assert second.quotes[0].text == first.quotes[0].text
    assert second.quotes[0].speaker == "a European official"


def test_id_of_body_is_stable() -> None:
    assert article_id("Some body.") == article_id("Some   body.")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.com/a/", "https://example.com/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        (None, None),
    ],
    ids=["case-and-slash", "fragment", "bare-host", "none"],
)
def test_canonical_url_ignores_what_does_not_change_the_page(
    url: str | None, expected: str | None
) -> None:
    assert canonical_url(url) == expected


def test_example_questions_ask_about_a_named_speaker(settings: Settings) -> None:
    library = Library.open(settings)
    library.add(mars_article())
    examples = library.example_questions(2)
    assert examples[0] == "What did a NASA scientist say?"
    assert len(examples) == 2
    for question in examples:
        assert library.ask(question).answered
