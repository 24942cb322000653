"""What the server writes is in the SQLite file: checked with plain ``sqlite3``.

This module starts its own server on a private database, once for the module, on a
module-scoped event loop: every test here runs on that loop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import pytest_asyncio

from .notes_service import NotesClient, NotesServer

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("persistence") / "notes.sqlite3"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_client(db_file: Path) -> AsyncIterator[NotesClient]:
    """A private server (on a port the OS picks) and one connection to it, for the module."""
    async with (
        NotesServer(db_file, port=0) as server,
        await NotesClient.connect(*server.address) as client,
    ):
        yield client


def read_rows(db_file: Path) -> list[tuple[int, str, str, str]]:
    with sqlite3.connect(db_file) as db:
        return db.execute("SELECT id, title, body, created_by FROM notes ORDER BY id").fetchall()


async def test_created_notes_are_in_the_file(
    module_client: NotesClient, db_file: Path, request_id: str
) -> None:
    note = await module_client.create_note("persisted", "written through the wire")

    assert (note.id, "persisted", "written through the wire", request_id) in read_rows(db_file)


async def test_deleted_notes_leave_the_file(module_client: NotesClient, db_file: Path) -> None:
    note = await module_client.create_note("doomed")
    await module_client.delete_note(note.id)

    assert note.id not in [row[0] for row in read_rows(db_file)]


async def test_another_server_on_the_same_file_sees_the_notes(
    module_client: NotesClient, db_file: Path
) -> None:
    note = await module_client.create_note("shared")

    async with (
        NotesServer(db_file) as second,
        await NotesClient.connect(*second.address) as client,
    ):
        assert await client.get_note(note.id) == note
