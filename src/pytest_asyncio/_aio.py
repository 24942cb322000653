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
import sys
import traceback
import weakref
from collections.abc import Callable, Mapping
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


def cancel_requested(task: asyncio.Task[Any]) -> bool:
    """Whether ``task.cancel()`` was called on *task*, which has not ended yet.

    On 3.11+ ``Task.cancelling()`` counts the requests (less those withdrawn with
    ``uncancel()``). 3.10 keeps no count: a request is seen until the task runs again, in
    ``_must_cancel`` (no future to cancel, or it could not be cancelled) or as the cancelled
    future the task waits on."""
    cancelling = getattr(task, "cancelling", None)
    if cancelling is not None:
        return bool(cancelling())
    if cancel_pending(task):
        return True
    future = waiter(task)
    return future is not None and future.cancelled()


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
    return not has_pending_tasks(loop)


def _task_sets() -> tuple[Any, Any] | None:
    """Where asyncio keeps the tasks that ``asyncio.all_tasks()`` reads on Python 3.10 - 3.13:
    a ``WeakSet`` of tasks, and (3.12+) a plain set of eager tasks not yet scheduled. None
    when they are not where expected, or on 3.14+, where ``all_tasks()`` reads them in C."""
    if sys.version_info >= (3, 14):
        return None
    tasks = asyncio.tasks
    weak = getattr(tasks, "_scheduled_tasks", None)  # 3.12+
    if weak is None:
        weak = getattr(tasks, "_all_tasks", None)
    eager: object = getattr(tasks, "_eager_tasks", set())
    if not isinstance(weak, weakref.WeakSet) or not isinstance(eager, set):
        return None
    return weak, eager


_TASK_SETS: Final = _task_sets()


