"""The private asyncio attributes of ``_aio`` on this Python version: each helper gives the
right answer on asyncio's own loops and tasks, and the safe one on objects that lack them."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import importlib
import os
import re
import signal
import socket
import sys
import threading
import time
import types
import warnings
from collections.abc import Callable, Iterator

import pytest

from pytest_asyncio import _aio


def test_cancel_pending_sees_a_request_not_yet_delivered() -> None:
    async def main() -> tuple[bool, bool, bool]:
        task = asyncio.current_task()
        assert task is not None
        before = _aio.cancel_pending(task)
        task.cancel()
        requested = _aio.cancel_pending(task)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0)
        return before, requested, _aio.cancel_pending(task)

    assert asyncio.run(main()) == (False, True, False)


def test_is_stopping_sees_a_stop_request() -> None:
    loop = asyncio.new_event_loop()
    try:
        assert not _aio.is_stopping(loop)
        loop.stop()
        assert _aio.is_stopping(loop)
        loop.run_forever()
        assert not _aio.is_stopping(loop)
    finally:
        loop.close()


def test_nothing_to_clean_sees_tasks_and_executors() -> None:
    loop = asyncio.new_event_loop()
    try:
        assert _aio.nothing_to_clean(loop)
        task = loop.create_task(asyncio.sleep(0))
        assert not _aio.nothing_to_clean(loop)
        loop.run_until_complete(task)
        assert _aio.nothing_to_clean(loop)
        loop.run_until_complete(loop.run_in_executor(None, int))
        assert not _aio.nothing_to_clean(loop)
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        loop.close()


def test_has_pending_tasks_answers_as_all_tasks_does() -> None:
    if sys.version_info < (3, 14):  # later versions: asyncio.all_tasks() itself, in C
        assert _aio._TASK_SETS is not None  # asyncio's sets were found: the fast path is taken
    loop, other = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        seen = [_aio.has_pending_tasks(loop)]
        elsewhere = other.create_task(asyncio.sleep(10))
        seen.append(_aio.has_pending_tasks(loop))  # a task of another loop does not count
        task = loop.create_task(asyncio.sleep(0))
        seen.append(_aio.has_pending_tasks(loop))
        loop.run_until_complete(task)
        seen.append(_aio.has_pending_tasks(loop))  # ended
        assert seen == [False, False, True, False]
        elsewhere.cancel()
        other.run_until_complete(asyncio.gather(elsewhere, return_exceptions=True))
    finally:
        loop.close()
        other.close()


@pytest.mark.skipif(sys.version_info < (3, 12), reason="eager tasks: Python 3.12+")
def test_has_pending_tasks_sees_an_eager_task_in_its_first_step() -> None:
    loop = asyncio.new_event_loop()
    seen = []

    async def first_step() -> None:
        seen.append((_aio.has_pending_tasks(loop), bool(asyncio.all_tasks(loop))))

    def start() -> None:  # a callback: no other task of the loop is running
        tasks.append(asyncio.eager_task_factory(loop, first_step()))  # type: ignore[attr-defined]
        loop.stop()

    tasks: list[asyncio.Task[None]] = []
    try:
        loop.call_soon(start)
        loop.run_forever()
    finally:
        loop.close()
    assert seen == [(True, True)]  # while it ran its first step, eagerly
    assert tasks[0].done()


def test_exception_unretrieved_until_something_retrieves_it() -> None:
    async def fail() -> None:
        raise KeyError("x")

    async def main() -> list[bool]:
        seen = []
        task = asyncio.create_task(fail())
        seen.append(_aio.exception_unretrieved(task))  # pending
        await asyncio.sleep(0)
        seen.append(_aio.exception_unretrieved(task))  # failed, nobody looked
        task.exception()
        seen.append(_aio.exception_unretrieved(task))
        cancelled = asyncio.create_task(asyncio.sleep(1))
        await asyncio.sleep(0)
        cancelled.cancel()
        await asyncio.sleep(0)
        seen.append(_aio.exception_unretrieved(cancelled))
        future = asyncio.get_running_loop().create_future()
        future.set_exception(KeyError("y"))
        seen.append(_aio.exception_unretrieved(future))
        future.exception()
        seen.append(_aio.exception_unretrieved(future))
        return seen

    assert asyncio.run(main()) == [False, True, False, False, True, False]


def test_context_and_callback_of_a_handle_and_a_task() -> None:
    variable = contextvars.ContextVar[str]("variable")

    def callback() -> None:
        pass

    async def main() -> None:
        variable.set("set")
        handle = asyncio.get_running_loop().call_soon(callback)
        context = _aio.context_of(handle)
        assert context is not None
        assert context.get(variable) == "set"
        assert _aio.callback_of(handle) is callback
        task = asyncio.current_task()
        if sys.version_info >= (3, 12):  # a task's context is hidden before
            context = _aio.context_of(task)
            assert context is not None
            assert context.get(variable) == "set"

    asyncio.run(main())


def test_safe_answers_for_objects_without_the_attributes() -> None:
    stranger = types.SimpleNamespace()
    assert not _aio.cancel_pending(stranger)  # type: ignore[arg-type]
    assert not _aio.is_stopping(stranger)  # type: ignore[arg-type]
    assert not _aio.nothing_to_clean(stranger)  # type: ignore[arg-type]
    assert not _aio.exception_unretrieved(stranger)  # type: ignore[arg-type]
    assert _aio.context_of(stranger) is None
    assert _aio.callback_of(stranger) is None
    assert not _aio.cancel_requested(stranger)  # type: ignore[arg-type]


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def test_a_new_loop_watches_nothing_but_its_self_pipe(loop: asyncio.AbstractEventLoop) -> None:
    assert _aio.watched_fds(loop) == []


def test_servers_connections_and_readers_are_watched(loop: asyncio.AbstractEventLoop) -> None:
    accepted: list[asyncio.StreamWriter] = []  # kept: 3.13 closes a collected writer

    async def open_all() -> tuple[asyncio.Server, asyncio.StreamWriter]:
        server = await asyncio.start_server(lambda r, w: accepted.append(w), "127.0.0.1", 0)
        _, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
        await asyncio.sleep(0.01)  # the transports start reading in callbacks of their own
        return server, writer

    server, writer = loop.run_until_complete(open_all())
    listening = server.sockets[0].fileno()
    connected = writer.get_extra_info("socket").fileno()
    read_end, write_end = os.pipe()
    loop.add_reader(read_end, lambda: None)
    try:
        assert {listening, connected, read_end} <= set(_aio.watched_fds(loop))
        for fd in _aio.watched_fds(loop):
            if fd != read_end:
                with socket.socket(fileno=os.dup(fd)) as sock:
                    assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        loop.remove_reader(read_end)
        os.close(read_end)
        os.close(write_end)
        for each in [writer, *accepted]:
            each.close()
        server.close()
        loop.run_until_complete(server.wait_closed())
    assert listening not in _aio.watched_fds(loop)


def test_a_closed_loop_watches_nothing() -> None:
    loop = asyncio.new_event_loop()
    loop.close()
    assert _aio.watched_fds(loop) == []


def test_a_loop_without_a_selector_watches_nothing() -> None:
    class Opaque(asyncio.AbstractEventLoop):
        def is_closed(self) -> bool:
            return False

    assert _aio.watched_fds(Opaque()) == []  # type: ignore[abstract]  # a stub is enough


def test_cancel_requested_sees_a_request_until_the_task_ends() -> None:
    async def cleanup(started: asyncio.Event, cleaning: asyncio.Event) -> None:
        try:
            started.set()
            await asyncio.sleep(3600)
        finally:
            cleaning.set()
            await asyncio.sleep(0.01)

    async def main() -> list[bool]:
        started, cleaning = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(cleanup(started, cleaning))
        await started.wait()
        seen = [_aio.cancel_requested(task)]
        task.cancel()
        seen.append(_aio.cancel_requested(task))  # waiting on a future it cancelled
        await cleaning.wait()
        if sys.version_info >= (3, 11):  # 3.10 forgets it once the task has seen it
            seen.append(_aio.cancel_requested(task))
        with contextlib.suppress(asyncio.CancelledError):
            await task
        unstarted = asyncio.create_task(asyncio.sleep(0))
        unstarted.cancel()
        seen.append(_aio.cancel_requested(unstarted))  # no future yet: _must_cancel
        with contextlib.suppress(asyncio.CancelledError):
            await unstarted
        return seen

    expected = [False, True, True, True] if sys.version_info >= (3, 11) else [False, True, True]
    assert asyncio.run(main()) == expected


async def _never_awaited() -> None:
    pass


def _drop(made: list[object]) -> None:
    made.append(_never_awaited())
    made.clear()  # the coroutine is freed here, before it ever ran


def test_python_hands_a_coroutine_freed_unstarted_to_the_unawaited_hook() -> None:
    original = _aio.unawaited_hook()
    assert _aio.is_stdlib_unawaited_hook(original)
    handed: list[tuple[str, object]] = []
    _aio.set_unawaited_hook(lambda coro: handed.append((coro.__qualname__, coro.cr_origin)))
    depth = sys.get_coroutine_origin_tracking_depth()
    sys.set_coroutine_origin_tracking_depth(1)
    try:
        _drop([])
        closed = _never_awaited()
        closed.close()  # closed or started coroutines are not handed over
        del closed
    finally:
        sys.set_coroutine_origin_tracking_depth(depth)
        _aio.set_unawaited_hook(original)
    assert _aio.unawaited_hook() is original
    line = _drop.__code__.co_firstlineno + 1
    assert handed == [("_never_awaited", ((__file__, line, "_drop"),))]


def test_warn_unawaited_warns_as_pythons_own_hook_does() -> None:
    def through_ours(coro: object) -> None:
        _aio.warn_unawaited(coro, skip=1)  # this frame is ours

    warned = []
    original = _aio.unawaited_hook()
    depth = sys.get_coroutine_origin_tracking_depth()
    sys.set_coroutine_origin_tracking_depth(2)
    try:
        for hook in (original, through_ours):
            _aio.set_unawaited_hook(hook)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                _drop([])
            warned.append([(w.category, str(w.message), w.filename, w.lineno) for w in caught])
    finally:
        sys.set_coroutine_origin_tracking_depth(depth)
        _aio.set_unawaited_hook(original)
    assert warned[0] == warned[1]
    [(category, message, filename, lineno)] = warned[0]
    assert category is RuntimeWarning
    assert message.startswith("coroutine '_never_awaited' was never awaited\nCoroutine created at")
    assert (filename, lineno) == (__file__, _drop.__code__.co_firstlineno + 2)


def test_only_pythons_own_hook_is_taken_for_it() -> None:
    assert not _aio.is_stdlib_unawaited_hook(lambda coro: None)
    assert not _aio.is_stdlib_unawaited_hook(None)


def test_every_callback_and_task_step_runs_through_handle_run() -> None:
    seen: list[tuple[object, object, object]] = []
    original = _aio.handle_run()

    def run(handle: asyncio.Handle) -> None:
        context = _aio.handle_context(handle)
        mark = None if context is None else context.get(_MARK, None)
        seen.append((_aio.handle_task(handle), _aio.handle_callback(handle), mark))
        original(handle)

    def callback() -> None:
        pass

    async def main() -> asyncio.Task[None]:
        _MARK.set("main")
        asyncio.get_running_loop().call_soon(callback)
        task = asyncio.create_task(asyncio.sleep(0.01))
        await task
        return task

    _aio.set_handle_run(run)
    try:
        task = asyncio.run(main())
    finally:
        _aio.set_handle_run(original)
    assert _aio.handle_run() is original
    assert (None, callback, "main") in seen  # a callback: no task, in its caller's context
    assert any(each[0] is task and each[2] == "main" for each in seen)  # the task's steps
    stranger = types.SimpleNamespace()
    assert _aio.handle_task(stranger) is None  # type: ignore[arg-type]
    assert _aio.handle_callback(stranger) is None  # type: ignore[arg-type]
    assert _aio.handle_context(stranger) is None  # type: ignore[arg-type]


_MARK = contextvars.ContextVar[str]("mark")


def test_renames_factory_tasks_says_whether_this_python_renames_them() -> None:
    """The version guard matches what create_task() does here: with a plain task factory, an
    unnamed task is 'None' exactly where RENAMES_FACTORY_TASKS is set; factory_task() keeps
    the default name everywhere, and a name given (or set later) all the same."""

    async def main() -> list[str]:
        loop = asyncio.get_running_loop()
        names = []
        for make in (asyncio.Task, _aio.factory_task):
            loop.set_task_factory(
                lambda loop, coro, make=make, **kwargs: make(coro, loop=loop, **kwargs)
            )
            unnamed = asyncio.create_task(asyncio.sleep(0))
            named = asyncio.create_task(asyncio.sleep(0), name="worker")
            await asyncio.gather(unnamed, named)
            names += [unnamed.get_name(), named.get_name()]
            unnamed.set_name(None)
            names.append(unnamed.get_name())
        return names

    plain_unnamed, *rest = asyncio.run(main())
    assert (plain_unnamed == "None") is _aio.RENAMES_FACTORY_TASKS
    assert rest[0:2] == ["worker", "None"]
    assert re.fullmatch("Task-[0-9]+", rest[2]), rest[2]
    assert rest[3:] == ["worker", "None"]


@pytest.mark.skipif(sys.version_info < (3, 12), reason="asyncio.eager_task_factory: 3.12+")
def test_task_coro_of_an_eager_task_that_ended_at_once_is_none() -> None:
    """Where GET_CORO_CRASHES is set, asking get_coro() here would crash this process."""

    async def fails() -> None:
        raise KeyError("at once")

    async def main() -> tuple[object, object]:
        if sys.version_info >= (3, 12):  # the skipif's condition, for mypy
            asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)
        ended = asyncio.create_task(fails())
        assert ended.done()
        ended.exception()
        pending = asyncio.create_task(asyncio.sleep(0))
        coro = _aio.task_coro(pending)
        await pending
        return _aio.task_coro(ended), coro

    ended, pending = asyncio.run(main())
    assert ended is None
    assert getattr(pending, "__qualname__", None) == "sleep"


# --- virtual time ---------------------------------------------------------------------------


def test_asyncio_own_loop_is_virtualisable_and_others_are_not(
    loop: asyncio.AbstractEventLoop,
) -> None:
    class Opaque(asyncio.AbstractEventLoop):
        pass

    assert _aio.virtualisable(loop)
    assert not _aio.virtualisable(Opaque())  # type: ignore[abstract]  # a stub is enough
    assert not _aio.virtualisable(types.SimpleNamespace())  # type: ignore[arg-type]


class _Recording:
    """Stands in a loop for its selector and records how long each wait may take."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.timeouts: list[float | None] = []

    def select(self, timeout: float | None = None) -> object:
        self.timeouts.append(timeout)
        return self.real.select(timeout)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


