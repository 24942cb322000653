"""Checks: which are on (asyncio_checks, --asyncio-checks, the marker's checks= on a test, a
class or a module), the blocking threshold, the report header, and invalid values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_asyncio import _messages

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

pytestmark = pytest.mark.timeout(60)

CHOICES = "task-exceptions, task-leaks, unawaited, blocking, all, none"
ALL = "task-exceptions,task-leaks,unawaited,blocking"

# Prints, as each test's body starts, the checks its watch holds ("-": no watch, no check on).
PRINTING_CONFTEST = """
import pytest

from pytest_asyncio._checks import NAMES


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    plugin = item.config.pluginmanager.get_plugin("pytest-asyncio-ng-checks")
    watch = plugin.checker.test if plugin is not None else None
    on = "-"
    if watch is not None and watch.nodeid == item.nodeid:
        on = ",".join(name for name in NAMES if name in watch.checks)
    print(f"\\nCHECKS {item.name}: {on}")
"""

ONE_TEST = """
import pytest

@pytest.mark.asyncio
async def test_one():
    pass
"""


def _header(checks: str, threshold: str = "0.1") -> str:
    """The header line: the threshold is shown when the blocking check is on."""
    start = (
        "asyncio: mode=strict, debug=False, asyncio_default_fixture_loop_scope=None, "
        "asyncio_default_test_loop_scope=function"
    )
    if not checks:
        return start
    line = f"{start}, asyncio_checks={checks}"
    if "blocking" not in checks:
        return line
    return f"{line}, asyncio_blocking_threshold={threshold}"


@pytest.mark.parametrize(
    ("ini_value", "args", "on"),
    [
        pytest.param(None, [], "", id="default-none"),
        pytest.param("task-leaks, unawaited", [], "task-leaks,unawaited", id="comma"),
        pytest.param("unawaited task-exceptions", [], "task-exceptions,unawaited", id="space"),
        pytest.param("Task-Leaks,,\n  UNAWAITED", [], "task-leaks,unawaited", id="case-lines"),
        pytest.param("all", [], ALL, id="all"),
        pytest.param("ALL", [], ALL, id="all-uppercase"),
        pytest.param("none", [], "", id="none"),
        pytest.param("all", ["--asyncio-checks=none"], "", id="cli-none-over-ini"),
        pytest.param("none", ["--asyncio-checks=unawaited"], "unawaited", id="cli-over-ini"),
        pytest.param("task-leaks", ["-o", "asyncio_checks=unawaited"], "unawaited", id="-o"),
        pytest.param("all", ["--asyncio-checks="], "", id="cli-empty"),
    ],
)
def test_session_checks(
    pytester: pytest.Pytester, ini: IniWriter, ini_value: str | None, args: list[str], on: str
) -> None:
    ini(**({"asyncio_checks": ini_value} if ini_value is not None else {}))
    pytester.makeconftest(PRINTING_CONFTEST)
    pytester.makepyfile(ONE_TEST)
    result = pytester.runpytest("-s", *args)
    result.assert_outcomes(passed=1)
    assert result.outlines.count(_header(on)) == 1
    assert ("asyncio_checks" in result.stdout.str()) == bool(on)
    result.stdout.fnmatch_lines([f"CHECKS test_one: {on or '-'}"])


@pytest.mark.parametrize(
    ("args", "on", "threshold"),
    [
        pytest.param(["--asyncio-checks=blocking"], "blocking", "0.1", id="default"),
        pytest.param(
            ["--asyncio-checks=all", "--asyncio-blocking-threshold=0.25"], ALL, "0.25", id="cli"
        ),
        pytest.param(
            ["--asyncio-checks=blocking", "-o", "asyncio_blocking_threshold=2"],
            "blocking",
            "2",
            id="ini",
        ),
        pytest.param(
            ["--asyncio-checks=task-leaks", "--asyncio-blocking-threshold=0.25"],
            "task-leaks",
            "0.25",
            id="shown-only-with-blocking",
        ),
    ],
)
def test_blocking_threshold_in_the_header(
    pytester: pytest.Pytester, args: list[str], on: str, threshold: str
) -> None:
    pytester.makepyfile(ONE_TEST)
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1)
    assert result.outlines.count(_header(on, threshold)) == 1
    assert ("asyncio_blocking_threshold" in result.stdout.str()) == ("blocking" in on)


def test_blocking_threshold_cli_over_ini(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_checks="blocking", asyncio_blocking_threshold="oops")
    pytester.makepyfile(ONE_TEST)
    result = pytester.runpytest("--asyncio-blocking-threshold=0.5")
    result.assert_outcomes(passed=1)
    assert result.outlines.count(_header("blocking", "0.5")) == 1


@pytest.mark.parametrize("value", ["0", "-1", "abc", "inf", "nan"])
def test_invalid_blocking_threshold_on_the_command_line(
    pytester: pytest.Pytester, value: str
) -> None:
    pytester.makepyfile(ONE_TEST)
    result = pytester.runpytest(f"--asyncio-blocking-threshold={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (
        f"ERROR: pytest-asyncio-ng: asyncio_blocking_threshold = '{value}' (from the command "
        "line option --asyncio-blocking-threshold) is not valid; use one of: a number of "
        "seconds greater than 0."
    ) in result.errlines
    assert "Traceback" not in result.stderr.str()


def test_invalid_blocking_threshold_in_the_ini_file(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_blocking_threshold="0")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    expected = _messages.INVALID_OPTION.format(
        key="asyncio_blocking_threshold",
        value="0",
        origin=_messages.ORIGIN_INI.format(path=pytester.path / "tox.ini"),
        choices="a number of seconds greater than 0",
    )
    assert f"ERROR: {expected}" in result.errlines


def test_unknown_check_in_the_ini_file(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_checks="task-leaks, blockng")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    message = _messages.UNKNOWN_CHECKS.format(
        names="blockng",
        origin=_messages.ORIGIN_INI.format(path=pytester.path / "tox.ini"),
        choices=CHOICES,
    )
    expected = f"{message} {_messages.DID_YOU_MEAN.format(suggestion='blocking')}"
    assert [line for line in result.errlines if line.startswith("ERROR")] == [f"ERROR: {expected}"]


def test_unknown_checks_on_the_command_line(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_checks="all")
    result = pytester.runpytest("--asyncio-checks=task-leak,unawaited,deadlocks,Blockin")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.errlines if line.startswith("ERROR")] == [
        "ERROR: pytest-asyncio-ng: no check is called task-leak, deadlocks, Blockin (in "
        "asyncio_checks, from the command line option --asyncio-checks); the checks are: "
        "task-exceptions, task-leaks, unawaited, blocking, all, none. Did you mean "
        "'task-leaks' instead of 'task-leak'? Did you mean 'blocking' instead of 'Blockin'?"
    ]
    assert "Traceback" not in result.stderr.str()


def test_unknown_check_without_a_close_name(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--asyncio-checks=everything")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (
        "ERROR: pytest-asyncio-ng: no check is called everything (in asyncio_checks, from the "
        "command line option --asyncio-checks); the checks are: task-exceptions, task-leaks, "
        "unawaited, blocking, all, none."
    ) in result.errlines


MARKED = """
import pytest


