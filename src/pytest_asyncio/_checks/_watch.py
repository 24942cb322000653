"""What the checks saw of each test, and the one instrument that feeds every check.

A :class:`Watch` belongs to one test: its setup (function-scoped fixtures), its body and its
teardown. Each check writes what it finds into the watch of the test running at the time, with
the phase it happened in; the plugin turns the findings of a phase into the failure of that
phase (``_plugins/checks``).

Tasks belong to whoever created them: the context a job runs in holds its owner in
:data:`OWNER`, and a task inherits the context of the code that creates it. A task created by
a test, or by a task of the test, belongs to the test's watch; one created by a wider-scoped
fixture, or by a task of that fixture (a server's connection handlers), belongs to a
:class:`Wide` owner and is never blamed on a test.

:class:`Checker` is the session's instrument (``_runner.Instrument``): it gives each job its
owner, makes sure the loop's task factory and exception handler are ours, and passes every
event to the parts (one per check, see :class:`Part`) that are on.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import weakref
from collections.abc import Callable, Iterator
from typing import Any, Final, Protocol

import pytest

from pytest_asyncio import _aio, _messages
from pytest_asyncio._awaits import Step, innermost_user_step
from pytest_asyncio._contexts import PRIVATE
from pytest_asyncio._runner import Job, LoopRunner, Owner

from . import NAMES, CheckConfig, Checks

#: The owner of the job that runs in a context: a test's Watch, or a Wide fixture.
OWNER: Final = contextvars.ContextVar["Watch | Wide"]("pytest_asyncio_owner")
PRIVATE.add(OWNER)  # a fixture's owner is not for the tests after it


class Finding:
    """One problem a check found: the check's name, the phase, and the text a user reads."""

    __slots__ = ("check", "phase", "text")

    def __init__(self, check: str, phase: str, text: str) -> None:
        self.check = check
        self.phase = phase
        self.text = text

    def __repr__(self) -> str:
        return f"Finding({self.check!r}, {self.phase!r})"


class Wide:
    """The owner of the jobs of one wider-scoped async fixture, and of the tasks they create."""

    __slots__ = ("label",)

    def __init__(self, label: str) -> None:
        self.label = label


class Watch:
    """What the checks saw of one test."""

    __slots__ = ("checks", "findings", "nodeid", "phase", "sites", "tasks")

    def __init__(self, nodeid: str, checks: Checks) -> None:
        self.nodeid = nodeid
        #: The checks on for this test.
        self.checks = checks
        #: "setup", "call" or "teardown": the phase of the test running now.
        self.phase = "setup"
        self.findings: list[Finding] = []
        #: The tasks the test created, in order (the values mean nothing), while a check is
        #: on: a task is kept while it is pending, or done with an exception nobody has
        #: retrieved yet, and until the test ends at most, so that such an exception is found
        #: then, not when (or if) the garbage collector frees the task. A task done otherwise
        #: is let go at once, with what it holds: the checks have no more use for it.
        self.tasks: dict[asyncio.Task[Any], None] = {}
        #: Where each task of the test was created, when known (let go, it is still known
        #: while the task lives: a report of its failure at the loop's close names it).
        self.sites: weakref.WeakKeyDictionary[asyncio.Task[Any], Step] = weakref.WeakKeyDictionary()

    @property
    def label(self) -> str:
        return f"test {self.nodeid}"

    def add(self, check: str, text: str) -> None:
        """Record what *check* found now, in the current phase (if the check is on)."""
        if check in self.checks:
            self.findings.append(Finding(check, self.phase, text))

    def keep(self, task: asyncio.Task[Any], site: Step | None) -> None:
        """Hold *task*, created by the test (at *site*), while the checks may need it."""
        self.tasks[task] = None
        if site is not None:
            self.sites[task] = site
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        """A done callback: let *task* go, unless it failed; then look again after the
        callbacks scheduled with ours (``await``, ``gather()``, ``TaskGroup``) have had their
        turn to retrieve the exception."""
        if _aio.exception_unretrieved(task):
            task.get_loop().call_soon(self._task_seen, weakref.ref(task))
        else:
            self.tasks.pop(task, None)

    def _task_seen(self, ref: weakref.ref[asyncio.Task[Any]]) -> None:
        task = ref()
        if task is not None and not _aio.exception_unretrieved(task):
            self.tasks.pop(task, None)

    def take(self, phase: str) -> list[Finding]:
        """The findings of *phase*, in the order of the checks; forgotten here."""
        found = [finding for finding in self.findings if finding.phase == phase]
        if found:
            self.findings = [finding for finding in self.findings if finding.phase != phase]
            found.sort(key=lambda finding: NAMES.index(finding.check))
        return found


