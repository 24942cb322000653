"""Ctrl-C during an async job: report where it waited, cancel it, then end the run.

Python's default SIGINT handler raises ``KeyboardInterrupt`` wherever the main thread is: in
an async test that waits, that is inside the selector of the loop, and the traceback ends in
``selectors.py``. ``asyncio.Runner`` does better (it cancels its main task and raises
``KeyboardInterrupt`` once the task has unwound); this does the same for the job of ours
that runs when Ctrl-C is pressed:

1. The first SIGINT, while one of our loops runs a job, asks that loop (``call_soon_threadsafe``)
   to record the await chain of the job, where all its coroutines wait, and to raise
   :class:`~pytest_asyncio._runner.Interrupt` out of the loop. The runner cancels the job,
   runs the loop until it has unwound (its ``finally`` blocks and ``async with`` exits run),
   and raises ``KeyboardInterrupt`` from ``LoopRunner.run()``. pytest ends the run as for any
   Ctrl-C and tears down the fixtures still set up; the loop still serves their async
   teardowns. The report is shown with pytest's ``KeyboardInterrupt`` summary.
2. Any later SIGINT raises ``KeyboardInterrupt`` at once. Raised while the runner waits for
   the cancelled job to unwind, it makes the runner end the job by force.
3. If the loop does not take the request within :data:`DELIVERY` seconds (sync code blocks
   it, or the job ended just before), the interruption is delivered again as a plain second
   SIGINT to the main thread, so Ctrl-C is never lost.

The handler is installed once per session, only over Python's default one (a user's or
another plugin's handler is left alone), and answers every SIGINT outside our jobs as the
default one does. Nothing runs per job. This module does not import asyncio: it is imported
by every run.
"""

from __future__ import annotations

import signal
import sys
import threading
import types
from typing import TYPE_CHECKING, Any, Final

import pytest

from . import _messages
from ._realtime import monotonic
from ._watchdog import WATCHDOG

if TYPE_CHECKING:
    from ._runner import Job, LoopRunner

#: Seconds the loop has to take the interruption before it is delivered as a plain one.
DELIVERY: Final = 0.5


class Report:
    """What the interrupted job was waiting on, for the terminal summary."""

    __slots__ = ("forced", "job", "message", "section")

    def __init__(self, job: Job, message: str, section: tuple[str, str] | None) -> None:
        self.job = job
        self.message = message
        self.section = section
        #: A second Ctrl-C came before the job had finished unwinding.
        self.forced = False


class Interrupter:
    """The SIGINT handler of a session (installed by :func:`install`)."""

    __slots__ = ("_lock", "at", "config", "count", "delivered", "report")

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        #: SIGINTs received so far; only the first one is taken gracefully.
        self.count = 0
        self.report: Report | None = None
        #: The loop took the first interruption (or there was none to take).
        self.delivered = True
        #: When the watchdog delivers the interruption if the loop has not taken it.
        self.at = 0.0
        #: The loop and the watchdog's thread race to take the interruption.
        self._lock = threading.Lock()

    def __call__(self, signum: int, frame: types.FrameType | None) -> None:
        __tracebackhide__ = True  # pytest's summary then points at the interrupted line
        self.count += 1
        if self.count == 1 and self._ask_loop():
            return
        report = self.report
        if report is not None and not report.job.done:
            report.forced = True
        raise KeyboardInterrupt

    def _ask_loop(self) -> bool:
        """Ask the loop that runs a job of ours now to interrupt it; False if none does."""
        asyncio = sys.modules.get("asyncio")
        if asyncio is None:
            return False
        loop = asyncio.events._get_running_loop()
        if loop is None:
            return False
        from . import _loops

        runner = _loops.runner_of(self.config, loop)
        if runner is None or runner.current_job is None:
            return False
        self.delivered = False
        loop.call_soon_threadsafe(self._interrupt, runner)
        self.at = monotonic() + DELIVERY
        WATCHDOG.arm(self)
        return True

    def _interrupt(self, runner: LoopRunner) -> None:
        """In the loop: record where the job waits, then interrupt it (see the module's
        docstring). Every coroutine of the loop is suspended here, so the chain is whole."""
        __tracebackhide__ = True
        if not self._take():
            return  # the watchdog delivered it already: the loop was blocked
        WATCHDOG.disarm(self)
        job = runner.current_job
        if job is None or job.done or job.task is None or job.owner is None:
            # It ended before the loop got here: interrupt whatever runs now.
            raise KeyboardInterrupt
        from ._runner import Interrupt

        frames, self.report = _report(job)
        raise Interrupt(KeyboardInterrupt().with_traceback(_traceback(frames)))

    def _take(self) -> bool:
        """Whether the caller is the one to deliver the pending interruption."""
        with self._lock:
            taken, self.delivered = not self.delivered, True
        return taken

    def expire(self) -> None:
        """In the watchdog's thread: the loop did not take the interruption in time."""
        if not self._take():
            return
        main = threading.main_thread().ident
        if hasattr(signal, "pthread_kill") and main is not None:
            signal.pthread_kill(main, signal.SIGINT)  # wakes a blocking call, like Ctrl-C
        else:  # pragma: no cover - Windows
            import _thread

            _thread.interrupt_main()


