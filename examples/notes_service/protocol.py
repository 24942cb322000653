"""The wire format: one JSON object per line, in both directions.

A request is ``{"op": ..., "request_id": ..., "args": {...}}``. The server answers each request
with ``{"ok": true, "request_id": ..., "result": ...}`` or
``{"ok": false, "request_id": ..., "error": {"code": ..., "message": ...}}``. A connection that
sent ``subscribe`` then also receives events: ``{"event": "created", "note": {...}}`` and
``{"event": "deleted", "note_id": ...}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

MAX_LINE: Final = 1024 * 1024
"""Longest line either side accepts, newline included."""

OPS: Final = frozenset({"ping", "create", "get", "list", "delete", "subscribe"})

JSONObject = dict[str, object]


class ProtocolError(ValueError):
    """A line or message that does not follow the wire format."""


@dataclass(frozen=True)
class Note:
    """A stored note. ``created_by`` is the request id of the request that created it."""

    id: int
    title: str
    body: str
    created_by: str


@dataclass(frozen=True)
class Request:
    """A parsed request line."""

    op: str
    request_id: str = "-"
    args: JSONObject = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """A change pushed to subscribers: ``kind`` is ``"created"`` or ``"deleted"``."""

    kind: str
    note_id: int
    note: Note | None = None


def encode(message: Mapping[str, object]) -> bytes:
    """One message as one line of compact JSON."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def decode(line: bytes) -> JSONObject:
    """Parse one line into a JSON object; :class:`ProtocolError` if it is anything else."""
    try:
        value: object = json.loads(line)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise ProtocolError(f"not a JSON line: {exc}") from None
    if not isinstance(value, dict):
        raise ProtocolError(f"expected a JSON object, got {type(value).__name__}")
    return {str(key): item for key, item in value.items()}


def get_str(message: Mapping[str, object], key: str) -> str:
    """``message[key]``, which must be a string."""
    value = message.get(key)
    if not isinstance(value, str):
        raise ProtocolError(f"{key!r} must be a string")
    return value


def get_int(message: Mapping[str, object], key: str) -> int:
    """``message[key]``, which must be an integer (and not a bool)."""
    value = message.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProtocolError(f"{key!r} must be an integer")
    return value


def get_object(message: Mapping[str, object], key: str) -> JSONObject:
    """``message[key]``, which must be a JSON object."""
    value = message.get(key)
    if not isinstance(value, dict):
        raise ProtocolError(f"{key!r} must be an object")
    return {str(name): item for name, item in value.items()}


def parse_request(message: Mapping[str, object]) -> Request:
    """Validate a decoded request; unknown operations are a :class:`ProtocolError`."""
    op = get_str(message, "op")
    if op not in OPS:
        raise ProtocolError(f"unknown op {op!r}; expected one of {', '.join(sorted(OPS))}")
    request_id = get_str(message, "request_id") if "request_id" in message else "-"
    args = get_object(message, "args") if "args" in message else {}
    return Request(op=op, request_id=request_id, args=args)


def note_to_wire(note: Note) -> JSONObject:
    """A note as a JSON object."""
    return {"id": note.id, "title": note.title, "body": note.body, "created_by": note.created_by}


def note_from_wire(value: object) -> Note:
    """The inverse of :func:`note_to_wire`, checking every field."""
    if not isinstance(value, dict):
        raise ProtocolError("a note must be an object")
    return Note(
        id=get_int(value, "id"),
        title=get_str(value, "title"),
        body=get_str(value, "body"),
        created_by=get_str(value, "created_by"),
    )


def event_from_wire(message: Mapping[str, object]) -> Event:
    """Parse an event line sent to subscribers."""
    kind = get_str(message, "event")
    if kind == "created":
        note = note_from_wire(message.get("note"))
        return Event(kind=kind, note_id=note.id, note=note)
    if kind == "deleted":
        return Event(kind=kind, note_id=get_int(message, "note_id"))
    raise ProtocolError(f"unknown event {kind!r}")
