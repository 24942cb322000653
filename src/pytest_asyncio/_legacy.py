"""Where the deprecated overrides still decide: a user's ``event_loop`` fixture (which tests
and fixtures run on its loop) and ``event_loop_policy`` fixture (its policy is the current
one while its loops are open).

Plugged into the runner lookup of ``_loops``, behind a check of one stash entry: the main path
does not reach this module unless an override covers the test.

Which async tests and fixtures run on an ``event_loop`` override's loop, in this order:

1. one that requests ``event_loop``, directly or through its fixtures (0.21 behaviour);
2. else one with an explicit loop scope runs as in 1.x: the marker's ``loop_scope`` (or its
   deprecated ``scope``), the fixture's ``loop_scope``;
3. else, in a suite that sets neither ``asyncio_default_test_loop_scope`` nor
   ``asyncio_default_fixture_loop_scope`` (in its ini file or with ``-o``), the override's
   loop (0.21 behaviour); in a suite that sets either, the setting decides, as in 1.x.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Final

import pytest

from . import _compat, _marks
from ._settings import SETTINGS_KEY

_SETS_LOOP_SCOPES: Final = pytest.StashKey[bool]()


def on_override_loop(item: pytest.Item, fixture: str | None, explicit: bool = False) -> bool:
    """Whether the test *item* (or its fixture named *fixture*, whose own loop scope is
    *explicit* when it sets one) runs on the loop of the ``event_loop`` override that covers
    it."""
    if requests_event_loop(item, fixture):
        return True
    if fixture is None:
        mark = _marks.scan(item).mark
        explicit = mark is not None and ("loop_scope" in mark.kwargs or "scope" in mark.kwargs)
    return not explicit and not _sets_loop_scopes(item.config)


def requests_event_loop(item: pytest.Item, fixture: str | None) -> bool:
    """Whether *fixture* of *item* (or, for None, the test) requests ``event_loop``, directly
    or through its fixtures."""
    if fixture is None:
        return "event_loop" in getattr(item, "fixturenames", ())
    closure = _closure(item)
    seen: set[str] = set()
    pending = [fixture]
    while pending:
        name = pending.pop()
        if name == "event_loop":
            return True
        defs = closure.get(name)
        if name in seen or not defs:
            continue
        seen.add(name)
        pending.extend(defs[-1].argnames)
    return False


def _closure(item: pytest.Item) -> Mapping[str, Sequence[_compat.FixtureDef[Any]]]:
    return _compat.closure_defs(item)


def _sets_loop_scopes(config: pytest.Config) -> bool:
    """Whether the suite sets either default loop scope: then it is a 1.x suite."""
    found = config.stash.get(_SETS_LOOP_SCOPES, None)
    if found is None:
        settings = config.stash[SETTINGS_KEY]
        test_setting = _compat.raw_ini_value(config, "asyncio_default_test_loop_scope")
        found = settings.fixture_loop_scope_setting is not None or test_setting is not None
        config.stash[_SETS_LOOP_SCOPES] = found
    return found


class PolicyStack:
    """The event loop policies of overrides whose loops are open, innermost last.

    While a loop made by an overriding policy is open, that policy is the current one; when the
    last of them closes, the policy that was current before is restored.
    """

    __slots__ = ("_entries", "_original")

    def __init__(self) -> None:
        self._entries: list[tuple[object, asyncio.AbstractEventLoopPolicy]] = []
        self._original: asyncio.AbstractEventLoopPolicy | None = None

    def push(self, token: object, policy: asyncio.AbstractEventLoopPolicy) -> None:
        if not self._entries:
            self._original = _get_policy()
        self._entries.append((token, policy))
        _set_policy(policy)

    def pop(self, token: object) -> None:
        self._entries = [entry for entry in self._entries if entry[0] is not token]
        if self._entries:
            _set_policy(self._entries[-1][1])
        elif self._original is not None:
            _set_policy(self._original)
            self._original = None


POLICIES_KEY: Final = pytest.StashKey[PolicyStack]()


def policies(config: pytest.Config) -> PolicyStack:
    stack = config.stash.get(POLICIES_KEY, None)
    if stack is None:
        stack = config.stash[POLICIES_KEY] = PolicyStack()
    return stack


# Python 3.14 deprecates the policy functions; these calls are made only for an override.
def _get_policy() -> asyncio.AbstractEventLoopPolicy:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return asyncio.get_event_loop_policy()


def _set_policy(policy: asyncio.AbstractEventLoopPolicy) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        asyncio.set_event_loop_policy(policy)
