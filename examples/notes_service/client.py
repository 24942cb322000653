"""An asyncio client for the notes server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Protocol

from .protocol import (
    MAX_LINE,
    Event,
    Note,
    ProtocolError,
    decode,
    encode,
    event_from_wire,
    get_object,
    get_str,
    note_from_wire,
)

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")
"""Sent with every request; the server logs it and records it as a new note's ``created_by``.

Set it once per unit of work (a web request, a job, a test) and every call made in that
context, however deep, is tagged with it.
"""


class ServiceError(Exception):
    """The server answered with an error: ``code`` is e.g. ``"not_found"`` or ``"bad_request"``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class LineWriter(Protocol):
    """The part of :class:`asyncio.StreamWriter` the client uses."""

    def write(self, data: bytes) -> None: ...

    async def drain(self) -> None: ...

    def close(self) -> None: ...

    async def wait_closed(self) -> None: ...


class NotesClient:
    """One connection to the notes server; requests on it are sent one at a time.

    After :meth:`subscribe`, use the connection only to read :meth:`events`.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: LineWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._lock = asyncio.Lock()

    @classmethod
    async def connect(cls, host: str, port: int) -> NotesClient:
        """Open a connection to the server at *host*:*port*."""
        reader, writer = await asyncio.open_connection(host, port, limit=MAX_LINE)
        return cls(reader, writer)

    async def __aenter__(self) -> NotesClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Hang up."""
        self._writer.close()
        with contextlib.suppress(ConnectionError):
            await self._writer.wait_closed()

    async def ping(self) -> str:
        """``"pong"`` if the server is alive."""
        return str(await self.call("ping"))

    async def create_note(self, title: str, body: str = "") -> Note:
        """Store a new note and return it."""
        return note_from_wire(await self.call("create", title=title, body=body))

    async def get_note(self, note_id: int) -> Note:
        """The note with this id; :class:`ServiceError` ``not_found`` if there is none."""
        return note_from_wire(await self.call("get", note_id=note_id))

    async def list_notes(self) -> list[Note]:
        """Every note, oldest first."""
        result = await self.call("list")
        if not isinstance(result, list):
            raise ProtocolError("the result of 'list' must be a list")
        return [note_from_wire(item) for item in result]

    async def delete_note(self, note_id: int) -> None:
        """Delete a note; :class:`ServiceError` ``not_found`` if there is none."""
        await self.call("delete", note_id=note_id)

    async def subscribe(self) -> None:
        """Ask the server to push an event for every note created or deleted from now on."""
        await self.call("subscribe")

    async def events(self) -> AsyncIterator[Event]:
        """The events pushed after :meth:`subscribe`, until the connection closes."""
        while line := await self._reader.readline():
            yield event_from_wire(decode(line))

    async def call(self, op: str, **args: object) -> object:
        """Send one request tagged with :data:`current_request_id` and return its result."""
        request_id = current_request_id.get()
        async with self._lock:
            self._writer.write(encode({"op": op, "request_id": request_id, "args": args}))
            await self._writer.drain()
            line = await self._reader.readline()
        if not line:
            raise ConnectionError("the notes server closed the connection")
        response = decode(line)
        if response.get("request_id") != request_id:
            raise ProtocolError(f"expected the response to {request_id!r}, got {response!r}")
        if response.get("ok") is True:
            return response.get("result")
        error = get_object(response, "error")
        raise ServiceError(get_str(error, "code"), get_str(error, "message"))
