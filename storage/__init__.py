"""SQLite storage: schema and migrations, repositories, FSM state."""