def render(watch: Watch, findings: list[Finding]) -> str:
    """The failure text for *findings* of *watch*'s test."""
    count = len(findings)
    header = _messages.CHECKS_FAILED.format(
        nodeid=watch.nodeid,
        count=count,
        problems="problem" if count == 1 else "problems",
        phase=_PHASES[findings[0].phase],
    )
    blocks = [_messages.CHECK_FINDING.format(check=f.check, text=f.text) for f in findings]
    return "\n\n".join([header, *blocks])


_PHASES: Final = {"setup": "setup", "call": "body", "teardown": "teardown"}


class Part(Protocol):
    """One check's share of the instrument. Every method runs in the loop's thread, outside
    the loop unless said otherwise; none may raise."""

    def test_started(self, watch: Watch) -> None:
        """*watch*'s test is about to be set up (in its setup phase, before any fixture)."""

    def job_started(self, runner: LoopRunner, job: Job, watch: Watch) -> None:
        """A job of (or for) *watch*'s test is about to run."""

    def job_finished(self, runner: LoopRunner, job: Job, watch: Watch) -> None:
        """That job is done."""

    def loop_closing(self, runner: LoopRunner, watch: Watch | None) -> None:
        """*runner*'s loop is about to close, with its tasks still as they are."""

    def test_finished(self, watch: Watch) -> None:
        """*watch*'s test and its function-scoped fixtures are done (still in its teardown
        phase): what is found now is reported with the teardown."""


class Checker:
    """The session's instrument: one, whatever the checks; a part for each check in use."""

    def __init__(self, config: CheckConfig, pytest_config: pytest.Config) -> None:
        #: The session's checks and threshold.
        self.config = config
        self.pytest_config = pytest_config
        #: The watch of the test running now.
        self.test: Watch | None = None
        self._parts: dict[str, Part] = {}
        self._wide: dict[tuple[str, str], Wide] = {}
        #: The tasks of wider-scoped fixtures, while they live (a task's context cannot be
        #: read before Python 3.12): a report names the fixture a failed task belongs to.
        self.wide_tasks: weakref.WeakKeyDictionary[asyncio.Task[Any], Wide] = (
            weakref.WeakKeyDictionary()
        )
        #: Loops whose task factory and exception handler are ours.
        self._loops: dict[asyncio.AbstractEventLoop, _LoopHooks] = {}

    # --- tests ---------------------------------------------------------------------------

    def start(self, nodeid: str, checks: Checks) -> Watch:
        """*nodeid*'s test is about to be set up with *checks* on."""
        watch = self.test = Watch(nodeid, checks)
        for name in NAMES:
            if name in checks:
                _quietly(self.part(name).test_started, watch)
        return watch

    def finish(self, watch: Watch) -> None:
        """The test's teardown is done, but for what the checks find now."""
        for part in self._parts_of(watch):
            _quietly(part.test_finished, watch)
        watch.tasks.clear()
        watch.sites.clear()

    def end(self) -> None:
        self.test = None

    def part(self, name: str) -> Part:
        """The part of the check called *name*, made on first use."""
        part = self._parts.get(name)
        if part is None:
            import importlib

            module = importlib.import_module(f"{__package__}.{_MODULES[name]}")
            part = self._parts[name] = module.make(self)
        return part

    def _parts_of(self, watch: Watch) -> Iterator[Part]:
        for name, part in self._parts.items():
            if name in watch.checks:
                yield part

    # --- the instrument ------------------------------------------------------------------

    def job_started(self, runner: LoopRunner, job: Job) -> None:
        watch = self.test
        if watch is None or not watch.checks:
            return
        owner = job.owner
        if owner is not None:
            if owner.scope == "function" or owner.phase == "loop":
                job.context.run(OWNER.set, watch)
            else:
                job.context.run(OWNER.set, self._wide_owner(owner))
        self._hook(runner.loop)
        for part in self._parts_of(watch):
            _quietly(part.job_started, runner, job, watch)

    def job_finished(self, runner: LoopRunner, job: Job) -> None:
        watch = self.test
        if watch is None or not watch.checks:
            return
        for part in self._parts_of(watch):
            _quietly(part.job_finished, runner, job, watch)

    def loop_closing(self, runner: LoopRunner) -> None:
        watch = self.test
        if watch is None or not watch.checks:
            return
        for part in self._parts_of(watch):
            _quietly(part.loop_closing, runner, watch)
        self._loops.pop(runner.loop, None)

    def _wide_owner(self, owner: Owner) -> Wide:
        key = (owner.name, owner.scope)
        wide = self._wide.get(key)
        if wide is None:
            label = _messages.CHECK_WIDE_FIXTURE.format(scope=owner.scope, name=owner.name)
            wide = self._wide[key] = Wide(label)
        return wide

    # --- the loop's task factory and exception handler ------------------------------------

    def _hook(self, loop: asyncio.AbstractEventLoop) -> None:
        hooks = self._loops.get(loop)
        if hooks is None:
            hooks = self._loops[loop] = _LoopHooks(self, loop)
        hooks.ensure()

    def task_created(self, task: asyncio.Task[Any], context: contextvars.Context | None) -> None:
        """In the loop: *task* was just created, in *context* (None: the current one)."""
        owner = OWNER.get(None) if context is None else context.get(OWNER)
        if isinstance(owner, Watch) and owner is self.test:
            owner.keep(task, creation_site())
        elif isinstance(owner, Wide):
            self.wide_tasks[task] = owner

    def loop_exception(
        self, loop: asyncio.AbstractEventLoop, context: dict[str, Any], forward: Callable[[], None]
    ) -> None:
        """The loop's exception handler was called with *context*; *forward* calls the
        handler that was there before ours. The task-exceptions part takes the calls that are
        its own (it returns True), the others go on."""
        watch = self.test
        handler = getattr(self._parts.get("task-exceptions"), "loop_exception", None)
        if watch is None or handler is None or "task-exceptions" not in watch.checks:
            forward()
            return
        try:
            taken = handler(loop, context, watch)
        except Exception:  # never lose the report: asyncio's own handler still logs it
            taken = False
        if not taken:
            forward()


