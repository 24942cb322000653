"""The blocking check: a callback or task step that holds its event loop longer than the
threshold fails the test during which it ran, with the stack of the code that held the loop.

When a step starts and ends: every callback and task step of asyncio's own loops runs
through ``asyncio.Handle._run`` (pure Python in CPython). While a job of a test with this
check on runs, that method is wrapped (:func:`_timed`): the wrapper reads the real clock
around each step of the watched loop, and lets the steps of any other loop through. Whether a
step is a finding is decided by its measured duration alone, so a step under the threshold is
never reported, however busy the machine. Between jobs nothing is wrapped.

Where the code was: a sampler thread (:class:`_Sampler`, one per process, started on first
use) follows the step running on the watched loop; once it has run past the threshold, the
sampler takes the stack of the loop's thread (``_blocked.sample``) and keeps the user's
frames, while the code still holds the loop. A step that ends before the sampler could look
(the sampler needs the interpreter's lock, which C code may hold) is reported without them.

Time when the loop is stopped is in no step: between jobs, while a ``call_sync`` serves sync
code (a sync fixture), and so never counts. Time at pytest's debugger prompt is taken out of
the step (``WATCHDOG.paused_since``); a step in which the sampler saw another debugger stop
(by its trace function, ``_debuggers``) is not reported.

Why not a heartbeat (a timer on the loop that a watchdog expects to see run): it measures the
gaps between its own runs, which add up every step of a turn of the loop (ten steps of 20 ms
look like one of 200 ms), and it wakes a loop that waits. The wrapper measures each step
exactly, and costs a loop that waits nothing.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from typing import Any, Final

from pytest_asyncio import _aio, _awaits, _blocked, _debuggers, _hung, _messages
from pytest_asyncio._realtime import monotonic
from pytest_asyncio._runner import Job, LoopRunner, Owner
from pytest_asyncio._watchdog import WATCHDOG

from . import BLOCKING
from ._watch import OWNER, Checker, Finding, Watch, Wide, _quietly

#: Findings a test reports in full; the steps after them are counted in one more finding.
SHOWN: Final = 5
#: The longest the sampler waits before it looks at the watched loop again (seconds).
_PERIOD: Final = 0.05

#: A step running on the watched loop: when it started, its handle, and the watchdog's
#: ``paused_seconds`` then. The tuple itself names the step.
_Step = tuple[float, asyncio.Handle, float]


def make(checker: Checker) -> Blocking:
    return Blocking(checker)


class Blocking:
    """The blocking check's part: times the steps of the loop of each job it watches."""

    def __init__(self, checker: Checker) -> None:
        self.threshold = checker.config.threshold
        #: How long the sampler sleeps when no step is due to be sampled.
        self.period = min(self.threshold / 2, _PERIOD)
        self.watch: Watch | None = None
        #: The loop whose steps are timed now, its runner and its thread.
        self.loop: asyncio.AbstractEventLoop | None = None
        self.runner: LoopRunner | None = None
        self.thread = 0
        #: The runners of the jobs around the running one (a job run from a ``call_sync``).
        self._outer: list[LoopRunner | None] = []
        #: The step running on the watched loop; None between steps.
        self.running: _Step | None = None
        #: Guards ``sample`` and ``excused``, written by the sampler, read after a long step.
        self.lock = threading.Lock()
        #: A step's stack as sampled: (step, the rendered stack, seconds into the step).
        self.sample: tuple[_Step, str, float] | None = None
        #: A step the sampler saw stopped in a debugger.
        self.excused: _Step | None = None
        #: Handle._run as it was before ours was put in its place, and ours.
        self._original: _aio.HandleRun | None = None
        self._installed: _aio.HandleRun | None = None
        #: The test's findings so far, and the one that counts the steps past SHOWN.
        self._shown = 0
        self._more: Finding | None = None
        self._more_count = 0

    # --- the part ----------------------------------------------------------------------------

    def test_started(self, watch: Watch) -> None:
        self._stop()
        self.watch = watch
        self._shown = self._more_count = 0
        self._more = None

    def job_started(self, runner: LoopRunner, job: Job, watch: Watch) -> None:
        self.watch = watch
        self._outer.append(self.runner)
        self.runner, self.loop, self.thread = runner, runner.loop, threading.get_ident()
        if self._installed is None:
            self._install()
            SAMPLER.follow(self)

    def job_finished(self, runner: LoopRunner, job: Job, watch: Watch) -> None:
        self.runner = self._outer.pop() if self._outer else None
        self.loop = None if self.runner is None else self.runner.loop
        if not self._outer:
            self._stop()

    def loop_closing(self, runner: LoopRunner, watch: Watch | None) -> None:
        pass

    def test_finished(self, watch: Watch) -> None:
        self._stop()
        self.watch = None
        self._more = None

    # --- timing the steps ----------------------------------------------------------------------

    def _install(self) -> None:
        original = _aio.handle_run()
        self._original = original
        self._installed = _timed(self, original)
        _aio.set_handle_run(self._installed)

    def _stop(self) -> None:
        """Watch no loop: put Handle._run back (unless someone wrapped ours since: ours then
        lets every step through)."""
        self._outer.clear()
        self.runner = self.loop = None
        self.running = None
        installed, self._installed = self._installed, None
        if installed is not None and _aio.handle_run() is installed and self._original:
            _aio.set_handle_run(self._original)
        with self.lock:
            self.sample = self.excused = None

    def held(self, step: _Step) -> None:
        """In the loop, just after *step* ended: it ran past the threshold."""
        seconds = monotonic() - step[0] - WATCHDOG.paused_since(step[2])
        with self.lock:
            sample = self.sample if self.sample is not None and self.sample[0] is step else None
            excused = self.excused is step
        watch = self.watch
        if seconds <= self.threshold or excused or watch is None or _debuggers.active():
            return
        handle = step[1]
        task = _aio.handle_task(handle)
        if sample is not None:
            where = _messages.CHECK_BLOCKING_STACK.format(after=sample[2], stack=sample[1])
        else:
            where = _messages.CHECK_BLOCKING_NO_STACK + self._then(task)
        text = _messages.CHECK_BLOCKING_HELD.format(
            what=self._describe(handle, task, watch),
            seconds=seconds,
            threshold=self.threshold,
            where=where,
            fix=_messages.CHECK_BLOCKING_FIX,
        )
        self._record(watch, text)

    def _record(self, watch: Watch, text: str) -> None:
        if self._shown < SHOWN:
            self._shown += 1
            watch.add(BLOCKING, text)
            return
        more = self._more
        if more is None or more.phase != watch.phase or more not in watch.findings:
            # The first step past SHOWN, or the first since its phase was reported.
            self._more_count = 0
            watch.add(BLOCKING, "")
            more = self._more = watch.findings[-1]
        self._more_count += 1
        more.text = _messages.CHECK_BLOCKING_MORE.format(
            count=self._more_count,
            steps="step" if self._more_count == 1 else "steps",
            threshold=self.threshold,
            shown=SHOWN,
        )

    def _describe(
        self, handle: asyncio.Handle, task: asyncio.Task[Any] | None, watch: Watch
    ) -> str:
        """Who ran the step: the job (test body, fixture step), a task, or a callback."""
        job = None if self.runner is None else self.runner.current_job
        if task is not None and job is not None and task is job.task and job.owner is not None:
            return _job_name(job.owner)
        context = _aio.handle_context(handle)
        owner = None if context is None else context.get(OWNER)
        of = ""
        if isinstance(owner, Wide):
            of = _messages.CHECK_BLOCKING_OF.format(owner=owner.label)
        if task is None:
            callback = _callback_name(_aio.handle_callback(handle))
            return _messages.CHECK_BLOCKING_CALLBACK.format(callback=callback, of=of)
        site = watch.sites.get(task) or _awaits.created_at(task)
        created = ""
        if site is not None:
            location = f"{_relative(site.filename)}:{site.lineno} in {site.function}"
            created = _messages.CHECK_BLOCKING_CREATED.format(location=location)
        return _messages.CHECK_BLOCKING_TASK.format(name=task.get_name(), created=created, of=of)

    def _then(self, task: asyncio.Task[Any] | None) -> str:
        """Where *task* waits after the step, when no sample shows where it ran."""
        if task is None or task.done():
            return ""
        job = None if self.runner is None else self.runner.current_job
        start = None
        if job is not None and job.task is task and job.owner is not None:
            start = job.owner.origin
        steps = _awaits.user_steps(_awaits.task_frames(task, start=start))
        if not steps:
            return ""
        chain = "\n".join(_awaits.render(steps, _relative))
        return _messages.CHECK_BLOCKING_THEN.format(chain=chain)

    # --- in the sampler's thread -------------------------------------------------------------

    def poll(self) -> float:
        """Sample the step running now if it is past the threshold; return how long to wait
        before the next look."""
        step = self.running
        if step is None:
            return self.period
        elapsed = monotonic() - step[0]
        if elapsed < self.threshold:
            return self.threshold - elapsed
        if WATCHDOG.paused:  # at pytest's debugger prompt: that time does not count
            return self.period
        elapsed -= WATCHDOG.paused_since(step[2])
        if elapsed < self.threshold:
            return self.threshold - elapsed
        with self.lock:
            if self.running is step:
                self._sample(step, elapsed)
        return self.period

    def _sample(self, step: _Step, after: float) -> None:
        """Under ``lock``: the stack of the code that runs *step*, once; look again at later
        calls for a debugger stopped in it."""
        found = _blocked.sample(self.thread)
        if found is None:
            return
        if _debuggers.in_frames(found.frames):
            self.excused = step
            return
        if self.sample is not None and self.sample[0] is step:
            return
        stack = _hung.stack(found.frames)
        if stack and self.running is step:  # still running: the frames were this step's
            self.sample = (step, stack, after)


