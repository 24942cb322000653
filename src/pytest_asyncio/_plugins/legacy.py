"""The end-of-session warning about ``event_loop`` overrides (pytest-asyncio before 1.0) that
no test used.

Registered when ``_overrides`` notes the first such override, and on the pytest-xdist
controller, which hears of them from its workers: a run without one loads nothing of this.
Our own ``event_loop`` fixture is declared with the others (``_plugins.fixtures``).
"""

from __future__ import annotations

from typing import Any

import pytest

_NAME = "pytest-asyncio-ng-legacy"


def watch(config: pytest.Config) -> None:
    """An ``event_loop`` override was seen: warn at the end of the session if it is unused."""
    manager = config.pluginmanager
    if not manager.has_plugin(_NAME):
        from pytest_asyncio._plugins import legacy  # this module, as the import system has it

        manager.register(legacy, _NAME)


def control_workers(config: pytest.Config) -> None:
    """On the pytest-xdist controller: collect the overrides each worker saw."""
    config.pluginmanager.register(_XdistController(), "pytest_asyncio_xdist_controller")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An event_loop override that no test set up can be deleted: say so, once (under
    pytest-xdist, from the controller, once every worker said what it used)."""
    from pytest_asyncio import _overrides

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
        from pytest_asyncio import _overrides

        entries = getattr(node, "workeroutput", {}).get(_overrides.WORKER_OUTPUT_KEY)
        if entries:
            _overrides.merge(node.config, entries)
            watch(node.config)
