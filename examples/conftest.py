"""Fixtures for the notes service suite.

- ``server``: one notes server for the whole session, on the session's event loop, with its
  SQLite file under pytest's temporary directory.
- ``request_id``: sets the ``current_request_id`` context variable for the test; the client
  sends it with every request and the server logs it.
- ``client`` and ``connect``: connections to the session server, one per test, on the session
  loop too (a connection must be used on the loop that opened it).

Tests that use these declare ``pytestmark = pytest.mark.asyncio(loop_scope="session")`` so they
run on the same loop as the server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from uuid import uuid4

import pytest

import pytest_asyncio

from .notes_service import NotesClient, NotesServer, current_request_id

ClientFactory = Callable[[], Awaitable[NotesClient]]


@pytest.fixture(scope="session")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session server's SQLite file."""
    return tmp_path_factory.mktemp("notes") / "notes.sqlite3"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def server(
    db_path: Path, unused_tcp_port_factory: Callable[[], int]
) -> AsyncIterator[NotesServer]:
    """A notes server shared by every test of the session."""
    async with NotesServer(db_path, port=unused_tcp_port_factory()) as server:
        yield server


@pytest_asyncio.fixture(loop_scope="session")
async def request_id(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """Tag everything this test sends with its own request id.

    The test, and the fixtures set up after this one, see the value; the teardown resets it in
    the same context, so the next test starts from the default again.
    """
    value = f"{request.node.name}-{uuid4().hex[:8]}"
    token = current_request_id.set(value)
    yield value
    current_request_id.reset(token)


@pytest_asyncio.fixture(loop_scope="session")
async def client(server: NotesServer, request_id: str) -> AsyncIterator[NotesClient]:
    """A connection to the session server, closed after the test."""
    async with await NotesClient.connect(*server.address) as client:
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def connect(server: NotesServer, request_id: str) -> AsyncIterator[ClientFactory]:
    """Open as many connections as the test likes; all are closed after it."""
    async with AsyncExitStack() as stack:

        async def open_client() -> NotesClient:
            client = await NotesClient.connect(*server.address)
            return await stack.enter_async_context(client)

        yield open_client
