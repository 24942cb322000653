"""LoopRunner: one event loop and the one long-lived task that runs every job on it.

A *job* is an awaitable (an async fixture's setup or teardown step, or a test body) together
with the :class:`contextvars.Context` it runs in. :meth:`LoopRunner.run` hands the job to the
driver task and runs the loop until the job is done. Because every job on a loop runs inside
that single task, an async fixture may enter ``asyncio.TaskGroup()``, ``asyncio.timeout()`` or
any cancel scope before its ``yield`` and leave it after: setup, test and teardown all see the
same ``asyncio.current_task()``.

Each job still runs in a context of its own: the driver steps the job's coroutine inside the
job's context (see :class:`_InContext`), so what a test sets in a context variable is dropped
with the test, and what a fixture sets is seen by whatever runs in a copy of its context.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import sys
from collections.abc import Awaitable, Callable, Generator, Iterable
from typing import Any, Final, Generic, Literal, Protocol, TypeVar

from . import _aio
from ._realtime import monotonic

T = TypeVar("T")

LoopFactory = Callable[[], asyncio.AbstractEventLoop]


class _InContext(Generic[T]):
    """Awaitable that steps *awaitable* inside *context*, within the awaiting task.

    ``Context.run`` around each ``send``/``throw`` is what a task does with its own context;
    doing it here lets one task run many jobs, each in its own context.
    """

    __slots__ = ("_awaitable", "_context", "_it")

    def __init__(self, awaitable: Awaitable[T], context: contextvars.Context) -> None:
        self._it = awaitable.__await__()
        self._awaitable = awaitable
        self._context = context

    @property
    def cr_await(self) -> Awaitable[T]:
        """What this wrapper steps, under the name a walk of an await chain follows.

        A coroutine's ``__await__()`` hides the coroutine; this keeps the chain from the
        driver task to the user's frames unbroken (see ``_awaits.walk``)."""
        return self._awaitable

    def __await__(self) -> Generator[Any, Any, T]:
        return self

    def __iter__(self) -> _InContext[T]:
        return self

    def __next__(self) -> Any:
        __tracebackhide__ = True
        return self._context.run(self._it.send, None)

    def send(self, value: Any) -> Any:
        __tracebackhide__ = True
        return self._context.run(self._it.send, value)

    def throw(self, *exc_info: Any) -> Any:
        __tracebackhide__ = True
        return self._context.run(self._it.throw, *exc_info)

    def close(self) -> None:
        self._context.run(self._it.close)


Phase = Literal["call", "setup", "teardown", "loop"]


class Owner:
    """Whose job it is: a test body (phase "call"), an async fixture's setup or teardown
    step, or the runner's own shutdown of its loop (phase "loop")."""

    __slots__ = ("label", "name", "origin", "phase", "scope")

    def __init__(
        self, phase: Phase, name: str, origin: object = None, scope: str = "function"
    ) -> None:
        self.phase: Final = phase
        #: The cache scope of the fixture; "function" for a test.
        self.scope: Final = scope
        #: The test's nodeid, or the fixture's name.
        self.name: Final = name
        #: What the job's frames belong to, when the awaitable itself does not lead there (an
        #: async generator fixture's step awaits ``__anext__()``, which hides the generator).
        self.origin: Final = origin
        #: How asyncio's messages name it (the name of the task that runs its job); made here,
        #: where it costs no call of its own on every job.
        self.label: Final = (
            name
            if phase == "call"
            else f"shutdown of {name}"
            if phase == "loop"
            else f"{phase} of async fixture {name!r}"
        )

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"Owner({self.phase!r}, {self.name!r})"


class _Job:
    __slots__ = (
        "awaitable",
        "context",
        "done",
        "error",
        "last",
        "owner",
        "provisional",
        "result",
        "started",
        "stopped",
        "task",
    )

    def __init__(
        self,
        awaitable: Awaitable[Any] | None,
        context: contextvars.Context,
        last: bool = False,
        owner: Owner | None = None,
    ) -> None:
        #: None for the request that only ends the driver task.
        self.awaitable = awaitable
        self.context = context
        #: The driver task ends after this job.
        self.last = last
        #: ``last`` only because the job was expected to be the loop's only one: it runs other
        #: jobs on the runner (see ``call_sync``) after all, the driver stays.
        self.provisional = False
        self.owner = owner
        #: When it was handed to its task, on the real clock (``_realtime.monotonic``).
        self.started = 0.0
        #: The task that runs it (the driver, or the task that awaits a ``call_sync``).
        self.task: asyncio.Task[Any] | None = None
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        #: Someone else stopped the loop while the job ran.
        self.stopped = False


