"""A loop blocked by sync code: the stack of that code, and a signal that interrupts it.

Cancelling a job that ran past its limit needs its loop to run: ``time.sleep(30)`` or a busy
loop in an async test never lets it. When the loop has not run the cancellation
:data:`CHECK` seconds after the deadline, the watchdog thread takes the Python stack of the
thread that runs the loop (``sys._current_frames()``), keeps the frames of the code the loop
is running (inside the runner's ``_run_until_done``) that are the user's, and, when that
thread is the main thread, sends it :data:`SIGNAL`. Its handler, installed by
``_deadlines.run`` for the time of a limited job, raises :class:`LoopBlocked` where the code
is, which fails the job (or the task or callback it blocked in: asyncio records a
``BaseException`` other than ``KeyboardInterrupt``/``SystemExit`` on the task, or hands it to
the loop's exception handler, and does not let it out of ``run_forever()`` on 3.10 - 3.13).

The handler raises only if the frame the watchdog saw is still running when the signal
arrives: code that returned just before does not get an exception somewhere else.

Signals reach Python code in the main thread only, and not on platforms without
``pthread_kill`` (Windows): there the report says the code could not be interrupted, and
the job fails once the blocking code returns.

This module does not import asyncio: ``_timeouts`` imports it in runs that set no limit.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, Final

from . import _messages

#: Seconds the loop has, after a deadline, to run the cancellation before it is said to be
#: blocked. asyncio's own debug mode calls a step of 0.1 s slow (``slow_callback_duration``);
#: 2.5 times that leaves room for the watchdog's wake-up and the GIL's switch interval on a
#: loaded machine, so a loop that is merely busy is not taken for a blocked one, and it is
#: still short next to any limit.
CHECK: Final = 0.25

#: SIGURG: its default action is to ignore it, so one that arrives after our handler was
#: restored cannot end the process (SIGALRM, SIGUSR1 and SIGUSR2 would), and Python programs
#: do not use it (pytest-timeout uses SIGALRM; faulthandler users often register SIGUSR1).
SIGNAL: Final = getattr(signal, "SIGURG", None)
_KILL: Final[Callable[[int, int], None] | None] = getattr(signal, "pthread_kill", None)

#: Frames in these directories are left out of the stack: pytest's and pluggy's, around a
#: sync fixture that a job set up through ``call_sync``.
_FRAMEWORK_DIRS: Final = tuple(
    os.path.dirname(module.__file__) + os.sep
    for module in (sys.modules.get("_pytest"), sys.modules.get("pluggy"))
    if module is not None and module.__file__ is not None
)


class LoopBlocked(BaseException):
    """Raised in sync code that blocked the event loop of a job past its limit.

    A ``BaseException``, so that the ``except Exception`` of the code it interrupts lets it
    through; the job then fails with the report of where the code was."""


class Sample:
    """The user's frames that the loop was running at one moment, outermost first."""

    __slots__ = ("frames", "marker")

    def __init__(self, frames: list[FrameType]) -> None:
        self.frames = frames
        #: The outermost of them: while it is on the stack, the loop is still in that code.
        self.marker = frames[0]


def sample(thread: int) -> Sample | None:
    """The user's frames that *thread* runs inside a runner's loop (or a ``call_sync``), or
    None when it runs none: it is not running a loop, or only asyncio's and our own code."""
    from ._awaits import user_steps
    from ._runner import LoopRunner

    boundary = LoopRunner._run_until_done.__code__
    frame = sys._current_frames().get(thread)
    inside: list[FrameType] = []
    while frame is not None and frame.f_code is not boundary:
        inside.append(frame)
        frame = frame.f_back
    if frame is None:
        return None
    shown = [f for f in reversed(inside) if not _framework(f) and user_steps([f])]
    return Sample(shown) if shown else None


def _framework(frame: FrameType) -> bool:
    return frame.f_code.co_filename.startswith(_FRAMEWORK_DIRS)


def not_interruptible(thread: int) -> str | None:
    """Why code that blocks the loop run by *thread* cannot be interrupted, or None if it can."""
    if SIGNAL is None or _KILL is None:
        return _messages.BLOCKED_NO_SIGNALS
    if thread != threading.main_thread().ident:
        return _messages.BLOCKED_NOT_MAIN_THREAD
    if signal.getsignal(SIGNAL) is not _on_signal:
        return _messages.BLOCKED_SIGNAL_TAKEN.format(signal=signal.Signals(SIGNAL).name)
    return None


class _Request:
    """An interruption asked for by the watchdog, waiting for the signal to arrive."""

    __slots__ = ("marker", "message", "on_raise", "token")

    def __init__(
        self, marker: FrameType, message: str, on_raise: Callable[[], None], token: object
    ) -> None:
        self.token = token
        self.marker = marker
        self.message = message
        self.on_raise = on_raise


#: The interruption the next signal is for; only the watchdog sets it, only the handler and
#: ``withdraw`` clear it.
_pending: _Request | None = None
#: The handler ours replaced, called for a signal that is not ours.
_previous: Any = None


def interrupt(
    thread: int, target: Sample, message: str, on_raise: Callable[[], None], *, token: object
) -> None:
    """Raise :class:`LoopBlocked` with *message* in *thread* (the main thread), in the code of
    *target* if it still runs then; *on_raise* is called in that thread just before. *token*
    is what :func:`withdraw` names the request by."""
    global _pending
    assert SIGNAL is not None
    assert _KILL is not None
    _pending = _Request(target.marker, message, on_raise, token)
    _KILL(thread, SIGNAL)


def withdraw(token: object) -> None:
    """Cancel the interruption asked for with *token*, if not delivered yet: its job ended."""
    global _pending
    request = _pending
    if request is not None and request.token is token:
        _pending = None


def install() -> bool:
    """Make :data:`SIGNAL` interrupt blocked code, from the main thread; return whether this
    call did (then call :func:`restore` after the job). A nested job finds it done already;
    a handler set outside Python could not be put back, so it is left alone."""
    global _previous
    if SIGNAL is None or _KILL is None or threading.current_thread() is not threading.main_thread():
        return False
    current = signal.getsignal(SIGNAL)
    if current is _on_signal or current is None:
        return False
    _previous = current
    signal.signal(SIGNAL, _on_signal)
    return True


def restore() -> None:
    """Put back the handler :func:`install` replaced. A signal still pending runs our handler
    first (``signal.signal`` checks for pending signals before it changes a handler), which
    does nothing once the request was withdrawn."""
    global _previous
    assert SIGNAL is not None
    previous, _previous = _previous, None
    signal.signal(SIGNAL, previous)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    global _pending
    request = _pending
    if request is None:
        previous = _previous
        if callable(previous):  # a signal that is not ours
            previous(signum, frame)
        return
    _pending = None
    if not _on_stack(request.marker, frame):
        return  # the blocking code returned before the signal arrived
    request.on_raise()
    raise LoopBlocked(request.message)


def _on_stack(marker: FrameType, frame: FrameType | None) -> bool:
    while frame is not None:
        if frame is marker:
            return True
        frame = frame.f_back
    return False