@pytest.mark.asyncio(checks="task-leaks")
async def test_string():
    pass


@pytest.mark.asyncio(checks="Unawaited blocking")
async def test_string_of_two():
    pass


@pytest.mark.asyncio(checks=["blocking", "task-exceptions"])
async def test_list():
    pass


@pytest.mark.asyncio(checks=("all",))
async def test_tuple_all():
    pass


@pytest.mark.asyncio(checks=None)
async def test_none():
    pass


@pytest.mark.asyncio(checks="none")
async def test_none_string():
    pass


@pytest.mark.asyncio(checks=[])
async def test_empty_list():
    pass


@pytest.mark.asyncio
async def test_bare():
    pass


@pytest.mark.asyncio(loop_scope="module")
async def test_other_keywords():
    pass


def test_sync():
    pass
"""


@pytest.mark.parametrize(
    ("session", "default"),
    [pytest.param("none", "-", id="session-none"), pytest.param("unawaited", "unawaited")],
)
def test_marker_checks(
    pytester: pytest.Pytester, ini: IniWriter, session: str, default: str
) -> None:
    ini(asyncio_checks=session)
    pytester.makeconftest(PRINTING_CONFTEST)
    pytester.makepyfile(MARKED)
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=10)
    result.stdout.fnmatch_lines(
        [
            "CHECKS test_string: task-leaks",
            "CHECKS test_string_of_two: unawaited,blocking",
            "CHECKS test_list: task-exceptions,blocking",
            f"CHECKS test_tuple_all: {ALL}",
            "CHECKS test_none: -",
            "CHECKS test_none_string: -",
            "CHECKS test_empty_list: -",
            f"CHECKS test_bare: {default}",
            f"CHECKS test_other_keywords: {default}",
            f"CHECKS test_sync: {default}",
        ]
    )


def test_pytestmark_of_module_and_class_and_the_closest_marker_wins(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_checks="task-exceptions")
    pytester.makeconftest(PRINTING_CONFTEST)
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.asyncio(checks="task-leaks")


        async def test_module():
            pass


        @pytest.mark.asyncio(checks="blocking")
        async def test_own_marker():
            pass


        @pytest.mark.asyncio
        async def test_own_bare_marker():
            pass


        class TestClass:
            pytestmark = pytest.mark.asyncio(checks="unawaited")

            async def test_class(self):
                pass

            @pytest.mark.asyncio(checks=None)
            async def test_own_marker_in_class(self):
                pass
        """
    )
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(
        [
            "CHECKS test_module: task-leaks",
            "CHECKS test_own_marker: blocking",
            "CHECKS test_own_bare_marker: task-exceptions",
            "CHECKS test_class: unawaited",
            "CHECKS test_own_marker_in_class: -",
        ]
    )