Job = _Job


class Instrument(Protocol):
    """Something that watches the jobs of a runner (trio's ``Instrument`` is the model).

    A runner holds a tuple of the instruments switched on, empty when none is: a feature
    that is off costs one test of that tuple per job. Methods run in the thread that runs the loop,
    outside the loop; they must not raise.
    """

    def job_started(self, runner: LoopRunner, job: _Job) -> None:
        """*job* is about to run: ``runner.current_job`` is *job*."""

    def job_finished(self, runner: LoopRunner, job: _Job) -> None:
        """*job* is done (``job.error`` or ``job.result`` holds its outcome)."""

    def loop_closing(self, runner: LoopRunner) -> None:
        """The runner is about to close its loop: every task left on it is still pending, and
        the loop is not running."""


class Interrupt(KeyboardInterrupt):
    """Raised out of the loop by a callback to interrupt the running job as Ctrl-C does, at a
    point where its coroutines wait (see ``_interrupt``): the runner cancels the job, runs the
    loop until it has unwound, then raises :attr:`error` from :meth:`LoopRunner.run`, with
    the traceback *error* carries and without the loop's own frames."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class LoopClosedError(RuntimeError):
    """The runner's loop was closed by someone else before its scope ended."""


class LoopRunningError(RuntimeError):
    """A job was submitted while an event loop was already running in this thread."""


class LoopBrokenError(RuntimeError):
    """A job on this runner was given up on (see :meth:`LoopRunner.abandon`): nothing more
    runs on its loop. The argument names what broke it."""

    def __init__(self, culprit: str) -> None:
        super().__init__(culprit)
        self.culprit = culprit


class LoopStoppedError(RuntimeError):
    """Code other than the runner called ``loop.stop()`` while a job ran; the job was cancelled
    if it had not finished."""


class _SyncCall:
    """Sync code a job asked to run outside the loop (see :meth:`LoopRunner.call_sync`)."""

    __slots__ = ("channel", "error", "function", "result", "task")

    def __init__(self, function: Callable[[], Any], channel: asyncio.Future[Any]) -> None:
        self.function = function
        #: The task that awaits the call: the jobs the sync code submits run in it.
        self.task = asyncio.current_task()
        #: Where the sync side sends the jobs to run inline, then _DONE.
        self.channel = channel
        self.result: Any = None
        self.error: BaseException | None = None


_DONE: Final = object()


