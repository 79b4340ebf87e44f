"""Telegram tests: the real PTB stack against a fake Bot API on 127.0.0.1."""