def _report(job: Job) -> tuple[list[types.FrameType], Report]:
    """The user's frames the job waits in, outermost first, and the report of them."""
    from . import _awaits, _hung

    owner, task = job.owner, job.task
    assert owner is not None
    assert task is not None
    relative = _awaits.relative_to_cwd()
    frames = [
        frame
        for frame in _awaits.task_frames(task, start=owner.origin)
        if _awaits.user_steps([frame])
    ]
    chain = "\n".join(_awaits.render(_awaits.user_steps(frames), relative))
    message = _messages.INTERRUPTED.format(
        what=_hung.describe(owner), chain=chain or _messages.TIMED_OUT_NO_FRAMES
    )
    lines: list[str] = []
    for other in _hung.other_tasks(task):
        lines += _hung.task_lines(other, relative)
    section = (_messages.INTERRUPT_TASKS_SECTION, "\n".join(lines)) if lines else None
    return frames, Report(job, message, section)


def _traceback(frames: list[types.FrameType]) -> types.TracebackType | None:
    """A traceback through the user's frames the job waited in, innermost last: pytest's
    ``KeyboardInterrupt`` summary then points at the await that never completed."""
    tb: types.TracebackType | None = None
    for frame in reversed(frames):
        tb = types.TracebackType(tb, frame, frame.f_lasti, frame.f_lineno or 0)
    return tb


INTERRUPTER_KEY: Final = pytest.StashKey[Interrupter]()


def install(config: pytest.Config) -> None:
    """Take over SIGINT for the rest of the session, if its handler is Python's default one:
    done when the session's first loop is made (``_loops``), so a run without async tests
    keeps Python's handler and does not load this module."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return  # a user's or another plugin's handler, or SIGINT ignored: leave it
    interrupter = Interrupter(config)
    try:
        signal.signal(signal.SIGINT, interrupter)
    except ValueError:  # an embedded interpreter without signals
        return
    config.stash[INTERRUPTER_KEY] = interrupter


def uninstall(config: pytest.Config) -> None:
    """Give SIGINT back to Python's default handler, unless someone replaced ours since."""
    interrupter = config.stash.get(INTERRUPTER_KEY, None)
    if interrupter is None:
        return
    del config.stash[INTERRUPTER_KEY]
    WATCHDOG.disarm(interrupter)
    if signal.getsignal(signal.SIGINT) is interrupter:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def show_report(config: pytest.Config) -> None:
    """Write the report of the interrupted job, if this interruption is ours."""
    interrupter = config.stash.get(INTERRUPTER_KEY, None)
    if interrupter is None or interrupter.report is None:
        return
    report, interrupter.report = interrupter.report, None
    reporter: Any = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    reporter.write_sep("=", _messages.INTERRUPTED_TITLE)
    reporter.write_line(report.message)
    if report.forced:
        reporter.write_line(_messages.INTERRUPTED_FORCED)
    if report.section is not None:
        title, text = report.section
        reporter.write_sep("-", title)
        reporter.write_line(text)
