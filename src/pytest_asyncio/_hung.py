"""The report of a job that ran past its limit: where it waited, and what else was pending.

Built inside the loop at the moment of expiry, before the job is cancelled: afterwards its
coroutines have unwound and the chain is gone.
"""

from __future__ import annotations

import asyncio
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
    steps = _awaits.user_steps(_awaits.task_frames(task, start=origin))
    chain = "\n".join(_awaits.render(steps, relative)) or _messages.TIMED_OUT_NO_FRAMES
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
    skip = {task, *_awaits.blocked_on(task)}
    others = [other for other in asyncio.all_tasks(task.get_loop()) if other not in skip]
    if not others:
        return message, None
    lines: list[str] = []
    for other in others:
        lines += _task_lines(other, relative)
    return message, (_messages.TIMEOUT_TASKS_SECTION, "\n".join(lines))


def describe(owner: Owner) -> str:
    if owner.phase == "call":
        return _messages.TIMED_OUT_TEST.format(nodeid=owner.name)
    return _messages.TIMED_OUT_FIXTURE.format(phase=owner.phase, name=owner.name)


def _task_lines(task: asyncio.Task[Any], relative: Any) -> list[str]:
    created = _awaits.created_at(task)
    where = ""
    if created is not None:
        location = f"{relative(created.filename)}:{created.lineno} in {created.function}"
        where = _messages.TIMEOUT_TASK_CREATED.format(location=location)
    head = _messages.TIMEOUT_TASK.format(name=task.get_name(), created=where)
    steps = _awaits.user_steps(_awaits.task_frames(task))
    return [head, *(_awaits.render(steps, relative) or [_messages.TIMED_OUT_NO_FRAMES])]


def stack(frames: list[FrameType]) -> str:
    """*frames* (sync code that blocked a loop, outermost first) as the report shows a chain."""
    steps = _awaits.user_steps(frames)
    return "\n".join(_awaits.render(steps, _awaits.relative_to_cwd()))
