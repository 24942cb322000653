"""Explaining "attached to a different loop" failures: which loop each fixture ran on.

asyncio raises it when a future, task, lock or queue made on one loop is used on another, which
happens when a test and its async fixtures run on loops of different scopes. The failure report
then gets a section naming every async fixture of the test with its loop scope, the test's own,
and the settings that put them on one loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import pytest

from . import _compat, _messages
from ._scopes import SCOPES, LoopScope

SECTION: Final = "event loops (pytest-asyncio-ng)"
_FIXTURE_LOOPS: Final = pytest.StashKey[dict[object, LoopScope]]()
#: What asyncio's messages say when an object is used on a loop it does not belong to.
_SYMPTOMS: Final = ("attached to a different loop", "bound to a different event loop")


def remember(config: pytest.Config, fixturedef: object, loop_scope: LoopScope) -> None:
    """Record the loop scope an async fixture (its FixtureDef) was set up on."""
    config.stash.setdefault(_FIXTURE_LOOPS, {})[fixturedef] = loop_scope


def is_different_loop_error(error: BaseException) -> bool:
    return any(symptom in text for text in _texts(error, set()) for symptom in _SYMPTOMS)


def explain(item: pytest.Item, test_loop_scope: LoopScope | None) -> str | None:
    """The report section for *item*, or None if it used no async fixture."""
    known = item.config.stash.get(_FIXTURE_LOOPS, {})
    used = {
        name: known[fixturedef]
        for name, fixturedef in _compat.fixtures_in_use(item).items()
        if fixturedef in known
    }
    if not used:
        return None
    lines = [_messages.DIFFERENT_LOOP_HEADER]
    lines += [
        _messages.DIFFERENT_LOOP_FIXTURE.format(name=name, loop_scope=scope)
        for name, scope in used.items()
    ]
    scopes = list(used.values())
    if test_loop_scope is not None:
        lines.append(_messages.DIFFERENT_LOOP_TEST.format(loop_scope=test_loop_scope))
        scopes.append(test_loop_scope)
    widest = max(scopes, key=SCOPES.index)
    lines.append(_messages.DIFFERENT_LOOP_FIX.format(scope=widest))
    return "\n".join(lines)


def _texts(error: BaseException, seen: set[int]) -> Iterator[str]:
    if id(error) in seen:
        return
    seen.add(id(error))
    yield str(error)
    for inner in getattr(error, "exceptions", ()):  # exception groups
        if isinstance(inner, BaseException):
            yield from _texts(inner, seen)
    for linked in (error.__cause__, error.__context__):
        if linked is not None:
            yield from _texts(linked, seen)
