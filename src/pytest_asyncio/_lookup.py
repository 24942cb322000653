"""``await pytest_asyncio.getfixturevalue(request, name)``: fixture lookup from async code.

``request.getfixturevalue()`` is sync: an async fixture it sets up must run its loop, and a
loop cannot be run from code already running in it. The awaitable form stops the test's loop,
runs pytest's lookup outside it, and awaits the setup of any async fixture on that loop right
in the calling task, so the fixture shares the task of the test like any other.
"""

from __future__ import annotations

import contextvars
import functools
from typing import Any

import pytest

from . import _messages
from ._contexts import changes


async def getfixturevalue(request: pytest.FixtureRequest, name: str) -> Any:
    """Return the value of fixture *name*, setting it up if needed, from async code.

    The awaitable twin of :meth:`pytest.FixtureRequest.getfixturevalue`: use it in an async
    test or async fixture run by pytest-asyncio-ng, for sync and async fixtures alike::

        async def test_lazy(request):
            db = await pytest_asyncio.getfixturevalue(request, "database")
    """
    __tracebackhide__ = True
    # Imported here, not at the top: the package is imported with the plugin, asyncio need not.
    import asyncio

    from . import _loops

    runner = _loops.runner_of(request.config, asyncio.get_running_loop())
    if runner is None:
        raise RuntimeError(_messages.GETFIXTUREVALUE_FOREIGN_LOOP.format(name=name))
    value, changed = await runner.call_sync(functools.partial(_lookup, request, name))
    # What the fixtures set up now published to the thread's context, the caller sees too.
    for var, var_value in changed:
        var.set(var_value)
    return value


def _lookup(request: pytest.FixtureRequest, name: str) -> tuple[Any, list[tuple[Any, Any]]]:
    __tracebackhide__ = True
    before = contextvars.copy_context()
    value = request.getfixturevalue(name)
    return value, changes(before, contextvars.copy_context())
