"""Limits wait while pytest's debugger is active (``pytest.set_trace()``, ``breakpoint()``,
``--pdb``, ``--trace``): the time spent at its prompt does not count.

Registered when the session's first loop is made (``_loops``): before that no limit runs.
pytest calls these hooks only when it enters or leaves its debugger. A debugger of another
kind (an IDE's, or a ``pdb`` pytest did not start) is recognised by its trace function when a
limit expires (``_debuggers``).
"""

from __future__ import annotations

from typing import Any

import pytest


def pytest_enter_pdb(config: pytest.Config, pdb: Any) -> None:
    from pytest_asyncio._watchdog import WATCHDOG

    WATCHDOG.pause()


def pytest_leave_pdb(config: pytest.Config, pdb: Any) -> None:
    from pytest_asyncio._watchdog import WATCHDOG

    WATCHDOG.resume()
