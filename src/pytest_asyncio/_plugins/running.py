"""Running async test bodies as jobs on their loop's driver task (``_running``).

The per-test hooks are on ``_Tests``. Once collection has ended, one pass over the items notes
those that may be ours (``_inspect.may_be_ours``: async tests, and sync ones marked
``asyncio``), and each test's setup and call look the test up there; a run with none of them
unregisters the hooks, so its tests pay nothing. A session that collected nothing, whose items
are made by hand (as pytester's ``getitems()`` does), asks each test as it runs
(``surely_sync``). The first test that may be ours imports ``_running``, the modules that
decide and asyncio: a run of sync tests does not load them.
"""

from __future__ import annotations

import sys
import types
from typing import Final

import pytest

from pytest_asyncio._inspect import may_be_ours, surely_sync

_TESTS_PLUGIN: Final = "asyncio-ng-tests"


def _running() -> types.ModuleType:
    # A lookup in sys.modules: an import statement in the hooks costs every async test more.
    # Not cached here: pytester's in-process runs take the modules they imported out again.
    module = sys.modules.get("pytest_asyncio._running")
    if module is not None:
        return module
    from pytest_asyncio import _running

    return _running


class _Tests:
    """The hooks called for every test, registered as the plugin ``asyncio-ng-tests``."""

    def __init__(self) -> None:
        #: The ids of the session's items that may be ours (they live as long as the session);
        #: None until collection has ended.
        self.ours: set[int] | None = None

    # Not tryfirst: skip marks (evaluated by a tryfirst hook) win over our errors; registered
    # after pytest's runner, this still runs before the item's fixtures are set up.
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        ours = self.ours
        if id(item) in ours if ours is not None else not surely_sync(item):
            _running().setup(item)

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> bool | None:
        __tracebackhide__ = True
        ours = self.ours
        if id(pyfuncitem) not in ours if ours is not None else surely_sync(pyfuncitem):
            return None
        result: bool | None = _running().call(pyfuncitem)
        return result


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    # Called as this module is registered: the hooks take its place among the plugins.
    if not pluginmanager.has_plugin(_TESTS_PLUGIN):
        pluginmanager.register(_Tests(), _TESTS_PLUGIN)


@pytest.hookimpl(trylast=True)  # after other plugins have had their last say on the items
def pytest_collection_finish(session: pytest.Session) -> None:
    manager = session.config.pluginmanager
    tests = manager.get_plugin(_TESTS_PLUGIN)
    if not isinstance(tests, _Tests):
        return
    if session.config.option.collectonly:
        manager.unregister(tests, _TESTS_PLUGIN)  # no test runs
        return
    if not session.items:
        # Nothing collected: items may still be made by hand from this session (as pytester's
        # getitems() does) and run; each is asked as it runs.
        return
    ours = may_be_ours(session.items)
    if ours:
        tests.ours = ours
    else:  # none of ours: no hook called for each test
        manager.unregister(tests, _TESTS_PLUGIN)
