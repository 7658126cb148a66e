"""SQLite persistence for the emulator."""

from .db import Database, StoreError, default_db_path

__all__ = ["Database", "StoreError", "default_db_path"]
