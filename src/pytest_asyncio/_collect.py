"""Which test items are ours, and how each one runs (its :class:`TestSpec`).

An item is ours when its function is ``async def``, no other async plugin claims it, and it is
marked ``asyncio`` (in auto mode every such item is marked at collection). Its spec is computed
once, when the test is set up (after every hook that may add marks), and kept on the item.
"""

from __future__ import annotations

import dataclasses
import functools
import unittest
from typing import Any, Final

import pytest

from . import _clock, _compat, _marks, _messages
from ._inspect import AsyncKind, async_kind, wrapped_by_hypothesis
from ._scopes import LoopScope
from ._settings import SETTINGS_KEY, Settings
from ._warnings import PytestAsyncioDeprecationWarning, PytestAsyncioWarning, warn_at

SPEC_KEY: Final = pytest.StashKey["TestSpec | None"]()
# The warnings an item's spec calls for. Computing the spec never warns: its first use may be in
# a report hook (when a setup hook that runs before ours failed), where a warning turned into
# an error (-W error) is an INTERNALERROR. The hook of the test phase each belongs to issues it.
#: On a sync test marked asyncio: issued when the test is called, as pytest-asyncio does.
SYNC_MARKED_KEY: Final = pytest.StashKey[PytestAsyncioWarning]()
#: On an async test whose mark uses a deprecated argument: issued at its setup.
MARK_DEPRECATION_KEY: Final = pytest.StashKey[PytestAsyncioDeprecationWarning]()
#: Set on an unmarked async test in strict (or legacy) mode, to the mode: unless another
#: plugin runs it, the test fails saying how to make it ours.
UNMARKED_KEY: Final = pytest.StashKey[str]()


@dataclasses.dataclass(frozen=True)
class TestSpec:
    loop_scope: LoopScope = "function"
    loop_factories: tuple[str, ...] | None = None
    #: Set when the test must fail at setup instead of running (a bad marker).
    error: str | None = None
    #: The marker's ``timeout=`` in seconds; 0.0 when it turns the limit off, None when it
    #: sets none (the configured limit applies).
    timeout: float | None = None
    #: The marker's ``checks=``; None when it names none (the session's apply).
    checks: frozenset[str] | None = None
    #: "virtual" or "real": the marker's ``clock=``, or "virtual" when the test requests the
    #: ``virtual_clock`` fixture; None when neither says (the session's clock applies).
    clock: str | None = None
    #: The test is a hypothesis ``@given`` test: each example runs as a job of its own.
    hypothesis: bool = False

    __test__ = False  # not a test class, whatever pytest's python_classes say


def test_function(item: pytest.Item) -> Any:
    """The function an item runs (the inner test of a hypothesis test), or None."""
    function: Any = getattr(item, "obj", None)
    return _inner_test(function) if wrapped_by_hypothesis(function) else function


def _inner_test(function: Any) -> Any:
    inner = getattr(function.hypothesis, "inner_test", None)
    return function if inner is None else inner


def is_async_function(function: object) -> bool:
    return async_kind(function) is not None


def is_ours(item: pytest.Item, settings: Settings) -> bool:
    """True when pytest-asyncio-ng runs *item* (strict mode: only if it is marked)."""
    if not isinstance(item, pytest.Function) or _compat.unittest_case(item) is not None:
        return False
    if not is_async_function(test_function(item)):
        return False
    found = _marks.scan(item)
    return not found.foreign and (settings.auto or found.mark is not None)


def prepare(
    item: pytest.Function,
    settings: Settings,
    kind: AsyncKind | None,
    parents: dict[int, _marks.Found],
) -> None:
    """At collection: mark the item if auto mode or its package marks it; set aside async
    generator functions, which cannot run as tests. *kind*: what ``async_kind`` says of the
    item's function (None for a hypothesis test: its inner test is looked up); *parents*: see
    ``_marks.scan``."""
    if kind is None:
        kind = async_kind(test_function(item))
    if kind is None or _compat.unittest_case(item) is not None:
        return  # unittest runs its own items; resolve() fails those it would not await
    mark, foreign, from_package = _marks.scan(item, parents)
    if foreign:
        return
    if mark is None:
        if not settings.auto:
            return
        item.add_marker(_auto_mark())
    elif from_package:  # put it on the item, where -m and other plugins look
        item.add_marker(pytest.mark.asyncio.with_args(*mark.args, **mark.kwargs))
    if kind == "asyncgen":
        message = _messages.ASYNC_GENERATOR_TEST.format(nodeid=item.nodeid)
        item.add_marker(pytest.mark.xfail(run=False, reason=message))
        warn_at(item, pytest.PytestCollectionWarning(message))


