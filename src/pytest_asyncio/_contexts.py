"""Context variables across async fixtures and tests.

Each async fixture runs in a copy of the newest live fixture context (or of the current context
when none is live); once set up, its context becomes the newest, so fixtures and tests after it
see what it set. Its teardown runs in that same context (so ``ContextVar.reset(token)`` works)
and then the context is dropped. A test runs in a throwaway copy: what it sets never leaks.
"""

from __future__ import annotations

import contextvars
from typing import Final

import pytest


class ContextChain:
    __slots__ = ("_live",)

    def __init__(self) -> None:
        self._live: list[contextvars.Context] = []

    def new(self) -> contextvars.Context:
        """A fresh context holding what the live fixtures set."""
        live = self._live
        return live[-1].copy() if live else contextvars.copy_context()

    def push(self, context: contextvars.Context) -> None:
        self._live.append(context)

    def drop(self, context: contextvars.Context) -> None:
        # Teardown is LIFO almost always; a re-parametrized wider fixture can break that.
        live = self._live
        if live and live[-1] is context:
            live.pop()
        else:
            for index, candidate in enumerate(live):
                if candidate is context:
                    del live[index]
                    break


CHAIN_KEY: Final = pytest.StashKey[ContextChain]()
