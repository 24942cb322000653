"""Options, settings, the marker, our hooks and the report header.

Every feature's options and ini keys are declared here, and read once at configure time, where
a bad value stops the run. The hooks a feature needs while tests run are registered only when
it is on (or, for another plugin's hooks, when that plugin is there): a run that uses none of
them loads none of their modules.
"""

from __future__ import annotations

import pytest

from pytest_asyncio import _settings, hookspecs
from pytest_asyncio._settings import (
    CHECKS_KEY,
    CLOCK_KEY,
    SETTINGS_KEY,
    THRESHOLD_KEY,
    TIMEOUT_KEY,
)

MARKER_HELP = (
    "asyncio(*, loop_scope=None, loop_factories=None, timeout=None, checks=None): run this "
    "async test on an asyncio event loop of the given scope (function, class, module, package "
    "or session)."
)
#: The names pytest-timeout's plugin is registered under: its entry point, or ``-p`` with the
#: module's name.
_PYTEST_TIMEOUT = ("timeout", "pytest_timeout")


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


#: The end of the report header's asyncio line: the features' settings, when set.
_HEADER_KEY = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    _settings.add_options(parser)
    _settings.add_feature_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    __tracebackhide__ = True
    # A feature's module is loaded, to read and check its values, only when one is set.
    header, virtual, checks_on = "", False, False
    if _settings.is_set(config, TIMEOUT_KEY):
        from pytest_asyncio import _timeouts

        limit = config.stash[_timeouts.LIMIT_KEY] = _timeouts.configured(config)
        header += _timeouts.header(limit)
    if _settings.is_set(config, CHECKS_KEY, THRESHOLD_KEY):
        from pytest_asyncio import _checks

        checks = config.stash[_checks.CONFIG_KEY] = _checks.configured(config)
        header += _checks.header(checks)
        checks_on = bool(checks.checks)
    if _settings.is_set(config, CLOCK_KEY):
        from pytest_asyncio import _clock

        clock = config.stash[_clock.CONFIG_KEY] = _clock.configured(config)
        header += _clock.header(clock)
        virtual = clock == _clock.VIRTUAL
    config.stash[_HEADER_KEY] = header
    config.addinivalue_line("markers", MARKER_HELP)
    config.stash[SETTINGS_KEY] = _settings.parse(config)
    if checks_on:
        from pytest_asyncio._plugins import checks as checks_plugin

        checks_plugin.activate(config)
    if virtual:
        from pytest_asyncio._plugins import clock as clock_plugin

        clock_plugin.activate(config)


@pytest.hookimpl(trylast=True, specname="pytest_configure")
def pytest_configure_last(config: pytest.Config) -> None:
    """Last: the hooks for plugins that we work with, when they are there."""
    manager = config.pluginmanager
    if any(manager.has_plugin(name) for name in _PYTEST_TIMEOUT):
        from pytest_asyncio._plugins import foreign

        manager.register(foreign, "pytest-asyncio-ng-pytest-timeout")
    if manager.has_plugin("xdist") and not hasattr(config, "workerinput"):
        from pytest_asyncio._plugins import legacy

        legacy.control_workers(config)
    if manager.has_plugin("looptime_plugin"):  # looptime's entry point
        from pytest_asyncio._plugins import looptime

        looptime.configure(config)


def pytest_report_header(config: pytest.Config) -> str:
    return _settings.header(config.stash[SETTINGS_KEY]) + config.stash[_HEADER_KEY]
