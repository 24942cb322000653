"""Fixtures of ours that users used to override: ``event_loop_policy`` and, from before 1.0,
``event_loop``. An override still works for the async tests below it, with one deprecation
warning per override that says what to write instead.

Overrides are found when a test function is collected, before pytest computes its fixture
closure: a ``usefixtures`` mark then puts the override in the closure, so a parametrized
override parametrizes the tests, and nothing is added to tests that do not need it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Final

import pytest

from . import _compat, _messages
from ._warnings import PytestAsyncioDeprecationWarning, warn_once


@dataclasses.dataclass(frozen=True)
class Overridable:
    name: str
    #: The module that defines our own fixture of that name.
    ours: str
    #: The deprecation message, with a {location} field.
    message: str


POLICY: Final = Overridable(
    "event_loop_policy",
    "pytest_asyncio._plugins.fixtures",
    _messages.POLICY_FIXTURE_OVERRIDDEN,
)
EVENT_LOOP: Final = Overridable(
    "event_loop",
    "pytest_asyncio._plugins.legacy",
    _messages.EVENT_LOOP_FIXTURE_OVERRIDDEN,
)
OVERRIDABLE: Final = (POLICY, EVENT_LOOP)


_FOUND: Final = pytest.StashKey[tuple[Overridable, ...]]()


def overrides_for(collector: pytest.Collector) -> tuple[Overridable, ...]:
    """The fixtures of ours that tests under *collector* see overridden; warn once for each
    override. Looked up once per module or class."""
    found = collector.stash.get(_FOUND, None)
    if found is None:
        found = collector.stash[_FOUND] = _lookup(collector)
    return found


def covers(item: pytest.Item, fixture: Overridable) -> bool:
    """Whether an override of *fixture* applies to *item*: one seen from its collector."""
    parent = item.parent
    return isinstance(parent, pytest.Collector) and fixture in overrides_for(parent)


def _lookup(collector: pytest.Collector) -> tuple[Overridable, ...]:
    found = []
    for fixture in OVERRIDABLE:
        defs = _compat.fixture_defs(collector, fixture.name)
        if not defs or getattr(defs[-1].func, "__module__", None) == fixture.ours:
            continue
        path, lineno = _compat.function_location(defs[-1].func)
        location = f"{_shown(path, collector.config.rootpath)}:{lineno}"
        warning = PytestAsyncioDeprecationWarning(fixture.message.format(location=location))
        warn_once(collector.config, (fixture.name, path, lineno), warning, path, lineno)
        found.append(fixture)
    return tuple(found)


def _shown(path: Path, root: Path) -> Path:
    try:
        return path.relative_to(root)
    except ValueError:
        return path
