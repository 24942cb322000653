"""Fixtures that hand out free ports on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

_HOST = "127.0.0.1"


def _free_port(kind: socket.SocketKind) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind((_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _factory(kind: socket.SocketKind) -> Callable[[], int]:
    given: set[int] = set()

    def factory() -> int:
        port = _free_port(kind)
        while port in given:
            port = _free_port(kind)
        given.add(port)
        return port

    return factory


@pytest.fixture
def unused_tcp_port() -> int:
    """A TCP port on 127.0.0.1 that was free when the test started."""
    return _free_port(socket.SOCK_STREAM)


@pytest.fixture
def unused_udp_port() -> int:
    """A UDP port on 127.0.0.1 that was free when the test started."""
    return _free_port(socket.SOCK_DGRAM)


@pytest.fixture(scope="session")
def unused_tcp_port_factory() -> Callable[[], int]:
    """Call it for a free TCP port on 127.0.0.1; no port is returned twice in a session."""
    return _factory(socket.SOCK_STREAM)


@pytest.fixture(scope="session")
def unused_udp_port_factory() -> Callable[[], int]:
    """Call it for a free UDP port on 127.0.0.1; no port is returned twice in a session."""
    return _factory(socket.SOCK_DGRAM)
