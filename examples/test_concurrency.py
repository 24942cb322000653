"""Many clients at once, and a subscriber running in a TaskGroup held open by a fixture."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

import pytest_asyncio

from .notes_service import Event, Note, NotesClient, NotesServer, current_request_id
from .notes_service.compat import TaskGroup

pytestmark = pytest.mark.asyncio(loop_scope="session")

ClientFactory = Callable[[], Awaitable[NotesClient]]  # what the ``connect`` fixture gives


async def test_concurrent_clients_get_distinct_ids(connect: ClientFactory) -> None:
    clients = await asyncio.gather(*(connect() for _ in range(10)))

    notes = await asyncio.gather(
        *(client.create_note(f"from client {n}") for n, client in enumerate(clients))
    )

    assert len({note.id for note in notes}) == len(clients)
    listed = await clients[0].list_notes()
    assert set(notes) <= set(listed)


async def test_each_task_sends_its_own_request_id(connect: ClientFactory, request_id: str) -> None:
    async def create_as(worker: str) -> Note:
        # Each task from gather() runs in a copy of the test's context: setting the variable
        # here changes it for this task only.
        current_request_id.set(worker)
        client = await connect()
        return await client.create_note(f"written by {worker}")

    workers = [f"{request_id}/worker-{n}" for n in range(5)]
    notes = await asyncio.gather(*(create_as(worker) for worker in workers))

    assert [note.created_by for note in notes] == workers
    assert current_request_id.get() == request_id


@pytest_asyncio.fixture(loop_scope="session")
async def events(server: NotesServer) -> AsyncIterator[asyncio.Queue[Event]]:
    """Everything the server announces while the test runs.

    A second connection subscribes, and a task in a TaskGroup copies its events into a queue.
    The TaskGroup is entered before ``yield`` and left after it: setup, test and teardown run in
    one task on the session loop, so the group stays open for the whole test.
    """
    queue: asyncio.Queue[Event] = asyncio.Queue()
    subscriber = await NotesClient.connect(*server.address)
    await subscriber.subscribe()

    async def pump() -> None:
        async for event in subscriber.events():
            queue.put_nowait(event)

    async with TaskGroup() as group:
        group.create_task(pump())
        yield queue
        await subscriber.close()  # ends the event stream; the group then waits for pump()


async def test_subscriber_sees_changes(client: NotesClient, events: asyncio.Queue[Event]) -> None:
    note = await client.create_note("watched")
    await client.delete_note(note.id)

    created = await asyncio.wait_for(events.get(), timeout=2)
    deleted = await asyncio.wait_for(events.get(), timeout=2)

    assert created == Event("created", note.id, note)
    assert deleted == Event("deleted", note.id)
