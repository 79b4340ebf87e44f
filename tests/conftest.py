"""Shared fixtures: a clean environment and a private copy of the shipped corpus."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from pydantic import AliasChoices

from bot.library import Library
from bot.settings import Settings

PROJECT_DIR = Path(__file__).resolve().parents[1]
SHIPPED_CORPUS = PROJECT_DIR / "corpus"
SHARED_DIR = PROJECT_DIR.parent / "shared"
SEED_FILE = SHARED_DIR / "seed" / "000_c0f865168f8bdaf9.txt"


def bot_environment_variables() -> frozenset[str]:
    """Every environment variable `Settings` reads: its fields' names and aliases."""
    prefix = Settings.model_config.get("env_prefix") or ""
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        names.add(prefix + name)
        for alias in (field.alias, field.validation_alias):
            if isinstance(alias, str):
                names.add(alias)
            elif isinstance(alias, AliasChoices):
                names.update(choice for choice in alias.choices if isinstance(choice, str))
    return frozenset(name.upper() for name in names)


BOT_ENV_VARS = bot_environment_variables()


def clear_bot_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset every variable the settings would read (in any letter case, as pydantic does)."""
    for name in list(os.environ):
        if name.upper() in BOT_ENV_VARS:
            monkeypatch.delenv(name)


def require_shared(path: Path) -> Path:
    """Fail (never skip) with a clear message when ../shared is not beside the checkout."""
    assert path.exists(), (
        f"{path} is missing: this test needs the shared data folder (shared/) beside the "
        "project checkout, as CI has it; a plain clone does not."
    )
    return path


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's bot settings or .env file.

    The semantic layer is off unless a test turns it on (`semantic=True`): encoding every
    article that hundreds of tests add would cost minutes on a 2-core machine, and the tests
    of meaning (test_semantic.py, test_vectors.py, the quality floors) turn it on themselves.
    """
    clear_bot_environment(monkeypatch)
    monkeypatch.setenv("SEMANTIC", "off")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped corpus (the seed article)."""
    target = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, target)
    return target


@pytest.fixture
def settings(tmp_path: Path, corpus_dir: Path) -> Settings:
    return Settings(_env_file=None, corpus_dir=corpus_dir, data_dir=tmp_path / "var")


@pytest.fixture
def embedded(settings: Settings) -> Library:
    """The shipped corpus with the semantic layer on, every sentence embedded (vectors and
    token states)."""
    library = Library.open(settings.model_copy(update={"semantic": True}))
    library.embed(library.missing_vectors())
    return library


@pytest.fixture
def empty_settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, corpus_dir=tmp_path / "empty-corpus", data_dir=tmp_path / "var")
