"""Virtual time: an event loop whose clock jumps to its next timer whenever it would wait.

A :class:`VirtualClock` is installed on a loop the first time a test that wants virtual
time runs a job on it, and stays for the loop's life. It replaces the loop's ``time()`` and
wraps what the loop waits in (its selector), and is switched on for the jobs of tests that
want virtual time only; off, the loop's time runs at real speed from where it stands, so it
never goes backwards.

While it is on, each time the loop would wait:

1. it polls I/O without waiting: ready sockets are served first;
2. if real work is in flight (an executor job, a subprocess, a thread the running job
   started), it waits for real, and virtual time moves at real speed meanwhile: it never
   runs ahead of work that finishes by itself;
3. else, after ``autojump_threshold`` real seconds of waiting for I/O (0 by default), it
   jumps to the next timer at once;
4. with no timer at all, if nothing can ever wake the loop (no file descriptor but its own,
   no real work, no signal handler, no thread that could call back), it reports a deadlock
   (:attr:`VirtualClock.deadlocked`); if something could, it waits for real.

What counts as real work in flight, and what does not:

- executor jobs started with ``loop.run_in_executor`` (``asyncio.to_thread``,
  ``loop.getaddrinfo``, ``loop.shutdown_default_executor``'s join), and subprocesses started
  with ``loop.subprocess_exec``/``subprocess_shell`` until the loop has their exit status
  (whether a pidfd or a waiting thread tells it);
- threads started during the running job (a fixture's setup, the test, a teardown are jobs
  of their own), unless they are idle thread pool workers. A thread started earlier (by a
  sync fixture, a plugin, a previous job) never holds time: a peer that lives in one is
  waited for only with ``autojump_threshold``. A thread the job starts and that never ends
  (a server) holds time at real speed as long as it lives;
- open sockets and servers never hold time: they are polled before every jump.

A future of a ``concurrent.futures`` executor made before the job (``asyncio.wrap_future(
pool.submit(...))``) is not seen: use ``loop.run_in_executor(pool, ...)``.

asyncio's debug mode times each callback with the loop's clock, which stands still while a
callback runs (at the default rate 0): its slow-callback warning does not fire under virtual
time (the blocking check, on the real clock, does), and seconds that
:meth:`VirtualClock.jump` adds inside a callback are excused from it. (The "poll took" log of
older Pythons is gone from 3.10 - 3.13.)
"""

from __future__ import annotations

import asyncio
import math
import signal
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any, Final

from pytest_asyncio import _aio, _messages
from pytest_asyncio._realtime import monotonic

#: The longest real wait in one go while virtual time is on: the clock looks again at what
#: is in flight at least this often (a thread may end without waking the loop).
SLICE: Final = 0.05
_KEY: Final = "_pytest_asyncio_virtual_clock"


class VirtualClockError(Exception):
    """The loop cannot run on virtual time; the argument says why."""


