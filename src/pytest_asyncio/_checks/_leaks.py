"""The task-leaks check: a task a test started and left pending fails that test.

A task belongs to a test when the test's body or one of its function-scoped fixtures created
it (``watch.tasks``, see ``_watch``). Once the test and those fixtures are done, any of them
still pending is a leak: it is reported with its await chain and where it was created, then
cancelled and given :data:`GRACE` seconds (on the real clock) to end, so that it cannot run
into the next test. One that refuses is closed by force.

When that is:
- a loop closed in the test's teardown (a function-scoped loop; a wider one at the last test
  of its scope): in ``loop_closing``, before the runner cancels what is left on it;
- a wider loop still open after the test: in ``test_finished``, with the loop stopped; the
  leaks are ended by a short job on the loop's runner.

Before judging, the loop gets a few turns: a task that was about to end (its result was just
set, a fixture's teardown cancelled it without awaiting it) is not a leak. A task cancelled by
the test's own code is waited for like a leak, and reported only if it refuses to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import sys
from typing import Any, Final

from pytest_asyncio import _aio, _awaits, _loops, _messages
from pytest_asyncio._realtime import monotonic
from pytest_asyncio._runner import Job, LoopRunner, Owner, keep_forever

from . import TASK_LEAKS
from ._watch import Checker, Watch

#: Seconds (real time) a cancelled task may take to end before it is closed by force, and
#: again after that before it is given up on.
GRACE: Final = 1.0
#: Turns of the loop a task gets to end by itself before it is judged.
_TURNS: Final = 3
#: Rounds of judging: a leak's cleanup may start new tasks (they are the test's too).
_ROUNDS: Final = 3
#: Tasks count the cancellations asked of them (Python 3.11+).
_CANCELLING: Final = sys.version_info >= (3, 11)

Task = asyncio.Task[Any]


class _Leak:
    """A task found pending, with what the report says of it."""

    __slots__ = ("cancelled", "chain", "created", "name", "outcome", "task")

    def __init__(self, task: Task, cancelled: bool = False) -> None:
        self.task = task
        #: Cancelled by the test's own code: reported only if it refuses to end.
        self.cancelled = cancelled or _aio.cancel_requested(task)
        self.name = ""
        self.chain = ""
        self.created = ""
        self.outcome = _messages.CHECK_TASK_LEAKS_CANCELLED

    def describe(self, watch: Watch) -> None:
        """Record the task's name, await chain and creation site: before it is cancelled,
        after which its chain is gone."""
        task = self.task
        relative = _awaits.relative_to_cwd()
        self.name = task.get_name()
        steps = _awaits.user_steps(_awaits.task_frames(task))
        self.chain = "\n".join(_awaits.render(steps, relative)) or _messages.TIMED_OUT_NO_FRAMES
        site = watch.sites.get(task)
        if site is not None:
            location = f"{relative(site.filename)}:{site.lineno} in {site.function}"
            self.created = _messages.CHECK_TASK_LEAKS_CREATED.format(location=location)

    def text(self) -> str:
        return _messages.CHECK_TASK_LEAKS.format(
            name=self.name, created=self.created, chain=self.chain, outcome=self.outcome
        )


class _Leaks:
    """The part of the task-leaks check (see ``_watch.Part``)."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        #: The tasks that ran the jobs of the test: the runners' own, never a leak.
        self._drivers: set[Task] = set()
        #: The tasks of the test already dealt with (reported, or waited for).
        self._handled: set[Task] = set()
        #: The test's tasks seen cancelled by its code at the end of one of its jobs.
        self._cancelled: set[Task] = set()

    def test_started(self, watch: Watch) -> None:
        self._forget()

    def _forget(self) -> None:
        self._drivers.clear()
        self._handled.clear()
        self._cancelled.clear()

    def job_started(self, runner: LoopRunner, job: Job, watch: Watch) -> None:
        if job.task is not None:
            self._drivers.add(job.task)

    def job_finished(self, runner: LoopRunner, job: Job, watch: Watch) -> None:
        # Python 3.10 shows a cancellation only until the task runs again: a fixture's
        # teardown that cancels a task without awaiting it is seen here, before the next
        # job lets the task unwind.
        if not _CANCELLING:
            for task in watch.tasks:
                if not task.done() and _aio.cancel_requested(task):
                    self._cancelled.add(task)

    def loop_closing(self, runner: LoopRunner, watch: Watch | None) -> None:
        if watch is None:
            return
        for _ in range(_ROUNDS):
            tasks = self._pending(watch, runner.loop)
            if not tasks:
                break
            self._end(runner, tasks, watch)

    def test_finished(self, watch: Watch) -> None:
        try:
            for _ in range(_ROUNDS):
                by_loop: dict[asyncio.AbstractEventLoop, list[Task]] = {}
                for task in self._pending(watch, None):
                    by_loop.setdefault(task.get_loop(), []).append(task)
                if not by_loop:
                    break
                for loop, tasks in by_loop.items():
                    self._end(_loops.runner_of(self.checker.pytest_config, loop), tasks, watch)
        finally:
            self._forget()

    def _pending(self, watch: Watch, loop: asyncio.AbstractEventLoop | None) -> list[Task]:
        """The test's tasks not done yet, on *loop* (None: on any open loop)."""
        return [
            task
            for task in watch.tasks
            if not task.done()
            and task not in self._handled
            and task not in self._drivers
            and (task.get_loop() is loop if loop is not None else not task.get_loop().is_closed())
        ]

    def _end(self, runner: LoopRunner | None, tasks: list[Task], watch: Watch) -> None:
        """Judge *tasks* on *runner*'s loop, then cancel the leaks and wait for them to end;
        record a finding for each leak."""
        if not tasks:
            return
        self._handled.update(tasks)
        if runner is not None and runner.broken is not None:
            # A loop given up on (see LoopRunner.abandon): its tasks never run again, and
            # the failure that broke it lists them.
            return
        if runner is None:
            # Not a loop the runners know (any more): no job can wait for them.
            leaks = [_Leak(task) for task in tasks]
            for leak in leaks:
                leak.describe(watch)
                leak.task.cancel()
        else:
            leaks = _run(runner, tasks, watch, self._cancelled)
        for leak in leaks:
            if leak.name:
                watch.add(TASK_LEAKS, leak.text())