class LoopRunner:
    """Owns one event loop, created on first use, and its driver task.

    The driver task ends, and the callbacks added to it run, before the loop closes: libraries
    that treat the outermost task as their root (anyio stops its worker threads from a
    done-callback of that task) see it end as they would under ``asyncio.run()``.

    A *borrowed* runner drives a loop somebody else made and closes (a legacy ``event_loop``
    fixture): it never closes the loop nor changes its debug mode, and leaves no task in it
    between jobs: its driver task ends after each job.
    """

    __slots__ = (
        "_borrowed",
        "_broken",
        "_current",
        "_debug",
        "_describe",
        "_driver",
        "_factory",
        "_foreign_stop",
        "_instruments",
        "_job",
        "_kept",
        "_loop",
        "_pending_call",
        "_serving",
        "_stopped",
        "_wakeup",
        "held",
    )

    def __init__(
        self,
        factory: LoopFactory,
        *,
        debug: bool,
        label: str | Callable[[], str] = "event loop",
        borrowed: bool = False,
        instruments: tuple[Instrument, ...] = (),
    ) -> None:
        # A callable label is only called when a message needs it.
        self._describe = label
        self._factory = factory
        self._debug = debug
        self._borrowed = borrowed
        self._loop: asyncio.AbstractEventLoop | None = None
        self._driver: asyncio.Task[None] | None = None
        self._job: _Job | None = None
        self._wakeup: asyncio.Future[None] | None = None
        self._pending_call: _SyncCall | None = None
        self._serving: _SyncCall | None = None
        #: The runner stopped the loop (see _stop): the loop's last run_forever() ended for us.
        self._stopped = False
        #: Someone else had stopped the loop too, in the same step as the runner.
        self._foreign_stop = False
        self._current: _Job | None = None
        self._instruments = instruments
        #: What broke the loop: a job that would not end was given up on (see abandon()).
        self._broken: str | None = None
        #: How many async generator fixtures are between their setup and teardown steps on
        #: this loop: kept by their caller, which can tell when a teardown is the last job.
        self.held = 0
        #: The tasks pending on the loop when a job failed, kept alive until it closes.
        self._kept: set[asyncio.Task[Any]] | None = None

    def keep_pending(self) -> None:
        """After a job failed: keep the tasks pending on the loop alive until the loop closes
        and cancels them. The loop refers to a task nobody awaits weakly, so the garbage
        collector could destroy one still pending (asyncio then logs "Task was destroyed but it
        is pending!") while pytest reports the failure."""
        loop = self._loop
        if loop is not None and not self._borrowed and not loop.is_closed():
            self._kept = asyncio.all_tasks(loop)

    def add_instrument(self, instrument: Instrument) -> None:
        """Watch this runner's jobs with *instrument* from now on."""
        if instrument not in self._instruments:
            self._instruments = (*self._instruments, instrument)

    def refuse(self, job: _Job, error: BaseException) -> None:
        """From an instrument's ``job_started``: *job* fails with *error* instead of
        running; its awaitable is closed without having started."""
        if job.awaitable is not None:
            _close_quietly(job.awaitable)
            job.awaitable = _raise(error)

    @property
    def current_job(self) -> _Job | None:
        """The job running now (the innermost one while a ``call_sync`` serves jobs)."""
        return self._current

    @property
    def label(self) -> str:
        """How messages name this loop, e.g. "module-scoped event loop of tests/test_x.py"."""
        describe = self._describe
        return describe if isinstance(describe, str) else describe()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop, created now if it does not exist yet."""
        loop = self._loop
        if loop is None:
            loop = self._loop = self._factory()
            if not self._borrowed and loop.get_debug() != self._debug:
                loop.set_debug(self._debug)
        return loop

    def drives(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Whether *loop* is this runner's loop."""
        return self._loop is loop

    @property
    def started(self) -> bool:
        return self._loop is not None

    @property
    def has_run(self) -> bool:
        """Whether a job has run on this loop."""
        return self._driver is not None

    def run(
        self,
        awaitable: Awaitable[T],
        context: contextvars.Context,
        *,
        last: bool = False,
        owner: Owner | None = None,
        sole: bool = False,
    ) -> T:
        """Run *awaitable* in the driver task, inside *context*; return or raise its outcome.

        With *last*, the driver task ends once the job is done, and its done-callbacks run
        before this returns. *sole* says the caller expects no job after this one (a test on a
        loop of its own, the last fixture teardown there): the driver task ends with it as
        with *last*, which spares :meth:`close` a run of the loop; if it runs other jobs on
        this runner after all (an async fixture it looks up, whose teardown comes later), the
        driver task stays. Called from the sync code of a :meth:`call_sync`, the job runs in
        the task that awaits ``call_sync`` instead. The task that runs the job is named after
        its *owner*, so asyncio's own messages about it name the test or fixture. Raise
        :class:`LoopStoppedError` if someone else stopped the loop while the job ran.
        """
        __tracebackhide__ = True
        loop = self._loop
        if loop is None:  # not made yet: the property makes it
            try:
                loop = self.loop
            except BaseException:
                _close_quietly(awaitable)
                raise
        if loop.is_closed():
            _close_quietly(awaitable)
            raise LoopClosedError
        if self._broken is not None:
            _close_quietly(awaitable)
            raise LoopBrokenError(self._broken)
        if asyncio.events._get_running_loop() is not None:
            _close_quietly(awaitable)
            raise LoopRunningError
        job = _Job(awaitable, context, last or self._borrowed, owner)
        if sole and not job.last:
            job.last = job.provisional = True
        if self._serving is not None:
            outer = self._current
            if outer is not None and outer.provisional:
                outer.last = False
            job.task = self._serving.task
            self._serving.channel.set_result(job)
        else:
            job.task = self._submit(job, loop)
        if owner is not None and job.task is not None:
            job.task.set_name(owner.label)
        # Inline, not in methods of their own: every test pays for this part of the seam.
        outer, self._current = self._current, job
        job.started = monotonic()
        instruments = self._instruments
        if instruments:
            for instrument in instruments:
                instrument.job_started(self, job)
        try:
            self._run_until_done(job)
        finally:
            if instruments:
                for instrument in instruments:
                    instrument.job_finished(self, job)
            # A job run from a call_sync ends before the job that awaits the call.
            self._current = outer
        if not job.done and self._broken is not None:
            raise LoopBrokenError(self._broken)
        if job.stopped:
            job.result = job.error = None
            raise LoopStoppedError
        error = job.error
        if error is not None:
            job.error = None
            try:
                raise error
            finally:
                # Else this frame, held by the error's traceback, would hold the error: a
                # reference cycle left for the garbage collector after every fixture teardown.
                del error
        result: T = job.result
        return result

    def abandon(self, job: _Job, culprit: str) -> None:
        """From the loop: give up on *job*, which refuses to end (it swallows every
        cancellation and ignores ``GeneratorExit``). The loop stops, :meth:`run` returns
        control to its caller (raising :class:`LoopBrokenError`), and every later job on this
        runner fails at once naming *culprit*. The loop is never run again: its tasks are
        kept as they are until the process ends (closing them would run the code that
        refuses again, and the garbage collector would report the coroutine that ignores
        ``GeneratorExit``)."""
        loop = self.loop
        self._broken = culprit
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            _aio.forget_pending(task)
        keep_forever(tasks)
        self._stop(loop)

    @property
    def broken(self) -> str | None:
        """What broke this runner (see :meth:`abandon`), or None."""
        return self._broken

    async def call_sync(self, function: Callable[[], T]) -> T:
        """From a job on this loop: run sync *function* with the loop stopped, and return its
        result. Jobs that *function* runs on this runner (an async fixture's setup, say) are
        awaited right here, in the calling task, so they still share it."""
        __tracebackhide__ = True
        task = asyncio.current_task()
        assert task is not None
        loop = task.get_loop()
        call = _SyncCall(function, loop.create_future())
        self._pending_call = call
        self._stop(loop)
        while True:
            message = await call.channel
            call.channel = loop.create_future()
            if message is _DONE:
                break
            await self._perform(message, message.awaitable, task, stop=True)
        error = call.error
        if error is not None:
            call.error = None
            try:
                raise error
            finally:
                del error  # see run()
        result: T = call.result
        return result

    def close(self) -> bool:
        """End the driver task, then cancel leftover tasks, shut down async generators and the
        default executor, and close the loop. Return False if the loop had been closed by
        someone else.

        As ``asyncio.run()`` does with its main task, the driver task ends first and the
        callbacks added to it run; what they leave behind is cleaned up after them.
        """
        loop = self._loop
        if loop is None or self._borrowed:
            return True
        _alive, self._kept = self._kept, None  # alive until the end of this call
        if loop.is_closed():
            self._abandon_driver()
            return False
        for instrument in self._instruments:
            instrument.loop_closing(self)
        if self._broken is not None:
            # Running the loop would run the job that refuses to end: close it as it is.
            self._driver = self._wakeup = self._job = None
            loop.close()
            return True
        try:
            self._end_driver(loop)
            # Most function-scoped loops have nothing left: skip the turns of the loop that
            # would do nothing.
            if not _aio.nothing_to_clean(loop):
                # In a task of its own and an empty context, as asyncio.Runner cleans up.
                shutdown = contextvars.Context().run(loop.create_task, _shutdown(loop))
                loop.run_until_complete(shutdown)
        finally:
            self._driver = self._wakeup = self._job = None
            loop.close()
        return True

    def _end_driver(self, loop: asyncio.AbstractEventLoop) -> None:
        """Let the driver task return, and run the loop until its done-callbacks have run:
        two turns of the loop."""
        __tracebackhide__ = True
        driver = self._driver
        if driver is not None and not driver.done():
            end = _Job(None, contextvars.Context(), last=True)
            self._submit(end, loop)
            self._run_until_done(end)

    def _submit(self, job: _Job, loop: asyncio.AbstractEventLoop) -> asyncio.Task[None]:
        """Hand *job* to the driver task, starting one if there is none; return the driver."""
        self._job = job
        driver = self._driver
        if driver is None or driver.done():
            driver = self._driver = loop.create_task(self._drive())
            driver.add_done_callback(self._driver_done)
        elif self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)
        return driver

    def _abandon_driver(self) -> None:
        """Drop the driver of a loop closed behind our back; it can never run again."""
        driver, wakeup = self._driver, self._wakeup
        self._driver = self._wakeup = self._job = None
        if driver is not None and not driver.done():
            _aio.forget_pending(driver)
            driver.get_coro().close()
            if wakeup is not None and not wakeup.done() and not wakeup.get_loop().is_closed():
                # The future holds the task's wakeup callback and the task holds the future:
                # cancelling moves the callback to the loop's ready queue, which closing the
                # loop empties, so both are freed now instead of by a garbage collection.
                wakeup.cancel()

    def _stop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Stop the loop, to hand control back to the sync side: the only stops that
        :meth:`_run_until_done` takes for the runner's own."""
        if _aio.is_stopping(loop):
            self._foreign_stop = True
        self._stopped = True
        loop.stop()

    def _driver_done(self, driver: asyncio.Task[None]) -> None:
        # Scheduled with the callbacks others added to the driver task: they all run in the
        # same turn of the loop, before it stops.
        self._stop(driver.get_loop())

    def _run_until_done(self, job: _Job) -> None:
        __tracebackhide__ = True
        loop = self._loop
        assert loop is not None
        try:
            while True:
                if self._broken is not None and not job.done:
                    return  # given up on: see abandon()
                self._stopped = False
                loop.run_forever()
                if self._foreign_stop or not self._stopped:
                    self._foreign_stop = False
                    self._stopped_by_someone_else(job)
                    if not self._stopped:
                        continue
                call, self._pending_call = self._pending_call, None
                if call is not None:
                    self._serve(call)
                elif job.done:
                    return
                elif self._broken is None:
                    raise RuntimeError(f"the driver task of the {self.label} ended early")
        except BaseException as error:
            # Ctrl-C (or any error raised out of the loop itself) interrupted the job: cancel it
            # so its cleanup code runs, then let the interruption go on.
            self._cancel(job)
            if isinstance(error, Interrupt):
                raise error.error from None
            raise

    def _stopped_by_someone_else(self, job: _Job) -> None:
        """``loop.stop()`` was called by code other than the runner's: the job fails (see
        :meth:`run`). Like ``asyncio.run()``, cancel it if it is not done, so its cleanup runs;
        the loop then runs on until it is."""
        if job.stopped:
            return
        job.stopped = True
        driver = self._driver
        if not job.done and driver is not None:
            driver.cancel()

    def _serve(self, call: _SyncCall) -> None:
        __tracebackhide__ = True
        outer, self._serving = self._serving, call
        try:
            call.result = call.function()
        except BaseException as error:
            call.error = error
        finally:
            self._serving = outer
        call.channel.set_result(_DONE)

    def _cancel(self, job: _Job) -> None:
        """Cancel *job*, and run the loop until it has unwound. A second interruption ends
        the wait: the job is then ended by force, so that the loop can still run later jobs
        (the fixture teardowns pytest runs at the end of an interrupted session)."""
        driver, loop = self._driver, self._loop
        if driver is None or loop is None or job.done or driver.done() or loop.is_closed():
            return
        driver.cancel()
        try:
            while not job.done:
                loop.run_forever()
        except BaseException:  # a second interruption: give up waiting
            self._end_by_force(job, driver, loop)

    def _end_by_force(
        self, job: _Job, driver: asyncio.Task[None], loop: asyncio.AbstractEventLoop
    ) -> None:
        """Close the coroutine of a job that has not finished unwinding (it caught the
        CancelledError and went on, or its cleanup is slow): ``GeneratorExit`` is raised where
        it waits, and no code of it runs any more. Then wake the driver, which records the
        job's end in one turn of the loop. A job that ignores ``GeneratorExit`` too keeps the
        loop until yet another interruption: nothing more can be done."""
        close = getattr(job.awaitable, "close", None)
        if job.done or driver.done() or close is None:
            return
        with contextlib.suppress(BaseException):  # an error of its cleanup ends it too
            job.context.run(close)
        driver.cancel()
        try:
            while not job.done:
                loop.run_forever()
        except BaseException:  # yet another interruption: leave the job
            pass

    async def _drive(self) -> None:
        __tracebackhide__ = True
        task = asyncio.current_task()
        assert task is not None
        loop = task.get_loop()
        while True:
            job = self._job
            if job is None:
                self._wakeup = loop.create_future()
                try:
                    await self._wakeup
                except asyncio.CancelledError:
                    # A cancellation aimed at this task between jobs, e.g. by a task group
                    # a fixture holds open whose child failed; the next job may still run.
                    _uncancel_all(task)
                continue
            self._job = None
            awaitable = job.awaitable
            if awaitable is not None:
                await self._perform(job, awaitable, task, stop=False)
            # Read after the job: a provisional last job may have been told to stay.
            if job.last:
                # The task's end schedules its done-callbacks, _driver_done last but one of
                # them: it stops the loop once they have all run.
                job.done = True
                return
            self._stop(loop)

    async def _perform(
        self, job: _Job, awaitable: Awaitable[Any], task: asyncio.Task[Any], *, stop: bool
    ) -> None:
        """Run *job* in *task*, the current task, and record its outcome. With *stop*, stop
        the loop for the job's caller (else the end of the driver task does)."""
        __tracebackhide__ = True
        try:
            job.result = await _InContext(awaitable, job.context)
        except BaseException as exc:
            job.error = exc
        # Not after an error: as in a task, the error wins. Nor after StopAsyncIteration, the
        # end of an async generator fixture's teardown: a CancelledError there, a
        # BaseException, would make pytest skip the teardown of the fixtures still set up.
        if job.error is None and _aio.cancel_pending(task):
            await _take_pending_cancellation(job)
        _uncancel_all(task)
        job.done = True
        if stop:
            self._stop(task.get_loop())


