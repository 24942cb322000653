"""looptime's fake loop time on our loops: its marker, flags and fixtures keep working.

looptime (https://github.com/nolar/looptime) patches the loops that come out of
pytest-asyncio's own loop fixtures, and turns its fake time on for a test by reading the loop
back through the ``event_loop_policy`` fixture. Our loops come from neither, so on its own it
does nothing here. This plugin does its part with looptime's public API: it patches each loop a
test's jobs run on with ``looptime.patch_event_loop`` (switched off; a new loop's time starts at
0, a loop in use keeps its time), as looptime patches every loop of pytest-asyncio, and around
the body of a test that looptime's marker or flags enable it configures the test's loop with
the marker's options (``setup_looptime``) and switches it on (``looptime_enabled``). The time
arithmetic, ``start=``, ``end=``, the idle and no-op settings and ``looptime.enabled()`` are
looptime's own code. The loops of a test on our virtual clock are not patched: the virtual
clock drives them, and it refuses a loop that keeps time its own way.

Registered at configure only when looptime's plugin is: without looptime, nothing of this
runs.
"""

from __future__ import annotations

import importlib
import weakref
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Final

import pytest

from pytest_asyncio import _clock, _messages

if TYPE_CHECKING:
    import asyncio

    from pytest_asyncio._runner import Job, LoopRunner

#: looptime's marker, and the dest of its ``--looptime`` / ``--no-looptime`` flags.
MARKER: Final = "looptime"
_NAME: Final = "pytest-asyncio-ng-looptime"


def configure(config: pytest.Config) -> None:
    """At the end of pytest's configure, with looptime's plugin registered: follow it."""
    manager = config.pluginmanager
    from pytest_asyncio import _loops  # asyncio is imported already: looptime imports it

    looptime = Looptime(config)
    manager.register(looptime, _NAME)
    # From the start: a loop is patched before its first job, even one run for a sync test.
    _loops.instrument(config, looptime)


def options(item: pytest.Item) -> dict[str, Any] | None:
    """The looptime options of *item*, or None if looptime leaves it on real time.

    looptime's own rule: ``--looptime`` turns it on for every test, ``--no-looptime`` off,
    else a ``looptime`` marker turns it on; the markers' keyword options merge, the closest
    winning per option, and a positional ``True``/``False`` on a marker decides last."""
    flag: bool | None = item.config.getoption(MARKER, None)
    markers = list(item.iter_markers(MARKER))
    enabled = bool(markers or flag is True) and flag is not False
    merged: dict[str, Any] = {}
    for marker in reversed(markers):
        merged.update(marker.kwargs)
        if marker.args:
            enabled = bool(marker.args[0])
    return merged if enabled else None


class Looptime:
    """Patches our loops for looptime, and switches its fake time on for the tests it enables."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._module: Any = importlib.import_module("looptime")
        #: The test being run now wants looptime's time.
        self._wanted = False
        #: The loops that have run a job (a loop patched later keeps its time).
        self._used: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        # Before the test's fixtures: their jobs patch the loops they run on. As looptime
        # patches every loop of pytest-asyncio, every loop is patched (switched off), so that
        # looptime.enabled() works in any test; but not those of a test on our virtual
        # clock, which drives them instead.
        from pytest_asyncio._collect import spec_of

        spec = spec_of(item)
        self._wanted = not _clock.is_virtual(self.config, spec)

    # --- patching the loops of looptime tests, as an instrument of every runner ---------------

    def job_started(self, runner: LoopRunner, job: Job) -> None:
        loop = runner.loop
        if self._wanted:
            self.patch(loop)
        self._used.add(loop)

    def job_finished(self, runner: LoopRunner, job: Job) -> None:
        pass

    def loop_closing(self, runner: LoopRunner) -> None:
        pass

    def patch(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Patch *loop* for looptime (switched off) unless it is already; False if it cannot
        be: not an asyncio BaseEventLoop, or driven by our virtual clock. A new loop's time
        starts at 0, as looptime's loops do; a loop already in use keeps its time."""
        looptime = self._module
        if isinstance(loop, looptime.LoopTimeEventLoop):
            return True
        import asyncio

        from pytest_asyncio._clock._virtual import clock_of

        if not isinstance(loop, asyncio.BaseEventLoop) or loop.is_closed():
            return False
        if clock_of(loop) is not None:
            return False
        start = loop.time() if loop in self._used else 0.0
        try:
            # _enabled=False: patched but off, as looptime's own plugin patches loops.
            looptime.patch_event_loop(loop, _enabled=False, start=start)
        except Exception:  # an instrument must not raise: the test says why, if it needs it
            return False
        return True

    # --- switching looptime on for a test ---------------------------------------------------

    # trylast: inside looptime's own wrapper, which switches the loop on itself when it finds
    # it through the test's event_loop_policy fixture.
    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> Generator[None, object, object]:
        __tracebackhide__ = True
        from pytest_asyncio._collect import spec_of

        spec = spec_of(pyfuncitem)
        if spec is None:
            return (yield)
        settings = options(pyfuncitem)
        if settings is None or _clock.is_virtual(self.config, spec):
            # Not enabled, or the test asks for our virtual clock, which then drives its loop.
            return (yield)
        from pytest_asyncio import _loops
        from pytest_asyncio._clock._virtual import clock_of

        runner = _loops.runner_for(pyfuncitem, pyfuncitem, spec.loop_scope)
        loop: Any = runner.loop
        # Our virtual clock, once on a loop, reads its time: looptime's could not drive it.
        if clock_of(loop) is not None or not self.patch(loop):
            self._refuse(pyfuncitem, runner)
        if loop.looptime_on:  # looptime's own wrapper switched it on
            return (yield)
        loop.setup_looptime(**settings)
        with loop.looptime_enabled():
            return (yield)

    def _refuse(self, item: pytest.Item, runner: LoopRunner) -> None:
        __tracebackhide__ = True
        from pytest_asyncio._clock._virtual import clock_of
        from pytest_asyncio._failures import fail

        loop = runner.loop
        markers = any(True for _ in item.iter_markers(MARKER))
        source = _messages.LOOPTIME_SOURCE_MARK if markers else _messages.LOOPTIME_SOURCE_FLAG
        if clock_of(loop) is not None:
            fail(
                _messages.LOOPTIME_ON_VIRTUAL_CLOCK.format(
                    nodeid=item.nodeid, source=source, loop=runner.label
                )
            )
        kind = f"{type(loop).__module__}.{type(loop).__qualname__}"
        fail(
            _messages.LOOPTIME_NOT_PATCHABLE.format(
                nodeid=item.nodeid, source=source, loop=runner.label, kind=kind
            )
        )
