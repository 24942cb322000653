"""pytest-timeout's limits, enforced by us for the async tests we run.

pytest-timeout asks, through its ``pytest_timeout_set_timer`` hook, for a timer for each test
it gives a limit (``@pytest.mark.timeout``, ``--timeout``, ``PYTEST_TIMEOUT``, its ``timeout``
ini key). For an async test of ours we answer instead of it: its limit becomes a
:class:`~pytest_asyncio._timeouts.Limit` on the item, which our jobs then run under, so the
failure names the hung ``await`` and the run goes on. Its signal method would interrupt the
loop's selector, and its thread method ends the whole run.

When pytest-timeout asks for the timer tells what the limit covers. With ``func_only`` it asks
just before the test body and cancels right after it: the limit is on the item for the body
only. Without, it asks before the setup: the body and each async fixture setup and teardown
step have the limit on their own (pytest-timeout counts setup, body and teardown together).

Sync tests, and async tests another plugin runs, stay pytest-timeout's. This module is
imported only when pytest-timeout calls one of its hooks.
"""

from __future__ import annotations

import os
from typing import Any, Final

import pytest

from . import _collect, _messages
from ._settings import SETTINGS_KEY, ini_origin
from ._timeouts import FOREIGN_KEY as LIMIT_KEY
from ._timeouts import Limit

#: Set with LIMIT_KEY when the limit covers the test body only (``func_only``).
_BODY_ONLY_KEY: Final = pytest.StashKey[bool]()


def claim(item: pytest.Item, settings: Any) -> bool | None:
    """Take over the timer pytest-timeout would arm for *item*: True if we run it."""
    if not _runs(item):
        return None
    seconds = float(settings.timeout)
    item.stash[LIMIT_KEY] = Limit(seconds, source(item, seconds))
    item.stash[_BODY_ONLY_KEY] = bool(settings.func_only)
    return True


def release(node: pytest.Item | pytest.Collector) -> bool | None:
    """pytest-timeout cancels the timer of *node*: True if it was ours to cancel."""
    stash = node.stash
    if LIMIT_KEY not in stash:
        return None
    # A limit on the whole test stays: a fixture shared with later tests keeps it for its
    # teardown, as it does with --asyncio-timeout. A limit on the body ends with the body.
    if stash[_BODY_ONLY_KEY]:
        del stash[LIMIT_KEY]
    return True


def source(item: pytest.Item, seconds: float) -> str:
    """Where the user set pytest-timeout's limit, in the order pytest-timeout reads them."""
    marker = item.get_closest_marker("timeout")
    if marker is not None and _marker_seconds(marker) is not None:
        return _messages.FOREIGN_TIMEOUT_MARK.format(seconds=seconds)
    if item.config.getoption("timeout", None) is not None:
        return _messages.FOREIGN_TIMEOUT_CLI.format(seconds=seconds)
    if os.environ.get("PYTEST_TIMEOUT"):
        return _messages.FOREIGN_TIMEOUT_ENV.format(seconds=seconds)
    origin = ini_origin(item.config, "timeout")
    return _messages.FOREIGN_TIMEOUT_INI.format(seconds=seconds, origin=origin)


def _marker_seconds(marker: pytest.Mark) -> object:
    if "timeout" in marker.kwargs:
        return marker.kwargs["timeout"]
    return marker.args[0] if marker.args else None


def _runs(item: pytest.Item) -> bool:
    # Once the item is set up its spec says. Before (pytest-timeout asks for a whole-test
    # timer ahead of the setup) the spec is not computed yet: hooks that run later may still
    # mark the test, so ask the same question without caching the answer.
    if _collect.SPEC_KEY in item.stash:
        return _collect.spec_of(item) is not None
    return _collect.is_ours(item, item.config.stash[SETTINGS_KEY])
