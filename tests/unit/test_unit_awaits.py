"""The await-chain walker and the runner seam it relies on, without pytester."""

from __future__ import annotations

import asyncio
import contextvars
import types
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from pytest_asyncio import _awaits
from pytest_asyncio._realtime import monotonic
from pytest_asyncio._runner import Job, LoopRunner, Owner


@pytest.fixture
def runner() -> Iterator[LoopRunner]:
    runner = LoopRunner(asyncio.new_event_loop, debug=False)
    yield runner
    runner.close()


async def innermost(event: asyncio.Event) -> None:
    await event.wait()


async def middle(event: asyncio.Event) -> None:
    await innermost(event)


@types.coroutine
def generator_based(event: asyncio.Event) -> Any:
    # A generator marked with types.coroutine may yield from a coroutine directly.
    yield from innermost(event)


async def via_generator(event: asyncio.Event) -> None:
    await generator_based(event)


def _names(steps: list[_awaits.Step]) -> list[str]:
    return [step.function.rsplit(".", 1)[-1] for step in steps]


async def _settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


def test_walks_coroutines_outermost_first_and_hides_asyncio() -> None:
    async def main() -> list[str]:
        event = asyncio.Event()
        task = asyncio.create_task(middle(event))
        await _settle()
        frames = _awaits.frames(task)
        steps = _awaits.user_steps(frames)
        event.set()
        await task
        # asyncio's Event.wait frame is walked but hidden from the user's steps.
        assert any(frame.f_code.co_name == "wait" for frame in frames)
        return _names(steps)

    assert asyncio.run(main()) == ["middle", "innermost"]


def test_walks_through_generator_based_coroutines() -> None:
    async def main() -> list[str]:
        event = asyncio.Event()
        task = asyncio.create_task(via_generator(event))
        await _settle()
        names = _names(_awaits.user_steps(_awaits.frames(task)))
        event.set()
        await task
        return names

    assert asyncio.run(main()) == ["via_generator", "generator_based", "innermost"]


def test_follows_an_awaited_task_into_its_coroutine() -> None:
    async def waits_on(task: asyncio.Task[None]) -> None:
        await task

    async def main() -> tuple[list[str], list[str]]:
        event = asyncio.Event()
        inner = asyncio.create_task(middle(event))
        outer = asyncio.create_task(waits_on(inner))
        await _settle()
        names = _names(_awaits.user_steps(_awaits.task_frames(outer)))
        blocked = [task.get_name() for task in _awaits.blocked_on(outer)]
        event.set()
        await outer
        return names, blocked

    names, blocked = asyncio.run(main())
    assert names == ["waits_on", "middle", "innermost"]
    assert len(blocked) == 1


def test_steps_carry_file_line_and_source() -> None:
    async def main() -> _awaits.Step:
        event = asyncio.Event()
        task = asyncio.create_task(innermost(event))
        await _settle()
        (step,) = _awaits.user_steps(_awaits.frames(task))
        event.set()
        await task
        return step

    step = asyncio.run(main())
    assert step.filename == __file__
    assert step.line == "await event.wait()"
    assert step.lineno == innermost.__code__.co_firstlineno + 1
    rendered = _awaits.render([step], lambda name: "here.py")
    assert rendered == [f"  here.py:{step.lineno} in innermost", "      await event.wait()"]


def test_driver_task_leads_through_the_runner_to_the_job(runner: LoopRunner) -> None:
    """The walk goes from the driver task through _drive, _perform and _InContext (our frames,
    hidden) into the test's coroutine."""
    seen: list[list[str]] = []

    async def test_body() -> None:
        event = asyncio.Event()
        waiter = asyncio.create_task(middle(event))

        def look() -> None:
            seen.append(_walk_driver(runner))
            event.set()

        asyncio.get_running_loop().call_later(0.01, look)
        await waiter

    runner.run(test_body(), contextvars.copy_context(), owner=Owner("call", "t.py::test"))
    assert seen == [["test_body", "middle", "innermost"]]


def _walk_driver(runner: LoopRunner) -> list[str]:
    job = runner.current_job
    assert job is not None
    assert job.task is not None
    all_frames = _awaits.frames(job.task)
    assert [frame.f_code.co_name for frame in all_frames][:2] == ["_drive", "_perform"]
    return _names(_awaits.user_steps(_awaits.task_frames(job.task)))


def test_async_generator_origin_is_walked(runner: LoopRunner) -> None:
    seen: list[list[str]] = []

    async def fixture() -> AsyncIterator[int]:
        event = asyncio.Event()

        def look() -> None:
            seen.append(walk())
            event.set()

        asyncio.get_running_loop().call_later(0.01, look)
        await middle(event)
        yield 1

    generator = fixture()

    def walk() -> list[str]:
        job = runner.current_job
        assert job is not None
        assert job.task is not None
        return _names(_awaits.user_steps(_awaits.task_frames(job.task, start=generator)))

    owner = Owner("setup", "fixture", generator)
    assert runner.run(generator.__anext__(), contextvars.copy_context(), owner=owner) == 1
    assert seen == [["fixture", "middle", "innermost"]]


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, bool]] = []

    def job_started(self, runner: LoopRunner, job: Job) -> None:
        assert runner.current_job is job
        self.calls.append(("started", str(job.owner), job.done))

    def job_finished(self, runner: LoopRunner, job: Job) -> None:
        self.calls.append(("finished", str(job.owner), job.done))

    def loop_closing(self, runner: LoopRunner) -> None:
        assert runner.current_job is None
        self.calls.append(("closing", None, runner.loop.is_closed()))


def test_job_owner_start_time_task_name_and_instruments() -> None:
    recorder = _Recorder()
    runner = LoopRunner(asyncio.new_event_loop, debug=False, instruments=(recorder,))
    before = monotonic()

    async def body() -> tuple[str, Job | None]:
        task = asyncio.current_task()
        assert task is not None
        return task.get_name(), runner.current_job

    try:
        name, job = runner.run(
            body(), contextvars.copy_context(), owner=Owner("call", "t.py::test_x")
        )
        assert name == "t.py::test_x"
        assert job is not None
        assert job.owner is not None
        assert job.owner.phase == "call"
        assert before <= job.started <= monotonic()
        assert runner.current_job is None
        assert recorder.calls == [
            ("started", "t.py::test_x", False),
            ("finished", "t.py::test_x", True),
        ]
        runner.run(body(), contextvars.copy_context(), owner=Owner("teardown", "db"))
        assert recorder.calls[-1] == ("finished", "teardown of async fixture 'db'", True)
    finally:
        runner.close()
    assert recorder.calls[-1:] == [("closing", None, False)]
