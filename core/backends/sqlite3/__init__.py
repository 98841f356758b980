"""Django's SQLite backend with each statement's placeholders rewritten once (base.py)."""