def has_pending_tasks(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether a task of *loop* has not ended: ``bool(asyncio.all_tasks(loop))``, as cheaply.

    On 3.10 - 3.13 ``all_tasks()`` iterates asyncio's ``WeakSet`` of tasks in Python and
    builds a set; closing each function-scoped loop asks this. Copying the set of weak
    references is one C call, during which no Python code can change it."""
    if _TASK_SETS is None:
        return bool(asyncio.all_tasks(loop))
    weak, eager = _TASK_SETS
    for ref in list(weak.data):
        task = ref()
        if task is not None and task.get_loop() is loop and not task.done():
            return True
    return bool(eager) and any(task.get_loop() is loop and not task.done() for task in list(eager))


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
    if not isinstance(mapping, Mapping):  # a test's stand-in for a selector (a Mock)
        return []
    return sorted(fd for fd in mapping if isinstance(fd, int) and fd != own)


def exception_unretrieved(future: asyncio.Future[Any]) -> bool:
    """Whether *future* (or task) is done with an exception that nothing has retrieved yet:
    nothing awaited it, nor called ``result()`` or ``exception()``. asyncio logs "exception
    was never retrieved" when it frees a future in that state (``_log_traceback``). False for
    a cancelled future, and when unknown."""
    return getattr(future, "_log_traceback", False) is True


def context_of(thing: object) -> contextvars.Context | None:
    """The context a task or a handle runs its code in: ``get_context()`` from Python 3.12
    on, ``_context`` before."""
    get_context = getattr(thing, "get_context", None)
    context = get_context() if callable(get_context) else getattr(thing, "_context", None)
    return context if isinstance(context, contextvars.Context) else None


def callback_of(handle: object) -> object:
    """The function a ``loop.call_soon()`` (or ``call_later()``) handle calls; None when
    unknown."""
    return getattr(handle, "_callback", None)


# --- never-awaited coroutines ---------------------------------------------------------------
# When a coroutine that never started is freed, CPython (3.10 - 3.14, Python/_warnings.c,
# _PyErr_WarnUnawaitedCoroutine) looks up ``_warn_unawaited_coroutine`` on the ``warnings``
# module at that moment and calls it with the coroutine; a call that returns counts as warned.
# That lookup is the one way to be handed the coroutine itself: the unawaited check puts its
# own function there while a test needs it.
_UNAWAITED_HOOK: Final = "_warn_unawaited_coroutine"


def unawaited_hook() -> Callable[[Any], object] | None:
    """What CPython calls with a coroutine freed before it started (None if it is missing)."""
    import warnings

    hook = getattr(warnings, _UNAWAITED_HOOK, None)
    return hook if callable(hook) else None


def set_unawaited_hook(hook: Callable[[Any], object] | None) -> None:
    """Make *hook* what CPython calls with a coroutine freed before it started."""
    import warnings

    if hook is None:
        if hasattr(warnings, _UNAWAITED_HOOK):
            delattr(warnings, _UNAWAITED_HOOK)
    else:
        setattr(warnings, _UNAWAITED_HOOK, hook)


def is_stdlib_unawaited_hook(hook: object) -> bool:
    """Whether *hook* is Python's own (``warnings._warn_unawaited_coroutine``), whatever
    module of the warnings package defines it (``_py_warnings`` on 3.14)."""
    return getattr(hook, "__name__", None) == _UNAWAITED_HOOK and getattr(
        hook, "__module__", None
    ) in ("warnings", "_py_warnings")


def warn_unawaited(coro: Any, skip: int) -> None:
    """Give the RuntimeWarning Python's own hook gives for *coro*, freed before it started:
    the same text and category, at the line running when it was freed, *skip* frames (ours)
    above the caller. Python's hook warns at its caller; called from ours, it would point at
    our frame instead."""
    import linecache
    import warnings

    lines = [f"coroutine '{coro.__qualname__}' was never awaited\n"]
    origin = getattr(coro, "cr_origin", None)
    if origin is not None:
        lines.append("Coroutine created at (most recent call last)\n")
        lines += traceback.format_list(
            [
                (name, lineno, function, linecache.getline(name, lineno))
                for name, lineno, function in reversed(origin)
            ]
        )
    text = "".join(lines).rstrip("\n")
    warnings.warn(text, category=RuntimeWarning, stacklevel=skip + 2, source=coro)


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


# --- tasks made by a task factory -----------------------------------------------------------
#: Python 3.13.0 - 3.13.2: ``loop.create_task()`` calls ``task.set_name(name)`` on what the
#: loop's task factory returned even when no name was given, so every such task is named
#: 'None' (CPython gh-130033). 3.10 - 3.12 skip a None name; 3.13.3 hands the name to the
#: factory instead, and 3.13.4 skips a None name again.
RENAMES_FACTORY_TASKS: Final = (3, 13) <= sys.version_info[:3] < (3, 13, 3)


class _FactoryTask(asyncio.Task[Any]):
    """asyncio's task, whose name survives the ``set_name(None)`` that ``create_task()`` of
    the affected versions calls right after the factory (only that first call)."""

    __slots__ = ("_named",)

    def set_name(self, value: object) -> None:
        first = not hasattr(self, "_named")
        self._named = True
        if value is not None or not first:
            super().set_name(value)


_FactoryTask.__name__ = _FactoryTask.__qualname__ = "Task"  # its repr is asyncio's own


def factory_task(coro: Any, loop: asyncio.AbstractEventLoop, **kwargs: Any) -> asyncio.Task[Any]:
    """A new task of asyncio's own, for a task factory to return: on the affected versions
    (:data:`RENAMES_FACTORY_TASKS`) one that keeps its default name when created unnamed."""
    if RENAMES_FACTORY_TASKS:
        return _FactoryTask(coro, loop=loop, **kwargs)
    return asyncio.Task(coro, loop=loop, **kwargs)


# --- the coroutine of a task ----------------------------------------------------------------
#: Python 3.12.0 - 3.12.4: the C ``Task.get_coro()`` of an eager task that ended inside
#: ``create_task()`` crashes the interpreter (its coroutine is already dropped; CPython
#: gh-122332). Its ``_coro`` attribute reads the same slot safely, as None.
GET_CORO_CRASHES: Final = (3, 12) <= sys.version_info[:3] < (3, 12, 5)


def task_coro(task: asyncio.Task[Any]) -> Any:
    """The coroutine *task* wraps; None once an eager task ended in ``create_task()``."""
    if GET_CORO_CRASHES:
        return getattr(task, "_coro", None)
    return task.get_coro()


# --- virtual time -------------------------------------------------------------------------
# asyncio's own loops (BaseEventLoop, 3.10 - 3.14) read the time only through ``self.time()``
# and wait only in ``self._selector.select(timeout)`` (a selector, or the proactor on
# Windows), with *timeout* None when no callback is ready and no timer is scheduled, 0 when a
# callback is ready, else the seconds until the earliest timer (``_scheduled[0]``).


def virtualisable(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether *loop* waits and reads the time as asyncio's own loops do (see above): a
    subclass that keeps their ``time()`` and ``_run_once()``, and waits in a real selector
    (or the proactor). A loop that keeps time its own way is left to it."""
    kind = type(loop)
    base = asyncio.BaseEventLoop
    return (
        isinstance(loop, base)
        and getattr(kind, "time", None) is base.time
        and getattr(kind, "_run_once", None) is getattr(base, "_run_once", False)
        and isinstance(getattr(loop, "_scheduled", None), list)
        and hasattr(loop, "_ready")
        and _is_selector(getattr(loop, "_selector", None))
    )


def _is_selector(selector: object) -> bool:
    import selectors

    if isinstance(selector, selectors.BaseSelector):
        return True
    proactor = getattr(getattr(asyncio, "windows_events", None), "IocpProactor", None)
    return proactor is not None and isinstance(selector, proactor)


def selector(loop: asyncio.AbstractEventLoop) -> Any:
    """What *loop* waits in (see :func:`virtualisable`)."""
    return loop._selector  # type: ignore[attr-defined]


def set_selector(loop: asyncio.AbstractEventLoop, waiter: object) -> None:
    """Make *loop* wait in *waiter* (an object with the selector's methods)."""
    loop._selector = waiter  # type: ignore[attr-defined]


def next_timer(loop: asyncio.AbstractEventLoop) -> float | None:
    """When the earliest timer of *loop* is due, on the loop's clock; None if there is none.

    Read while the loop waits: ``_run_once`` has dropped the cancelled timers at the head of
    its heap before it computed how long to wait."""
    scheduled = getattr(loop, "_scheduled", None)
    if not scheduled:
        return None
    when = getattr(scheduled[0], "_when", None)
    return when if isinstance(when, float) else None


def has_ready(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether a callback of *loop* is ready to run."""
    return bool(getattr(loop, "_ready", None))


def signal_handlers(loop: asyncio.AbstractEventLoop) -> list[int]:
    """The signals *loop* has handlers for (``loop.add_signal_handler``)."""
    handlers = getattr(loop, "_signal_handlers", None)
    return list(handlers) if isinstance(handlers, dict) else []


def _is_pool_worker_code(code: object) -> bool:
    """Whether *code* is that of ``concurrent.futures.thread._worker``: the loop each worker of
    a ``ThreadPoolExecutor`` runs. Compared by name and file, not identity: a module that was
    imported again (pytester's in-process runs drop the modules a run imported) holds another
    function object than the executor a program made before."""
    import concurrent.futures.thread as pool

    return (
        getattr(code, "co_name", None) == "_worker"
        and getattr(code, "co_filename", None) == pool._worker.__code__.co_filename
    )


def is_pool_worker(thread: object) -> bool:
    """Whether *thread* is a worker of a ``concurrent.futures.ThreadPoolExecutor``."""
    return _is_pool_worker_code(getattr(getattr(thread, "_target", None), "__code__", None))


def pool_worker_idle(frame: object) -> bool:
    """Whether a pool worker whose innermost frame is *frame* waits for work: it is in the
    worker's loop itself (blocked on the work queue), not in a job it runs."""
    return _is_pool_worker_code(getattr(frame, "f_code", None))
