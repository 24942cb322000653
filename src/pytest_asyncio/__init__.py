"""pytest-asyncio-ng: run ``async def`` tests and fixtures on asyncio.

PYTEST_DONT_REWRITE: a conftest may load this package as a plugin after the entry point has
imported it; nothing here needs assertion rewriting.

``fixture``, ``getfixturevalue``, the warning classes and ``__version__`` are imported on
first use: a run of sync tests, which imports this package through the entry point, does not
load them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

# A conftest may name this package in ``pytest_plugins``: then this hook registers the plugin
# modules, as the entry point module does.
from .plugin import pytest_addhooks as pytest_addhooks

if TYPE_CHECKING:
    from ._decorator import fixture
    from ._lookup import getfixturevalue
    from ._version import __version__
    from ._warnings import PytestAsyncioDeprecationWarning, PytestAsyncioWarning

__all__ = [
    "PytestAsyncioDeprecationWarning",
    "PytestAsyncioWarning",
    "__version__",
    "fixture",
    "getfixturevalue",
    "is_async_test",
]


def is_async_test(item: pytest.Item) -> bool:
    """True if pytest-asyncio-ng runs *item*: an async test function, marked ``asyncio``
    (in auto mode every async test is), and not claimed by another async plugin.

    Meant for ``pytest_collection_modifyitems`` in a conftest.py, e.g. to add a marker to
    every async test::

        def pytest_collection_modifyitems(items):
            for item in items:
                if pytest_asyncio.is_async_test(item):
                    item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)
    """
    from ._collect import is_ours
    from ._settings import SETTINGS_KEY

    return is_ours(item, item.config.stash[SETTINGS_KEY])


def __getattr__(name: str) -> Any:
    value: Any
    if name == "fixture":
        from ._decorator import fixture as value
    elif name == "getfixturevalue":
        from ._lookup import getfixturevalue as value
    elif name == "__version__":
        from ._version import __version__ as value
    elif name == "PytestAsyncioWarning":
        from ._warnings import PytestAsyncioWarning as value
    elif name == "PytestAsyncioDeprecationWarning":
        from ._warnings import PytestAsyncioDeprecationWarning as value
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # the next lookup finds it without calling this
    return value
