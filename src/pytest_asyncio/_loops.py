"""Which loop a test or fixture runs on: one LoopRunner per (scope instance, loop factory).

A runner is created the first time something of its scope instance needs it, and closed by a
finalizer on the node that owns that scope instance. pytest runs a node's finalizers last in,
first out, so every fixture set up on the loop is torn down before the loop closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Final, TypeVar

import pytest

from . import _collect, _compat, _diagnosis, _interrupt, _messages, _overrides
from ._factories import FACTORY_PARAM, PENDING_KEY, FactoriesError, Factory, hook_factories
from ._failures import fail
from ._nodes import scope_node
from ._runner import (
    Instrument,
    LoopBrokenError,
    LoopClosedError,
    LoopRunner,
    LoopRunningError,
    LoopStoppedError,
    Owner,
    cancelled_on_return,
)
from ._scopes import LoopScope, as_scope, is_narrower
from ._settings import SETTINGS_KEY
from ._timeouts import Limit
from ._warnings import PytestAsyncioWarning, warn_at

T = TypeVar("T")

_Key = tuple[pytest.Item | pytest.Collector, str | None]
_Covered = tuple[_overrides.Overridable, ...]
#: A lookup of ``runner_for``: (item, node, scope, key, runner).
_Lookup = tuple[pytest.Item, pytest.Item | pytest.Collector, str, _Key, LoopRunner]


class Loops:
    """The session's loops: their runners, what watches them, and which are open.

    Like ``asyncio.run()``, an open scope's loop is the thread's current event loop, so sync
    code in the scope (a sync fixture, ``asyncio.get_event_loop()``) finds it; when the scope
    closes, the next outer open loop becomes current again, or none.

    One stash entry for all of it: every test on a loop of its own makes and closes a runner.
    """

    __slots__ = ("_open", "borrowed", "debug", "instruments", "last", "runners", "started")

    def __init__(self, debug: bool) -> None:
        #: The runner of each (scope instance, loop factory name).
        self.runners: dict[_Key, LoopRunner] = {}
        #: Runners of loops made by users' event_loop fixtures, by id of the loop.
        self.borrowed: dict[int, LoopRunner] = {}
        #: What watches the jobs of every loop made from now on (see ``instrument``).
        self.instruments: tuple[Instrument, ...] = ()
        #: The loops' debug mode (the ``asyncio_debug`` setting).
        self.debug = debug
        #: Whether the session's first loop was made (see ``_first_loop``).
        self.started = False
        #: The last lookup of ``runner_for`` for a fixture, with no override in play: the
        #: test it is set up for asks for the same runner next.
        self.last: _Lookup | None = None
        #: The loops of open scope instances, innermost last.
        self._open: list[asyncio.AbstractEventLoop] = []

    def opened(self, loop: asyncio.AbstractEventLoop) -> None:
        self._open.append(loop)
        asyncio.set_event_loop(loop)

    def closed(self, loop: asyncio.AbstractEventLoop) -> None:
        if loop in self._open:
            self._open.remove(loop)
        self._restore()

    @contextlib.contextmanager
    def current(self, loop: asyncio.AbstractEventLoop) -> Iterator[None]:
        """Make *loop* the current event loop while the block runs."""
        asyncio.set_event_loop(loop)
        try:
            yield
        finally:
            self._restore()

    def _restore(self) -> None:
        asyncio.set_event_loop(self._open[-1] if self._open else None)


_LOOPS_KEY: Final = pytest.StashKey[Loops]()


def loops_of(config: pytest.Config) -> Loops:
    """The session's loops, set up with the first use: this module is imported only when a
    loop is needed, so nothing of it is set up at configure time."""
    try:  # a miss (raising KeyError) happens once per session, a hit at every loop made
        return config.stash[_LOOPS_KEY]
    except KeyError:
        loops = config.stash[_LOOPS_KEY] = Loops(config.stash[SETTINGS_KEY].debug)
        return loops


def instrument(config: pytest.Config, instrument: Instrument) -> None:
    """Watch the jobs of every loop of the session with *instrument*: those open now, and
    those made from now on."""
    loops = loops_of(config)
    if instrument in loops.instruments:
        return
    loops.instruments = (*loops.instruments, instrument)
    for runner in loops.runners.values():
        runner.add_instrument(instrument)
    for runner in loops.borrowed.values():
        runner.add_instrument(instrument)


DEFAULT_FACTORY: Final = Factory(None, asyncio.new_event_loop)
_FACTORY_KEY: Final = pytest.StashKey[Factory]()


def runner_for(
    item: pytest.Item,
    node: pytest.Item | pytest.Collector,
    scope: LoopScope,
    fixture: str | None = None,
    explicit: bool = False,
) -> LoopRunner:
    """The runner of the *scope* instance *node* belongs to, for the loop factory of *item*
    (for the test itself, or for its fixture named *fixture*, whose loop scope is *explicit*
    when the fixture sets it).

    Under a user's ``event_loop`` fixture (pytest-asyncio < 1.0), the runner of that loop for
    what ``_legacy.on_override_loop`` sends there."""
    config = item.config
    loops = loops_of(config)
    last = loops.last
    if last is not None and last[0] is item and last[1] is node and last[2] == scope:
        known = last[4]
        if loops.runners.get(last[3]) is known:  # not closed (nor forgotten) since
            return known
    covered = _overrides.covered(item)
    if covered and _overrides.EVENT_LOOP in covered:
        from . import _legacy

        if _legacy.on_override_loop(item, fixture, explicit):
            return _borrowed_runner(item)
    owner = scope_node(node, scope)
    factory = select_factory(item, covered)
    key = (owner, factory.name)
    runner = loops.runners.get(key)
    if runner is None:
        if factory.policy is not None:
            _use_policy(config, factory.policy, owner, key)
        label = functools.partial(_label, scope, owner)
        runner = loops.runners[key] = LoopRunner(
            factory.create, debug=loops.debug, label=label, instruments=loops.instruments
        )
        if not loops.started:
            _first_loop(config, loops)
        owner.addfinalizer(functools.partial(_close, loops, key))
        loops.opened(runner.loop)
    if fixture is not None and not covered:
        # For the test's next lookup. Not with an override: its policy is looked up among
        # the test's fixtures as they are set up.
        loops.last = (item, node, scope, key, runner)
    return runner


def current_for_sync_fixture(
    fixturedef: _compat.FixtureDef[Any], request: _compat.SubRequest, loop_scope: LoopScope
) -> contextlib.AbstractContextManager[None]:
    """While a sync fixture wider than a function is set up for an async test, the current
    event loop is the loop of its scope (or of the test's loop scope, if wider): what it gets
    from ``asyncio.get_event_loop()`` (``asyncpg.create_pool()`` calls it) is the loop that the
    async tests of that scope run on."""
    item = _compat.request_item(request)
    if (
        fixturedef.argname in _overrides.NAMES
        or _overrides.covers(item, _overrides.POLICY)
        or item.config.option.setupplan
    ):
        # The overrides themselves; fixtures that may be set up before the policy that
        # chooses the test's loops; --setup-plan, which runs no fixture.
        return contextlib.nullcontext()
    scope = as_scope(fixturedef.scope) or "function"
    if is_narrower(scope, loop_scope):
        scope = loop_scope
    return _current_for_sync_fixture(item, request.node, scope, fixturedef.argname)


@contextlib.contextmanager
def _current_for_sync_fixture(
    item: pytest.Item, node: pytest.Item | pytest.Collector, scope: LoopScope, name: str
) -> Iterator[None]:
    loops = loops_of(item.config)
    existing = set(loops.runners.values())
    runner = runner_for(item, node, scope, name)
    with loops.current(runner.loop):
        yield
    if runner not in existing and runner.loop.is_closed():
        # Made for this fixture, which closed it before anything ran on it (it cleans up
        # the current loop, then calls asyncio.run()): forget it, the scope gets a new one.
        runners = loops.runners
        for key in [key for key, value in runners.items() if value is runner]:
            del runners[key]
        loops.closed(runner.loop)


def runner_of(config: pytest.Config, loop: asyncio.AbstractEventLoop) -> LoopRunner | None:
    """The runner that drives *loop*, if any."""
    loops = loops_of(config)
    for runner in (*loops.runners.values(), *loops.borrowed.values()):
        if runner.drives(loop):
            return runner
    return None


def _label(scope: LoopScope, owner: pytest.Item | pytest.Collector) -> str:
    return f"{scope}-scoped event loop of {owner.nodeid or 'the session'}"


def _first_loop(config: pytest.Config, loops: Loops) -> None:
    """Called as the session's first loop is made, when jobs are about to run: take over
    Ctrl-C, and follow pytest's debugger (the time at its prompt does not count)."""
    loops.started = True
    from ._plugins import debuggers, interrupt

    config.pluginmanager.register(interrupt, "pytest-asyncio-ng-interrupt")
    config.pluginmanager.register(debuggers, "pytest-asyncio-ng-debuggers")
    _interrupt.install(config)


def _borrowed_runner(item: pytest.Item) -> LoopRunner:
    loop = _compat.item_request(item).getfixturevalue("event_loop")
    loops = loops_of(item.config)
    borrowed = loops.borrowed
    runner = borrowed.get(id(loop))
    if runner is None or runner.loop is not loop:
        for stale in [key for key, old in borrowed.items() if old.loop.is_closed()]:
            del borrowed[stale]
        label = "event loop of the event_loop fixture"
        runner = borrowed[id(loop)] = LoopRunner(
            lambda: loop,
            debug=False,
            label=label,
            borrowed=True,
            instruments=loops.instruments,
        )
        if not loops.started:
            _first_loop(item.config, loops)
    return runner


def run(
    runner: LoopRunner,
    awaitable: Awaitable[T],
    context: contextvars.Context,
    what: str | pytest.Item | None,
    fixture: str | None = None,
    *,
    config: pytest.Config,
    owner: Owner | None = None,
    limit: Limit | None = None,
    sole: bool = False,
) -> T:
    """Run *awaitable* on *runner* as *owner*'s job, under *limit* if one is set (*sole*: see
    ``LoopRunner.run``); turn misuse of the loop into one clear failure, naming *what* (the
    test; None for a step of the async fixture *fixture*). The first job that fails starts the
    failure reports' explanations (``_diagnosis.watch``); a job that fails leaves its loop's
    pending tasks alive until the loop closes (``LoopRunner.keep_pending``)."""
    __tracebackhide__ = True
    try:
        if limit is None or owner is None:
            return runner.run(awaitable, context, owner=owner, sole=sole)
        from . import _deadlines

        return _deadlines.run(runner, awaitable, context, owner, limit, sole=sole)
    except (StopAsyncIteration, pytest.skip.Exception):  # an async generator's end; a skip
        raise
    except asyncio.CancelledError as error:
        _failed(runner, config)
        if sys.version_info >= (3, 11) and cancelled_on_return(error):
            error.add_note(_messages.CANCELLED_ON_RETURN.format(what=_describe(what, fixture)))
        raise
    except (LoopRunningError, LoopClosedError, LoopStoppedError, LoopBrokenError) as error:
        what = _describe(what, fixture)
        if isinstance(error, LoopBrokenError):
            message = _messages.LOOP_BROKEN.format(
                what=what, loop=runner.label, culprit=error.culprit
            )
        elif isinstance(error, LoopClosedError):
            message = _messages.LOOP_CLOSED_BEFORE_USE.format(loop=runner.label, what=what)
        elif isinstance(error, LoopStoppedError):
            message = _messages.LOOP_STOPPED.format(what=what, loop=runner.label)
        elif fixture is not None:
            message = _messages.FIXTURE_FROM_RUNNING_LOOP.format(name=fixture)
        else:
            message = _messages.LOOP_ALREADY_RUNNING.format(what=what, loop=runner.label)
    except BaseException:
        _failed(runner, config)
        raise
    _failed(runner, config)
    return fail(message)


def _failed(runner: LoopRunner, config: pytest.Config) -> None:
    """A job on *runner* failed: explain it in the report; keep what it left pending alive."""
    _diagnosis.watch(config)
    runner.keep_pending()


def _describe(what: str | pytest.Item | None, fixture: str | None = None) -> str:
    if what is None:
        return f"async fixture {fixture!r}"
    return f"test {what.nodeid}" if isinstance(what, pytest.Item) else what


def select_factory(item: pytest.Item, covered: _Covered | None = None) -> Factory:
    """The loop factory for *item*, chosen once per item: its parameter (an async test under
    the hook), else for a sync test the factory of the async tests running now, else the
    mark's first choice among the hook's factories, else the hook's first factory, else the
    default (honouring an overridden event_loop_policy). *covered*: what
    ``_overrides.covered(item)`` says, when the caller has asked already."""
    stash = item.stash
    if _FACTORY_KEY in stash:  # not stash.get(): it raises and catches KeyError on a miss
        return stash[_FACTORY_KEY]
    factory = _select_factory(item, covered)
    # The default is not kept: finding it again is cheap, a stash entry per test is memory
    # (and, chosen before the item's fixtures are set up, it may yet give way to an overridden
    # event_loop_policy).
    if factory is not DEFAULT_FACTORY:
        stash[_FACTORY_KEY] = factory
    return factory


def _select_factory(item: pytest.Item, covered: _Covered | None) -> Factory:
    __tracebackhide__ = True
    callspec = vars(item).get("callspec")  # only parametrized items have one
    if callspec is not None:
        param = callspec.params.get(FACTORY_PARAM)
        if isinstance(param, Factory):
            return param
    if not item.config.hook.pytest_asyncio_loop_factories.get_hookimpls():
        return _policy_factory(item, covered) or DEFAULT_FACTORY
    # Not parametrized: a sync test, or an async test marked after collection.
    spec = _collect.spec_of(item)
    if spec is None:
        active = _active_factory(item)
        if active is not None:
            return active
    try:
        # A hook that returns None for a sync test leaves its async fixtures on the default
        # loop; for an async test that is an error (reported at collection when it can be).
        factories = hook_factories(item.config, item, none_means_default=spec is None)
    except FactoriesError as error:
        fail(str(error))
    if factories is None:
        return _policy_factory(item, covered) or DEFAULT_FACTORY
    preferred = spec.loop_factories if spec is not None else None
    name = preferred[0] if preferred else next(iter(factories))
    if name not in factories:
        available = ", ".join(map(repr, factories))
        pytest.skip(
            _messages.UNKNOWN_LOOP_FACTORY.format(
                name=name, nodeid=item.nodeid, available=available
            )
        )
    return factories[name]


def _factory_fixture(item: pytest.Item) -> _compat.FixtureDef[Any] | None:
    defs = _compat.fixture_defs(item, FACTORY_PARAM)
    return defs[-1] if defs else None


def _active_factory(item: pytest.Item) -> Factory | None:
    """The factory of the async tests running now: the value of the factory fixture."""
    fixturedef = _factory_fixture(item)
    cached = fixturedef.cached_result if fixturedef is not None else None
    if cached is not None and isinstance(cached[0], Factory):
        return cached[0]
    return None


def bind_to_factory(fixturedef: _compat.FixtureDef[Any], request: _compat.SubRequest) -> None:
    """Tie a fixture of ours wider than a function to the loop factory it is set up for: when
    a later test runs on another factory, pytest tears the fixture down (on its loop) and sets
    it up again for that test, as for any fixture whose parametrized dependency changed.

    Only with a loop factories hook. An async test under the hook has set the factory fixture
    up first thing. A test without a factory (a sync test) may set the fixture up before any
    async test has: it waits in PENDING_KEY until the factory fixture is set up (settle()).
    """
    factory_fixture = _factory_fixture(_compat.request_item(request))
    if factory_fixture is None:
        return
    pending = request.config.stash.setdefault(PENDING_KEY, {})
    if factory_fixture.cached_result is None:
        pending[fixturedef] = (request, select_factory(_compat.request_item(request)).name)
        return
    pending.pop(fixturedef, None)
    factory_fixture.addfinalizer(functools.partial(fixturedef.finish, request=request))


def settle(request: pytest.FixtureRequest, factory: object) -> None:
    """When the factory fixture is set up for *factory*: tie to it the pending fixtures set up
    for that factory, and tear down those set up for another one (before the test that set
    the factory fixture up looks any of them up: it is that test's first fixture)."""
    pending = request.config.stash.get(PENDING_KEY, None)
    if not pending:
        return
    name = factory.name if isinstance(factory, Factory) else None
    entries = [(fdef, req) for fdef, (req, of) in pending.items() if fdef.cached_result]
    matching = {fdef for fdef, (_, of) in pending.items() if of == name}
    pending.clear()
    for fixturedef, fixture_request in reversed(entries):
        if fixturedef not in matching:
            fixturedef.finish(fixture_request)
    factory_fixture = _factory_fixture(_compat.request_item(request))
    for fixturedef, fixture_request in entries:
        if fixturedef in matching and factory_fixture is not None:
            factory_fixture.addfinalizer(
                functools.partial(fixturedef.finish, request=fixture_request)
            )


def _policy_factory(item: pytest.Item, covered: _Covered | None) -> Factory | None:
    if _overrides.POLICY not in (_overrides.covered(item) if covered is None else covered):
        return None
    policy = getattr(item, "funcargs", {}).get("event_loop_policy")
    if policy is None:
        return None
    create: Callable[[], Any] = policy.new_event_loop
    # Each policy (a parametrized override has several) gets loops of its own.
    return Factory(f"event_loop_policy {id(policy):#x}", create, policy)


def _use_policy(
    config: pytest.Config,
    policy: asyncio.AbstractEventLoopPolicy,
    owner: pytest.Item | pytest.Collector,
    key: _Key,
) -> None:
    """Make *policy* current until the loop of *key* is closed: registered before the loop's
    own finalizer, the restoring one runs after it."""
    from . import _legacy

    stack = _legacy.policies(config)
    stack.push(key, policy)
    owner.addfinalizer(functools.partial(stack.pop, key))


def _close(loops: Loops, key: _Key) -> None:
    __tracebackhide__ = True
    runner = loops.runners.pop(key, None)
    if runner is None:  # forgotten: see _current_for_sync_fixture
        return
    closed_here = runner.close()
    loops.closed(runner.loop)
    if not closed_here:
        message = _messages.LOOP_CLOSED_EARLY.format(loop=runner.label)
        warn_at(key[0], PytestAsyncioWarning(message))
