"""pytest-timeout's hooks: its limits on the async tests we run are enforced by us.

``optionalhook``: without pytest-timeout these hooks do not exist, and nothing here is ever
called. With it, pytest-timeout calls them only for a test it gives a limit; its own
implementations are ``trylast``, so ours answer first. ``_foreign`` holds the logic.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.hookimpl(optionalhook=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    """Our timer for an async test of ours (True: pytest-timeout arms nothing for it)."""
    from pytest_asyncio import _foreign

    return _foreign.claim(item, settings)


@pytest.hookimpl(optionalhook=True)
def pytest_timeout_cancel_timer(item: pytest.Item | pytest.Collector) -> bool | None:
    from pytest_asyncio import _foreign

    return _foreign.release(item)
