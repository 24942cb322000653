"""The report of a job that ran past its limit: where it waited, and what else was pending.

Built inside the loop at the moment of expiry, before the job is cancelled: afterwards its
coroutines have unwound and the chain is gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import FrameType
from typing import Any

from . import _awaits, _messages
from ._runner import Job, Owner


def report(
    job: Job,
    owner: Owner,
    seconds: float,
    source: str,
    *,
    refused: float | None = None,
    abandoned: str | None = None,
) -> tuple[str, tuple[str, str] | None]:
    """The failure message for *owner*'s job, which runs *job* now (itself, or a job nested
    in it), and the report section listing the other tasks of the loop. With *refused*, the
    job refused to stop that many seconds after its cancellation; with *abandoned* as well,
    closing it failed and the loop named so is given up on."""
    task = job.task
    assert task is not None
    origin = owner.origin if job.owner is owner else None
    relative = _awaits.relative_to_cwd()
    chain = "\n".join(task_chain(task, origin, relative))
    if refused is None:
        message = _messages.TIMED_OUT.format(
            what=describe(owner), seconds=seconds, source=source, chain=chain
        )
    elif abandoned is not None:
        message = _messages.TIMED_OUT_ABANDONED.format(
            what=describe(owner),
            seconds=seconds,
            source=source,
            grace=refused,
            loop=abandoned,
            chain=chain,
        )
    else:
        message = _messages.TIMED_OUT_REFUSED.format(
            what=describe(owner), seconds=seconds, source=source, grace=refused, chain=chain
        )
    others = other_tasks(task)
    if not others:
        return message, None
    lines: list[str] = []
    for other in others:
        lines += task_lines(other, relative)
    return message, (_messages.TIMEOUT_TASKS_SECTION, "\n".join(lines))


def task_chain(
    task: asyncio.Task[Any], origin: object, relative: Callable[[str], str]
) -> list[str]:
    """Where *task* waits (from *origin*, see ``_awaits.task_frames``), as report lines."""
    steps = _awaits.user_steps(_awaits.task_frames(task, start=origin))
    return _awaits.render(steps, relative) or [_messages.TIMED_OUT_NO_FRAMES]


def other_tasks(task: asyncio.Task[Any]) -> list[asyncio.Task[Any]]:
    """The pending tasks of *task*'s loop but *task* and those its chain goes through."""
    skip = {task, *_awaits.blocked_on(task)}
    return [other for other in asyncio.all_tasks(task.get_loop()) if other not in skip]


def describe(owner: Owner) -> str:
    if owner.phase == "call":
        return _messages.TIMED_OUT_TEST.format(nodeid=owner.name)
    return _messages.TIMED_OUT_FIXTURE.format(phase=owner.phase, name=owner.name)


def task_lines(task: asyncio.Task[Any], relative: Callable[[str], str]) -> list[str]:
    """*task*'s name, where it was created (when known) and where it waits, as report lines."""
    created = _awaits.created_at(task)
    where = ""
    if created is not None:
        location = f"{relative(created.filename)}:{created.lineno} in {created.function}"
        where = _messages.TIMEOUT_TASK_CREATED.format(location=location)
    head = _messages.TIMEOUT_TASK.format(name=task.get_name(), created=where)
    return [head, *task_chain(task, None, relative)]


def stack(frames: list[FrameType]) -> str:
    """*frames* (sync code that blocked a loop, outermost first) as the report shows a chain."""
    steps = _awaits.user_steps(frames)
    return "\n".join(_awaits.render(steps, _awaits.relative_to_cwd()))
