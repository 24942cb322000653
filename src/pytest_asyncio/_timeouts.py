"""Timeouts: the limit of each job (marker > command line > ini) and its deadline.

A test body, and separately each async fixture's setup and teardown step, runs under the
limit of its test. The watchdog thread (``_watchdog``) keeps the deadline on the real clock;
when it passes, the job's task is cancelled from inside its loop, after the await chain of
the job and of every other pending task on the loop has been recorded for the report. The
job's cleanup code runs, pytest runs the fixture teardowns, and the run goes on.

This module does not import asyncio: the configuration is read in every run.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import math
import sys
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeVar

import pytest

from . import _collect, _compat, _debuggers, _messages
from ._realtime import monotonic
from ._settings import _ini, _ini_origin, _invalid
from ._watchdog import WATCHDOG

if TYPE_CHECKING:
    import asyncio

    from ._runner import LoopRunner, Owner

T = TypeVar("T")

KEY: Final = "asyncio_timeout"
FLAG: Final = "--asyncio-timeout"
VALID: Final = ("a number of seconds (0 for no limit)",)
#: How long a cancelled job may take to stop before it is said to refuse, and ended by force.
GRACE: Final = 1.0
LIMIT_KEY: Final = pytest.StashKey["Limit | None"]()
#: pytest-timeout's limit of an item, while it applies (set by ``_foreign``).
FOREIGN_KEY: Final = pytest.StashKey["Limit"]()


@dataclasses.dataclass(frozen=True)
class Limit:
    seconds: float
    #: Where it was set, as a user wrote it: "--asyncio-timeout=2", ...
    source: str


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("asyncio")
    group.addoption(
        FLAG,
        dest=KEY,
        default=None,
        metavar="SECONDS",
        help="Cancel an async test, or an async fixture's setup or teardown step, that runs "
        "longer than SECONDS, and report where it was waiting (0: no limit).",
    )
    parser.addini(KEY, "Default value for --asyncio-timeout (0 or unset: no limit).", default=None)


def seconds(value: object) -> float | None:
    """*value* as a limit in seconds (0 means none), or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return None
    return float(value)


def configured(config: pytest.Config) -> Limit | None:
    """The limit set on the command line, else in the ini file; raise UsageError if invalid."""
    __tracebackhide__ = True
    value: object = config.getoption(KEY)
    if value is not None:
        origin = _messages.ORIGIN_CLI.format(flag=FLAG)
        source = f"{FLAG}={value}"
    else:
        value = _ini(config, KEY, choices=VALID)
        if value is None:
            return None
        origin = _ini_origin(config, KEY)
        source = f"{KEY} = {value} ({origin})"
    limit = seconds(value)
    if limit is None:
        raise _invalid(KEY, value, origin, VALID)
    return Limit(limit, source) if limit else None


def header(limit: Limit | None) -> str:
    """What the report header's asyncio line ends with: nothing when no limit is set."""
    return "" if limit is None else f", {KEY}={limit.seconds:g}"


def limit_for(item: pytest.Item) -> Limit | None:
    """The limit of *item*'s jobs: its asyncio marker's, else the configured one, else
    pytest-timeout's."""
    spec = _collect.spec_of(item)
    if spec is not None and spec.timeout is not None:
        return _marked(spec.timeout)
    limit = item.config.stash.get(LIMIT_KEY, None)
    if limit is None and FOREIGN_KEY in item.stash:
        return item.stash[FOREIGN_KEY]
    return limit


@functools.lru_cache(maxsize=32)
def _marked(seconds: float) -> Limit | None:
    return Limit(seconds, f"@pytest.mark.asyncio(timeout={seconds:g})") if seconds else None


class TimedOut(_compat.Failed):
    """A job ran past its limit. The message shows where it was waiting; the section lists
    the other tasks pending on its loop."""

    # Like pytest's own outcomes: the summary then reads "TimedOut: test ... ran longer".
    __module__ = "builtins"

    def __init__(self, message: str, section: tuple[str, str] | None) -> None:
        super().__init__(message, pytrace=False)
        #: Added to the failure report by _diagnosis.annotate().
        self.asyncio_section = section


