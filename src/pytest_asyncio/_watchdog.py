"""One thread per process that keeps the deadlines of running jobs on the real clock.

The thread only waits and, when a deadline passes, calls the deadline's ``expire``; the
deadline hands the work to its loop (``call_soon_threadsafe``), or, when that loop is blocked
by sync code, samples its thread's stack and interrupts it (``_blocked``). Started on first
use: a run that sets no limit never starts it. A loop timer would be cheaper, but it runs on
the loop's clock, which a virtual clock will make jump; limits are real time.

While a debugger is active (``pause()`` to ``resume()``) nothing expires, and at ``resume()``
every armed deadline moves later by the time spent paused: the debugger's time does not count.
"""

from __future__ import annotations

import math
import threading
from typing import Final, Protocol

from ._realtime import monotonic


class Expiring(Protocol):
    #: When it expires, on ``_realtime.monotonic``'s clock.
    at: float

    def expire(self) -> None:
        """Called in the watchdog's thread once ``at`` has passed; must not block or raise."""


class Watchdog:
    __slots__ = ("_armed", "_changed", "_paused_at", "_thread", "_wakes_at", "paused_seconds")

    def __init__(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._armed: list[Expiring] = []
        self._thread: threading.Thread | None = None
        #: When the waiting thread wakes up by itself (inf: it waits for a notify); -inf while
        #: it is not waiting, since it then looks at every armed deadline before it waits.
        self._wakes_at = -math.inf
        #: When pause() was called, if it has not been resumed since.
        self._paused_at: float | None = None
        #: Seconds spent paused so far, by the pauses that have ended (the blocking check
        #: takes them out of the time a step held its loop).
        self.paused_seconds = 0.0

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def paused_since(self, before: float) -> float:
        """Seconds spent paused since ``paused_seconds`` was *before*, the pause going on
        now included."""
        with self._changed:
            paused = self.paused_seconds - before
            if self._paused_at is not None:
                paused += monotonic() - self._paused_at
            return paused

    def pause(self) -> None:
        """Let nothing expire until resume(). A second pause() before it changes nothing."""
        # No notify: the thread wakes at the next deadline, finds it paused, and waits.
        with self._changed:
            if self._paused_at is None:
                self._paused_at = monotonic()

    def resume(self) -> None:
        """Move every armed deadline later by the time spent paused, and let them expire."""
        with self._changed:
            if self._paused_at is None:
                return
            paused = monotonic() - self._paused_at
            self._paused_at = None
            self.paused_seconds += paused
            for deadline in self._armed:
                deadline.at += paused
            self._changed.notify()

    def arm(self, deadline: Expiring) -> None:
        """Watch *deadline*, or watch it at its new ``at`` if it is watched already."""
        with self._changed:
            if self._paused_at is not None:
                # Its time starts at resume(), which adds the whole pause to it.
                deadline.at -= monotonic() - self._paused_at
            if deadline not in self._armed:
                self._armed.append(deadline)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._watch, name="pytest-asyncio-ng watchdog", daemon=True
                )
                self._thread.start()
            elif deadline.at < self._wakes_at:
                # Only then: a job's deadline is most often later than the one the thread
                # waits for, and waking the thread for every job would cost each one.
                self._changed.notify()

    def disarm(self, deadline: Expiring) -> None:
        # No notify: the thread wakes at the old deadline, finds nothing due, and waits on.
        with self._changed:
            if deadline in self._armed:
                self._armed.remove(deadline)

    def _watch(self) -> None:
        while True:
            with self._changed:
                if self._paused_at is not None:
                    self._changed.wait()
                    continue
                now = monotonic()
                due = [deadline for deadline in self._armed if deadline.at <= now]
                if not due:
                    wait = min((deadline.at for deadline in self._armed), default=None)
                    self._wakes_at = math.inf if wait is None else wait
                    self._changed.wait(None if wait is None else wait - now)
                    self._wakes_at = -math.inf
                    continue
                for deadline in due:
                    self._armed.remove(deadline)
            for deadline in due:
                deadline.expire()


WATCHDOG: Final = Watchdog()
