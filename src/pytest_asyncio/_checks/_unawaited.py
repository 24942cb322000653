"""The unawaited check: a coroutine created during a test and never awaited fails the test.

CPython warns "coroutine ... was never awaited" when it frees a coroutine that never started,
at whatever line happens to run then: often a line of this plugin. While a test with this
check on runs:

- coroutine origin tracking is on in the loop's thread (the main thread:
  ``sys.set_coroutine_origin_tracking_depth`` is per thread), so each coroutine created then
  knows, in ``cr_origin``, the frames that created it;
- CPython's warning hook (see ``_aio.unawaited_hook``) is ours: it is handed the coroutine,
  and records a finding for the test, naming the coroutine and the user's line that created
  it, instead of the warning. A recorded coroutine is not warned about, so ``-W error`` turns
  nothing more into an error.

Both are put back as they were when the test ends. A coroutine the check cannot pin on the
running test (created before it, in another thread, by a task of an earlier test, or by
pytest or this plugin) gets the warning Python gives without the check.
"""

from __future__ import annotations

import linecache
import os
import sys
import sysconfig
from collections.abc import Callable
from types import FrameType
from typing import Any, Final

from pytest_asyncio import _aio, _awaits, _messages
from pytest_asyncio._awaits import Step

from . import UNAWAITED
from ._watch import OWNER, Checker, Finding, Watch, Wide

#: Frames of the creating stack kept on each coroutine: the creator and one wrapper above it
#: (a decorator). Each frame costs on every creation, more so the deeper ones (asyncio's
#: ``_run_once`` is a long function whose line number takes long to find): 2 frames cost
#: about 3,000 instructions per coroutine, 4 frames 17,000-21,000 (see docs/checks.md). A
#: coroutine made deeper inside a library (``unittest.mock.AsyncMock`` takes three frames)
#: is shown at the user's line that dropped it instead.
DEPTH: Final = 2


def _directory(module_file: str | None) -> str:
    return os.path.dirname(module_file or "") + os.sep


def _library_dirs() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The standard library's directories, and those inside them whose frames are the
    user's (third-party packages installed into the standard library's directory)."""
    paths = sysconfig.get_paths()
    hidden: set[str] = set()
    for key in ("stdlib", "platstdlib"):
        if paths.get(key):
            hidden.add(paths[key].rstrip(os.sep) + os.sep)
    kept = {paths[key].rstrip(os.sep) + os.sep for key in ("purelib", "platlib") if paths.get(key)}
    return tuple(sorted(hidden)), tuple(sorted(kept))


_ASYNCIO_DIR: Final = _directory(sys.modules["asyncio"].__file__)
_PLUGIN_DIR: Final = _directory(_aio.__file__)
#: Code that runs tests: a coroutine it made is its own, never a finding.
_MACHINERY_DIRS: Final = (
    _PLUGIN_DIR,
    _directory(sys.modules["_pytest"].__file__),
    _directory(sys.modules["pluggy"].__file__),
)
_LIBRARY_DIRS, _PACKAGE_DIRS = _library_dirs()


def _users(filename: str) -> bool:
    """Whether a frame in *filename* is the user's code (not asyncio, pytest, this plugin
    or the standard library)."""
    if filename.startswith((_ASYNCIO_DIR, *_MACHINERY_DIRS)):
        return False  # pytest and pluggy may be installed among the user's packages
    if filename.startswith(_LIBRARY_DIRS):
        return filename.startswith(_PACKAGE_DIRS)
    return not filename.startswith("<frozen ")


def creator(origin: tuple[tuple[str, int, str], ...]) -> Step | None:
    """The innermost of *origin*'s frames (``cr_origin``: innermost first) that is the
    user's code, as a step; None when none is."""
    for filename, lineno, function in origin:
        if _users(filename):
            line = linecache.getline(filename, lineno).strip()
            return Step(function, filename, lineno, line)
    return None


