"""The private asyncio attributes read by pytest_asyncio._aio, on this Python version."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Iterator

import pytest

from pytest_asyncio import _aio


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def test_a_new_loop_watches_nothing_but_its_self_pipe(loop: asyncio.AbstractEventLoop) -> None:
    assert _aio.watched_fds(loop) == []


def test_servers_connections_and_readers_are_watched(loop: asyncio.AbstractEventLoop) -> None:
    accepted: list[asyncio.StreamWriter] = []  # kept: 3.13 closes a collected writer

    async def open_all() -> tuple[asyncio.Server, asyncio.StreamWriter]:
        server = await asyncio.start_server(lambda r, w: accepted.append(w), "127.0.0.1", 0)
        _, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
        await asyncio.sleep(0.01)  # the transports start reading in callbacks of their own
        return server, writer

    server, writer = loop.run_until_complete(open_all())
    listening = server.sockets[0].fileno()
    connected = writer.get_extra_info("socket").fileno()
    read_end, write_end = os.pipe()
    loop.add_reader(read_end, lambda: None)
    try:
        assert {listening, connected, read_end} <= set(_aio.watched_fds(loop))
        for fd in _aio.watched_fds(loop):
            if fd != read_end:
                with socket.socket(fileno=os.dup(fd)) as sock:
                    assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        loop.remove_reader(read_end)
        os.close(read_end)
        os.close(write_end)
        for each in [writer, *accepted]:
            each.close()
        server.close()
        loop.run_until_complete(server.wait_closed())
    assert listening not in _aio.watched_fds(loop)


def test_a_closed_loop_watches_nothing() -> None:
    loop = asyncio.new_event_loop()
    loop.close()
    assert _aio.watched_fds(loop) == []


def test_a_loop_without_a_selector_watches_nothing() -> None:
    class Opaque(asyncio.AbstractEventLoop):
        def is_closed(self) -> bool:
            return False

    assert _aio.watched_fds(Opaque()) == []  # type: ignore[abstract]  # a stub is enough
