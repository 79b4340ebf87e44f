"""Documentation that must not fall behind the code."""

from __future__ import annotations

import re

from bot.__main__ import build_parser
from bot.settings import Settings
from tests.conftest import PROJECT_DIR

README = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", README)


def test_readme_starts_with_the_install_and_run_command_then_the_test_command() -> None:
    run_command, test_command = readme_commands()[:2]
    assert run_command.startswith("pip install -e . && python -m bot ask ")
    assert test_command == 'pip install -e ".[test]" && python -m pytest'


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    ci_script = (PROJECT_DIR / ".ci" / "run").read_text(encoding="utf-8")
    command_lines = [line for line in ci_script.splitlines() if line and not line.startswith("#")]
    assert readme_commands()[1] in command_lines


def test_env_example_documents_every_setting() -> None:
    example = (PROJECT_DIR / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert re.search(rf"^#? ?{name.upper()}=", example, re.MULTILINE), name


def test_readme_mentions_every_command() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for command in subparsers.choices:  # type: ignore[union-attr]
        assert f"python -m bot {command}" in README, command


def test_procfile_runs_the_bot_as_a_worker() -> None:
    assert (PROJECT_DIR / "Procfile").read_text().strip() == "worker: python -m bot run"


def test_readme_example_answer_is_what_the_shipped_corpus_answers(settings: Settings) -> None:
    from bot.library import Library
    from bot.render import render_text

    question = "Who wants U.S. troops in Ukraine?"
    block = re.search(r"```text\n\$ python -m bot ask \"(.+?)\"\n(.+?)\n```", README, re.DOTALL)
    assert block is not None and block.group(1) == question
    assert render_text(Library.open(settings).ask(question)) == block.group(2)


def test_readme_mentions_every_eval_mode() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    evaluate = commands.choices["eval"]  # type: ignore[index]
    modes = next(a for a in evaluate._actions if a.dest == "mode")
    for mode in modes.choices:  # type: ignore[union-attr]
        assert f"python -m bot eval {mode}" in README, mode
