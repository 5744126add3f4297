"""Storage: the only place pitchfree talks to SQLite (see `Database`, `BatchedWriter`)."""

from bot.storage._batch import BatchedWriter, restore_spill
from bot.storage._cases import CASES_MIGRATIONS, CaseStore
from bot.storage._database import Database, Migration, StorageError

__all__ = [
    "BatchedWriter",
    "CASES_MIGRATIONS",
    "CaseStore",
    "Database",
    "Migration",
    "StorageError",
    "restore_spill",
]
