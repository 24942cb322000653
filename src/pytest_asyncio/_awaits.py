"""Await chains: where a task is waiting, as the user's own frames, outermost first.

``Task.get_stack()`` shows only a suspended coroutine's own frame (a suspended coroutine has
no ``f_back``): the chain is found by following what each coroutine awaits (``cr_await``,
``gi_yieldfrom``, ``ag_await``), through our runner's wrapper (it offers ``cr_await``), and
from a task to the task it is blocked on. Frames of asyncio and of this plugin are left out.
"""

from __future__ import annotations

import asyncio
import dataclasses
import linecache
import os
import traceback
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any, Final

from . import _aio

#: Frames in these directories are never shown: asyncio's and ours.
_HIDDEN_DIRS: Final = (
    os.path.dirname(asyncio.__file__) + os.sep,
    os.path.dirname(__file__) + os.sep,
)
_LINKS: Final = (("cr_frame", "cr_await"), ("gi_frame", "gi_yieldfrom"), ("ag_frame", "ag_await"))


@dataclasses.dataclass(frozen=True)
class Step:
    """One frame of a chain."""

    function: str
    filename: str
    lineno: int
    #: The source line, stripped; "" when the source is not available.
    line: str


def frames(awaitable: object) -> list[FrameType]:
    """The frames of *awaitable* and of what it awaits, down the chain, outermost first.

    *awaitable* may be a coroutine, a generator-based coroutine, an async generator, a task
    (followed into its coroutine) or any object with a ``cr_await`` attribute."""
    found: list[FrameType] = []
    for current in awaitables(awaitable):
        for frame_name, _ in _LINKS:
            frame = getattr(current, frame_name, None)
            if isinstance(frame, FrameType):
                found.append(frame)
                break
    return found


def awaitables(awaitable: object) -> list[object]:
    """*awaitable* and what it awaits, down the chain, outermost first (a task is followed
    into its coroutine, and left out)."""
    found: list[object] = []
    seen: set[int] = set()
    current: object = awaitable
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, asyncio.Task):
            current = current.get_coro()
            continue
        found.append(current)
        following: object = None
        for frame_name, await_name in _LINKS:
            frame = getattr(current, frame_name, None)
            following = getattr(current, await_name, None)
            if frame is not None or following is not None:
                break
        current = following
    return found


def suspended(awaitable: object) -> bool:
    """Whether *awaitable* is a coroutine (or generator) that has not finished."""
    return any(getattr(awaitable, name, None) is not None for name, _ in _LINKS)


def task_frames(task: asyncio.Task[Any], start: object = None) -> list[FrameType]:
    """The chain of *task* (from *start* when the task's coroutine does not lead to the
    code that runs), continued into the tasks it is blocked on."""
    found = frames(task.get_coro() if start is None else start)
    for awaited in blocked_on(task):
        found += frames(awaited.get_coro())
    return found


def blocked_on(task: asyncio.Task[Any]) -> list[asyncio.Task[Any]]:
    """The task *task* awaits, the task that one awaits, and so on."""
    chain: list[asyncio.Task[Any]] = []
    awaited = _aio.waiter(task)
    while isinstance(awaited, asyncio.Task) and awaited is not task and awaited not in chain:
        chain.append(awaited)
        awaited = _aio.waiter(awaited)
    return chain


def user_steps(frames: Iterable[FrameType]) -> list[Step]:
    """*frames* without those of asyncio, of this plugin, or that hide themselves."""
    return [step_of(frame) for frame in frames if is_users(frame)]


def is_users(frame: FrameType) -> bool:
    """Whether *frame* is the user's: not asyncio's, not this plugin's, not hiding itself."""
    code = frame.f_code
    return not _hidden(code.co_filename) and "__tracebackhide__" not in code.co_varnames


def step_of(frame: FrameType, lineno: int | None = None) -> Step:
    """*frame* as a step, at *lineno* (a traceback's line), else at the line it is at now."""
    code = frame.f_code
    if lineno is None:
        lineno = frame.f_lineno or code.co_firstlineno
    line = linecache.getline(code.co_filename, lineno, frame.f_globals).strip()
    return Step(getattr(code, "co_qualname", code.co_name), code.co_filename, lineno, line)


def innermost_user_step(frame: FrameType | None) -> Step | None:
    """The first frame of the user's from *frame* outwards, as a step; None if none is."""
    while frame is not None:
        if is_users(frame):
            return step_of(frame)
        frame = frame.f_back
    return None


def relative_to_cwd() -> Callable[[str], str]:
    """A function that shows a file name relative to the current directory, when it is in
    it (as pytest shows the files of a report)."""
    prefix = os.getcwd().rstrip(os.sep) + os.sep

    def relative(filename: str) -> str:
        return filename[len(prefix) :] if filename.startswith(prefix) else filename

    return relative


def created_at(task: asyncio.Task[Any]) -> Step | None:
    """The innermost user frame of the code that created *task* (asyncio debug mode only)."""
    stack = _aio.creation_stack(task)
    if stack is None:
        return None
    for summary in reversed(stack):
        if not _hidden(summary.filename):
            return _step(summary)
    return None


def render(steps: list[Step], relative: Callable[[str], str], indent: str = "  ") -> list[str]:
    """Two lines a step: ``file:line in function`` and the source line under it."""
    lines = []
    for step in steps:
        lines.append(f"{indent}{relative(step.filename)}:{step.lineno} in {step.function}")
        if step.line:
            lines.append(f"{indent}    {step.line}")
    return lines


def _hidden(filename: str) -> bool:
    return filename.startswith(_HIDDEN_DIRS)


def _step(summary: traceback.FrameSummary) -> Step:
    return Step(summary.name, summary.filename, summary.lineno or 0, (summary.line or "").strip())
