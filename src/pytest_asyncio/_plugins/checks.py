"""Checks: the hooks that report what they find (their options are read by ``config``).

This module is imported, and the hooks that follow each test (:class:`Reporting`) registered,
only when a check is on:
for the session (``asyncio_checks``), or for a test by its marker's ``checks=``, in which case
they are registered when the first such test is set up. A run without checks pays nothing.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Final, Protocol

import pytest

from pytest_asyncio import _checks, _compat

if TYPE_CHECKING:
    from pytest_asyncio._checks._watch import Checker, Watch

_NAME: Final = "pytest-asyncio-ng-checks"
#: The title of the section that lists a phase's findings when the phase failed anyway.
SECTION: Final = "asyncio checks"


def activate(config: pytest.Config, item: pytest.Item | None = None) -> None:
    """Start checking: register the reporting hooks and the instrument of every loop. With
    *item*, a test being set up now, whose setup hooks have run past ours: watch it."""
    manager = config.pluginmanager
    reporting = manager.get_plugin(_NAME)
    if reporting is None:
        from pytest_asyncio import _loops
        from pytest_asyncio._checks._watch import Checker

        session = config.stash.get(_checks.CONFIG_KEY, None)  # None: no value set
        checker = Checker(_checks.CheckConfig() if session is None else session, config)
        _loops.instrument(config, checker)
        reporting = Reporting(checker)
        manager.register(reporting, _NAME)
    if item is not None and isinstance(reporting, Reporting):
        reporting.begin(item)


class Reporting:
    """Follows each test's phases, and turns what the checks found into its failures."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.watches: dict[pytest.Item, Watch] = {}
        #: The findings of a test's phase that was skipped, reported with its teardown.
        self.skipped: dict[pytest.Item, str] = {}

    def begin(self, item: pytest.Item) -> None:
        if item in self.watches:
            return
        checks = _checks.for_item(item)
        if checks:
            self.watches[item] = self.checker.start(item.nodeid, checks)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        self.begin(item)
        return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        watch = self.watches.get(item)
        if watch is not None:
            watch.phase = "call"
        return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, None, None]:
        watch = self.watches.get(item)
        if watch is None:
            return (yield)
        watch.phase = "teardown"
        try:
            return (yield)
        finally:
            self.checker.finish(watch)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        watch = self.watches.get(item)
        if watch is None:
            return report
        if call.when == "teardown":
            del self.watches[item]
            if self.checker.test is watch:
                self.checker.end()
        text = _render(watch, call.when)
        if call.when == "teardown":
            earlier = self.skipped.pop(item, None)
            if earlier is not None:
                text = earlier if text is None else f"{earlier}\n\n{text}"
        elif text is not None and report.skipped and not hasattr(report, "wasxfail"):
            # pytest.skip() after the problem happened: the skip stands, and the problem is an
            # error of the teardown, as pytest reports a background thread's error then.
            self.skipped[item] = text
            return report
        if text is not None:
            _fail(item, call, report, text)
        return report


def _render(watch: Watch, phase: str) -> str | None:
    """The text of the findings of *phase* (taken from *watch*), or None if there are none."""
    findings = watch.take(phase)
    if not findings:
        return None
    from pytest_asyncio._checks._watch import render

    return render(watch, findings)


def _fail(
    item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport, text: str
) -> None:
    """Make *report*'s phase fail with *text*, as an exception raised in that phase would
    have: an expected failure of an xfail test (XFAIL), else a failure. A phase that failed
    anyway (XFAIL included) keeps its own failure, and shows *text* in a section of it."""
    expected = _compat.expected_failure(item)
    # A strict xfail test whose body passed failed as XPASS(strict): now it did fail.
    strict_xpass = report.failed and call.excinfo is None and expected is not None
    if report.skipped or (report.failed and not strict_xpass):
        from pytest_asyncio._diagnosis import add_section

        add_section(report, SECTION, text)
        return
    report.longrepr = Findings(text)  # type: ignore[assignment]
    if expected is not None:
        report.outcome = "skipped"
        report.wasxfail = expected
    else:
        report.outcome = "failed"
        if hasattr(report, "wasxfail"):  # XPASS of an xfail test whose raises= names others
            del report.wasxfail


class _Writer(Protocol):
    def line(self, s: str = "", **markup: bool) -> None: ...


class _Crash:
    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class Findings:
    """The failure text of a phase that failed only by its findings. Its first line is what
    pytest's short test summary shows (pytest 8 reads it from ``reprcrash``; a plain string
    gets no message there). pytest-xdist and junitxml read it as its ``str()``."""

    __slots__ = ("reprcrash", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.reprcrash = _Crash(text.partition("\n")[0])

    def toterminal(self, out: _Writer) -> None:
        for text in self.text.split("\n"):
            out.line(text)

    def __str__(self) -> str:
        return self.text
