"""The only place that reads the environment (and an optional `.env` file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS_DIR = PROJECT_DIR / "corpus"
DEFAULT_DATA_DIR = PROJECT_DIR / "var"
TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"


class Settings(BaseSettings):
    """Every knob of the bot; see `.env.example` for what each one does."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    corpus_dir: Path = DEFAULT_CORPUS_DIR
    data_dir: Path = DEFAULT_DATA_DIR
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Retrieval
    max_quotes: int = Field(default=3, ge=1, le=10)
    bm25_k1: float = Field(default=1.2, gt=0)
    bm25_b: float = Field(default=0.75, ge=0, le=1)
    min_match: float = Field(default=1.53, ge=0, le=10)
    summary_sentences: int = Field(default=3, ge=1, le=10)
    # Answer by meaning: the shipped sentence-embedding model beside BM25.
    semantic: bool = True
    encoder_threads: int = Field(default=2, ge=1, le=64)
    # ... and each sentence's token states, matched word piece by word piece (`bot.late`):
    # ~13 KB a sentence on disk, read only for a question's candidates.
    token_states: bool = True

    # Telegram
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API_BASE_URL
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    flood_max_messages: int = Field(default=8, ge=1)
    flood_window_seconds: float = Field(default=30.0, gt=0)

    # Fetching articles by URL
    fetch_timeout_seconds: float = Field(default=15.0, gt=0)
    fetch_max_bytes: int = Field(default=5_000_000, gt=0)
    fetch_max_redirects: int = Field(default=5, ge=0)
    # Only for tests and intranet deployments: lets /add fetch from private addresses.
    fetch_allow_private: bool = False

    # Following feeds and channels
    feed_poll_minutes: float = Field(default=15.0, ge=1)
    feed_poll_jitter: float = Field(default=0.1, ge=0, le=0.5)
    feed_check_seconds: float = Field(default=60.0, gt=0)
    feed_max_new_items: int = Field(default=20, ge=1, le=500)
    feed_max_bytes: int = Field(default=5_000_000, gt=0)
    feed_workers: int = Field(default=4, ge=1, le=32)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        """Accept "1, 2,3" and pydantic's list form "[1, 2]", as well as any iterable of ints."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("[") and text.endswith("]"):
                text = text[1:-1]
            parts = [part.strip() for part in text.replace(";", ",").split(",")]
            try:
                return frozenset(int(part) for part in parts if part)
            except ValueError as exc:
                raise ValueError(
                    f"ADMIN_IDS must be Telegram user ids like 1,2 or [1, 2], not {value!r}"
                ) from exc
        if isinstance(value, int):
            return frozenset({value})
        return value

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def vectors_dir(self) -> Path:
        return self.data_dir / "vectors"

    @property
    def tokens_dir(self) -> Path:
        return self.data_dir / "tokens"

    @property
    def snapshot_dir(self) -> Path:
        return self.data_dir / "snapshot"

    @property
    def state_dir(self) -> Path:
        return self.data_dir / "state"
