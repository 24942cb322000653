"""Running async fixtures: each is adapted, for the length of its setup, into the sync function
pytest expects, whose steps run as jobs on the runner of the fixture's loop.

pytest keeps caching the value, ordering setup and teardown, and reporting errors: the adapter
only replaces ``fixturedef.func`` while ``pytest_fixture_setup`` runs. An async generator
becomes a sync generator, so pytest registers its teardown exactly as for a sync yield fixture.
"""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any, Literal

import pytest

from . import _compat, _diagnosis, _loops, _marks, _messages
from ._contexts import publish, withdraw
from ._decorator import options_of
from ._inspect import async_kind
from ._runner import LoopRunner
from ._scopes import LoopScope, as_scope, is_narrower
from ._settings import Settings

Kind = Literal["coroutine", "asyncgen", "sync", "generator"]


def kind_of(function: object, settings: Settings, item: pytest.Item) -> Kind | None:
    """How to run a fixture function for *item*, or None if it is not ours to run.

    In auto mode an undecorated async fixture is ours unless another plugin (anyio) claims
    the test that requests it."""
    kind: Kind | None = async_kind(function)
    if kind is None:
        if options_of(function) is None:
            return None
        return "generator" if inspect.isgeneratorfunction(function) else "sync"
    if options_of(function) is not None:
        return kind
    if settings.auto and not _marks.scan(item).foreign:
        return kind
    return None


class LoopScopeError(Exception):
    """A fixture's loop scope is narrower than its cache scope."""


def loop_scope_of(fixturedef: _compat.FixtureDef[Any], settings: Settings) -> LoopScope:
    """The fixture's loop scope; raise LoopScopeError if it is narrower than its cache scope."""
    cache_scope = as_scope(fixturedef.scope) or "function"
    options = options_of(fixturedef.func)
    loop_scope = (
        (options.loop_scope if options is not None else None)
        or settings.default_fixture_loop_scope
        or cache_scope
    )
    if is_narrower(loop_scope, cache_scope):
        raise LoopScopeError(
            _messages.FIXTURE_LOOP_NARROWER_THAN_CACHE.format(
                name=fixturedef.argname, scope=cache_scope, loop_scope=loop_scope
            )
        )
    return loop_scope


def adapt(
    fixturedef: _compat.FixtureDef[Any],
    request: _compat.SubRequest,
    kind: Kind,
    settings: Settings,
) -> Callable[..., Any]:
    """The sync stand-in for one setup of an async (or loop-needing sync) fixture.

    A plain function, not a bound method: pytest rebinds methods to the test instance. Errors
    are raised by the stand-in, so pytest caches and reports them like any setup error.
    """
    name = fixturedef.argname
    try:
        loop_scope = loop_scope_of(fixturedef, settings)
    except LoopScopeError as error:
        return _failing(str(error))
    _diagnosis.remember(request.config, fixturedef, loop_scope)
    function = _compat.fixture_function(fixturedef, request)
    open_loops = request.config.stash[_loops.OPEN_LOOPS_KEY]
    what = f"async fixture {name!r}"

    def runner() -> LoopRunner:
        item = _compat.request_item(request)
        return _loops.runner_for(item, request.node, loop_scope)

    def run(on: LoopRunner, awaitable: Any, context: contextvars.Context) -> Any:
        __tracebackhide__ = True
        return _loops.run(on, awaitable, context, what, fixture=name)

    def coroutine(**kwargs: Any) -> Any:
        __tracebackhide__ = True
        on, context = runner(), contextvars.copy_context()
        result = run(on, function(**kwargs), context)
        tokens = publish(context)
        request.addfinalizer(lambda: withdraw(tokens))
        return result

    def asyncgen(**kwargs: Any) -> Generator[Any, None, None]:
        __tracebackhide__ = True
        on, context = runner(), contextvars.copy_context()
        generator: AsyncGenerator[Any, None] = function(**kwargs)
        try:
            value = run(on, generator.__anext__(), context)
        except StopAsyncIteration:
            pytest.fail(_messages.FIXTURE_DID_NOT_YIELD.format(name=name), pytrace=False)
        tokens = publish(context)
        try:
            yield value
            try:
                run(on, generator.__anext__(), context)
            except StopAsyncIteration:
                return
            run(on, generator.aclose(), context)
            pytest.fail(_messages.FIXTURE_YIELDED_TWICE.format(name=name), pytrace=False)
        finally:
            withdraw(tokens)

    def sync(**kwargs: Any) -> Any:
        __tracebackhide__ = True
        with open_loops.current(runner().loop):
            return function(**kwargs)

    def generator(**kwargs: Any) -> Generator[Any, None, None]:
        __tracebackhide__ = True
        loop = runner().loop
        steps = function(**kwargs)
        with open_loops.current(loop):
            value = next(steps)
        yield value
        with open_loops.current(loop):
            for _ in steps:
                pytest.fail(_messages.FIXTURE_YIELDED_TWICE.format(name=name), pytrace=False)

    adapters: dict[Kind, Callable[..., Any]] = {
        "coroutine": coroutine,
        "asyncgen": asyncgen,
        "sync": sync,
        "generator": generator,
    }
    return adapters[kind]


def _failing(message: str) -> Callable[..., Any]:
    def fail(**kwargs: Any) -> Any:
        __tracebackhide__ = True
        pytest.fail(message, pytrace=False)

    return fail
