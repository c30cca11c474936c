"""The registration rules and process as plain Python.

Nothing in this package imports aiogram or aiosqlite: the rules are tested without
mocks, and the adapters (Telegram, SQLite, SMTP) depend on this package, never the
other way round.
"""
