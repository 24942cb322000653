"""The private asyncio attributes of ``_aio`` on this Python version: each helper gives the
right answer on asyncio's own loops and tasks, and the safe one on objects that lack them."""

from __future__ import annotations

import asyncio
import contextlib
import types

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


def test_safe_answers_for_objects_without_the_attributes() -> None:
    stranger = types.SimpleNamespace()
    assert not _aio.cancel_pending(stranger)  # type: ignore[arg-type]
    assert not _aio.is_stopping(stranger)  # type: ignore[arg-type]
    assert not _aio.nothing_to_clean(stranger)  # type: ignore[arg-type]