def _timed(part: Blocking, original: _aio.HandleRun) -> _aio.HandleRun:
    """``Handle._run`` that times the steps of *part*'s loop; *original* runs each step."""
    running_loop = asyncio.events._get_running_loop
    clock = monotonic
    threshold = part.threshold
    watchdog = WATCHDOG

    def _run(handle: asyncio.Handle) -> None:
        __tracebackhide__ = True
        if running_loop() is not part.loop:
            original(handle)
            return
        step = part.running = (clock(), handle, watchdog.paused_seconds)
        try:
            original(handle)
        finally:
            part.running = None
            if clock() - step[0] > threshold:
                _quietly(part.held, step)

    return _run


class _Sampler:
    """The thread that samples the stack of a step past the threshold: one per process,
    started when the check first runs, for the part of the session's check."""

    def __init__(self) -> None:
        self._part: Blocking | None = None
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def follow(self, part: Blocking) -> None:
        """Follow *part*'s loop from now on. Between its jobs the thread finds no step
        running, and looks again ``period`` later: waking it at every job would cost each
        job a switch of threads."""
        if self._part is part:
            return
        self._part = part
        with self._start:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="pytest-asyncio-ng blocking sampler", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            # Cleared before the look: a follow() after it wakes the wait below at once.
            self._wake.clear()
            part = self._part
            if part is None:  # pragma: no cover - follow() starts the thread with a part
                self._wake.wait()
                continue
            try:
                delay = part.poll()
            except Exception:  # pragma: no cover - a bug of ours must not end the thread
                delay = _PERIOD
            self._wake.wait(delay)


SAMPLER: Final = _Sampler()


def _job_name(owner: Owner) -> str:
    if owner.phase == "call":
        return _messages.CHECK_BLOCKING_TEST.format(nodeid=owner.name)
    if owner.scope == "function" or owner.phase == "loop":
        return _messages.CHECK_BLOCKING_FIXTURE.format(phase=owner.phase, name=owner.name)
    wide = _messages.CHECK_WIDE_FIXTURE.format(scope=owner.scope, name=owner.name)
    return _messages.CHECK_BLOCKING_WIDE.format(phase=owner.phase, owner=wide)


def _callback_name(callback: Any) -> str:
    """``name() at file:line`` for a callback, as far as it can be told."""
    while isinstance(callback, functools.partial):
        callback = callback.func
    function = getattr(callback, "__func__", callback)
    name = getattr(function, "__qualname__", None) or repr(function)
    code = getattr(function, "__code__", None)
    if code is None:
        return f"{name}()"
    return f"{name}() at {_relative(code.co_filename)}:{code.co_firstlineno}"


def _relative(filename: str) -> str:
    return _awaits.relative_to_cwd()(filename)