class _LoopHooks:
    """Our task factory and exception handler on one loop, wrapping whatever was there."""

    __slots__ = ("checker", "loop", "previous_factory", "previous_handler")

    def __init__(self, checker: Checker, loop: asyncio.AbstractEventLoop) -> None:
        self.checker = checker
        self.loop = loop
        self.previous_factory: Any = None
        self.previous_handler: Any = None

    def ensure(self) -> None:
        """Put ours back if someone replaced them since (a fixture that sets the eager task
        factory, say): theirs then run inside ours."""
        loop = self.loop
        factory = loop.get_task_factory()
        if getattr(factory, "__self__", None) is not self:
            self.previous_factory = factory
            loop.set_task_factory(self.create_task)
        handler = loop.get_exception_handler()
        if getattr(handler, "__self__", None) is not self:
            self.previous_handler = handler
            loop.set_exception_handler(self.exception)

    def create_task(
        self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any
    ) -> asyncio.Task[Any]:
        previous = self.previous_factory
        if previous is not None:
            task: asyncio.Task[Any] = previous(loop, coro, **kwargs)
        else:
            task = _aio.factory_task(coro, loop, **kwargs)
        self.checker.task_created(task, kwargs.get("context"))
        return task

    def exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        def forward() -> None:
            previous = self.previous_handler
            if previous is not None:
                previous(loop, context)
            else:
                loop.default_exception_handler(context)

        self.checker.loop_exception(loop, context, forward)


def creation_site() -> Step | None:
    """The innermost frame of the user's code on the current stack (not asyncio's, not
    ours), as a step: where a task or coroutine being created now comes from."""
    return innermost_user_step(sys._getframe(2))


def _quietly(method: Callable[..., None], *args: Any) -> None:
    """Call a part's method; an error of ours must not break the user's test run."""
    try:
        method(*args)
    except Exception:  # pragma: no cover - a bug of a check, reported by asyncio's logger
        import logging

        logging.getLogger("pytest_asyncio").exception("a check failed")


#: The module of each check: its ``make(checker)`` returns the check's part.
_MODULES: Final = {
    "task-exceptions": "_exceptions",
    "task-leaks": "_leaks",
    "unawaited": "_unawaited",
    "blocking": "_blocking",
}
