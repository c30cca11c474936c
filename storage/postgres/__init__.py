"""PostgreSQL, for several instances of the bot at once (issue 9): the same
repositories as on the SQLite file, with the same constraints deciding."""