class VirtualClock:
    """The virtual time of one event loop, as the ``virtual_clock`` fixture returns it.

    ``time()`` is the loop's time (``loop.time()``). ``jump()`` moves it forward by hand.
    ``rate`` and ``autojump_threshold`` are the knobs of trio's ``MockClock``; both go back to
    their defaults (0) when the next test starts on the loop. ``virtual`` says whether virtual
    time is on now.
    """

    __slots__ = (
        "__weakref__",
        "_anchor",
        "_anchor_real",
        "_depth",
        "_executor_jobs",
        "_jumped_limit",
        "_known_threads",
        "_loop",
        "_on",
        "_rate",
        "_real_selector",
        "_speed",
        "_subprocesses",
        "_threshold",
        "deadlocked",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = weakref.ref(loop)
        now = monotonic()
        #: time() is _anchor + _speed * (real now - _anchor_real).
        self._anchor = loop.time()
        self._anchor_real = now
        #: 1.0 while off (real speed); the rate asked for while on.
        self._speed = 1.0
        self._rate = 0.0
        self._threshold = 0.0
        self._on = False
        #: How many jobs switched it on and are still running (a job that a ``call_sync``
        #: serves runs inside the job that awaits it).
        self._depth = 0
        self._real_selector: Any = None
        self._executor_jobs: set[asyncio.Future[Any]] = set()
        self._subprocesses: weakref.WeakSet[asyncio.SubprocessTransport] = weakref.WeakSet()
        self._known_threads: frozenset[threading.Thread] = frozenset()
        #: The loop's ``slow_callback_duration`` before a jump inside a callback raised it.
        self._jumped_limit: float | None = None
        #: Called, in the loop's thread while it would wait, when nothing can ever wake the
        #: loop: it must make something ready (cancel the job), or the loop waits for real.
        self.deadlocked: Callable[[VirtualClock], None] | None = None

    # --- what users see -------------------------------------------------------------------

    def time(self) -> float:
        """The loop's time now: virtual while the clock is on."""
        speed = self._speed
        if speed == 0.0:
            return self._anchor
        return self._anchor + speed * (monotonic() - self._anchor_real)

    def jump(self, seconds: float) -> None:
        """Move the loop's time *seconds* forward at once (also while the clock is off).
        Timers that become due run at the loop's next turn: ``await asyncio.sleep(0)`` lets
        them run, in the order of their deadlines.

        Raise ValueError for a negative, infinite or NaN number of seconds (TypeError for what
        is not an int or a float)."""
        _check(seconds, _messages.CLOCK_BAD_JUMP)
        self._anchor += seconds
        self._excuse_jump(seconds)

    @property
    def rate(self) -> float:
        """Virtual seconds that pass on their own per real second while the clock is on.

        0 (the default): time stands still while callbacks run and moves by jumps to the next
        timer only (and at real speed while real work is in flight). 1: time also passes at
        real speed while code runs, as with the real clock, and still jumps whenever the loop
        would wait. Any finite number >= 0 is accepted (ValueError otherwise)."""
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        _check(value, _messages.CLOCK_BAD_RATE)
        self._rate = float(value)
        if self._on:
            self._reanchor(self._rate)

    @property
    def autojump_threshold(self) -> float:
        """Real seconds the loop waits for I/O, with nothing else to do, before it jumps to
        its next timer.

        0 (the default): it jumps at once, after one look at its sockets. Raise it (e.g. to
        0.1) when the test talks to a real peer that answers slower than that look: a server
        in another process, a database. Any finite number >= 0 is accepted (ValueError
        otherwise)."""
        return self._threshold

    @autojump_threshold.setter
    def autojump_threshold(self, value: float) -> None:
        _check(value, _messages.CLOCK_BAD_AUTOJUMP_THRESHOLD)
        self._threshold = float(value)

    @property
    def virtual(self) -> bool:
        """Whether virtual time is on (it is while a job of a virtual-time test runs)."""
        return self._on

    def __repr__(self) -> str:
        state = "on" if self._on else "off"
        return f"<VirtualClock {state} time={self.time():.6f} rate={self._rate:g}>"

    # --- switched by the runner's instrument ----------------------------------------------

    def start(self) -> None:
        """Virtual time from now on, from where the loop's time stands; until the matching
        :meth:`stop`."""
        self._depth += 1
        if not self._on:
            self._reanchor(self._rate)
            self._on = True
        self._known_threads = frozenset(threading.enumerate())

    def stop(self) -> None:
        """Real speed from now on, from where the loop's time stands, unless a job that
        started it earlier still runs."""
        if self._depth > 1:
            self._depth -= 1
            return
        self._depth = 0
        self._restore_slow_limit()
        if self._on:
            self._reanchor(1.0)
            self._on = False

    def _excuse_jump(self, seconds: float) -> None:
        """asyncio's debug mode times each callback on the loop's clock, and warns of one that
        took ``slow_callback_duration`` or more: seconds jumped inside a callback are not
        seconds it took. Raise the loop's limit by them until the loop next waits (after
        the callbacks of this turn)."""
        loop = self._loop()
        if loop is None or not seconds or not loop.get_debug():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            return
        if running is not loop:
            return
        if self._jumped_limit is None:
            self._jumped_limit = loop.slow_callback_duration
        loop.slow_callback_duration += seconds

    def _restore_slow_limit(self) -> None:
        limit = self._jumped_limit
        if limit is not None:
            self._jumped_limit = None
            loop = self._loop()
            if loop is not None:
                loop.slow_callback_duration = limit

    def _reanchor(self, speed: float) -> None:
        now = monotonic()
        self._anchor += self._speed * (now - self._anchor_real)
        self._anchor_real = now
        self._speed = speed

    # --- the loop waits -------------------------------------------------------------------

    def select(self, timeout: float | None) -> list[Any]:
        """What the loop's ``_selector.select(timeout)`` returns, on virtual time."""
        real = self._real_selector
        if self._jumped_limit is not None:
            self._restore_slow_limit()
        if timeout == 0 or not self._on:
            return real.select(timeout)  # type: ignore[no-any-return]
        events: list[Any] = real.select(0)
        if events:
            return events
        if self._holds_time():
            return self._wait_for_real(real, timeout)
        threshold = self._threshold
        if threshold > 0:
            events = real.select(threshold if timeout is None else min(threshold, timeout))
            if events or self._holds_time():
                return events
        loop = self._loop()
        if loop is None:
            return events
        if timeout is None:
            if self._could_wake(loop):
                return real.select(SLICE)  # type: ignore[no-any-return]
            deadlocked = self.deadlocked
            if deadlocked is not None:
                deadlocked(self)
            if not _aio.has_ready(loop):
                # Nothing was done about it: wait as the loop would on real time.
                return real.select(SLICE)  # type: ignore[no-any-return]
            return events
        self._jump_to_next_timer(loop, timeout)
        return events

    def _wait_for_real(self, real: Any, timeout: float | None) -> list[Any]:
        """Wait for I/O or the wake-up of real work, at most until the next timer is due at
        real speed: virtual time moves at real speed meanwhile.

        On the default rate (0) the time stops at the next timer's deadline: a timer that
        falls due while real work is in flight fires when the loop's time is exactly its
        deadline, as after a jump, however late the real wait returned."""
        wait = SLICE if timeout is None else min(timeout, SLICE)
        started = monotonic()
        events: list[Any] = real.select(wait)
        speed = self._speed
        if speed < 1.0:
            before = self._anchor
            after = before + (1.0 - speed) * (monotonic() - started)
            if speed == 0.0 and timeout is not None:
                loop = self._loop()
                when = _aio.next_timer(loop) if loop is not None else None
                if when is not None and before <= when < after:
                    after = when
            self._anchor = after
        return events

    def _jump_to_next_timer(self, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        when = _aio.next_timer(loop)
        now = self.time()
        if when is None:
            self._anchor += timeout
        elif when > now:
            if self._speed == 0.0:
                self._anchor = when  # exactly: the timer is due at the loop's next look
            else:
                self._anchor += when - now

    # --- what is in flight ----------------------------------------------------------------

    def _holds_time(self) -> bool:
        """Real work is in flight that will finish by itself: an executor job, a subprocess,
        or a thread started while this job runs (not an idle pool worker)."""
        if self._executor_jobs:
            return True
        if self._subprocesses:  # its len is cheap; iterating a WeakSet costs as much as a jump
            for transport in self._subprocesses:
                if transport.get_returncode() is None:
                    return True
        return bool(_busy_threads(self._known_threads))

    def _could_wake(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Something real could still wake the loop: a file descriptor it watches besides its
        own, a signal handler (but Ctrl-C's), or any thread at work."""
        if _aio.watched_fds(loop):
            return True
        if any(signum != signal.SIGINT for signum in _aio.signal_handlers(loop)):
            return True
        return any(True for _ in _busy_threads())

    # --- installed on a loop ----------------------------------------------------------------

    def _install(self, loop: asyncio.AbstractEventLoop) -> None:
        self._real_selector = _aio.selector(loop)
        _aio.set_selector(loop, _Selector(self, self._real_selector))
        loop.time = self.time  # type: ignore[method-assign]
        run_in_executor = loop.run_in_executor
        jobs = self._executor_jobs

        def run_in_executor_tracked(executor: Any, func: Any, *args: Any) -> Any:
            future = run_in_executor(executor, func, *args)
            jobs.add(future)
            future.add_done_callback(jobs.discard)
            return future

        loop.run_in_executor = run_in_executor_tracked  # type: ignore[method-assign,assignment]
        subprocesses = self._subprocesses
        for name in ("subprocess_exec", "subprocess_shell"):
            create = getattr(loop, name)
            setattr(loop, name, _tracking_subprocesses(create, subprocesses))


def _tracking_subprocesses(
    create: Callable[..., Any], subprocesses: weakref.WeakSet[asyncio.SubprocessTransport]
) -> Callable[..., Any]:
    async def tracked(*args: Any, **kwargs: Any) -> Any:
        transport, protocol = await create(*args, **kwargs)
        subprocesses.add(transport)
        return transport, protocol

    return tracked


class _Selector:
    """Stands in the loop for its selector: waits go through the clock, the rest does not."""

    __slots__ = ("_real", "select")

    def __init__(self, clock: VirtualClock, real: Any) -> None:
        self._real = real
        #: The clock's own method: the loop calls it on every turn, one frame less.
        self.select: Callable[[float | None], list[Any]] = clock.select

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def clock_of(loop: asyncio.AbstractEventLoop) -> VirtualClock | None:
    """The virtual clock installed on *loop*, if any."""
    clock = getattr(loop, _KEY, None)
    return clock if isinstance(clock, VirtualClock) else None


def install(loop: asyncio.AbstractEventLoop) -> VirtualClock:
    """The virtual clock of *loop*, installed now if it has none (switched off).

    Raise :class:`VirtualClockError` for a loop that does not wait and read the time as
    asyncio's own loops do (uvloop, a loop class of one's own)."""
    clock = clock_of(loop)
    if clock is not None:
        return clock
    if not _aio.virtualisable(loop) or loop.is_closed():
        raise VirtualClockError(type(loop))
    clock = VirtualClock(loop)
    clock._install(loop)
    setattr(loop, _KEY, clock)
    return clock


#: Threads of ours, which never call back into a test's loop.
_OWN_PREFIX: Final = "pytest-asyncio-ng "


def _busy_threads(known: frozenset[threading.Thread] = frozenset()) -> list[threading.Thread]:
    """Live threads other than this one, ours and *known* that may be at work: not the idle
    workers of a thread pool.

    Called each time the loop would jump: the common case (no thread but known ones) costs one
    ``threading.enumerate()``; the frames of all threads are read only when a thread pool
    worker is among the candidates."""
    current = threading.current_thread()
    candidates = [
        thread
        for thread in threading.enumerate()
        if thread is not current and thread not in known and not thread.name.startswith(_OWN_PREFIX)
    ]
    if not candidates:
        return candidates
    frames: dict[int, Any] | None = None
    busy = []
    for thread in candidates:
        if _aio.is_pool_worker(thread):
            if frames is None:
                frames = sys._current_frames()
            frame = frames.get(thread.ident or -1)
            if frame is None or _aio.pool_worker_idle(frame):
                continue
        busy.append(thread)
    return busy


def _check(value: object, message: str) -> None:
    """Raise, with *message*, unless *value* is a finite int or float >= 0."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError(message.format(value=value))
    if not math.isfinite(value) or value < 0:
        raise ValueError(message.format(value=value))
