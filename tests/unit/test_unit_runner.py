"""LoopRunner on its own: jobs, the driver task, contexts, cancellation, shutdown."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import inspect
import os
import sys
import weakref
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from pytest_asyncio._runner import (
    Interrupt,
    LoopClosedError,
    LoopRunner,
    LoopRunningError,
    LoopStoppedError,
    cancelled_on_return,
)

var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")


@pytest.fixture
def runner() -> Iterator[LoopRunner]:
    runner = LoopRunner(asyncio.new_event_loop, debug=False)
    yield runner
    runner.close()


async def _current_task() -> asyncio.Task[object] | None:
    return asyncio.current_task()


async def _fail() -> None:
    await asyncio.sleep(0)
    raise ValueError("boom")


def test_returns_the_result_and_creates_the_loop_lazily(runner: LoopRunner) -> None:
    assert not runner.started

    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert runner.run(answer(), contextvars.Context()) == 42
    assert runner.started


def test_raises_the_job_error_with_its_traceback(runner: LoopRunner) -> None:
    with pytest.raises(ValueError, match="boom") as info:
        runner.run(_fail(), contextvars.Context())
    assert any(entry.name == "_fail" for entry in info.traceback)


def test_every_job_runs_in_the_same_task(runner: LoopRunner) -> None:
    first = runner.run(_current_task(), contextvars.Context())
    second = runner.run(_current_task(), contextvars.Context())
    assert first is not None
    assert first is second
    assert not first.done()


def test_each_job_runs_in_the_context_it_is_given(runner: LoopRunner) -> None:
    async def set_var(value: str) -> None:
        var.set(value)

    async def get_var() -> str:
        return var.get()

    shared = contextvars.Context()
    runner.run(set_var("fixture"), shared)
    assert runner.run(get_var(), shared) == "fixture"
    assert runner.run(get_var(), shared.copy()) == "fixture"
    assert runner.run(get_var(), contextvars.Context()) == "unset"
    assert var.get() == "unset"


def test_tasks_created_by_a_job_inherit_its_context(runner: LoopRunner) -> None:
    async def spawn() -> str:
        var.set("job")
        return await asyncio.create_task(_read())

    async def _read() -> str:
        return var.get()

    assert runner.run(spawn(), contextvars.Context()) == "job"


def test_a_cancelled_job_does_not_break_the_next(runner: LoopRunner) -> None:
    async def cancel_self() -> None:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        await asyncio.sleep(0)

    with pytest.raises(asyncio.CancelledError):
        runner.run(cancel_self(), contextvars.Context())

    async def sleep_a_bit() -> str:
        await asyncio.sleep(0.001)
        return "still alive"

    assert runner.run(sleep_a_bit(), contextvars.Context()) == "still alive"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="Task.cancelling() is 3.11+")
def test_cancellation_requests_are_forgotten_after_the_job(runner: LoopRunner) -> None:
    async def cancel_self() -> None:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        await asyncio.sleep(0)

    async def cancelling() -> int:
        task = asyncio.current_task()
        assert task is not None
        if sys.version_info >= (3, 11):
            return task.cancelling()
        return -1

    with pytest.raises(asyncio.CancelledError):
        runner.run(cancel_self(), contextvars.Context())
    assert runner.run(cancelling(), contextvars.Context()) == 0


def test_close_cancels_leftover_tasks_and_finalizes_async_generators() -> None:
    runner = LoopRunner(asyncio.new_event_loop, debug=False)
    events: list[str] = []

    async def forever() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            events.append("task cancelled")

    async def numbers() -> AsyncIterator[int]:
        try:
            yield 1
            yield 2
        finally:
            events.append("generator closed")

    async def leave_things_behind() -> asyncio.AbstractEventLoop:
        asyncio.get_running_loop().create_task(forever())
        generator = numbers()
        await generator.__anext__()
        await asyncio.sleep(0)
        leftovers.append(generator)
        return asyncio.get_running_loop()

    leftovers: list[AsyncIterator[int]] = []
    loop = runner.run(leave_things_behind(), contextvars.Context())
    assert runner.close() is True
    assert loop.is_closed()
    assert sorted(events) == ["generator closed", "task cancelled"]


def test_close_shuts_down_the_default_executor() -> None:
    runner = LoopRunner(asyncio.new_event_loop, debug=False)

    async def use_executor() -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sum, [1, 2])
        return loop

    loop = runner.run(use_executor(), contextvars.Context())
    executor = loop._default_executor  # type: ignore[attr-defined]
    assert executor is not None
    runner.close()
    assert executor._shutdown


def test_close_reports_a_loop_closed_by_someone_else() -> None:
    runner = LoopRunner(asyncio.new_event_loop, debug=False)
    runner.loop.close()
    assert runner.close() is False


def test_running_on_a_closed_loop_is_refused_and_the_job_closed() -> None:
    runner = LoopRunner(asyncio.new_event_loop, debug=False)
    runner.loop.close()
    job = _current_task()
    with pytest.raises(LoopClosedError):
        runner.run(job, contextvars.Context())
    # Closed, so it never warns "never awaited".
    assert inspect.getcoroutinestate(job) == inspect.CORO_CLOSED


def test_running_from_inside_a_running_loop_is_refused(runner: LoopRunner) -> None:
    async def nested() -> None:
        with pytest.raises(LoopRunningError):
            runner.run(_current_task(), contextvars.Context())

    asyncio.run(nested())


def test_debug_mode_is_applied_to_the_loop() -> None:
    runner = LoopRunner(asyncio.new_event_loop, debug=True)
    try:
        assert runner.loop.get_debug()
    finally:
        runner.close()


def test_a_base_exception_from_the_job_propagates(runner: LoopRunner) -> None:
    async def interrupt() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.run(interrupt(), contextvars.Context())
    assert runner.run(_current_task(), contextvars.Context()) is not None


def test_a_closed_and_dropped_runner_is_freed_without_a_garbage_collection() -> None:
    # No reference cycle is left behind: the loop and its idle driver task go as soon as
    # the runner does, so a suite of function-scoped loops does not feed the collector.
    runner = LoopRunner(asyncio.new_event_loop, debug=False)
    driver = runner.run(_current_task(), contextvars.Context())
    loop, task = weakref.ref(runner.loop), weakref.ref(driver)
    del driver
    gc.disable()
    try:
        runner.close()
        del runner
        assert loop() is None
        assert task() is None
    finally:
        gc.enable()


def test_a_job_error_is_freed_once_caught_without_a_garbage_collection(
    runner: LoopRunner,
) -> None:
    # Every async generator fixture ends with StopAsyncIteration: no reference cycle through
    # the runner's frames may keep it (and the frames) for the collector.
    class Boom(Exception):
        pass

    async def fail() -> None:
        await asyncio.sleep(0)
        raise Boom

    gc.disable()
    try:
        try:
            runner.run(fail(), contextvars.Context())
        except Boom as error:
            caught = weakref.ref(error)
        assert caught() is None
    finally:
        gc.enable()


def _record_done(events: list[str]) -> Callable[[asyncio.Task[object]], None]:
    def record(task: asyncio.Task[object]) -> None:
        closed = task.get_loop().is_closed()
        events.append(f"done={task.done()}, loop closed={closed}")

    return record


@pytest.mark.parametrize("leftover", [False, True], ids=["nothing to clean", "a leftover task"])
def test_close_ends_the_driver_task_and_runs_its_callbacks(leftover: bool) -> None:
    runner = LoopRunner(asyncio.new_event_loop, debug=False)
    events: list[str] = []

    async def add_callback() -> None:
        task = asyncio.current_task()
        assert task is not None
        task.add_done_callback(_record_done(events))
        if leftover:
            asyncio.get_running_loop().create_task(asyncio.sleep(3600))

    runner.run(add_callback(), contextvars.Context())
    assert events == []
    runner.close()
    assert events == ["done=True, loop closed=False"]


def test_a_borrowed_runner_runs_the_callbacks_of_each_job_task() -> None:
    loop = asyncio.new_event_loop()
    runner = LoopRunner(lambda: loop, debug=False, borrowed=True)
    events: list[str] = []

    async def add_callback() -> None:
        task = asyncio.current_task()
        assert task is not None
        task.add_done_callback(_record_done(events))

    try:
        runner.run(add_callback(), contextvars.Context())
        assert events == ["done=True, loop closed=False"]
        assert not asyncio.all_tasks(loop)
    finally:
        loop.close()


@pytest.mark.parametrize("then_await", [False, True], ids=["then returns", "then awaits"])
def test_a_stop_by_someone_else_fails_the_job(runner: LoopRunner, then_await: bool) -> None:
    cleaned_up: list[bool] = []

    async def stop() -> None:
        asyncio.get_running_loop().stop()
        if then_await:
            try:
                await asyncio.sleep(3600)
            finally:
                cleaned_up.append(True)

    with pytest.raises(LoopStoppedError):
        runner.run(stop(), contextvars.Context())
    assert cleaned_up == ([True] if then_await else [])
    assert runner.run(_current_task(), contextvars.Context()) is not None


def test_a_cancellation_pending_when_the_job_returns_fails_it(runner: LoopRunner) -> None:
    async def cancel_and_return() -> str:
        task = asyncio.current_task()
        assert task is not None
        task.cancel("bye")
        return "returned"

    with pytest.raises(asyncio.CancelledError, match="bye") as info:
        runner.run(cancel_and_return(), contextvars.Context())
    assert cancelled_on_return(info.value)

    async def next_job() -> str:
        await asyncio.sleep(0)
        return "unaffected"

    assert runner.run(next_job(), contextvars.Context()) == "unaffected"


def test_a_delivered_and_caught_cancellation_passes(runner: LoopRunner) -> None:
    async def catch_own_cancellation() -> str:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        with pytest.raises(asyncio.CancelledError) as info:
            await asyncio.sleep(0)
        assert not cancelled_on_return(info.value)
        return "caught"

    assert runner.run(catch_own_cancellation(), contextvars.Context()) == "caught"


def _raise_later(error: BaseException) -> None:
    """Raise *error* out of the running loop from a callback, as a signal handler's request
    does (asyncio lets a KeyboardInterrupt out of a callback)."""

    def raiser() -> None:
        raise error

    asyncio.get_running_loop().call_soon(raiser)


def test_an_interrupt_cancels_the_job_lets_it_unwind_then_raises_its_error(
    runner: LoopRunner,
) -> None:
    error = KeyboardInterrupt()
    events: list[str] = []

    async def hangs() -> None:
        _raise_later(Interrupt(error))
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            events.append("cancelled")
            await asyncio.sleep(0)  # the loop still runs the cleanup
            events.append("cleaned up")
            raise

    with pytest.raises(KeyboardInterrupt) as caught:
        runner.run(hangs(), contextvars.Context())
    assert caught.value is error
    assert events == ["cancelled", "cleaned up"]
    # Not the loop's frames: the error's traceback starts in the runner.
    stdlib_asyncio = os.path.dirname(asyncio.__file__)
    assert all(os.path.dirname(entry.path) != stdlib_asyncio for entry in caught.traceback)
    assert runner.run(_current_task(), contextvars.Context()) is not None


def test_a_second_interruption_ends_a_job_that_swallows_the_cancellation(
    runner: LoopRunner,
) -> None:
    events: list[str] = []

    async def refuses() -> None:
        _raise_later(Interrupt(KeyboardInterrupt()))
        try:
            while True:
                try:
                    await asyncio.sleep(3600)
                except asyncio.CancelledError:
                    events.append("swallowed")
                    _raise_later(KeyboardInterrupt())  # the second Ctrl-C
        finally:
            events.append("closed")

    with pytest.raises(KeyboardInterrupt):
        runner.run(refuses(), contextvars.Context())
    assert events == ["swallowed", "closed"]
    # Ended by force, the job no longer holds the driver task: later jobs run.
    assert runner.run(_current_task(), contextvars.Context()) is not None
