"""A tiny notes service: JSON lines over TCP in front of a SQLite file.

Standard library only. :class:`NotesServer` serves the notes kept by a :class:`NoteStore`;
:class:`NotesClient` talks to it, sending :data:`current_request_id` with every request.
"""

from __future__ import annotations

from .client import NotesClient, ServiceError, current_request_id
from .protocol import Event, Note, ProtocolError
from .server import NotesServer
from .store import NoteStore

__all__ = [
    "Event",
    "Note",
    "NoteStore",
    "NotesClient",
    "NotesServer",
    "ProtocolError",
    "ServiceError",
    "current_request_id",
]
