"""Every private attribute of asyncio that the runner reads or changes, in one place.

asyncio offers no public way to ask these questions. Each helper reads attributes that asyncio's
own loops and tasks have on Python 3.10 - 3.13 (tests/unit/test_unit_aio.py checks them on the
running version) and answers safely for loops and tasks that lack them (uvloop, a user's own
loop): the runner then takes its slower, general path.
The failure diagnosis asks a loop what it is waiting on (``watched_fds``) the same way.
"""

from __future__ import annotations

import asyncio
import contextvars
import traceback
from collections.abc import Callable
from typing import Any, Final


def waiter(task: asyncio.Task[Any]) -> asyncio.Future[Any] | None:
    """The future *task* is blocked on, if it is blocked on one.

    A coroutine that awaits a future holds only an iterator over it (``cr_await`` is a
    ``FutureIter``), so a walk of ``cr_await`` ends there; the task knows the future."""
    future = getattr(task, "_fut_waiter", None)
    return future if isinstance(future, asyncio.Future) else None


def creation_stack(task: asyncio.Task[Any]) -> traceback.StackSummary | None:
    """Where *task* was created, kept by asyncio in debug mode only."""
    stack = getattr(task, "_source_traceback", None)
    return stack if isinstance(stack, traceback.StackSummary) else None


def cancel_pending(task: asyncio.Task[object]) -> bool:
    """Whether ``task.cancel()`` was called and not yet delivered to the task's coroutine.

    A task cancelled while it runs (``asyncio.current_task().cancel()``) only raises
    ``CancelledError`` at its next ``await``; if its coroutine returns first, asyncio ends the
    task cancelled all the same. ``Task.cancelling()`` (3.11+) cannot tell this apart from a
    cancellation that was delivered and caught, and 3.10 has no public way at all; asyncio
    keeps the request in ``_must_cancel``.
    """
    return bool(getattr(task, "_must_cancel", False))


def is_stopping(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether ``loop.stop()`` was called and the loop has not stopped yet.

    False when unknown: a stop asked for in the same step as one of the runner's own then goes
    unnoticed, as with ``asyncio.run()``.
    """
    return bool(getattr(loop, "_stopping", False))


def nothing_to_clean(loop: asyncio.AbstractEventLoop) -> bool:
    """No pending task, async generator, default executor or ready callback on *loop*.

    Reads attributes of asyncio's own loops; False for any other loop, which then gets the full
    shutdown."""
    asyncgens = getattr(loop, "_asyncgens", None)
    ready = getattr(loop, "_ready", None)
    if asyncgens is None or ready is None or asyncgens or ready:
        return False
    if getattr(loop, "_default_executor", True) is not None:
        return False
    return not asyncio.all_tasks(loop)


def forget_pending(task: asyncio.Task[object]) -> None:
    """Let *task*, pending on a closed loop, be dropped without asyncio's "Task was destroyed
    but it is pending!" error: nothing can run it any more, and the error would blame the user
    for a loop someone else closed."""
    task._log_destroy_pending = False  # type: ignore[attr-defined]


def watched_fds(loop: asyncio.AbstractEventLoop) -> list[int]:
    """The file descriptors *loop* watches for its callbacks (servers, transports, readers),
    without the loop's own self-pipe; empty when the loop does not say."""
    selector = getattr(loop, "_selector", None)  # selector_events.BaseSelectorEventLoop
    get_map = getattr(selector, "get_map", None)
    if get_map is None or loop.is_closed():
        return []
    self_pipe = getattr(loop, "_ssock", None)
    own = self_pipe.fileno() if self_pipe is not None else -1
    mapping = get_map()  # None once the selector is closed
    if mapping is None:
        return []
    return sorted(fd for fd in mapping if isinstance(fd, int) and fd != own)


#: Every callback and task step of asyncio's own loops runs through ``Handle._run`` (pure
#: Python in CPython 3.10 - 3.13; ``TimerHandle`` inherits it). uvloop's handles do not.
HandleRun = Callable[[asyncio.Handle], None]
#: asyncio's tasks: the C one, and the pure-Python one where it exists.
_TASKS: Final = (asyncio.Task, getattr(asyncio.tasks, "_PyTask", asyncio.Task))


def handle_run() -> HandleRun:
    """The method that runs every callback and task step of asyncio's own loops."""
    run: HandleRun = asyncio.Handle._run
    return run


def set_handle_run(run: HandleRun) -> None:
    """Make *run* the method that runs every callback and task step (see :func:`handle_run`)."""
    setattr(asyncio.Handle, "_run", run)  # noqa: B010 - mypy refuses to assign a method


def handle_callback(handle: asyncio.Handle) -> Callable[..., Any] | None:
    """What *handle* calls; None once it was cancelled, or when unknown."""
    callback = getattr(handle, "_callback", None)
    return callback if callable(callback) else None


def handle_context(handle: asyncio.Handle) -> contextvars.Context | None:
    """The context *handle*'s callback runs in (a task's own, for a task step)."""
    context = getattr(handle, "_context", None)
    return context if isinstance(context, contextvars.Context) else None


def handle_task(handle: asyncio.Handle) -> asyncio.Task[Any] | None:
    """The task whose step (or wake-up) *handle* runs; None for any other callback.

    A task schedules its steps as a method of its own (a bound method, or in C a wrapper
    whose ``__self__`` is the task)."""
    owner = getattr(handle_callback(handle), "__self__", None)
    return owner if isinstance(owner, _TASKS) else None
