"""The pytest11 entry point ``asyncio``: it registers the plugin modules.

These four are registered in every run; the glue of each feature, and of each plugin we work
with, is registered by them when it is needed (see ``_plugins.config``).

``-p no:asyncio`` blocks this module, and with it every module listed here; ``-p no:NAME``
with a module's name blocks that module alone.
PYTEST_DONT_REWRITE: a conftest may name this module in ``pytest_plugins`` after it has been
imported; nothing here needs assertion rewriting.
"""

from __future__ import annotations

import importlib
from typing import Final

import pytest

PLUGINS: Final = [
    "pytest_asyncio._plugins.config",
    "pytest_asyncio._plugins.collection",
    "pytest_asyncio._plugins.running",
    "pytest_asyncio._plugins.fixtures",
]


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register the plugin modules, in order, once (the package may be named as a plugin too).

    Not through ``pytest_plugins``: pytest looks each name listed there up among the entry
    points of every installed distribution, which costs a run more than the modules do."""
    for name in PLUGINS:
        if pluginmanager.get_plugin(name) is None and not pluginmanager.is_blocked(name):
            pluginmanager.register(importlib.import_module(name), name)
