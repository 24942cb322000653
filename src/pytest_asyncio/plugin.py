"""The pytest11 entry point ``asyncio``: it only lists the plugin modules.

``-p no:asyncio`` blocks this module, and with it every module listed here.
"""

from __future__ import annotations

from typing import Final

PLUGINS: Final = [
    "pytest_asyncio._plugins.config",
    "pytest_asyncio._plugins.collection",
    "pytest_asyncio._plugins.running",
    "pytest_asyncio._plugins.fixtures",
    "pytest_asyncio._plugins.ports",
]

pytest_plugins = PLUGINS