_AUTO_MARK: list[pytest.MarkDecorator] = []


def _auto_mark() -> pytest.MarkDecorator:
    """The bare asyncio mark auto mode puts on tests, made once: marks are immutable, and
    making one per test (``add_marker("asyncio")``) costs every test of an auto suite."""
    if not _AUTO_MARK:
        _AUTO_MARK.append(getattr(pytest.mark, _marks.MARK))
    return _AUTO_MARK[0]


def resolve(item: pytest.Function) -> TestSpec | None:
    """The spec of an item we run, or None; the warnings it calls for go to the item's stash."""
    function = item.obj
    hypothesis = wrapped_by_hypothesis(function)
    if hypothesis:
        function = _inner_test(function)
    kind = async_kind(function)
    if kind is None:  # most tests of most suites: the cheapest way out first
        # keywords: a cheap first look (it also holds node names, hence the second one).
        marked = _marks.MARK in item.keywords and item.get_closest_marker(_marks.MARK)
        if marked and _compat.unittest_case(item) is None:
            message = _messages.SYNC_TEST_MARKED.format(nodeid=item.nodeid)
            item.stash[SYNC_MARKED_KEY] = PytestAsyncioWarning(message)
        return None
    case = _compat.unittest_case(item)
    if case is not None:
        return _unittest_spec(item, case)
    if kind != "coroutine":
        return None  # an async generator function: made an xfail at collection
    settings: Settings = item.config.stash[SETTINGS_KEY]
    mark, foreign, _ = _marks.scan(item)
    if mark is None:
        if not foreign and not settings.auto:
            item.stash[UNMARKED_KEY] = settings.mode
        return None
    if not mark.args and not mark.kwargs:  # the common case: a bare mark
        scope = settings.default_test_loop_scope
        return _spec(scope, None, None, None, _fixture_clock(item), hypothesis)
    try:
        mark_spec = _marks.parse(mark, item.nodeid)
    except _marks.MarkError as error:
        return TestSpec(error=str(error))
    deprecation = mark_spec.deprecation(item.nodeid)
    if deprecation is not None:
        item.stash[MARK_DEPRECATION_KEY] = deprecation
    factories = mark_spec.loop_factories
    if factories is not None and not _has_factory_hook(item):
        names = list(factories)
        return TestSpec(
            error=_messages.MARK_FACTORIES_WITHOUT_HOOK.format(nodeid=item.nodeid, names=names)
        )
    loop_scope = mark_spec.loop_scope or settings.default_test_loop_scope
    clock = mark_spec.clock or _fixture_clock(item)
    return _spec(loop_scope, factories, mark_spec.timeout, mark_spec.checks, clock, hypothesis)


def _fixture_clock(item: pytest.Function) -> str | None:
    """ "virtual" for a test that requests the ``virtual_clock`` fixture, else None."""
    return _clock.VIRTUAL if _clock.FIXTURE in item.fixturenames else None


@functools.lru_cache(maxsize=64)
def _spec(
    loop_scope: LoopScope,
    loop_factories: tuple[str, ...] | None,
    timeout: float | None = None,
    checks: frozenset[str] | None = None,
    clock: str | None = None,
    hypothesis: bool = False,
) -> TestSpec:
    """Specs are immutable: tests with the same marker arguments share one."""
    return TestSpec(
        loop_scope=loop_scope,
        loop_factories=loop_factories,
        timeout=timeout,
        checks=checks,
        clock=clock,
        hypothesis=hypothesis,
    )


def _unittest_spec(item: pytest.Item, case: type) -> TestSpec | None:
    """A plain TestCase never awaits an async test method: it would pass without running."""
    if issubclass(case, unittest.IsolatedAsyncioTestCase):
        return None
    return TestSpec(error=_messages.UNITTEST_ASYNC_METHOD.format(nodeid=item.nodeid))


def spec_of(item: pytest.Item) -> TestSpec | None:
    """The item's spec, computed on first use (at its setup) and kept on the item."""
    stash = item.stash
    if SPEC_KEY in stash:  # not stash.get(): it raises and catches KeyError on the first call
        return stash[SPEC_KEY]
    spec = stash[SPEC_KEY] = resolve(item) if isinstance(item, pytest.Function) else None
    return spec


def _has_factory_hook(item: pytest.Item) -> bool:
    # ihook: only the conftests that apply to the item count.
    return bool(item.ihook.pytest_asyncio_loop_factories.get_hookimpls())