#: See keep_forever().
_ABANDONED: Final[list[object]] = []


def keep_forever(objects: Iterable[object]) -> None:
    """Never free *objects*: the tasks of a loop given up on (see LoopRunner.abandon), and
    coroutines that ignored GeneratorExit.

    Freeing a suspended coroutine closes it, which runs its code again: one that catches
    every exception around an ``await`` would report "coroutine ignored GeneratorExit"
    against whatever test runs then, or, with no loop running (at the exit of the process),
    loop forever on the RuntimeError of its ``asyncio.sleep()``. A module's list is not
    enough: the interpreter clears modules at exit. One reference that nothing ever drops
    keeps the list, and so its items, alive past that.
    """
    objects = list(objects)
    if not objects:
        return
    if not _ABANDONED:
        import ctypes

        ctypes.pythonapi.Py_IncRef(ctypes.py_object(_ABANDONED))
    _ABANDONED.extend(objects)


#: Set on the CancelledError of a job that ended with a cancellation of its task pending.
_PENDING_MARK: Final = "_pytest_asyncio_cancelled_on_return"


async def _take_pending_cancellation(job: _Job) -> None:
    """The job returned (or its async generator yielded) with a ``cancel()`` of its task still
    pending: as a task whose coroutine returns then ends cancelled, the job fails with the
    ``CancelledError`` asyncio delivers at this await."""
    __tracebackhide__ = True
    try:
        await asyncio.sleep(0)
    except asyncio.CancelledError as exc:
        setattr(exc, _PENDING_MARK, True)
        job.result = None
        # Raised here, in asyncio's sleep(), not where the user's code was: show no frame.
        job.error = exc.with_traceback(None)


