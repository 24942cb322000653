"""Honouring a user's override of the ``event_loop_policy`` fixture (deprecated)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Final

import pytest

from . import _compat, _messages
from ._warnings import PytestAsyncioDeprecationWarning

#: The module that defines our own event_loop_policy fixture.
_OURS: Final = "pytest_asyncio._plugins.fixtures"
_WARNED_KEY: Final = pytest.StashKey[set[tuple[Path, int]]]()


def uses_override(collector: pytest.Collector) -> bool:
    """True if tests under *collector* see a user's override of event_loop_policy; warn once
    per override."""
    defs = _compat.fixture_defs(collector, "event_loop_policy")
    if not defs or getattr(defs[-1].func, "__module__", None) == _OURS:
        return False
    warned = collector.config.stash.setdefault(_WARNED_KEY, set())
    path, lineno = _compat.function_location(defs[-1].func)
    if (path, lineno) not in warned:
        warned.add((path, lineno))
        shown = path.relative_to(collector.config.rootpath) if path.is_absolute() else path
        location = f"{shown}:{lineno}"
        message = _messages.POLICY_FIXTURE_OVERRIDDEN.format(location=location)
        warnings.warn_explicit(PytestAsyncioDeprecationWarning(message), None, str(path), lineno)
    return True
