"""Virtual time: the ``virtual_clock`` fixture's work, and the instrument that switches each
loop's clock on for the jobs of the tests that want it (the options are read by ``config``).

This module is imported, and the instrument and its hooks registered, only when virtual time
is used: for the session (``asyncio_clock = virtual``), or by a test's marker or fixture, in
which case they are registered when the first such test is set up. A run on the real clock
pays nothing.
"""

from __future__ import annotations

import weakref
from collections.abc import Generator
from typing import TYPE_CHECKING, Final

import pytest

from pytest_asyncio import _clock, _messages

if TYPE_CHECKING:
    from pytest_asyncio._clock._deadlock import Detector
    from pytest_asyncio._clock._virtual import VirtualClock
    from pytest_asyncio._runner import Job, LoopRunner

_NAME: Final = "pytest-asyncio-ng-clock"


def activate(config: pytest.Config, item: pytest.Item | None = None) -> Clocks:
    """Start switching loops to virtual time for the tests that want it. With *item*, a test
    being set up now, whose setup hooks have run past ours: follow it."""
    manager = config.pluginmanager
    clocks = manager.get_plugin(_NAME)
    if not isinstance(clocks, Clocks):
        from pytest_asyncio import _loops

        clocks = Clocks(config)
        _loops.instrument(config, clocks)
        manager.register(clocks, _NAME)
    if item is not None:
        clocks.begin(item)
    return clocks


def virtual_clock(request: pytest.FixtureRequest) -> VirtualClock:
    """The ``virtual_clock`` fixture (declared in ``_plugins.fixtures``)."""
    __tracebackhide__ = True
    from pytest_asyncio import _collect, _loops
    from pytest_asyncio._clock._virtual import VirtualClockError, install
    from pytest_asyncio._failures import fail

    item = request.node
    spec = _collect.spec_of(item) if isinstance(item, pytest.Item) else None
    if spec is None or not isinstance(item, pytest.Item):
        fail(_messages.VIRTUAL_CLOCK_NOT_ASYNC.format(nodeid=request.node.nodeid))
    if spec.clock == _clock.REAL:
        fail(_messages.VIRTUAL_CLOCK_ON_REAL.format(nodeid=item.nodeid))
    clocks = activate(item.config, item)
    runner = _loops.runner_for(item, item, spec.loop_scope)
    try:
        clock = install(runner.loop)
    except VirtualClockError:
        fail(_refusal(item, runner))
    clocks.claim(clock)
    return clock


class Clocks:
    """Follows which test runs, and switches the clock of each loop it runs jobs on."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.item: pytest.Item | None = None
        #: The test running now wants virtual time.
        self.virtual = False
        #: The jobs whose loop's clock was switched on for them, with their deadlock
        #: detector, and the detector of the job they run in (a job a call_sync serves).
        self._started: dict[Job, tuple[Detector | None, Detector | None]] = {}
        #: The test each clock's knobs were last set up for: a clock on a loop wider than a
        #: function serves many tests, and each starts with the default knobs.
        self._claims: weakref.WeakKeyDictionary[VirtualClock, pytest.Item] = (
            weakref.WeakKeyDictionary()
        )

    def begin(self, item: pytest.Item) -> None:
        self.item = item
        from pytest_asyncio._collect import spec_of

        self.virtual = _clock.is_virtual(self.config, spec_of(item))

    def claim(self, clock: VirtualClock) -> None:
        """The running test uses *clock*: the first time it does, the knobs a test before it
        set on the same loop go back to their defaults."""
        item = self.item
        if item is None or self._claims.get(clock) is item:
            return
        self._claims[clock] = item
        clock.rate = 0.0
        clock.autojump_threshold = 0.0

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        self.begin(item)
        return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, None, None]:
        try:
            return (yield)
        finally:
            self.item = None
            self.virtual = False

    # --- the instrument -------------------------------------------------------------------

    def job_started(self, runner: LoopRunner, job: Job) -> None:
        if not self.virtual:
            return
        from pytest_asyncio._clock._virtual import VirtualClockError, install

        try:
            clock = install(runner.loop)
        except VirtualClockError:
            from pytest_asyncio._compat import Failed

            runner.refuse(job, Failed(_refusal(self.item, runner), pytrace=False))
            return
        self.claim(clock)
        clock.start()
        from pytest_asyncio._clock._deadlock import Detector

        # Every job of a test or fixture has an owner, whom a deadlock report names.
        detector = None if job.owner is None else Detector(runner, job, job.owner)
        outer = clock.deadlocked
        self._started[job] = (detector, outer if isinstance(outer, Detector) else None)
        clock.deadlocked = detector

    def job_finished(self, runner: LoopRunner, job: Job) -> None:
        started = self._started.pop(job, None)
        if started is None:
            return
        from pytest_asyncio._clock._virtual import clock_of

        detector, outer = started
        clock = clock_of(runner.loop)
        if clock is not None:
            clock.stop()
            clock.deadlocked = outer
        if detector is not None:
            detector.settle()

    def loop_closing(self, runner: LoopRunner) -> None:
        pass


def _refusal(item: pytest.Item | None, runner: LoopRunner) -> str:
    """Why the loop of *runner* cannot run *item* on virtual time."""
    what = f"test {item.nodeid}" if item is not None else "this test"
    return _messages.CLOCK_NOT_VIRTUALISABLE.format(
        what=what, loop=runner.label, kind=_qualname(type(runner.loop)), factory=_maker(item)
    )


def _maker(item: pytest.Item | None) -> str:
    """What made the loops of *item*, in the user's terms: the hook's factory, the policy of
    an overridden event_loop_policy fixture, or the current policy."""
    import asyncio
    import warnings

    from pytest_asyncio import _loops

    factory = _loops.select_factory(item) if item is not None else None
    if factory is not None and factory.policy is not None:
        return _messages.CLOCK_FACTORY_POLICY.format(policy=_qualname(type(factory.policy)))
    if factory is not None and factory.name is not None:
        return _messages.CLOCK_FACTORY_HOOK.format(
            name=factory.name, create=_qualname(factory.create)
        )
    with warnings.catch_warnings():  # deprecated from Python 3.14 on; still what made the loop
        warnings.simplefilter("ignore", DeprecationWarning)
        policy = asyncio.get_event_loop_policy()
    return _messages.CLOCK_FACTORY_DEFAULT.format(policy=_qualname(type(policy)))


def _qualname(thing: object) -> str:
    module = getattr(thing, "__module__", None)
    name = getattr(thing, "__qualname__", None) or repr(thing)
    return f"{module}.{name}" if module else name
