"""Notes kept in one SQLite file, reached from asyncio without blocking the loop."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from .protocol import Note

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL
)
"""


class NoteStore:
    """CRUD on the ``notes`` table of a SQLite file.

    Every database call runs on the store's own single worker thread, so the one
    :class:`sqlite3.Connection` never crosses threads and calls are serialised. Each statement
    commits at once (autocommit), so other connections to the file see writes immediately.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notes-db")
        self._db: sqlite3.Connection | None = None

    async def open(self) -> None:
        """Open (and if needed create) the database file."""
        await self._run(self._open)

    async def close(self) -> None:
        """Close the connection and stop the worker thread."""
        await self._run(self._close)
        self._executor.shutdown(wait=True)

    async def create(self, title: str, body: str, created_by: str) -> Note:
        """Insert a note and return it with its new id."""
        return await self._run(self._create, title, body, created_by)

    async def get(self, note_id: int) -> Note | None:
        """The note with this id, or ``None``."""
        return await self._run(self._get, note_id)

    async def list_notes(self) -> list[Note]:
        """All notes, oldest first."""
        return await self._run(self._list)

    async def delete(self, note_id: int) -> bool:
        """Delete a note; ``False`` if there was none with this id."""
        return await self._run(self._delete, note_id)

    async def _run(self, function: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(function, *args))

    # The methods below run on the worker thread.

    def _open(self) -> None:
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute(SCHEMA)

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the note store is not open")
        return self._db

    def _create(self, title: str, body: str, created_by: str) -> Note:
        cursor = self._conn.execute(
            "INSERT INTO notes (title, body, created_by) VALUES (?, ?, ?)",
            (title, body, created_by),
        )
        note_id = cursor.lastrowid
        assert note_id is not None
        return Note(id=note_id, title=title, body=body, created_by=created_by)

    def _get(self, note_id: int) -> Note | None:
        row = self._conn.execute(
            "SELECT id, title, body, created_by FROM notes WHERE id = ?", (note_id,)
        ).fetchone()
        return None if row is None else Note(*row)

    def _list(self) -> list[Note]:
        rows = self._conn.execute("SELECT id, title, body, created_by FROM notes ORDER BY id")
        return [Note(*row) for row in rows]

    def _delete(self, note_id: int) -> bool:
        cursor = self._conn.execute("DELETE FROM notes WHERE id = ?", (note_id,))
        return cursor.rowcount > 0