def test_the_loop_waits_in_its_selector_as_virtual_time_expects(
    loop: asyncio.AbstractEventLoop,
) -> None:
    """The loop waits only in the selector set with ``set_selector``: for 0 with a callback
    ready, until its earliest timer, and with no limit (None) when it has no timer."""
    real = _aio.selector(loop)
    assert callable(real.select)
    recording = _Recording(real)
    _aio.set_selector(loop, recording)
    try:
        assert _aio.selector(loop) is recording

        async def waits() -> None:
            await asyncio.sleep(0)
            recording.timeouts.clear()
            await asyncio.sleep(0.05)
            slept = list(recording.timeouts)
            recording.timeouts.clear()
            future = loop.create_future()
            threading.Timer(0.05, loop.call_soon_threadsafe, (future.set_result, None)).start()
            await future
            assert 0 in slept  # the task's wake-up is ready when its timer fired
            assert 0 < max(t for t in slept if t is not None) <= 0.05
            assert None in recording.timeouts

        loop.run_until_complete(waits())
    finally:
        _aio.set_selector(loop, real)


def test_the_loop_reads_its_time_through_its_time_method(loop: asyncio.AbstractEventLoop) -> None:
    loop.time = lambda: 1000.0  # type: ignore[method-assign]
    assert loop.call_later(5, print).when() == 1005.0


