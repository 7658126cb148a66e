"""SQLite persistence for the emulator."""

from .db import Database, default_db_path

__all__ = ["Database", "default_db_path"]
