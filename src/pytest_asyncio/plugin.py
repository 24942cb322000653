"""The pytest11 entry point ``asyncio``: it only lists the plugin modules.

``-p no:asyncio`` blocks this module, and with it every module listed here.
PYTEST_DONT_REWRITE: a conftest may name this module in ``pytest_plugins`` after it has been
imported; nothing here needs assertion rewriting.
"""

from __future__ import annotations

from typing import Final

PLUGINS: Final = [
    "pytest_asyncio._plugins.config",
    "pytest_asyncio._plugins.collection",
    "pytest_asyncio._plugins.running",
    "pytest_asyncio._plugins.fixtures",
    "pytest_asyncio._plugins.ports",
    "pytest_asyncio._plugins.legacy",
    "pytest_asyncio._plugins.timeouts",
    "pytest_asyncio._plugins.foreign",
    "pytest_asyncio._plugins.debuggers",
    "pytest_asyncio._plugins.interrupt",
    "pytest_asyncio._plugins.checks",
    "pytest_asyncio._plugins.clock",
    "pytest_asyncio._plugins.looptime",
]

pytest_plugins = PLUGINS
