"""Unit tests of the wire format and the client, without a server.

The async tests use the default function-scoped loop: each gets a fresh one. The client is
given an in-memory ``StreamReader`` holding the server's answer and a writer that records
what was sent.
"""

from __future__ import annotations

import asyncio

import pytest

from .notes_service import Note, NotesClient, ProtocolError, ServiceError, current_request_id
from .notes_service.protocol import decode, encode, note_from_wire, note_to_wire, parse_request


class RecordingWriter:
    """Stands in for ``asyncio.StreamWriter``: keeps what the client writes."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.sent.append(data)

    async def drain(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    async def wait_closed(self) -> None:
        pass


def client_answering(*lines: bytes) -> tuple[NotesClient, RecordingWriter]:
    reader = asyncio.StreamReader()
    for line in lines:
        reader.feed_data(line + b"\n")
    reader.feed_eof()
    writer = RecordingWriter()
    return NotesClient(reader, writer), writer


def test_note_round_trips_through_a_line() -> None:
    note = Note(id=3, title="naïve café", body="line one\nline two", created_by="t-1")

    line = encode(note_to_wire(note))

    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    assert note_from_wire(decode(line)) == note


@pytest.mark.parametrize(
    "line",
    [b"", b"{", b"[]", b'"text"', b"\xff\xfe"],
    ids=["empty", "truncated", "array", "string", "not-utf8"],
)
def test_decode_rejects_anything_but_an_object(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode(line)


def test_parse_request_checks_the_op_and_arguments() -> None:
    request = parse_request({"op": "get", "request_id": "r-1", "args": {"note_id": 1}})
    assert (request.op, request.request_id, request.args) == ("get", "r-1", {"note_id": 1})

    with pytest.raises(ProtocolError, match="unknown op 'drop'"):
        parse_request({"op": "drop"})
    with pytest.raises(ProtocolError, match="'args' must be an object"):
        parse_request({"op": "get", "args": [1]})


@pytest.mark.asyncio
async def test_client_sends_the_request_id_and_parses_the_note() -> None:
    current_request_id.set("unit-7")
    client, writer = client_answering(
        b'{"ok": true, "request_id": "unit-7",'
        b' "result": {"id": 7, "title": "t", "body": "b", "created_by": "unit-7"}}'
    )

    note = await client.get_note(7)

    assert note == Note(7, "t", "b", "unit-7")
    assert [decode(line) for line in writer.sent] == [
        {"op": "get", "request_id": "unit-7", "args": {"note_id": 7}}
    ]


@pytest.mark.asyncio
async def test_client_raises_the_servers_error() -> None:
    client, _ = client_answering(
        b'{"ok": false, "request_id": "-",'
        b' "error": {"code": "not_found", "message": "no note with id 9"}}'
    )

    with pytest.raises(ServiceError) as excinfo:
        await client.get_note(9)

    assert (excinfo.value.code, excinfo.value.message) == ("not_found", "no note with id 9")


@pytest.mark.asyncio
async def test_client_rejects_a_garbled_or_missing_answer() -> None:
    client, writer = client_answering(b'{"ok": true, "request_id": "someone else"}')
    with pytest.raises(ProtocolError, match="expected the response to '-'"):
        await client.ping()

    with pytest.raises(ConnectionError):  # the reader is at EOF now
        await client.ping()

    await client.close()
    assert writer.closed
