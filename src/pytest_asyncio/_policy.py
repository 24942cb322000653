"""Honouring a user's override of the ``event_loop_policy`` fixture (deprecated)."""

from __future__ import annotations

import warnings
from typing import Final

import pytest

from . import _compat, _messages
from ._warnings import PytestAsyncioDeprecationWarning

#: The module that defines our own event_loop_policy fixture.
_OURS: Final = "pytest_asyncio._plugins.fixtures"
_WARNED_KEY: Final = pytest.StashKey[set[str]]()


def uses_override(collector: pytest.Collector) -> bool:
    """True if tests under *collector* see a user's override of event_loop_policy; warn once
    per override."""
    defs = _compat.fixture_defs(collector, "event_loop_policy")
    if not defs or getattr(defs[-1].func, "__module__", None) == _OURS:
        return False
    warned = collector.config.stash.setdefault(_WARNED_KEY, set())
    location = defs[-1].baseid or "a plugin"
    if location not in warned:
        warned.add(location)
        message = _messages.POLICY_FIXTURE_OVERRIDDEN.format(location=location)
        warnings.warn(PytestAsyncioDeprecationWarning(message), stacklevel=1)
    return True