def test_marker_on_a_sync_test_does_nothing(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_checks="task-leaks")
    pytester.makeconftest(PRINTING_CONFTEST)
    pytester.makepyfile(
        test_sync="""
        import pytest

        @pytest.mark.asyncio(checks="none")
        def test_sync():
            pass
        """
    )
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "CHECKS test_sync: task-leaks",
            "*test_sync.py::test_sync is marked with @pytest.mark.asyncio but is not an async "
            "function, so the mark does nothing.*",
        ]
    )


def test_bad_marker_values_fail_their_test_at_setup(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad="""
        import pytest

        @pytest.mark.asyncio(checks=True)
        async def test_bool():
            pass

        @pytest.mark.asyncio(checks=["task-leaks", 3])
        async def test_number_in_list():
            pass

        @pytest.mark.asyncio(checks="task-leaks, unawaitd")
        async def test_misspelt():
            pass

        @pytest.mark.asyncio(checks=["dead-locks", "slow"])
        async def test_unknown():
            pass

        @pytest.mark.asyncio(checks="task-leaks")
        async def test_good():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=4)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at setup of test_bool _*",
            "test_bad.py::test_bool: @pytest.mark.asyncio(checks=True) is not a list of checks; "
            "write their names in a string, comma- or space-separated, or in a list, from: "
            "task-exceptions, task-leaks, unawaited, blocking, all, none.",
            "*_ ERROR at setup of test_number_in_list _*",
            "*_ ERROR at setup of test_misspelt _*",
            "test_bad.py::test_misspelt: @pytest.mark.asyncio(checks='task-leaks, unawaitd') "
            "names no check called unawaitd; the checks are: task-exceptions, task-leaks, "
            "unawaited, blocking, all, none. Did you mean 'unawaited'?",
            "*_ ERROR at setup of test_unknown _*",
        ]
    )
    out = result.stdout.str()
    nodeid = "test_bad.py::test_number_in_list"
    assert (
        _messages.MARK_BAD_CHECKS.format(nodeid=nodeid, value=["task-leaks", 3], choices=CHOICES)
        in out
    )
    assert (
        _messages.MARK_UNKNOWN_CHECKS.format(
            nodeid="test_bad.py::test_unknown",
            value=["dead-locks", "slow"],
            names="dead-locks, slow",
            choices=CHOICES,
        )
        in result.outlines
    )


def test_marker_help_lists_checks(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.asyncio(*, loop_scope=None, loop_factories=None, timeout=None, "
            "checks=None): *"
        ]
    )


def test_the_docs_quote_the_messages_of_a_real_run(pytester: pytest.Pytester) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "checks.md").read_text()
    error = pytester.runpytest("--asyncio-checks=task-leak")
    [line] = [line for line in error.errlines if line.startswith("ERROR")]
    assert f"\n{line}\n" in docs
    pytester.makepyfile(ONE_TEST)
    run = pytester.runpytest("--asyncio-checks=all")
    [header] = [line for line in run.outlines if line.startswith("asyncio: ")]
    assert f"\n{header}\n" in docs
