"""The state database: created at the latest version, WAL, transactions that roll back whole."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.models import StoreError
from bot.state import MIGRATIONS, StateDB


def test_a_new_database_is_migrated_to_the_latest_version_in_wal_mode(tmp_path: Path) -> None:
    db = StateDB.open(tmp_path / "state")
    assert db.version == len(MIGRATIONS)
    assert db.rows("PRAGMA journal_mode")[0][0] == "wal"
    db.close()
    # Opening again runs nothing twice.
    assert StateDB.open(tmp_path / "state").version == len(MIGRATIONS)


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    db = StateDB.open(tmp_path)
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute("INSERT INTO subscriptions (chat_id, added) VALUES (1, 'now')")
        raise RuntimeError("crash in the middle")
    assert db.rows("SELECT * FROM subscriptions") == []


def test_a_database_from_a_newer_version_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    raw.close()
    with pytest.raises(StoreError, match="newer version"):
        StateDB(path)
