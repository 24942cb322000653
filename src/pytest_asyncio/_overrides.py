"""Fixtures of ours that users used to override: ``event_loop_policy`` and, from before 1.0,
``event_loop``.

Overrides are found when a test function is collected, before pytest computes its fixture
closure: a ``usefixtures`` mark then puts an ``event_loop_policy`` override in the closure, so
a parametrized override parametrizes the tests, and nothing is added to tests that do not need
it. An ``event_loop`` override is not added to any closure: which tests run on its loop is
decided when they run (see ``_legacy``).

Nothing is reported at collection: an override's deprecation warning is raised when a test
first sets it up, so that test's ``filterwarnings`` marks apply; an ``event_loop`` override
that no test set up gets a warning at the end of the session saying it can be deleted.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Final

import pytest

from . import _compat, _messages
from ._warnings import PytestAsyncioDeprecationWarning, PytestAsyncioWarning, warn_once


@dataclasses.dataclass(frozen=True)
class Overridable:
    name: str
    #: The module that defines our own fixture of that name.
    ours: str
    #: The deprecation message, with {location} and {scope} fields.
    message: str
    #: Whether the async tests below an override request it (usefixtures).
    requested: bool


POLICY: Final = Overridable(
    "event_loop_policy",
    "pytest_asyncio._plugins.fixtures",
    _messages.POLICY_FIXTURE_OVERRIDDEN,
    requested=True,
)
EVENT_LOOP: Final = Overridable(
    "event_loop",
    "pytest_asyncio._plugins.fixtures",
    _messages.EVENT_LOOP_FIXTURE_OVERRIDDEN,
    requested=False,
)
OVERRIDABLE: Final = (POLICY, EVENT_LOOP)
#: The fixture names pytest_fixture_setup looks out for.
NAMES: Final = frozenset(fixture.name for fixture in OVERRIDABLE)


@dataclasses.dataclass(frozen=True)
class _Found:
    """The overrides seen from one module or class."""

    covered: tuple[Overridable, ...]
    requested: tuple[Overridable, ...]


_NONE: Final = _Found((), ())
_FOUND: Final = pytest.StashKey[_Found]()
#: Every event_loop override seen at collection, by (path, line): whether one was set up.
EVENT_LOOP_OVERRIDES: Final = pytest.StashKey[dict[tuple[Path, int], bool]]()


def overrides_for(collector: pytest.Collector) -> tuple[Overridable, ...]:
    """The fixtures of ours overridden for the tests under *collector* that those async
    tests request. Looked up once per module or class."""
    return _found(collector).requested


def covers(item: pytest.Item, fixture: Overridable) -> bool:
    """Whether an override of *fixture* applies to *item*: one seen from its collector."""
    return fixture in covered(item)


def covered(item: pytest.Item) -> tuple[Overridable, ...]:
    """The fixtures of ours whose overrides apply to *item* (most often none)."""
    parent = item.parent  # a collector (not isinstance(): an ABC's check, for every test)
    return () if parent is None else _found(parent).covered


def _found(collector: pytest.Collector | pytest.Item) -> _Found:
    try:  # a miss (raising KeyError) happens once per module or class, a hit at every test
        return collector.stash[_FOUND]
    except KeyError:
        found = collector.stash[_FOUND] = _lookup(collector)
        return found


def _lookup(collector: pytest.Collector | pytest.Item) -> _Found:
    covered = []
    for fixture in OVERRIDABLE:
        defs = _compat.fixture_defs(collector, fixture.name)
        if not defs or _is_ours(defs[-1].func, fixture):
            continue
        covered.append(fixture)
        if fixture is EVENT_LOOP:
            where = _compat.function_location(defs[-1].func)
            collector.config.stash.setdefault(EVENT_LOOP_OVERRIDES, {}).setdefault(where, False)
            _watch(collector.config)
    if not covered:
        return _NONE
    return _Found(tuple(covered), tuple(fixture for fixture in covered if fixture.requested))


def _is_ours(function: object, fixture: Overridable) -> bool:
    return getattr(function, "__module__", None) == fixture.ours


def setting_up(fixturedef: _compat.FixtureDef[Any], config: pytest.Config) -> None:
    """A fixture named like one of ours is set up: if it is a user's override, this is its
    use; warn once per override, while the test that sets it up runs."""
    __tracebackhide__ = True
    fixture = POLICY if fixturedef.argname == POLICY.name else EVENT_LOOP
    if _is_ours(fixturedef.func, fixture):
        return
    path, lineno = _compat.function_location(fixturedef.func)
    if fixture is EVENT_LOOP:
        config.stash.setdefault(EVENT_LOOP_OVERRIDES, {})[(path, lineno)] = True
        _watch(config)
    location = f"{_shown(path, config.rootpath)}:{lineno}"
    message = fixture.message.format(location=location, scope=fixturedef.scope)
    warning = PytestAsyncioDeprecationWarning(message)
    warn_once(config, (fixture.name, path, lineno), warning, path, lineno)


def _watch(config: pytest.Config) -> None:
    from ._plugins import legacy

    legacy.watch(config)


def warn_unused(config: pytest.Config) -> None:
    """At the end of the session: one warning for each event_loop override no test used."""
    for (path, lineno), used in config.stash.get(EVENT_LOOP_OVERRIDES, {}).items():
        if not used:
            location = f"{_shown(path, config.rootpath)}:{lineno}"
            warning = PytestAsyncioWarning(
                _messages.EVENT_LOOP_FIXTURE_UNUSED.format(location=location)
            )
            warn_once(config, ("unused event_loop", path, lineno), warning, path, lineno)


#: Where a pytest-xdist worker hands its overrides to the controller.
WORKER_OUTPUT_KEY: Final = "pytest_asyncio_event_loop_overrides"


def exported(config: pytest.Config) -> list[tuple[str, int, bool]]:
    """The overrides seen, in a form execnet can send (from a pytest-xdist worker)."""
    found = config.stash.get(EVENT_LOOP_OVERRIDES, {})
    return [(str(path), lineno, used) for (path, lineno), used in found.items()]


def merge(config: pytest.Config, entries: list[tuple[str, int, bool]]) -> None:
    """Add a worker's overrides (see :func:`exported`): used if any worker used it."""
    found = config.stash.setdefault(EVENT_LOOP_OVERRIDES, {})
    for path, lineno, used in entries:
        key = (Path(path), lineno)
        found[key] = found.get(key, False) or used


def _shown(path: Path, root: Path) -> Path:
    try:
        return path.relative_to(root)
    except ValueError:
        return path
