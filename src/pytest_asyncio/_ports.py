"""Free ports on 127.0.0.1, for the ``unused_*_port`` fixtures."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Final

_HOST: Final = "127.0.0.1"
TCP: Final = socket.SOCK_STREAM
UDP: Final = socket.SOCK_DGRAM


def free_port(kind: socket.SocketKind) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind((_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def factory(kind: socket.SocketKind) -> Callable[[], int]:
    given: set[int] = set()

    def next_port() -> int:
        port = free_port(kind)
        while port in given:
            port = free_port(kind)
        given.add(port)
        return port

    return next_port
