"""pytest-asyncio-ng: run ``async def`` tests and fixtures on asyncio.

PYTEST_DONT_REWRITE: a conftest may load this package as a plugin after the entry point has
imported it; nothing here needs assertion rewriting.
"""

from __future__ import annotations

import pytest

from ._collect import is_ours as _is_ours
from ._decorator import fixture
from ._lookup import getfixturevalue
from ._settings import SETTINGS_KEY as _SETTINGS_KEY
from ._version import __version__
from ._warnings import PytestAsyncioDeprecationWarning, PytestAsyncioWarning
from .plugin import PLUGINS as _PLUGINS

__all__ = [
    "PytestAsyncioDeprecationWarning",
    "PytestAsyncioWarning",
    "__version__",
    "fixture",
    "getfixturevalue",
    "is_async_test",
]

# Lets a conftest load the plugin with ``pytest_plugins = "pytest_asyncio"``.
pytest_plugins = _PLUGINS


def is_async_test(item: pytest.Item) -> bool:
    """True if pytest-asyncio-ng runs *item*: an async test function, marked ``asyncio``
    (in auto mode every async test is), and not claimed by another async plugin."""
    return _is_ours(item, item.config.stash[_SETTINGS_KEY])
