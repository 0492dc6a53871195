"""Local state: config and profiles (TOML) and the cache (SQLite)."""
