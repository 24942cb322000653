"""``asyncio.TaskGroup`` on Python 3.11+, and a small stand-in for it on Python 3.10."""

from __future__ import annotations

import asyncio
import sys

if sys.version_info >= (3, 11):
    from asyncio import TaskGroup
else:  # pragma: no cover - Python 3.10
    from collections.abc import Coroutine
    from typing import Any, TypeVar

    T = TypeVar("T")

    class TaskGroup:
        """What these examples use of ``asyncio.TaskGroup``: :meth:`create_task`, and on exit
        wait for every task; the first failure cancels the others and is raised."""

        def __init__(self) -> None:
            self._tasks: list[asyncio.Task[Any]] = []

        async def __aenter__(self) -> TaskGroup:
            return self

        async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
            if exc is not None:
                for task in self._tasks:
                    task.cancel()
            try:
                await asyncio.gather(*self._tasks)
            except BaseException:
                for task in self._tasks:
                    task.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)
                raise

        def create_task(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
            task = asyncio.create_task(coro)
            self._tasks.append(task)
            return task


__all__ = ["TaskGroup"]