def cancelled_on_return(error: BaseException) -> bool:
    """Whether *error* is the ``CancelledError`` of a job that ended with a cancellation of
    its task pending (see :func:`_take_pending_cancellation`)."""
    return bool(getattr(error, _PENDING_MARK, False))


if sys.version_info >= (3, 11):

    def _uncancel_all(task: asyncio.Task[Any]) -> None:
        """Forget cancellation requests once a job has ended, so they cannot reach the next
        one (``Task.cancelling()`` counts them for ``asyncio.timeout()`` and task groups)."""
        while task.cancelling():
            task.uncancel()

else:

    def _uncancel_all(task: asyncio.Task[Any]) -> None:
        """3.10 counts no cancellation requests."""


async def _shutdown(loop: asyncio.AbstractEventLoop) -> None:
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks(loop) if task is not current]
    if tasks:
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for task, result in zip(tasks, results, strict=True):
            if isinstance(result, Exception):
                loop.call_exception_handler(
                    {
                        "message": "unhandled exception in a task cancelled at loop close",
                        "exception": result,
                        "task": task,
                    }
                )
    await loop.shutdown_asyncgens()
    await loop.shutdown_default_executor()


async def _raise(error: BaseException) -> None:
    # Not hidden: see _failures.fail().
    raise error


def _close_quietly(awaitable: Awaitable[Any]) -> None:
    """Close a coroutine that will never run, so it does not warn 'never awaited'."""
    close = getattr(awaitable, "close", None)
    if close is not None:
        close()