def test_next_timer_is_the_earliest_timer(loop: asyncio.AbstractEventLoop) -> None:
    assert _aio.next_timer(loop) is None
    now = loop.time()
    loop.call_at(now + 5, print)
    loop.call_later(3600, print)
    loop.call_at(now + 2, print)
    assert _aio.next_timer(loop) == now + 2


def test_has_ready_sees_a_ready_callback(loop: asyncio.AbstractEventLoop) -> None:
    assert not _aio.has_ready(loop)
    loop.call_later(5, print)
    assert not _aio.has_ready(loop)
    loop.call_soon(print)
    assert _aio.has_ready(loop)


@pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="POSIX signals")
def test_signal_handlers_lists_the_loops_signals(loop: asyncio.AbstractEventLoop) -> None:
    assert _aio.signal_handlers(loop) == []
    loop.add_signal_handler(signal.SIGUSR1, print)
    try:
        assert _aio.signal_handlers(loop) == [signal.SIGUSR1]
    finally:
        loop.remove_signal_handler(signal.SIGUSR1)
    assert _aio.signal_handlers(loop) == []


def _frame_of(thread: threading.Thread) -> object:
    return sys._current_frames()[thread.ident or -1]


def _settle(check: Callable[[], bool]) -> bool:
    """Whether *check* becomes true within a second."""
    deadline = time.monotonic() + 1
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_pool_workers_and_whether_they_wait_for_work() -> None:
    release = threading.Event()
    workers: list[threading.Thread] = []

    def job() -> None:
        workers.append(threading.current_thread())
        release.wait(5)

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        busy = pool.submit(job)
        assert _settle(lambda: bool(workers))
        (worker,) = workers
        assert _aio.is_pool_worker(worker)
        assert not _aio.pool_worker_idle(_frame_of(worker))
        release.set()
        busy.result()
        assert _settle(lambda: _aio.pool_worker_idle(_frame_of(worker)))
    plain = threading.Thread(target=release.wait)
    plain.start()
    plain.join()
    assert not _aio.is_pool_worker(plain)
    assert not _aio.is_pool_worker(threading.current_thread())
    assert not _aio.pool_worker_idle(sys._getframe())


