"""The notes server: answers JSON-line requests from a :class:`NoteStore` and pushes events."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from .protocol import (
    MAX_LINE,
    JSONObject,
    ProtocolError,
    Request,
    decode,
    encode,
    get_int,
    get_str,
    note_to_wire,
    parse_request,
)
from .store import NoteStore

log = logging.getLogger(__name__)


class NoteNotFoundError(LookupError):
    """No note with the requested id."""


class NotesServer:
    """A TCP server for the notes in the SQLite file *db_path*.

    ``port=0`` lets the OS pick a free port; :attr:`address` tells which. Use it as
    ``async with NotesServer(path) as server: ...`` or call :meth:`start` and :meth:`close`.
    Every request is logged with the request id the client sent.
    """

    def __init__(self, db_path: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.store = NoteStore(db_path)
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self._subscribers: set[asyncio.StreamWriter] = set()

    @property
    def address(self) -> tuple[str, int]:
        """The ``(host, port)`` the server listens on."""
        if self._server is None:
            raise RuntimeError("the server is not running")
        host, port = self._server.sockets[0].getsockname()[:2]
        return host, port

    async def start(self) -> None:
        """Open the database and start listening."""
        await self.store.open()
        try:
            self._server = await asyncio.start_server(
                self._handle, self._host, self._port, limit=MAX_LINE
            )
        except BaseException:
            await self.store.close()
            raise
        log.info("listening on %s:%d, notes in %s", *self.address, self.store.path)

    async def serve_forever(self) -> None:
        """Serve until cancelled."""
        if self._server is None:
            raise RuntimeError("the server is not running")
        await self._server.serve_forever()

    async def close(self) -> None:
        """Stop listening, hang up on every client and close the database."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for writer in self._connections.values():
            writer.close()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await server.wait_closed()
        await self.store.close()
        log.info("closed")

    async def __aenter__(self) -> NotesServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = writer
        try:
            await self._serve(reader, writer)
        except ConnectionError:
            pass
        finally:
            del self._connections[task]
            self._subscribers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                line = await reader.readline()
            except ValueError:  # longer than MAX_LINE: the stream cannot be resynchronised
                writer.write(encode(_error("-", "bad_request", "line too long")))
                await writer.drain()
                return
            if not line:
                return
            if line.strip():
                writer.write(encode(await self._respond(line, writer)))
                await writer.drain()

    async def _respond(self, line: bytes, writer: asyncio.StreamWriter) -> JSONObject:
        request_id = "-"
        op = "?"
        try:
            message = decode(line)
            if isinstance(message.get("request_id"), str):
                request_id = str(message["request_id"])
            request = parse_request(message)
            op = request.op
            result = await self._dispatch(request, writer)
        except ProtocolError as exc:
            log.info("[%s] %s -> bad_request: %s", request_id, op, exc)
            return _error(request_id, "bad_request", str(exc))
        except NoteNotFoundError as exc:
            log.info("[%s] %s -> not_found", request_id, op)
            return _error(request_id, "not_found", f"no note with id {exc}")
        except Exception:
            log.exception("[%s] %s -> internal error", request_id, op)
            return _error(request_id, "internal", "internal server error")
        log.info("[%s] %s -> ok", request_id, op)
        return {"ok": True, "request_id": request_id, "result": result}

    async def _dispatch(self, request: Request, writer: asyncio.StreamWriter) -> object:
        args = request.args
        if request.op == "ping":
            return "pong"
        if request.op == "create":
            title = get_str(args, "title")
            if not title.strip():
                raise ProtocolError("'title' must not be empty")
            body = get_str(args, "body") if "body" in args else ""
            note = await self.store.create(title, body, created_by=request.request_id)
            self._broadcast({"event": "created", "note": note_to_wire(note)})
            return note_to_wire(note)
        if request.op == "get":
            note_id = get_int(args, "note_id")
            found = await self.store.get(note_id)
            if found is None:
                raise NoteNotFoundError(note_id)
            return note_to_wire(found)
        if request.op == "list":
            return [note_to_wire(note) for note in await self.store.list_notes()]
        if request.op == "delete":
            note_id = get_int(args, "note_id")
            if not await self.store.delete(note_id):
                raise NoteNotFoundError(note_id)
            self._broadcast({"event": "deleted", "note_id": note_id})
            return {"deleted": note_id}
        if request.op == "subscribe":
            self._subscribers.add(writer)
            return "subscribed"
        raise ProtocolError(f"unhandled op {request.op!r}")  # parse_request admits only OPS

    def _broadcast(self, event: JSONObject) -> None:
        line = encode(event)
        for subscriber in self._subscribers:
            if not subscriber.is_closing():
                subscriber.write(line)  # events are small: let the transport buffer them


def _error(request_id: str, code: str, message: str) -> JSONObject:
    return {"ok": False, "request_id": request_id, "error": {"code": code, "message": message}}
