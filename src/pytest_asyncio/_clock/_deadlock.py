"""Deadlocks on virtual time: a job whose loop can never wake up again fails at once.

On virtual time the clock sees the moment a loop would wait for ever: no callback is ready,
no timer is scheduled, and nothing outside the loop can wake it (``VirtualClock.select``).
Every task then waits for another, or for something nobody will ever do; on real time the
test would hang until a timeout ended it, or for ever. The :class:`Detector` of the running
job records where each task waits, then cancels the job, so its cleanup code runs; the
clock's instrument fails the job with that report when it ends (``Detector.settle``).

A job that deadlocks again while it unwinds (its ``finally`` awaits what can never come) is
closed by force, as the timeouts do; one that still goes on waiting is given up on with its
loop (``LoopRunner.abandon``). The loop never waits for ever.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Final

from pytest_asyncio import _awaits, _compat, _hung, _messages
from pytest_asyncio._runner import keep_forever

if TYPE_CHECKING:
    import asyncio

    from pytest_asyncio._clock._virtual import VirtualClock
    from pytest_asyncio._runner import Job, LoopRunner, Owner

#: The stages of a detector (``Detector.stage``).
_WATCHING: Final = "watching"  # the job runs
_CANCELLED: Final = "cancelled"  # it deadlocked, and was cancelled
_FORCED: Final = "forced"  # it deadlocked again while unwinding, and was closed
_ABANDONED: Final = "abandoned"  # it deadlocked once more: the runner gave up on it


class Deadlocked(_compat.Failed):
    """A job on virtual time could never finish. The message lists every waiting task."""

    # As pytest's own outcomes: the summary then reads "Deadlocked: test ... can never finish".
    __module__ = "builtins"

    def __init__(self, message: str) -> None:
        super().__init__(message, pytrace=False)


class Detector:
    """Watches one job for deadlocks: installed as its loop clock's ``deadlocked`` callback
    while the job runs, and called in the loop's thread, from inside its wait."""

    __slots__ = ("job", "message", "runner", "stage", "what")

    def __init__(self, runner: LoopRunner, job: Job, owner: Owner) -> None:
        self.runner = runner
        self.job = job
        #: How the report names the job: "test tests/test_x.py::test_y", ...
        self.what = _hung.describe(owner)
        self.stage = _WATCHING
        #: The report, built at the first deadlock and completed at each escalation.
        self.message: str | None = None

    def __call__(self, clock: VirtualClock) -> None:
        job = self.job
        task = job.task
        if job.done or task is None:
            return
        if self.stage is _WATCHING:
            self.message = self._report(task)
            self.stage = _CANCELLED
            task.cancel()
        elif self.stage is _CANCELLED:
            self._force(job, task)
        elif self.stage is _FORCED:
            self.stage = _ABANDONED
            assert self.message is not None
            self.message += "\n" + _messages.DEADLOCK_ABANDONED.format(loop=self.runner.label)
            self.runner.abandon(job, _messages.DEADLOCK_CULPRIT.format(what=self.what))

    def settle(self) -> None:
        """The job is over: if it deadlocked, the report is its outcome (a failure)."""
        if self.message is None:
            return
        job = self.job
        job.error = _raised(Deadlocked(self.message))
        if self.stage is _ABANDONED:
            # The runner raises the outcome of a job that is done, and the broken loop's
            # error for one it gave up on: the report says more.
            job.done = True

    def _report(self, task: asyncio.Task[Any]) -> str:
        relative = _awaits.relative_to_cwd()
        origin = self._origin()
        lines = [
            _messages.DEADLOCK_JOB.format(what=self.what),
            *_hung.task_chain(task, origin, relative),
        ]
        for other in _hung.other_tasks(task):
            lines += _hung.task_lines(other, relative)
        return _messages.DEADLOCK.format(
            what=self.what, loop=self.runner.label, tasks="\n".join(lines)
        )

    def _origin(self) -> object:
        owner = self.job.owner
        return None if owner is None else owner.origin

    def _force(self, job: Job, task: asyncio.Task[Any]) -> None:
        """Deadlocked again while unwinding: close the job's coroutine (``GeneratorExit``
        where it waits) and wake its task, so that the job ends."""
        self.stage = _FORCED
        relative = _awaits.relative_to_cwd()
        chain = "\n".join(_hung.task_chain(task, self._origin(), relative))
        assert self.message is not None
        self.message += "\n" + _messages.DEADLOCK_UNWINDING.format(chain=chain)
        awaitables = _awaits.awaitables(job.awaitable)
        close = getattr(job.awaitable, "close", None)
        if close is not None:
            with contextlib.suppress(RuntimeError):  # it ignored GeneratorExit
                job.context.run(close)
        # Freeing a coroutine that ignored GeneratorExit would run it again, later.
        keep_forever(awaitable for awaitable in awaitables if _awaits.suspended(awaitable))
        task.cancel()


def _raised(failure: Deadlocked) -> Deadlocked:
    """*failure*, with this frame in its traceback. The runner raises it from frames that
    hide themselves, and pytest notes "All traceback entries are hidden" under a failure
    whose every frame is: with one that is not, it shows the message alone."""
    try:
        raise failure
    except Deadlocked as error:
        return error
