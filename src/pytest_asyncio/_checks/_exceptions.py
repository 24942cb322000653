"""task-exceptions: an exception that a task, a future or a callback raised on the test's loop
and that nobody sees fails the test during which it happened.

Two ways in:

- The loop's exception handler (:meth:`_Part.loop_exception`): what a callback raised, a
  future or task freed with an exception nobody retrieved, a task that raised when the runner
  cancelled it at the close of its loop. Every handler call that carries an exception is a
  finding of the phase running then; one without (say, "Task was destroyed but it is
  pending!") is not this check's and goes on to the handler that was there before.
- The test's own tasks (``watch.tasks``): the watch holds each one that failed until its
  exception is retrieved or the test ends, so asyncio cannot report them when they are freed.
  One that is done with an exception nobody retrieved is a finding as soon as a job of the
  test ends and the watch holds the only references to it: asyncio would have freed and
  reported it by then, and nothing can reach it any more to retrieve it. The others are found
  when the test has ended (a fixture's teardown may still retrieve them): a finding of the
  test's teardown. Each is then marked retrieved, so asyncio
  does not report it again.
"""

from __future__ import annotations

import asyncio
import sys
import traceback
import weakref
from types import TracebackType
from typing import Any, Final

from pytest_asyncio import _aio, _awaits, _messages
from pytest_asyncio._awaits import Step
from pytest_asyncio._runner import Job, LoopRunner

from . import TASK_EXCEPTIONS
from ._watch import OWNER, Checker, Watch, Wide


def _only_listed() -> int:
    """What ``sys.getrefcount()`` says of an object that only a dict holds (as a key), read in
    a loop over the dict as :meth:`_Part.job_finished` reads ``watch.tasks``: the dict's
    slot, the loop's variable and the argument of ``getrefcount``, as this Python counts
    them."""
    for item in {object(): None}:
        return sys.getrefcount(item)
    raise AssertionError  # pragma: no cover


#: References to a test's task in :meth:`_Part.job_finished` when nothing else holds it.
_OURS: Final = _only_listed()
#: The messages of the exception handler calls made for a task that raised when it was
#: cancelled at the close of its loop: by our runner, and by ``asyncio.run()``.
_AT_CLOSE: Final = (
    "unhandled exception in a task cancelled at loop close",
    "unhandled exception during asyncio.run() shutdown",
)
#: How many exceptions of a chain (``raise ... from``, or raised while handling another) a
#: finding shows.
_CHAIN_LIMIT: Final = 5


def make(checker: Checker) -> _Part:
    return _Part(checker)


