"""The private attributes of asyncio's tasks that we read, in one place.

Each reader falls back to "unknown" when the attribute is missing (another task class, or a
Python version that renamed it), so a report loses a detail instead of failing.
"""

from __future__ import annotations

import asyncio
import traceback
from typing import Any


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
