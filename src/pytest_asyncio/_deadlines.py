"""The deadline of a job run under a limit (``_timeouts``), and the failure it ends in.

The watchdog thread (``_watchdog``) keeps the deadline on the real clock; when it passes, the
job's task is cancelled from inside its loop, after the await chain of the job and of every
other pending task on the loop has been recorded for the report.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import threading
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeVar

from . import _blocked, _compat, _debuggers, _messages
from ._realtime import monotonic
from ._timeouts import Limit
from ._watchdog import WATCHDOG

if TYPE_CHECKING:
    import asyncio

    from ._runner import LoopRunner, Owner

T = TypeVar("T")

#: How long a cancelled job may take to stop before it is said to refuse, and ended by force.
GRACE: Final = 1.0


class TimedOut(_compat.Failed):
    """A job ran past its limit. The message shows where it was waiting; the section lists
    the other tasks pending on its loop."""

    # Like pytest's own outcomes: the summary then reads "TimedOut: test ... ran longer".
    __module__ = "builtins"

    def __init__(self, message: str, section: tuple[str, str] | None) -> None:
        super().__init__(message, pytrace=False)
        #: Added to the failure report by _diagnosis.annotate().
        self.asyncio_section = section

    def __str__(self) -> str:
        # pytest shows a failure raised with pytrace=False as its str() alone: keep the notes
        # added on its way up (hypothesis names the example that ran past the limit).
        message = super().__str__()
        notes = getattr(self, "__notes__", None)
        if not notes:
            return message
        return "\n".join([message, *map(str, notes)])


def run(
    runner: LoopRunner,
    awaitable: Awaitable[T],
    context: contextvars.Context,
    owner: Owner,
    limit: Limit,
    *,
    sole: bool = False,
) -> T:
    """Run a job on *runner* under *limit*; raise TimedOut if it ran past it."""
    __tracebackhide__ = True
    deadline = Deadline(runner, owner, limit)
    # Only the main thread may set a signal handler: the watchdog interrupts blocked code
    # through it (see _blocked).
    installed = _blocked.install()
    WATCHDOG.arm(deadline)
    try:
        result = runner.run(awaitable, context, owner=owner, sole=sole)
    except BaseException:
        if not deadline.failed:
            raise
    else:
        if not deadline.failed:
            return result
    finally:
        deadline.finish()
        if installed:
            _blocked.restore()
    deadline.settle()
    return _fail(deadline.outcome())


def _fail(failure: TimedOut) -> NoReturn:
    # Not hidden: pytest notes "All traceback entries are hidden" under a failure whose
    # every frame is, and shows only the message of a failure raised with pytrace=False.
    raise failure from None


#: The stages of a deadline (``Deadline.stage``).
_RUNNING: Final = "running"  # the job runs within its limit
_EXPIRED: Final = "expired"  # the limit passed; the loop was asked to cancel the job
_CANCELLED: Final = "cancelled"  # the loop cancelled the job; its grace period runs
_FORCED: Final = "forced"  # it refused: closed by force, or could not be; a last grace runs
_ABANDONED: Final = "abandoned"  # it would not end: the runner gave up on it

#: Guards the stage of every deadline: the watchdog's thread moves it on expiry, the loop's
#: thread when it acts. Never taken by the signal handler (it runs in the loop's thread,
#: possibly while that thread holds the lock).
_LOCK: Final = threading.Lock()


def _retrieve_blocked(task: asyncio.Task[Any]) -> None:
    """Mark the exception of *task* retrieved (``exception()`` does), once it ends."""
    if not task.cancelled():
        task.exception()


class Deadline:
    """The deadline of one job; expires in the watchdog's thread, acts in the loop's.

    At the limit the loop is asked to cancel the job (``_cancel``). If it has not done so
    ``_blocked.CHECK`` s later, sync code blocks it: the watchdog records that code's stack
    and interrupts it, and checks again at the same interval. A cancelled job has ``GRACE`` s
    to end; then its coroutine is closed (``_force``); if it still runs ``GRACE`` s after
    that, the runner gives up on it and its loop (``_abandon``).
    """

    __slots__ = (
        "abandoned",
        "at",
        "blocked",
        "expired_at",
        "failure",
        "finished",
        "interrupted_at",
        "limit",
        "owner",
        "reason",
        "resumed_at",
        "runner",
        "stage",
        "task",
        "thread",
    )

    def __init__(self, runner: LoopRunner, owner: Owner, limit: Limit) -> None:
        self.runner = runner
        self.owner = owner
        self.limit = limit
        self.at = monotonic() + limit.seconds
        self.stage = _RUNNING
        #: The thread that runs the loop.
        self.thread = threading.get_ident()
        #: When the limit passed, on the real clock.
        self.expired_at = 0.0
        #: When the loop ran again after the limit passed (None: not yet).
        self.resumed_at: float | None = None
        self.failure: TimedOut | None = None
        #: The failure if the job has to be abandoned, built when it refused to close.
        self.abandoned: TimedOut | None = None
        #: The stack of the sync code that blocked the loop at the limit, rendered.
        self.blocked: str | None = None
        #: Why that code could not be interrupted (None: it could).
        self.reason: str | None = None
        #: When that code was interrupted.
        self.interrupted_at: float | None = None
        self.task: asyncio.Task[Any] | None = None
        #: The job is over; set in the loop's thread.
        self.finished = False

    @property
    def failed(self) -> bool:
        return self.failure is not None or self.blocked is not None

    def expire(self) -> None:
        with _LOCK:
            if self.finished:
                return
            now = monotonic()
            if self.stage is _RUNNING:
                self.stage = _EXPIRED
                self.expired_at = now
                act = self._cancel
            elif self.stage is _EXPIRED:
                self._check_blocked()
                act = None
            elif self.stage is _CANCELLED:
                act = self._force
            elif self.stage is _FORCED:
                act = self._abandon
            else:
                return
            if self.stage is _EXPIRED:
                self.at = now + _blocked.CHECK
                WATCHDOG.arm(self)
        if act is not None:
            # RuntimeError: the loop was closed meanwhile, and nothing runs on it any more.
            with contextlib.suppress(RuntimeError):
                self.runner.loop.call_soon_threadsafe(act)

    def _check_blocked(self) -> None:
        """In the watchdog's thread: the loop has not run since the limit passed."""
        found = _blocked.sample(self.thread)
        if found is None:
            return  # busy in asyncio's own code, or between jobs: not the user's
        if WATCHDOG.paused or _debuggers.in_frames(found.frames):
            self._rearm()  # stopped at a debugger's prompt, which blocks the loop
            return
        from . import _hung

        reason = _blocked.not_interruptible(self.thread)
        if self.blocked is None:
            self.blocked = _hung.stack(found.frames)
            self.reason = reason
        if reason is None:
            message = _messages.BLOCKED_INTERRUPTION.format(
                what=_hung.describe(self.owner), seconds=self.limit.seconds
            )
            _blocked.interrupt(self.thread, found, message, self._interrupted, token=self)

    def _rearm(self) -> None:
        """Give the job its whole limit again (under _LOCK)."""
        self.stage = _RUNNING
        self.at = monotonic() + self.limit.seconds
        WATCHDOG.arm(self)

    def _interrupted(self) -> None:
        # In the loop's thread, from the signal handler: no lock (see _LOCK).
        if self.interrupted_at is None:
            self.interrupted_at = monotonic()
        import asyncio

        # Blocked in a task of the test's own (the job's task records no exception): the
        # report already tells, so asyncio need not log "Task exception was never retrieved"
        # when the task is freed (on 3.11 that log can even break a compile() running then).
        task = asyncio.current_task(self.runner.loop)
        if task is not None:
            task.add_done_callback(_retrieve_blocked)

    def _cancel(self) -> None:
        with _LOCK:
            if self.finished or self.stage is not _EXPIRED:
                return  # a later job may be running now
            if WATCHDOG.paused or _debuggers.active():
                # Someone is stepping through the job (in this, the loop's thread): give it
                # its whole limit again instead of cancelling under the debugger.
                self._rearm()
                return
            self.resumed_at = monotonic()
            # The current job is ours, or one it runs in its own task (a fixture set up
            # from it).
            job = self.runner.current_job
            if job is None or job.done or job.task is None:
                return
            if self.blocked is None:
                from . import _hung

                message, section = _hung.report(
                    job, self.owner, self.limit.seconds, self.limit.source
                )
                self.failure = TimedOut(message, section)
            self.task = job.task
            self.stage = _CANCELLED
            self.at = self.resumed_at + GRACE
            WATCHDOG.arm(self)
        job.task.cancel()

    def _force(self) -> None:
        """The job caught the cancellation and went on: close its coroutine, which raises
        GeneratorExit where it waits (a bare ``except CancelledError`` lets that through),
        and wake its task so the job ends. If it still runs after a last grace period,
        ``_abandon`` gives up on it."""
        with _LOCK:
            if self.finished or self.stage is not _CANCELLED:
                return
            job = self.runner.current_job
            if job is None or job.done or job.task is None:
                return
            self.stage = _FORCED
            self.at = monotonic() + GRACE
            WATCHDOG.arm(self)
        from . import _awaits, _hung
        from ._runner import keep_forever

        # Both reports now: once closed, the chain is gone, whether the job ends or not.
        seconds, source, loop = self.limit.seconds, self.limit.source, self.runner.label
        message, section = _hung.report(job, self.owner, seconds, source, refused=GRACE)
        if self.blocked is None:
            self.failure = TimedOut(message, section)
        message, section = _hung.report(
            job, self.owner, seconds, source, refused=GRACE, abandoned=loop
        )
        self.abandoned = TimedOut(message, section)
        chain = _awaits.awaitables(job.awaitable)
        close = getattr(job.awaitable, "close", None)
        if close is not None:
            with contextlib.suppress(RuntimeError):  # a coroutine ignored GeneratorExit
                close()
        keep_forever(awaitable for awaitable in chain if _awaits.suspended(awaitable))
        job.task.cancel()

    def _abandon(self) -> None:
        """The job still runs after it was closed: give up on it, and on its loop."""
        with _LOCK:
            if self.finished or self.stage is not _FORCED:
                return
            self.stage = _ABANDONED
        job = self.runner.current_job
        if job is None or job.done:
            return
        from . import _hung

        if self.blocked is None and self.abandoned is not None:
            self.failure = self.abandoned
        culprit = _messages.TIMEOUT_CULPRIT.format(what=_hung.describe(self.owner))
        self.runner.abandon(job, culprit)

    def finish(self) -> None:
        """The job is over: nothing of this deadline may act any more."""
        with _LOCK:
            self.finished = True
            if self.resumed_at is None:
                self.resumed_at = monotonic()
            _blocked.withdraw(self)
        WATCHDOG.disarm(self)

    def outcome(self) -> TimedOut:
        """The failure of a job that ran past its limit."""
        blocked = self.blocked
        if blocked is None:
            assert self.failure is not None
            return self.failure
        from . import _hung

        what, seconds, source = _hung.describe(self.owner), self.limit.seconds, self.limit.source
        if self.interrupted_at is not None:
            message = _messages.LOOP_BLOCKED.format(
                what=what,
                seconds=seconds,
                source=source,
                blocked=self.interrupted_at - self.expired_at,
                stack=blocked,
            )
        else:
            reason = self.reason or _messages.BLOCKED_RETURNED
            assert self.resumed_at is not None
            message = _messages.LOOP_BLOCKED_NOT_INTERRUPTED.format(
                what=what,
                seconds=seconds,
                source=source,
                reason=reason,
                blocked=self.resumed_at - self.expired_at,
                stack=blocked,
            )
        return TimedOut(message, None)

    def settle(self) -> None:
        """Forget the cancellation we requested, once the job is over: a job that swallowed
        it would otherwise leave it counted against the tasks's later jobs."""
        task = self.task
        if task is not None and sys.version_info >= (3, 11):
            while task.cancelling():
                task.uncancel()
