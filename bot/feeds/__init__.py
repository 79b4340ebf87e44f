"""Following news feeds and Telegram channels: fetch, parse, schedule, state, poll."""
