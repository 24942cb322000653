"""``pytest_asyncio.fixture``: ``pytest.fixture`` plus the loop the fixture runs on; and which
fixtures are ours to run, and how."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, overload

import pytest

from . import _collect, _marks, _messages
from ._inspect import OPTIONS_ATTR, async_kind
from ._scopes import SCOPE_CHOICES, SCOPES, LoopScope, as_scope

if TYPE_CHECKING:
    from ._settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

#: The attribute under which the decorator records its options on the fixture function.

#: How a fixture of ours is run: its async kind, or a sync fixture decorated with ours.
FixtureKind = Literal["coroutine", "asyncgen", "sync", "generator"]

_Scope = str | Callable[..., Any]
_Ids = Iterable[object | None] | Callable[[Any], object | None] | None


@dataclasses.dataclass(frozen=True)
class FixtureOptions:
    loop_scope: LoopScope | None = None


@overload
def fixture(
    fixture_function: F,
    *,
    scope: _Scope = ...,
    loop_scope: str | None = ...,
    params: Iterable[object] | None = ...,
    autouse: bool = ...,
    ids: _Ids = ...,
    name: str | None = ...,
) -> F: ...


@overload
def fixture(
    fixture_function: None = ...,
    *,
    scope: _Scope = ...,
    loop_scope: str | None = ...,
    params: Iterable[object] | None = ...,
    autouse: bool = ...,
    ids: _Ids = ...,
    name: str | None = ...,
) -> Callable[[F], F]: ...


def fixture(
    fixture_function: F | None = None,
    *,
    scope: _Scope = "function",
    loop_scope: str | None = None,
    params: Iterable[object] | None = None,
    autouse: bool = False,
    ids: _Ids = None,
    name: str | None = None,
) -> F | Callable[[F], F]:
    """Declare a fixture that runs on an asyncio event loop, in either mode.

    Takes every argument of :func:`pytest.fixture`, plus *loop_scope*: the scope of the loop
    the fixture runs on (``function``, ``class``, ``module``, ``package`` or ``session``). It
    defaults to the ``asyncio_default_fixture_loop_scope`` setting, else to the fixture's own
    *scope*, and must be at least as wide as *scope*. Works on ``async def`` functions, async
    generator functions (which yield exactly once) and plain functions (run with the loop set
    as the current event loop).
    """

    def decorate(function: F) -> F:
        __tracebackhide__ = True
        options = FixtureOptions(loop_scope=_checked_loop_scope(loop_scope, function))
        setattr(_unwrap(function), OPTIONS_ATTR, options)
        params_list: Sequence[object] | None = None if params is None else list(params)
        ids_list = ids if ids is None or callable(ids) else list(ids)
        definition = pytest.fixture(
            function,
            scope=scope,  # type: ignore[arg-type]
            params=params_list,
            autouse=autouse,
            ids=ids_list,
            name=name,
        )
        return cast(F, definition)

    if fixture_function is not None:
        return decorate(fixture_function)
    return decorate


def options_of(function: object) -> FixtureOptions | None:
    """The options the decorator recorded on a fixture function (or bound method)."""
    options = getattr(function, OPTIONS_ATTR, None)
    return options if isinstance(options, FixtureOptions) else None


def fixture_kind(
    function: object,
    settings: Settings,
    item: pytest.Item,
    spec: _collect.TestSpec | None,
    options: FixtureOptions | None,
) -> FixtureKind | None:
    """How to run a fixture function set up for the test *item*, or None if it is not ours to
    run. *spec*: the test's (``_collect.spec_of``); *options*: what ``options_of(function)``
    says.

    In auto (and legacy) mode an undecorated async fixture is ours unless another plugin
    (anyio) claims the test that requests it."""
    kind: FixtureKind | None = async_kind(function)
    if kind is None:
        if options is None:
            return None
        return "generator" if inspect.isgeneratorfunction(function) else "sync"
    if options is not None:
        return kind
    # A test we run is no other plugin's: its marks need no second look.
    if settings.auto_fixtures and (spec is not None or not _marks.scan(item).foreign):
        return kind
    return None


def _checked_loop_scope(value: str | None, function: Callable[..., Any]) -> LoopScope | None:
    __tracebackhide__ = True
    if value is None:
        return None
    scope = as_scope(value)
    if scope is None:
        name = getattr(function, "__qualname__", repr(function))
        message = _messages.FIXTURE_BAD_LOOP_SCOPE.format(
            value=value, name=name, choices=SCOPE_CHOICES
        )
        raise pytest.UsageError(_messages.suggesting(message, value, SCOPES))
    return scope


def _unwrap(function: Callable[..., Any]) -> Callable[..., Any]:
    inner: Callable[..., Any] = getattr(function, "__func__", function)
    return inner
