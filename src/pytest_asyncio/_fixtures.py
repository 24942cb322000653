"""Running async fixtures: each is adapted, for the length of its setup, into the sync function
pytest expects, whose steps run as jobs on the runner of the fixture's loop.

pytest keeps caching the value, ordering setup and teardown, and reporting errors: the adapter
only replaces ``fixturedef.func`` while ``pytest_fixture_setup`` runs. An async generator
becomes a sync generator, so pytest registers its teardown exactly as for a sync yield fixture.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import AsyncGenerator, Callable, Generator
from contextlib import AbstractContextManager
from typing import Any, Final, NoReturn

import pytest

from . import _collect, _compat, _diagnosis, _loops, _messages, _overrides, _timeouts
from ._contexts import publish, withdraw
from ._decorator import FixtureKind, FixtureOptions, fixture_kind, options_of
from ._failures import fail
from ._nodes import package_of
from ._runner import LoopRunner, Owner, Phase
from ._scopes import LoopScope, as_scope, is_narrower
from ._settings import SETTINGS_KEY, Settings
from ._warnings import PytestAsyncioDeprecationWarning, warn_at


class LoopScopeError(Exception):
    """A fixture's loop scope is narrower than its cache scope."""


def setup(
    fixturedef: _compat.FixtureDef[Any], request: _compat.SubRequest
) -> Generator[None, object, object]:
    """The setup of a fixture that may be ours (``_plugins.fixtures`` asks): run it as a job on
    its loop, or make the loop of the async test it is set up for current for a sync one."""
    __tracebackhide__ = True

    settings = request.config.stash[SETTINGS_KEY]
    original = fixturedef.func
    options = options_of(original)
    item = _compat.request_item(request)
    spec = _collect.spec_of(item)  # None: not for an async test we run
    kind = fixture_kind(original, settings, item, spec, options)
    if kind is None:
        if _collect.is_async_function(original):
            # Strict mode only: in auto mode an async fixture not ours is another plugin's.
            # Only async tests we run get the warning; pytest warns about the rest.
            if not settings.auto and spec is not None:
                _warn_unmarked_async_fixture(fixturedef, item)
            return (yield)
        if fixturedef.scope == "function" or _compat.is_direct_param(fixturedef):
            return (yield)
        if spec is None:  # not for an async test: no loop, asyncio not imported
            return (yield)
        with _loops.current_for_sync_fixture(fixturedef, request, spec.loop_scope):
            return (yield)
    adapter = adapt(fixturedef, request, item, spec, kind, settings, options)
    _compat.set_fixture_function(fixturedef, adapter)
    try:
        return (yield)
    finally:
        _compat.set_fixture_function(fixturedef, original)


def _warn_unmarked_async_fixture(fixturedef: _compat.FixtureDef[Any], item: pytest.Item) -> None:
    message = _messages.STRICT_UNMARKED_ASYNC_FIXTURE.format(
        nodeid=item.nodeid, name=fixturedef.argname
    )
    warn_at(item, PytestAsyncioDeprecationWarning(message))


def loop_scope_of(
    fixturedef: _compat.FixtureDef[Any],
    settings: Settings,
    scope: str,
    options: FixtureOptions | None,
) -> LoopScope:
    """The fixture's loop scope; raise LoopScopeError if it is narrower than its cache scope
    *scope* (``fixturedef.scope``). *options*: what the decorator recorded on its function."""
    cache_scope = as_scope(scope) or "function"
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
    item: pytest.Item,
    spec: _collect.TestSpec | None,
    kind: FixtureKind,
    settings: Settings,
    options: FixtureOptions | None,
) -> Callable[..., Any]:
    """The sync stand-in for one setup of an async (or loop-needing sync) fixture.

    Not a bound method: pytest rebinds methods to the test instance. Errors are raised by the
    stand-in, so pytest caches and reports them like any setup error.
    """
    scope = fixturedef.scope
    try:
        loop_scope = loop_scope_of(fixturedef, settings, scope, options)
    except LoopScopeError as error:
        if not _on_override_loop(fixturedef, request):
            return functools.partial(_fail, str(error))
        loop_scope = as_scope(scope) or "function"
    _diagnosis.remember(request.config, fixturedef, loop_scope)
    if scope != "function" and _has_factories_hook(request.config):
        _loops.bind_to_factory(fixturedef, request)
    function = _compat.fixture_function(fixturedef, request)
    explicit = options is not None and options.loop_scope is not None
    setup = _Setup(fixturedef, request, item, spec, function, loop_scope, scope, explicit)
    return functools.partial(_ADAPTERS[kind], setup)


def _has_factories_hook(config: pytest.Config) -> bool:
    return bool(config.hook.pytest_asyncio_loop_factories.get_hookimpls())


def loop_node(
    fixturedef: _compat.FixtureDef[Any], request: _compat.SubRequest, loop_scope: LoopScope
) -> pytest.Item | pytest.Collector:
    """The node whose *loop_scope* instance the fixture's loop belongs to.

    The node pytest caches the fixture on, except for a package-scoped fixture on a package
    loop: pytest caches one from a module, or from the rootdir's conftest.py, on the session;
    its loop is that of the package that defines it, the one that package's tests use.
    """
    node: pytest.Item | pytest.Collector = request.node
    if loop_scope == "package" and fixturedef.scope == "package":
        where = _compat.fixture_path(request.config, fixturedef)
        node = package_of(_compat.request_item(request), where)
    return node


