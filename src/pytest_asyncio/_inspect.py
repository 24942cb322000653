"""What kind of function a test or fixture is, cheaply: collection asks this of every test.

``inspect.iscoroutinefunction`` unwraps partials and methods and looks for markers on every
call; a plain function (or a method of one) answers from its code flags alone.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Iterable
from typing import Final, Literal

import pytest

AsyncKind = Literal["coroutine", "asyncgen"]

COROUTINE: Final = inspect.CO_COROUTINE
ASYNCGEN: Final = inspect.CO_ASYNC_GENERATOR
_ASYNC: Final = COROUTINE | ASYNCGEN
#: Where ``pytest_asyncio.fixture`` records its options on the function it decorates.
OPTIONS_ATTR: Final = "_pytest_asyncio_ng_options"
#: The name of our mark (``_marks.MARK``; not imported: a sync run does not load ``_marks``).
_MARK: Final = "asyncio"
#: Set by inspect.markcoroutinefunction (Python 3.12+) on sync functions that return awaitables.
MARKER: Final = "_is_coroutine_marker"
#: The attribute hypothesis puts on the tests that ``@given`` wraps.
HYPOTHESIS: Final = "hypothesis"


FUNCTION: Final = types.FunctionType
_METHOD: Final = types.MethodType


def async_kind(function: object) -> AsyncKind | None:
    """ "coroutine" for an ``async def``, "asyncgen" for an async generator function, else None."""
    if type(function) is _METHOD:
        function = function.__func__
    # A plain function answers from its code flags, unless markcoroutinefunction() marked it.
    if type(function) is FUNCTION and MARKER not in function.__dict__:
        flags = function.__code__.co_flags
        if flags & COROUTINE:
            return "coroutine"
        return "asyncgen" if flags & ASYNCGEN else None
    if inspect.iscoroutinefunction(function):
        return "coroutine"
    return "asyncgen" if inspect.isasyncgenfunction(function) else None


#: Method wrappers whose ``__func__`` is a slot of a builtin type: reading it runs no user code.
_WRAPPERS: Final = (staticmethod, classmethod, types.MethodType)


def plain_function(obj: object) -> types.FunctionType | None:
    """The Python function *obj* is, or wraps as a static, class or bound method; else None.

    Collection asks this of every name of every test module and class, before pytest has
    decided what is a test. It looks at types only and never reads an attribute that a user's
    class computes: a module-level object with a ``__getattr__`` (``from pytest import mark``,
    a framework's lazy ``settings``) is never probed.
    """
    kind = type(obj)
    if kind is FUNCTION:
        return obj  # type: ignore[return-value]  # checked by type just above
    if kind in _WRAPPERS:
        inner: object = obj.__func__  # type: ignore[attr-defined]
        if type(inner) is FUNCTION:
            return inner
    return None


def wrapped_by_hypothesis(function: object) -> bool:
    """Whether *function* is a hypothesis ``@given`` test (its inner test may be async)."""
    plain = plain_function(function)
    if plain is not None:  # its attributes are in its __dict__: no AttributeError to build
        return HYPOTHESIS in plain.__dict__
    return hasattr(function, HYPOTHESIS)


def surely_sync(item: pytest.Item) -> bool:
    """True for a test item that is surely not ours: a sync test function that is not marked
    ``asyncio`` (most tests of most suites), or not a test function at all. It looks no
    further: False means "look closer" (``_collect``)."""
    if type(item) is not pytest.Function:
        # unittest's, or another plugin's: look closer; not a function at all: not ours.
        # (isinstance() only here: for the classes of nodes, an ABC's check.)
        return not isinstance(item, pytest.Function)
    return _runs_sync_function(item) and _MARK not in item.keywords


def may_be_ours(items: Iterable[pytest.Item]) -> set[int]:
    """The ids of the *items* that are not surely sync (see ``surely_sync``), in one pass once
    collection has ended: the marks of a module or class are looked up once for all its tests."""
    ours: set[int] = set()
    parents: dict[int, bool] = {}  # by the id of a parent: whether it or its parents mark it
    for item in items:
        if type(item) is pytest.Function:
            # a sync test marked asyncio is ours to warn about
            maybe = not _runs_sync_function(item) or _marked(item, parents)
        else:
            maybe = isinstance(item, pytest.Function)  # unittest's, or another plugin's
        if maybe:
            ours.add(id(item))
    return ours


def _runs_sync_function(item: pytest.Function) -> bool:
    """Whether *item* runs a plain sync function, not one that hypothesis wraps."""
    plain = plain_function(item.obj)
    return plain is not None and _plainly_sync(plain, HYPOTHESIS)


def _plainly_sync(function: types.FunctionType, attribute: str) -> bool:
    """Whether *function* is sync by its code flags, unmarked by ``markcoroutinefunction()``
    and without *attribute* (what ``async_kind`` says, without its call for every test)."""
    attributes = function.__dict__
    return (
        not function.__code__.co_flags & _ASYNC
        and MARKER not in attributes
        and attribute not in attributes
    )


def _marked(item: pytest.Function, parents: dict[int, bool]) -> bool:
    """Whether *item* or one of its parents has our mark; each parent is looked up once, in
    *parents* (by its id)."""
    for mark in item.own_markers:  # most tests have none
        if mark.name == _MARK:
            return True
    parent = item.parent
    marked = parents.get(id(parent))
    if marked is None:
        marked = parent is not None and parent.get_closest_marker(_MARK) is not None
        parents[id(parent)] = marked
    return marked


def surely_sync_fixture(function: object) -> bool:
    """True for a fixture function that is surely not ours: a plain sync function that
    ``pytest_asyncio.fixture`` did not decorate (every fixture setup asks)."""
    plain = plain_function(function)
    return plain is not None and _plainly_sync(plain, OPTIONS_ATTR)