def dropper() -> Step | None:
    """The innermost frame of the user's code running now: where a coroutine being freed
    now was dropped."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if _users(code.co_filename) and "__tracebackhide__" not in code.co_varnames:
            return _awaits.step_of(frame)
        frame = frame.f_back
    return None


def by_machinery(origin: tuple[tuple[str, int, str], ...]) -> bool:
    """Whether pytest, pluggy or this plugin made the coroutine *origin* belongs to."""
    return any(filename.startswith(_MACHINERY_DIRS) for filename, _, _ in origin)


def by_asyncio(coro: Any, origin: tuple[tuple[str, int, str], ...]) -> bool:
    """Whether asyncio itself called the user's coroutine function *coro* comes from: an
    async function given to the loop as a plain callback (``loop.call_soon``)."""
    if not origin or not origin[0][0].startswith(_ASYNCIO_DIR):
        return False
    code = getattr(coro, "cr_code", None)
    return code is not None and _users(code.co_filename)


class _Unawaited:
    """The check's part: turns origin tracking and the warning hook on for each test."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        #: What the hook and the tracking depth were before the running test.
        self.previous: Callable[[Any], object] | None = None
        self.depth = 0
        self.installed = False
        #: The running test's findings, by coroutine and site: repeats are counted.
        self.seen: dict[tuple[object, ...], _Seen] = {}
        self.relative: Callable[[str], str] = lambda filename: filename

    # --- Part ----------------------------------------------------------------------------

    def test_started(self, watch: Watch) -> None:
        if not self.installed:
            self.relative = _awaits.relative_to_cwd()
            self.previous = _aio.unawaited_hook()
            self.depth = sys.get_coroutine_origin_tracking_depth()
            _aio.set_unawaited_hook(self.unawaited)
            sys.set_coroutine_origin_tracking_depth(max(self.depth, DEPTH))
            self.installed = True

    def job_started(self, runner: Any, job: Any, watch: Watch) -> None:
        pass

    def job_finished(self, runner: Any, job: Any, watch: Watch) -> None:
        pass

    def loop_closing(self, runner: Any, watch: Watch | None) -> None:
        pass

    def test_finished(self, watch: Watch) -> None:
        self.seen.clear()
        if not self.installed:
            return
        self.installed = False
        if sys.get_coroutine_origin_tracking_depth() == max(self.depth, DEPTH):
            sys.set_coroutine_origin_tracking_depth(self.depth)
        if getattr(_aio.unawaited_hook(), "__self__", None) is self:
            _aio.set_unawaited_hook(self.previous)

    # --- the hook ------------------------------------------------------------------------

    def unawaited(self, coro: Any) -> None:
        """CPython frees *coro*, which never started: record it, or warn as without us."""
        try:
            recorded = self._record(coro)
        except Exception:  # never lose the warning to a bug of ours
            recorded = False
        if not recorded:
            self._forward(coro)

    def _record(self, coro: Any) -> bool:
        watch = self.checker.test
        origin = getattr(coro, "cr_origin", None)
        if watch is None or UNAWAITED not in watch.checks or not origin:
            return False  # not this test's, or created while nothing tracked it
        owner = OWNER.get(None)
        if isinstance(owner, Watch) and owner is not watch:
            return False  # a task of an earlier test, still running
        fields = {"name": coro.__qualname__, "owner": "", "times": ""}
        if isinstance(owner, Wide):
            fields["owner"] = _messages.CHECK_UNAWAITED_OWNER.format(owner=owner.label)
        template = _messages.CHECK_UNAWAITED
        site = creator(origin)
        if site is None and by_asyncio(coro, origin):
            code = coro.cr_code
            key: tuple[object, ...] = (fields["name"], code)
            template = _messages.CHECK_UNAWAITED_BY_ASYNCIO
            fields["defined"] = f"{self.relative(code.co_filename)}:{code.co_firstlineno}"
            self._add(watch, (*key, watch.phase), template, fields)
            return True
        if site is None and not by_machinery(origin):  # made deeper inside a library
            site, template = dropper(), _messages.CHECK_UNAWAITED_DROPPED
        if site is None:
            return False  # made by pytest or this plugin: not the user's doing
        key = (fields["name"], site.filename, site.lineno)
        fields["site"] = "\n".join(_awaits.render([site], self.relative))
        self._add(watch, (*key, watch.phase), template, fields)
        return True

    def _add(
        self, watch: Watch, key: tuple[object, ...], template: str, fields: dict[str, str]
    ) -> None:
        """Record a finding; the same coroutine from the same line again only counts."""
        seen = self.seen.get(key)
        if seen is None:
            watch.add(UNAWAITED, template.format(**fields))
            self.seen[key] = _Seen(watch.findings[-1], template, fields)
            return
        seen.count += 1
        fields = {**seen.fields, "times": _messages.CHECK_UNAWAITED_TIMES.format(count=seen.count)}
        seen.finding.text = seen.template.format(**fields)

    def _forward(self, coro: Any) -> None:
        """What would have happened without the check: the previous hook, or the warning
        Python's own hook gives, at the line that dropped *coro*."""
        previous = self.previous
        if previous is not None and not _aio.is_stdlib_unawaited_hook(previous):
            previous(coro)
            return
        _aio.warn_unawaited(coro, skip=2)  # this frame and unawaited()


class _Seen:
    """A finding of the running test, and how many coroutines it stands for."""

    __slots__ = ("count", "fields", "finding", "template")

    def __init__(self, finding: Finding, template: str, fields: dict[str, str]) -> None:
        self.finding = finding
        self.template = template
        self.fields = fields
        self.count = 1


def make(checker: Checker) -> _Unawaited:
    return _Unawaited(checker)