class _Part:
    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        #: The jobs running now, innermost last.
        self._jobs: list[Job] = []
        #: The tasks still pending when the test that created them ended: that test's nodeid
        #: and where it created them, for a finding in a later test.
        self._left: weakref.WeakKeyDictionary[asyncio.Task[Any], tuple[str, Step | None]] = (
            weakref.WeakKeyDictionary()
        )

    # --- the Part protocol --------------------------------------------------------------

    def test_started(self, watch: Watch) -> None:
        self._jobs.clear()

    def job_started(self, runner: LoopRunner, job: Job, watch: Watch) -> None:
        self._jobs.append(job)

    def job_finished(self, runner: LoopRunner, job: Job, watch: Watch) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        for task in watch.tasks:
            if task.done() and _aio.exception_unretrieved(task) and sys.getrefcount(task) <= _OURS:
                self._unretrieved(watch, task)

    def loop_closing(self, runner: LoopRunner, watch: Watch | None) -> None:
        pass

    def test_finished(self, watch: Watch) -> None:
        for task in watch.tasks:
            if not task.done():
                self._left[task] = (watch.nodeid, watch.sites.get(task))
            elif _aio.exception_unretrieved(task):
                self._unretrieved(watch, task)

    # --- the loop's exception handler --------------------------------------------------

    def loop_exception(
        self, loop: asyncio.AbstractEventLoop, context: dict[str, Any], watch: Watch
    ) -> bool:
        """Record the handler call *context* as a finding of *watch*'s test; False if it is
        not this check's (it carries no exception), for the previous handler to report."""
        error = context.get("exception")
        if not isinstance(error, Exception):  # none, or a CancelledError
            return False
        future = context.get("future")
        if isinstance(future, asyncio.Task):  # freed with its exception never retrieved
            self._unretrieved(watch, future, error)
        else:
            lines, fix = self._reported(context, error, watch)
            watch.add(TASK_EXCEPTIONS, "\n".join([*lines, *_traceback(error), fix]))
        return True

    def _reported(
        self, context: dict[str, Any], error: Exception, watch: Watch
    ) -> tuple[list[str], str]:
        """The first lines of the finding for a handler call about anything but a task freed
        with its exception never retrieved, and its fix."""
        task = context.get("task")
        future = context.get("future")
        handle = context.get("handle")
        message = str(context.get("message") or "")
        if isinstance(task, asyncio.Task) and message in _AT_CLOSE:
            first = _messages.CHECK_EXCEPTIONS_AT_CLOSE.format(
                name=task.get_name(),
                coroutine=_coroutine(task),
                owner=self._owner(task),
                error=_name(error),
            )
            return [first, self._site(watch, task)], _messages.CHECK_EXCEPTIONS_AT_CLOSE_FIX
        if isinstance(future, asyncio.Future):
            first = _messages.CHECK_EXCEPTIONS_FUTURE.format(
                owner=self._owner(None), error=_name(error)
            )
            return [first, self._site(watch, future)], _messages.CHECK_EXCEPTIONS_FUTURE_FIX
        if handle is not None and task is None and future is None:
            first = _messages.CHECK_EXCEPTIONS_CALLBACK.format(
                callback=_callback(handle), owner=self._owner(handle), error=_name(error)
            )
            lines = [first]
            step = _awaits.created_at(handle)
            if step is not None:
                relative = _awaits.relative_to_cwd()
                lines.append(_located(_messages.CHECK_EXCEPTIONS_SCHEDULED, step, relative))
            return lines, _messages.CHECK_EXCEPTIONS_CALLBACK_FIX
        first = _messages.CHECK_EXCEPTIONS_OTHER.format(
            error=_name(error), owner=self._owner(task), message=message
        )
        return [first], _messages.CHECK_EXCEPTIONS_OTHER_FIX

    # --- findings ----------------------------------------------------------------------

    def _unretrieved(
        self, watch: Watch, task: asyncio.Task[Any], error: BaseException | None = None
    ) -> None:
        """Record that *task* failed and nothing retrieved its exception, and mark it
        retrieved: asyncio does not report it again."""
        if error is None:
            error = task.exception()
        assert error is not None
        first = _messages.CHECK_EXCEPTIONS_TASK.format(
            name=task.get_name(),
            coroutine=_coroutine(task),
            owner=self._owner(task),
            error=_name(error),
        )
        lines = [first, self._site(watch, task), *_traceback(error)]
        watch.add(TASK_EXCEPTIONS, "\n".join([*lines, _messages.CHECK_EXCEPTIONS_TASK_FIX]))

    def _owner(self, thing: object) -> str:
        """Whose *thing* (a task or a handle) is, when a wider-scoped fixture's; else, with
        nothing known of *thing*, the wider-scoped fixture whose job runs now; else ""."""
        owner: object = None
        if isinstance(thing, asyncio.Task):
            owner = self.checker.wide_tasks.get(thing)
        if owner is None and thing is not None:
            context = _aio.context_of(thing)
            owner = context.get(OWNER) if context is not None else None  # type: ignore[arg-type]
        if isinstance(owner, Wide):
            return _messages.CHECK_EXCEPTIONS_OF.format(owner=owner.label)
        if owner is not None or not self._jobs:
            return ""
        job = self._jobs[-1].owner
        if job is None or job.scope == "function" or job.phase not in ("setup", "teardown"):
            return ""
        label = _messages.CHECK_WIDE_FIXTURE.format(scope=job.scope, name=job.name)
        return _messages.CHECK_EXCEPTIONS_DURING.format(phase=job.phase, owner=label)

    def _site(self, watch: Watch, future: asyncio.Future[Any]) -> str:
        """Where *future* (a task) was created, as a line of a finding."""
        relative = _awaits.relative_to_cwd()
        if isinstance(future, asyncio.Task):
            site = watch.sites.get(future)
            if site is not None:
                return _located(_messages.CHECK_EXCEPTIONS_CREATED, site, relative)
            nodeid, step = self._left.get(future, ("", None))
            if step is not None:
                return _located(
                    _messages.CHECK_EXCEPTIONS_CREATED_BY, step, relative, nodeid=nodeid
                )
        step = _awaits.created_at(future)  # type: ignore[arg-type]
        if step is not None:
            return _located(_messages.CHECK_EXCEPTIONS_CREATED, step, relative)
        return _messages.CHECK_EXCEPTIONS_CREATED_UNKNOWN


def _located(template: str, step: Step, relative: Any, **names: str) -> str:
    location = f"{relative(step.filename)}:{step.lineno} in {step.function}"
    line = template.format(location=location, **names)
    return f"{line}\n      {step.line}" if step.line else line


def _name(error: BaseException) -> str:
    return type(error).__qualname__


def _coroutine(task: asyncio.Task[Any]) -> str:
    """The function of *task*'s coroutine, as a finding names it after the task's name; ""
    when the task no longer knows its coroutine (an eager task that ended at once)."""
    name = getattr(_aio.task_coro(task), "__qualname__", None)
    return _messages.CHECK_EXCEPTIONS_COROUTINE.format(function=name) if name else ""


def _callback(handle: object) -> str:
    callback = _aio.callback_of(handle)
    name = getattr(callback, "__qualname__", None)
    return f"{name}()" if isinstance(name, str) else repr(callback)


def _traceback(error: BaseException) -> list[str]:
    """*error*'s traceback and what it was raised from or while handling, as Python prints
    them (the first cause first), without the frames of asyncio and of this plugin."""
    chain: list[tuple[BaseException, str]] = []
    current: BaseException | None = error
    link = ""
    seen: set[int] = set()
    while current is not None and id(current) not in seen and len(chain) < _CHAIN_LIMIT:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, _messages.CHECK_EXCEPTIONS_CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, _messages.CHECK_EXCEPTIONS_CONTEXT
        else:
            current = None
    relative = _awaits.relative_to_cwd()
    lines: list[str] = []
    for exc, link in reversed(chain):
        lines.append(_messages.CHECK_EXCEPTIONS_TRACEBACK)
        steps = _user_steps(exc.__traceback__)
        lines += _awaits.render(steps, relative, indent="    ") or [
            _messages.CHECK_EXCEPTIONS_NO_FRAMES
        ]
        only = "".join(traceback.format_exception_only(type(exc), exc)).rstrip("\n")
        lines += [f"  {text}" for text in only.split("\n")]
        if link:
            lines.append(link)
    return lines


def _user_steps(tb: TracebackType | None) -> list[Step]:
    """The frames of *tb* that are the user's, as steps at the line each was at."""
    return [
        _awaits.step_of(frame, lineno)
        for frame, lineno in traceback.walk_tb(tb)
        if _awaits.is_users(frame)
    ]