def _run(runner: LoopRunner, tasks: list[Task], watch: Watch, cancelled: set[Task]) -> list[_Leak]:
    """Run :func:`_settle` on *runner*; the leaks it found."""
    leaks = [_Leak(task, task in cancelled) for task in tasks]
    owner = Owner("loop", watch.nodeid)
    with contextlib.suppress(Exception):  # the loop cannot run: leave the tasks as they are
        runner.run(_settle(runner, leaks, watch), contextvars.Context(), owner=owner)
    for leak in leaks:
        if not leak.name and not leak.task.done() and not leak.cancelled:
            leak.describe(watch)  # the job did not get that far
    return leaks


async def _settle(runner: LoopRunner, leaks: list[_Leak], watch: Watch) -> None:
    """In the loop: give the tasks a few turns to end by themselves; describe and cancel
    those still pending that nobody cancelled; wait for all of them; close those that refuse
    to end by force. If one still runs after that, give up on the loop (as a timeout does
    with a job that will not end): else it would run on, and closing the loop would wait for
    it forever."""
    tasks = [leak.task for leak in leaks]
    for _ in range(_TURNS):
        if all(task.done() for task in tasks):
            return
        await asyncio.sleep(0)
    for leak in leaks:
        task = leak.task
        leak.cancelled = leak.cancelled or _aio.cancel_requested(task)
        if not task.done() and not leak.cancelled:
            leak.describe(watch)
            task.cancel()
    if await _wait(tasks):
        return
    for leak in leaks:
        if not leak.task.done():
            if not leak.name:  # cancelled by the test, and it refused
                leak.describe(watch)
            _force(leak)
    if await _wait(tasks):
        return
    kept = [leak for leak in leaks if not leak.task.done()]
    for leak in kept:
        leak.outcome = _messages.CHECK_TASK_LEAKS_KEPT.format(grace=GRACE, loop=runner.label)
    job = runner.current_job
    if job is not None:
        culprit = _messages.CHECK_TASK_LEAKS_CULPRIT.format(name=kept[0].name, nodeid=watch.nodeid)
        runner.abandon(job, culprit)


async def _wait(tasks: list[Task]) -> bool:
    """Wait until *tasks* are done, for :data:`GRACE` seconds at most on the real clock
    (a virtual clock may make the loop's own timeouts pass at once); whether they are."""
    deadline = monotonic() + GRACE
    pending = {task for task in tasks if not task.done()}
    while pending:
        left = deadline - monotonic()
        if left <= 0:
            return False
        _, pending = await asyncio.wait(pending, timeout=left)
    return True


def _force(leak: _Leak) -> None:
    """*leak*'s task caught the cancellation and went on: close its coroutine, which raises
    GeneratorExit where it waits (``except CancelledError`` lets that through), then wake
    the task so that it ends."""
    task = leak.task
    leak.outcome = _messages.CHECK_TASK_LEAKS_REFUSED.format(grace=GRACE)
    chain = _awaits.awaitables(task.get_coro())
    with contextlib.suppress(RuntimeError):  # it ignored GeneratorExit: see _settle()
        task.get_coro().close()
    keep_forever(awaitable for awaitable in chain if _awaits.suspended(awaitable))
    # Woken up, the closed coroutine ends the task with an error of asyncio's own ("cannot
    # reuse already awaited coroutine"): not the user's, and not to be logged.
    task.add_done_callback(_retrieve)
    task.cancel()


def _retrieve(task: Task) -> None:
    if not task.cancelled():
        task.exception()


def make(checker: Checker) -> _Leaks:
    return _Leaks(checker)