class _Setup:
    """One setup of a fixture: what the stand-ins below need."""

    __slots__ = (
        "explicit",
        "fixturedef",
        "function",
        "item",
        "limit",
        "limit_known",
        "loop_scope",
        "name",
        "request",
        "scope",
        "spec",
    )

    def __init__(
        self,
        fixturedef: _compat.FixtureDef[Any],
        request: _compat.SubRequest,
        item: pytest.Item,
        spec: _collect.TestSpec | None,
        function: Callable[..., Any],
        loop_scope: LoopScope,
        scope: str,
        explicit: bool,
    ) -> None:
        self.fixturedef = fixturedef
        #: Its cache scope (``fixturedef.scope``, a property, read once).
        self.scope = scope
        self.name = fixturedef.argname
        self.request = request
        #: The test it is set up for, and that test's spec (None: not an async test we run).
        self.item = item
        self.spec = spec
        self.function = function
        self.loop_scope = loop_scope
        #: Whether the decorator sets the loop scope (else the setting or the cache scope does).
        self.explicit = explicit
        #: The limit of its steps (the test's), looked up once, by the first step.
        self.limit: _timeouts.Limit | None = None
        self.limit_known = False

    def runner(self) -> LoopRunner:
        node = loop_node(self.fixturedef, self.request, self.loop_scope)
        runner = _loops.runner_for(self.item, node, self.loop_scope, self.name, self.explicit)
        if node is not self.request.node:
            # Cached on a wider node than its loop's: tear it down before its loop closes
            # (registered after the runner's own finalizer, so it runs first).
            node.addfinalizer(functools.partial(self.fixturedef.finish, request=self.request))
        return runner

    def run(
        self,
        on: LoopRunner,
        awaitable: Any,
        context: contextvars.Context,
        phase: Phase = "setup",
        origin: object = None,
        sole: bool = False,
    ) -> Any:
        __tracebackhide__ = True
        owner = Owner(phase, self.name, origin, self.scope)
        if not self.limit_known:
            self.limit = _timeouts.limit_for(self.item, self.spec)
            self.limit_known = True
        limit = self.limit
        config = self.request.config
        # what=None: an error message names the fixture (no text made for every step).
        return _loops.run(
            on,
            awaitable,
            context,
            None,
            self.name,
            config=config,
            owner=owner,
            limit=limit,
            sole=sole,
        )

    def current_loop(self, loop: asyncio.AbstractEventLoop) -> AbstractContextManager[None]:
        return _loops.loops_of(self.request.config).current(loop)

    def fail(self, message: str) -> NoReturn:
        fail(message.format(name=self.name))


# The stand-ins take the setup positionally only: a fixture may have an argument "setup".


def _coroutine(setup: _Setup, /, **kwargs: Any) -> Any:
    __tracebackhide__ = True
    on, context = setup.runner(), contextvars.copy_context()
    result = setup.run(on, setup.function(**kwargs), context)
    tokens = publish(context)
    setup.request.addfinalizer(lambda: withdraw(tokens))
    return result


def _asyncgen(setup: _Setup, /, **kwargs: Any) -> Generator[Any, None, None]:
    __tracebackhide__ = True
    on, context = setup.runner(), contextvars.copy_context()
    generator: AsyncGenerator[Any, None] = setup.function(**kwargs)
    try:
        value = setup.run(on, generator.__anext__(), context, "setup", generator)
    except StopAsyncIteration:
        setup.fail(_messages.FIXTURE_DID_NOT_YIELD)
    tokens = publish(context)
    on.held += 1
    try:
        try:
            yield value
        finally:
            on.held -= 1
        # The last teardown on a loop of its own: nothing runs there after it.
        sole = setup.loop_scope == "function" and not on.held
        try:
            setup.run(on, generator.__anext__(), context, "teardown", generator, sole=sole)
        except StopAsyncIteration:
            return
        setup.run(on, generator.aclose(), context, "teardown", generator)
        setup.fail(_messages.FIXTURE_YIELDED_TWICE)
    finally:
        withdraw(tokens)


def _sync(setup: _Setup, /, **kwargs: Any) -> Any:
    __tracebackhide__ = True
    with setup.current_loop(setup.runner().loop):
        return setup.function(**kwargs)


def _generator(setup: _Setup, /, **kwargs: Any) -> Generator[Any, None, None]:
    __tracebackhide__ = True
    loop = setup.runner().loop
    steps = setup.function(**kwargs)
    with setup.current_loop(loop):
        value = next(steps)
    yield value
    with setup.current_loop(loop):
        for _ in steps:
            setup.fail(_messages.FIXTURE_YIELDED_TWICE)


_ADAPTERS: Final[dict[FixtureKind, Callable[..., Any]]] = {
    "coroutine": _coroutine,
    "asyncgen": _asyncgen,
    "sync": _sync,
    "generator": _generator,
}


def _on_override_loop(fixturedef: _compat.FixtureDef[Any], request: _compat.SubRequest) -> bool:
    """A fixture that requests a user's event_loop fixture runs on its loop, whatever its
    loop scope says (pytest-asyncio < 1.0 suites)."""
    item = _compat.request_item(request)
    if not _overrides.covers(item, _overrides.EVENT_LOOP):
        return False
    from . import _legacy

    return _legacy.requests_event_loop(item, fixturedef.argname)


def _fail(message: str, /, **kwargs: Any) -> Any:
    fail(message)
