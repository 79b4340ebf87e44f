"""A Telegram bot that answers questions about news articles by quoting them."""

__version__ = "0.1.0"