def test_safe_virtual_time_answers_for_objects_without_the_attributes() -> None:
    stranger = types.SimpleNamespace()
    assert _aio.next_timer(stranger) is None  # type: ignore[arg-type]
    assert not _aio.has_ready(stranger)  # type: ignore[arg-type]
    assert _aio.signal_handlers(stranger) == []  # type: ignore[arg-type]
    assert not _aio.is_pool_worker(stranger)
    assert not _aio.pool_worker_idle(stranger)


def test_pool_workers_are_seen_after_their_module_is_imported_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pytester's in-process runs drop the modules a run imported: a pool made before holds
    the function of a module that ``concurrent.futures.thread`` no longer names."""
    import concurrent.futures.thread as before

    release = threading.Event()
    workers: list[threading.Thread] = []

    def job() -> None:
        workers.append(threading.current_thread())
        release.wait(5)

    with before.ThreadPoolExecutor(1) as pool:
        pool.submit(job)
        assert _settle(lambda: bool(workers))
        monkeypatch.setattr(concurrent.futures, "thread", before)
        monkeypatch.delitem(sys.modules, "concurrent.futures.thread")
        again = importlib.import_module("concurrent.futures.thread")
        assert again is not before
        (worker,) = workers
        assert _aio.is_pool_worker(worker)
        assert not _aio.pool_worker_idle(_frame_of(worker))
        release.set()
        assert _settle(lambda: _aio.pool_worker_idle(_frame_of(worker)))
