"""Running async test bodies as jobs on their loop's driver task (``_running``).

Every test's setup and call ask whether it may be ours, cheaply (``surely_sync``); the first
test that may be imports ``_running``, the modules that decide and asyncio: a run of sync tests
does not load them.
"""

from __future__ import annotations

import sys
import types

import pytest

from pytest_asyncio._inspect import surely_sync


def _running() -> types.ModuleType:
    # A lookup in sys.modules: an import statement in the hooks costs every async test more.
    # Not cached here: pytester's in-process runs take the modules they imported out again.
    module = sys.modules.get("pytest_asyncio._running")
    if module is not None:
        return module
    from pytest_asyncio import _running

    return _running


# Not tryfirst: skip marks (evaluated by a tryfirst hook) win over our errors; registered
# after pytest's runner, this still runs before the item's fixtures are set up.
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not surely_sync(item):
        _running().setup(item)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    __tracebackhide__ = True
    if surely_sync(pyfuncitem):
        return None
    result: bool | None = _running().call(pyfuncitem)
    return result
