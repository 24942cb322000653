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
import contextvars
import sys
from collections.abc import Awaitable, Callable, Generator
from typing import Any, Final, Generic, Literal, Protocol, TypeVar

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

    __slots__ = ("name", "origin", "phase")

    def __init__(self, phase: Phase, name: str, origin: object = None) -> None:
        self.phase: Final = phase
        #: The test's nodeid, or the fixture's name.
        self.name: Final = name
        #: What the job's frames belong to, when the awaitable itself does not lead there (an
        #: async generator fixture's step awaits ``__anext__()``, which hides the generator).
        self.origin: Final = origin

    def __str__(self) -> str:
        if self.phase == "call":
            return self.name
        if self.phase == "loop":
            return f"shutdown of {self.name}"
        return f"{self.phase} of async fixture {self.name!r}"

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
        "result",
        "started",
        "task",
    )

    def __init__(
        self,
        awaitable: Awaitable[Any],
        context: contextvars.Context,
        *,
        last: bool = False,
        owner: Owner | None = None,
    ) -> None:
        self.awaitable = awaitable
        self.context = context
        #: The driver task ends after this job.
        self.last = last
        self.owner = owner
        #: When it was handed to its task, on the real clock (``_realtime.monotonic``).
        self.started = 0.0
        #: The task that runs it (the driver, or the task that awaits a ``call_sync``).
        self.task: asyncio.Task[Any] | None = None
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None


Job = _Job


class Instrument(Protocol):
    """Something that watches the jobs of a runner (trio's ``Instrument`` is the model).

    A runner holds a tuple of the instruments switched on, empty when none is: a feature
    that is off costs one empty loop per job. Methods run in the thread that runs the loop,
    outside the loop; they must not raise.
    """

    def job_started(self, runner: LoopRunner, job: _Job) -> None:
        """*job* is about to run: ``runner.current_job`` is *job*."""

    def job_finished(self, runner: LoopRunner, job: _Job) -> None:
        """*job* is done (``job.error`` or ``job.result`` holds its outcome)."""


class LoopClosedError(RuntimeError):
    """The runner's loop was closed by someone else before its scope ended."""


