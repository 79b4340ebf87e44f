"""The command line, run as a user runs it: `python -m bot ...` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.conftest import BOT_ENV_VARS, SEED_FILE, clear_bot_environment, require_shared


def run_bot(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    # The autouse fixture has already cleared the bot's settings from os.environ.
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
        check=False,
    )


def dirs(corpus_dir: Path, tmp_path: Path) -> list[str]:
    return ["--corpus", str(corpus_dir), "--data-dir", str(tmp_path / "var")]


def test_help_lists_every_command() -> None:
    result = run_bot("--help")
    assert result.returncode == 0
    for command in (
        "ask",
        "chat",
        "ingest",
        "embed",
        "list",
        "remove",
        "run",
        "speakers",
        "eval",
        "bench",
    ):
        assert command in result.stdout


def test_ask_json_has_the_documented_shape(corpus_dir: Path, tmp_path: Path) -> None:
    result = run_bot(
        "ask", "Who wants U.S. troops in Ukraine?", "--json", *dirs(corpus_dir, tmp_path)
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == {"question", "answered", "kind", "quotes"}
    assert answer["kind"] == "quotes"
    assert answer["question"] == "Who wants U.S. troops in Ukraine?"
    assert answer["answered"] is True
    quote = answer["quotes"][0]
    assert set(quote) == {"text", "speaker", "cue", "article", "score"}
    assert set(quote["article"]) == {"id", "title", "outlet", "url", "published"}
    assert quote["article"]["outlet"] == "Bloomberg"
    scores = [q["score"] for q in answer["quotes"]]
    assert scores == sorted(scores, reverse=True)


def test_embed_fills_in_the_missing_vectors_once(corpus_dir: Path, tmp_path: Path) -> None:
    on = {"SEMANTIC": "on"}
    first = run_bot("embed", *dirs(corpus_dir, tmp_path), env=on)
    assert first.returncode == 0, first.stderr
    assert "1 article(s) embedded" in first.stderr
    assert (tmp_path / "var" / "vectors" / "manifest.json").exists()
    again = run_bot("embed", *dirs(corpus_dir, tmp_path), env=on)
    assert "0 article(s) embedded" in again.stderr
    off = run_bot("embed", *dirs(corpus_dir, tmp_path), env={"SEMANTIC": "off"})
    assert off.returncode == 2 and "SEMANTIC is off" in off.stderr


def test_ask_prints_quote_and_source_for_people(corpus_dir: Path, tmp_path: Path) -> None:
    result = run_bot("ask", "Who wants U.S. troops in Ukraine?", *dirs(corpus_dir, tmp_path))
    assert result.returncode == 0
    assert "troops" in result.stdout and "Bloomberg" in result.stdout


def test_ask_declined_question_says_not_in_my_articles(corpus_dir: Path, tmp_path: Path) -> None:
    result = run_bot(
        "ask", "What is the boiling point of mercury?", "--json", *dirs(corpus_dir, tmp_path)
    )
    assert json.loads(result.stdout) == {
        "question": "What is the boiling point of mercury?",
        "answered": False,
        "kind": "quotes",
        "quotes": [],
    }


@pytest.mark.parametrize(
    ("question", "kind", "fields"),
    [
        ("What is this article about?", "summary", {"article", "focus"}),
        ("Who wrote this?", "article", {"article", "focus"}),
        ("Who is quoted?", "speakers", {"article", "focus", "speakers"}),
        ("What did the senior Western diplomat say?", "quotes", {"article", "focus", "speaker"}),
        ("What articles do you have?", "articles", {"articles", "page", "pages", "total"}),
    ],
    ids=["summary", "article", "speakers", "one-speaker", "articles"],
)
def test_ask_json_article_level_kinds_have_their_fields(
    corpus_dir: Path, tmp_path: Path, question: str, kind: str, fields: set[str]
) -> None:
    result = run_bot("ask", question, "--json", *dirs(corpus_dir, tmp_path))
    answer = json.loads(result.stdout)
    assert answer["kind"] == kind and answer["answered"] is True
    assert set(answer) == {"question", "answered", "kind", "quotes"} | fields


def test_speakers_lists_every_speaker_with_counts(corpus_dir: Path, tmp_path: Path) -> None:
    result = run_bot("speakers", *dirs(corpus_dir, tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Quoted in Bloomberg")
    assert "   2  a senior Western diplomat who spoke with Trump\u2019s team on this issue" in lines
    assert len(lines) == 8
    unknown = run_bot("speakers", "ffff", *dirs(corpus_dir, tmp_path))
    assert unknown.returncode == 1 and "no article with id" in unknown.stderr


def test_environment_variables_choose_the_corpus(tmp_path: Path) -> None:
    env = {"CORPUS_DIR": str(tmp_path / "nothing"), "DATA_DIR": str(tmp_path / "var")}
    result = run_bot("ask", "Who wants U.S. troops in Ukraine?", "--json", env=env)
    assert json.loads(result.stdout)["answered"] is False


def test_tests_clear_every_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.setenv(name.upper(), "not a value any setting accepts")
        monkeypatch.setenv(name.lower(), "nor this")
    assert {"WEBHOOK_LISTEN", "WEBHOOK_PORT", "FETCH_MAX_BYTES"} <= BOT_ENV_VARS
    clear_bot_environment(monkeypatch)
    assert [name for name in os.environ if name.lower() in Settings.model_fields] == []
    assert Settings(_env_file=None).webhook_port == 8443


def test_chat_keeps_context_for_follow_ups_and_new_resets_it(
    corpus_dir: Path, tmp_path: Path
) -> None:
    questions = (
        "What did the senior Western diplomat say about Trump's team?\n"
        "What else did he say?\n"
        "/new\n"
        "What else did he say?\n"
    )
    result = run_bot("chat", "--json", *dirs(corpus_dir, tmp_path), stdin=questions)
    assert result.returncode == 0, result.stderr
    first, follow_up, after_reset = (json.loads(line) for line in result.stdout.splitlines())
    assert first["answered"] and follow_up["answered"]
    assert follow_up["quotes"][0]["speaker"] == first["quotes"][0]["speaker"]
    assert follow_up["quotes"][0]["text"] != first["quotes"][0]["text"]
    assert not after_reset["answered"]


def test_ingest_reports_each_item_and_fails_when_any_failed(
    corpus_dir: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.md"
    good.write_text(
        "# Rover finds lake\n\nThe rover found clay in Jezero crater, said a NASA scientist.\n"
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{oops")
    seed = require_shared(SEED_FILE)
    result = run_bot("ingest", str(good), str(broken), str(seed), *dirs(corpus_dir, tmp_path))
    assert result.returncode == 1
    assert "added" in result.stdout and "Rover finds lake" in result.stdout
    assert "duplicate" in result.stdout  # the seed is already in the shipped corpus
    assert "broken.json" in result.stderr
    listing = run_bot("list", "--json", *dirs(corpus_dir, tmp_path))
    assert sorted(a["title"] for a in json.loads(listing.stdout)) == [
        "Europeans want Trump to provide U.S. troops for peacekeeping forces in Ukraine",
        "Rover finds lake",
    ]
    asked = run_bot("ask", "What did the rover find?", "--json", *dirs(corpus_dir, tmp_path))
    assert json.loads(asked.stdout)["quotes"][0]["speaker"] == "a NASA scientist"


def test_ingest_folder_takes_every_article_file(corpus_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    for number in range(3):
        (folder / f"a{number}.txt").write_text(
            f"Headline {number}\n\nBody sentence number {number} about owls.\n"
        )
    (folder / "notes.bin").write_bytes(b"\x00")
    result = run_bot("ingest", str(folder), *dirs(corpus_dir, tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("added") == 3


def test_remove_deletes_and_unknown_id_is_a_clear_error(corpus_dir: Path, tmp_path: Path) -> None:
    listing = json.loads(run_bot("list", "--json", *dirs(corpus_dir, tmp_path)).stdout)
    missing = run_bot("remove", "doesnotexist", *dirs(corpus_dir, tmp_path))
    assert missing.returncode == 1 and "no article" in missing.stderr
    removed = run_bot("remove", listing[0]["id"], *dirs(corpus_dir, tmp_path))
    assert removed.returncode == 0 and "removed" in removed.stdout
    assert json.loads(run_bot("list", "--json", *dirs(corpus_dir, tmp_path)).stdout) == []


def test_run_without_token_points_to_chat(tmp_path: Path) -> None:
    result = run_bot("run", "--data-dir", str(tmp_path / "var"))
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "python -m bot chat" in result.stderr


@pytest.mark.parametrize(
    "args", [["frobnicate"], ["ask"], ["remove"]], ids=["unknown", "ask-no-q", "remove-no-id"]
)
def test_bad_command_lines_exit_with_usage(args: list[str]) -> None:
    result = run_bot(*args)
    assert result.returncode == 2 and "usage" in result.stderr


def test_chat_more_continues_the_summary_then_says_when_nothing_is_left(
    corpus_dir: Path, tmp_path: Path
) -> None:
    questions = "What is this article about?\n/more\nWho wrote this?\n/more\n"
    result = run_bot("chat", *dirs(corpus_dir, tmp_path), stdin=questions)
    assert result.returncode == 0, result.stderr
    summaries = result.stdout.split("Summary of Bloomberg")
    assert len(summaries) == 3  # the summary, then its next sentences
    assert result.stdout.rstrip().endswith("(nothing more)")
