"""Options, settings, the marker, our hooks, the report header, and the clash check."""

from __future__ import annotations

import importlib.metadata

import pytest

from pytest_asyncio import _checks, _clock, _messages, _settings, _timeouts, hookspecs
from pytest_asyncio._settings import SETTINGS_KEY

MARKER_HELP = (
    "asyncio(*, loop_scope=None, loop_factories=None, timeout=None, checks=None): run this "
    "async test on an asyncio event loop of the given scope (function, class, module, package "
    "or session)."
)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    _settings.add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    __tracebackhide__ = True
    _check_no_reference_plugin()
    config.addinivalue_line("markers", MARKER_HELP)
    config.stash[SETTINGS_KEY] = _settings.parse(config)


def pytest_report_header(config: pytest.Config) -> str:
    limit = config.stash.get(_timeouts.LIMIT_KEY, None)
    checks = config.stash.get(_checks.CONFIG_KEY, None)
    return (
        _settings.header(config.stash[SETTINGS_KEY])
        + _timeouts.header(limit)
        + (_checks.header(checks) if checks is not None else "")
        + _clock.header(config.stash.get(_clock.CONFIG_KEY, _clock.REAL))
    )


def _check_no_reference_plugin() -> None:
    """Both distributions install the 'pytest_asyncio' package: refuse to run on a mix."""
    __tracebackhide__ = True
    try:
        version = importlib.metadata.version("pytest-asyncio")
    except importlib.metadata.PackageNotFoundError:
        return
    raise pytest.UsageError(_messages.BOTH_PLUGINS_INSTALLED.format(version=version))