class LoopRunningError(RuntimeError):
    """A job was submitted while an event loop was already running in this thread."""


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

    A *borrowed* runner drives a loop somebody else made and closes (a legacy ``event_loop``
    fixture): it never closes the loop nor changes its debug mode, and leaves no task in it
    between jobs.
    """

    __slots__ = (
        "_borrowed",
        "_current",
        "_debug",
        "_describe",
        "_driver",
        "_factory",
        "_instruments",
        "_job",
        "_loop",
        "_pending_call",
        "_serving",
        "_wakeup",
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
        self._current: _Job | None = None
        self._instruments = instruments

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

    def run(
        self,
        awaitable: Awaitable[T],
        context: contextvars.Context,
        *,
        last: bool = False,
        owner: Owner | None = None,
    ) -> T:
        """Run *awaitable* in the driver task, inside *context*; return or raise its outcome.

        With *last*, the driver task ends once the job is done. Called from the sync code of
        a :meth:`call_sync`, the job runs in the task that awaits ``call_sync`` instead. The
        task that runs the job is named after its *owner*, so asyncio's own messages about
        it name the test or fixture.
        """
        __tracebackhide__ = True
        try:
            loop = self.loop
        except BaseException:
            _close_quietly(awaitable)
            raise
        if loop.is_closed():
            _close_quietly(awaitable)
            raise LoopClosedError
        if asyncio.events._get_running_loop() is not None:
            _close_quietly(awaitable)
            raise LoopRunningError
        job = _Job(awaitable, context, last=last or self._borrowed, owner=owner)
        if self._serving is not None:
            job.task = self._serving.task
            self._serving.channel.set_result(job)
        else:
            self._job = job
            driver = self._driver
            if driver is None or driver.done():
                driver = self._driver = loop.create_task(self._drive())
            elif self._wakeup is not None and not self._wakeup.done():
                self._wakeup.set_result(None)
            job.task = driver
        if owner is not None and job.task is not None:
            job.task.set_name(str(owner))
        outer = self._start(job)
        try:
            self._run_until_done(job)
        finally:
            self._finish(job, outer)
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

    def _start(self, job: _Job) -> _Job | None:
        """Make *job* the current job, tell the instruments; return the job it nests in."""
        outer, self._current = self._current, job
        job.started = monotonic()
        for instrument in self._instruments:
            instrument.job_started(self, job)
        return outer

    def _finish(self, job: _Job, outer: _Job | None) -> None:
        for instrument in self._instruments:
            instrument.job_finished(self, job)
        # A job run from a call_sync ends before the job that awaits the call.
        self._current = outer

    async def call_sync(self, function: Callable[[], T]) -> T:
        """From a job on this loop: run sync *function* with the loop stopped, and return its
        result. Jobs that *function* runs on this runner (an async fixture's setup, say) are
        awaited right here, in the calling task, so they still share it."""
        __tracebackhide__ = True
        loop = asyncio.get_running_loop()
        call = _SyncCall(function, loop.create_future())
        self._pending_call = call
        loop.stop()
        while True:
            message = await call.channel
            call.channel = loop.create_future()
            if message is _DONE:
                break
            await _perform(message)
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
        """Cancel leftover tasks, shut down async generators and the default executor, and
        close the loop. Return False if the loop had been closed by someone else."""
        loop = self._loop
        if loop is None or self._borrowed:
            return True
        if loop.is_closed():
            self._abandon_driver()
            return False
        if self._nothing_to_clean(loop):
            # Most function-scoped loops: skip a turn of the loop that would do nothing.
            self._abandon_driver()
            loop.close()
            return True
        try:
            self.run(_shutdown(loop), contextvars.Context(), last=True)
        finally:
            self._driver = self._wakeup = self._job = None
            loop.close()
        return True

    def _nothing_to_clean(self, loop: asyncio.AbstractEventLoop) -> bool:
        """No task but the driver, no async generator, no executor, no pending callback.

        Reads attributes of asyncio's own loops; any other loop gets the full shutdown."""
        asyncgens = getattr(loop, "_asyncgens", None)
        ready = getattr(loop, "_ready", None)
        if asyncgens is None or ready is None or asyncgens or ready:
            return False
        if getattr(loop, "_default_executor", True) is not None:
            return False
        driver = self._driver
        return all(task is driver for task in asyncio.all_tasks(loop))

    def _abandon_driver(self) -> None:
        """Drop the driver of a loop closed behind our back; it can never run again."""
        driver, wakeup = self._driver, self._wakeup
        self._driver = self._wakeup = self._job = None
        if driver is not None and not driver.done():
            driver._log_destroy_pending = False  # type: ignore[attr-defined]
            driver.get_coro().close()
            if wakeup is not None and not wakeup.done() and not wakeup.get_loop().is_closed():
                # The future holds the task's wakeup callback and the task holds the future:
                # cancelling moves the callback to the loop's ready queue, which closing the
                # loop empties, so both are freed now instead of by a garbage collection.
                wakeup.cancel()

    def _run_until_done(self, job: _Job) -> None:
        __tracebackhide__ = True
        loop = self._loop
        assert loop is not None
        try:
            while not job.done:
                loop.run_forever()
                call, self._pending_call = self._pending_call, None
                if call is not None:
                    self._serve(call)
        except BaseException:
            # Ctrl-C (or any error raised out of the loop itself) interrupted the job: cancel it
            # so its cleanup code runs, then let the interruption go on.
            self._cancel(job)
            raise

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
        driver, loop = self._driver, self._loop
        if driver is None or loop is None or job.done or loop.is_closed():
            return
        driver.cancel()
        try:
            while not job.done:
                loop.run_forever()
        except BaseException:  # a second interruption: give up on the job
            pass

    async def _drive(self) -> None:
        __tracebackhide__ = True
        loop = asyncio.get_running_loop()
        while True:
            job = self._job
            if job is None:
                self._wakeup = loop.create_future()
                try:
                    await self._wakeup
                except asyncio.CancelledError:
                    # A cancellation aimed at this task between jobs, e.g. by a task group
                    # a fixture holds open whose child failed; the next job may still run.
                    _uncancel_all()
                continue
            self._job = None
            await _perform(job)
            if job.last:
                return


async def _perform(job: _Job) -> None:
    """Run *job* in the current task, record its outcome, and stop the loop for its caller."""
    __tracebackhide__ = True
    try:
        job.result = await _InContext(job.awaitable, job.context)
    except asyncio.CancelledError as exc:
        job.error = exc
        _uncancel_all()
    except BaseException as exc:
        job.error = exc
    job.done = True
    asyncio.get_running_loop().stop()


def _uncancel_all() -> None:
    """Forget pending cancellation requests once a job has absorbed the cancellation."""
    if sys.version_info >= (3, 11):
        task = asyncio.current_task()
        if task is not None:
            while task.cancelling():
                task.uncancel()


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


def _close_quietly(awaitable: Awaitable[Any]) -> None:
    """Close a coroutine that will never run, so it does not warn 'never awaited'."""
    close = getattr(awaitable, "close", None)
    if close is not None:
        close()
