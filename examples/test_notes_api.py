"""Creating, reading, listing and deleting notes over the wire, and the errors the server sends.

Every test here runs on the session loop, where the session-scoped ``server`` lives.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from .notes_service import NotesClient, NotesServer, ServiceError, current_request_id

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_create_then_get(client: NotesClient, request_id: str) -> None:
    note = await client.create_note("groceries", "eggs, flour, milk")

    assert note.title == "groceries"
    assert note.created_by == request_id
    assert await client.get_note(note.id) == note


async def test_list_returns_notes_oldest_first(client: NotesClient) -> None:
    # The server is shared by the whole session: look only at the notes made here.
    made = [await client.create_note(f"step {n}") for n in range(3)]

    listed = [note for note in await client.list_notes() if note in made]

    assert listed == made


async def test_delete(client: NotesClient) -> None:
    note = await client.create_note("short-lived")

    await client.delete_note(note.id)

    with pytest.raises(ServiceError) as excinfo:
        await client.get_note(note.id)
    assert excinfo.value.code == "not_found"
    with pytest.raises(ServiceError, match="not_found"):
        await client.delete_note(note.id)


async def test_empty_title_is_rejected(client: NotesClient) -> None:
    with pytest.raises(ServiceError) as excinfo:
        await client.create_note("   ")

    assert excinfo.value.code == "bad_request"
    assert "title" in excinfo.value.message


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        pytest.param(b"hello?", "not a JSON line", id="not-json"),
        pytest.param(b"[1, 2, 3]", "expected a JSON object", id="not-an-object"),
        pytest.param(b'{"op": "shout"}', "unknown op", id="unknown-op"),
        pytest.param(b'{"op": "get", "args": {"note_id": "7"}}', "'note_id'", id="bad-arg"),
    ],
)
async def test_malformed_requests_get_an_error_and_the_connection_survives(
    server: NotesServer, line: bytes, reason: str
) -> None:
    reader, writer = await asyncio.open_connection(*server.address)
    try:
        writer.write(line + b"\n" + b'{"op": "ping"}\n')
        await writer.drain()
        error = json.loads(await reader.readline())
        pong = json.loads(await reader.readline())
    finally:
        writer.close()
        await writer.wait_closed()

    assert error["ok"] is False
    assert error["error"]["code"] == "bad_request"
    assert reason in error["error"]["message"]
    assert pong == {"ok": True, "request_id": "-", "result": "pong"}


async def test_server_logs_the_request_id(
    client: NotesClient, request_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="examples.notes_service")

    await client.ping()

    assert f"[{request_id}] ping -> ok" in caplog.messages


async def test_a_test_can_set_its_own_request_id(client: NotesClient) -> None:
    # What a test sets stays in the test: the next test sees its own fixture's value again.
    current_request_id.set("batch-import-42")

    note = await client.create_note("imported")

    assert note.created_by == "batch-import-42"