def run(
    runner: LoopRunner,
    awaitable: Awaitable[T],
    context: contextvars.Context,
    owner: Owner,
    limit: Limit,
) -> T:
    """Run a job on *runner* under *limit*; raise TimedOut if it ran past it."""
    __tracebackhide__ = True
    deadline = Deadline(runner, owner, limit)
    WATCHDOG.arm(deadline)
    try:
        result = runner.run(awaitable, context, owner=owner)
    except BaseException:
        if deadline.failure is None:
            raise
    else:
        if deadline.failure is None:
            return result
    finally:
        WATCHDOG.disarm(deadline)
        deadline.finished = True
    deadline.settle()
    return _fail(deadline.failure)


def _fail(failure: TimedOut | None) -> NoReturn:
    # Not hidden: pytest notes "All traceback entries are hidden" under a failure whose
    # every frame is, and shows only the message of a failure raised with pytrace=False.
    assert failure is not None
    raise failure from None


class Deadline:
    """The deadline of one job; expires in the watchdog's thread, acts in the loop's."""

    __slots__ = (
        "at",
        "cancelled",
        "expired_at",
        "failure",
        "finished",
        "limit",
        "owner",
        "runner",
        "task",
    )

    def __init__(self, runner: LoopRunner, owner: Owner, limit: Limit) -> None:
        self.runner = runner
        self.owner = owner
        self.limit = limit
        self.at = monotonic() + limit.seconds
        #: When the loop cancelled the job, on the real clock.
        self.expired_at: float | None = None
        self.failure: TimedOut | None = None
        self.task: asyncio.Task[Any] | None = None
        #: The job is over; set in the loop's thread, like ``_cancel`` runs.
        self.finished = False
        #: The job was cancelled; ``at`` is now the end of its grace period.
        self.cancelled = False

    def expire(self) -> None:
        # RuntimeError: the loop was closed meanwhile, and nothing runs on it any more.
        with contextlib.suppress(RuntimeError):
            self.runner.loop.call_soon_threadsafe(self._force if self.cancelled else self._cancel)

    def _cancel(self) -> None:
        if self.finished:
            return  # it ended while the watchdog woke up; a later job may be running now
        if WATCHDOG.paused or _debuggers.active():
            # Someone is stepping through the job (in this, the loop's thread): give it
            # its whole limit again instead of cancelling under the debugger.
            self.at = monotonic() + self.limit.seconds
            WATCHDOG.arm(self)
            return
        # The current job is ours, or one it runs in its own task (a fixture set up from it).
        job = self.runner.current_job
        if job is None or job.done or job.task is None:
            return
        from . import _hung

        message, section = _hung.report(job, self.owner, self.limit.seconds, self.limit.source)
        self.failure = TimedOut(message, section)
        self.expired_at = monotonic()
        self.task = job.task
        job.task.cancel()
        self.cancelled = True
        self.at = self.expired_at + GRACE
        WATCHDOG.arm(self)

    def _force(self) -> None:
        """The job caught the cancellation and went on: close its coroutine, which raises
        GeneratorExit where it waits (a bare ``except CancelledError`` lets that through),
        and wake its task so the job ends."""
        if self.finished:
            return
        job = self.runner.current_job
        close = getattr(job.awaitable, "close", None) if job is not None else None
        if job is None or job.done or job.task is None or close is None:
            return
        from . import _hung

        message, section = _hung.report(
            job, self.owner, self.limit.seconds, self.limit.source, refused=GRACE
        )
        self.failure = TimedOut(message, section)
        try:
            close()
        except RuntimeError:  # it ignored GeneratorExit as well: nothing more can be done
            return
        job.task.cancel()

    def settle(self) -> None:
        """Forget the cancellation we requested, once the job is over: a job that swallowed
        it would otherwise leave it counted against the tasks's later jobs."""
        task = self.task
        if task is not None and sys.version_info >= (3, 11):
            while task.cancelling():
                task.uncancel()
