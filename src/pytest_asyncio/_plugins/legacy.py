"""The ``event_loop`` fixture of pytest-asyncio before 1.0, for suites written for it, and the
end-of-session warning about ``event_loop`` overrides that no test used.

Our fixture is deprecated, with one warning per session: it returns the loop the requesting
test runs on (a fresh function-scoped loop for a sync test, which may ``run_until_complete`` on
it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from pytest_asyncio import _collect, _messages, _overrides
from pytest_asyncio._warnings import PytestAsyncioDeprecationWarning, location, warn_once

if TYPE_CHECKING:
    import asyncio


@pytest.fixture
def event_loop(request: pytest.FixtureRequest) -> asyncio.AbstractEventLoop:
    """Deprecated: the event loop the requesting test runs on.

    In async code use ``asyncio.get_running_loop()``; to share a loop between tests, use the
    ``loop_scope`` of the asyncio marker and of ``pytest_asyncio.fixture``.
    """
    item = request.node
    message = _messages.EVENT_LOOP_FIXTURE_REQUESTED.format(nodeid=item.nodeid)
    warning = PytestAsyncioDeprecationWarning(message)
    warn_once(request.config, "event_loop fixture", warning, *location(item))
    from pytest_asyncio import _loops  # imports asyncio: only when the fixture is used

    spec = _collect.spec_of(item)
    scope = spec.loop_scope if spec is not None else "function"
    return _loops.runner_for(item, item, scope).loop


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_XdistController(), "pytest_asyncio_xdist_controller")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An event_loop override that no test set up can be deleted: say so, once (under
    pytest-xdist, from the controller, once every worker said what it used)."""
    config = session.config
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[_overrides.WORKER_OUTPUT_KEY] = _overrides.exported(config)
        return
    try:
        _overrides.warn_unused(config)
    except Warning as error:  # filterwarnings = error: fail the run, without a traceback
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write("\n")
            reporter.line(f"ERROR: {type(error).__name__}: {error}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


class _XdistController:
    """Collects, on the pytest-xdist controller, the overrides each worker saw and used."""

    def pytest_testnodedown(self, node: Any, error: object) -> None:
        entries = getattr(node, "workeroutput", {}).get(_overrides.WORKER_OUTPUT_KEY)
        if entries:
            _overrides.merge(node.config, entries)
