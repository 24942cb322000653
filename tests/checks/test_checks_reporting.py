"""Checks: how findings are reported. A finding fails the phase of the test it was recorded in
(setup, body, teardown), once, as an exception raised there would (xfail included); a phase
that failed anyway shows it in a section; junitxml and xdist carry it; the reporting plugin is
registered only when a check is on.

The checks themselves are not used here: the inner conftest records findings the way a check
does, in the watch of the test running now, so what is tested is the reporting alone.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from pytest_asyncio import _messages

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

pytestmark = pytest.mark.timeout(60)

# finding(text, check) records a finding now, as a check would: in the running test's watch,
# if that check is on for it (a no-op when no check is on).
FINDING_CONFTEST = """
import pytest

CONFIG = None


def pytest_configure(config):
    global CONFIG
    CONFIG = config


def finding(text, check="task-leaks"):
    plugin = CONFIG.pluginmanager.get_plugin("pytest-asyncio-ng-checks")
    if plugin is not None and plugin.checker.test is not None:
        plugin.checker.test.add(check, text)
"""


def _header(nodeid: str, phase: str, count: int = 1) -> str:
    problems = "problem" if count == 1 else "problems"
    return _messages.CHECKS_FAILED.format(
        nodeid=nodeid, count=count, problems=problems, phase=phase
    )


@pytest.fixture
def finding_suite(pytester: pytest.Pytester, ini: IniWriter) -> pytest.Pytester:
    """An inner suite with every check on and the finding() helper in its conftest."""
    ini(asyncio_checks="all")
    pytester.makeconftest(FINDING_CONFTEST)
    return pytester


PHASES = """
import pytest
import pytest_asyncio
from conftest import finding

pytestmark = pytest.mark.asyncio(loop_scope="{loop_scope}")


@pytest_asyncio.fixture(loop_scope="{loop_scope}")
async def resource(request):
    first = request.node.name == "test_first"
    if first and "{where}" == "setup":
        finding("a problem in the fixture's setup")
    yield
    if first and "{where}" == "teardown":
        finding("a problem in the fixture's teardown")


async def test_first(resource):
    if "{where}" == "call":
        finding("a problem in the body")


async def test_second(resource):
    pass
"""


@pytest.mark.parametrize("loop_scope", ["function", "module"])
@pytest.mark.parametrize(
    ("where", "outcomes", "title", "phase", "text"),
    [
        pytest.param(
            "setup",
            {"errors": 1, "passed": 1},
            "ERROR at setup of test_first",
            "setup",
            "a problem in the fixture's setup",
            id="setup",
        ),
        pytest.param(
            "call",
            {"failed": 1, "passed": 1},
            "test_first",
            "body",
            "a problem in the body",
            id="call",
        ),
        pytest.param(
            "teardown",
            {"errors": 1, "passed": 2},
            "ERROR at teardown of test_first",
            "teardown",
            "a problem in the fixture's teardown",
            id="teardown",
        ),
    ],
)
def test_a_finding_fails_its_phase_of_its_test_only(
    finding_suite: pytest.Pytester,
    loop_scope: str,
    where: str,
    outcomes: dict[str, int],
    title: str,
    phase: str,
    text: str,
) -> None:
    finding_suite.makepyfile(test_phases=PHASES.format(loop_scope=loop_scope, where=where))
    result = finding_suite.runpytest()
    result.assert_outcomes(**outcomes)
    result.stdout.fnmatch_lines(
        [f"*_ {title} _*", _header("test_phases.py::test_first", phase), "", f"[task-leaks] {text}"]
    )
    out = result.stdout.str()
    assert out.split("short test summary info")[0].count("asyncio checks found") == 1
    assert "test_second" not in out.split("short test summary info")[-1]


def test_the_report_a_user_reads(finding_suite: pytest.Pytester) -> None:
    finding_suite.makepyfile(
        test_report="""
        import pytest
        from conftest import finding

        @pytest.mark.asyncio
        async def test_two_problems():
            finding("blocked the loop for 0.3 s\\n  at test_report.py:7\\nDo not.", "blocking")
            finding("a task raised\\nRetrieve it.", "task-exceptions")
        """
    )
    result = finding_suite.runpytest()
    result.assert_outcomes(failed=1)
    lines = result.outlines
    start = lines.index(
        "asyncio checks found 2 problems during the body of test test_report.py::test_two_problems."
    )
    assert lines[start : start + 8] == [
        "asyncio checks found 2 problems during the body of test "
        "test_report.py::test_two_problems.",
        "",
        "[task-exceptions] a task raised",
        "Retrieve it.",
        "",
        "[blocking] blocked the loop for 0.3 s",
        "  at test_report.py:7",
        "Do not.",
    ]
    result.stdout.fnmatch_lines(["FAILED test_report.py::test_two_problems*"])


def test_a_finding_of_a_check_that_is_off_is_dropped(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_checks="unawaited")
    pytester.makeconftest(FINDING_CONFTEST)
    pytester.makepyfile(
        """
        import pytest
        from conftest import finding

        @pytest.mark.asyncio
        async def test_off():
            finding("not for this run", "task-leaks")

        @pytest.mark.asyncio(checks="none")
        async def test_marked_off():
            finding("not for this test", "unawaited")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("failure", "shown"),
    [
        pytest.param("assert 1 == 2", "E       assert 1 == 2", id="assert"),
        pytest.param(
            'pytest.fail("it failed by itself", pytrace=False)', "it failed by itself", id="fail"
        ),
    ],
)
def test_a_phase_that_failed_anyway_shows_the_findings_in_a_section(
    finding_suite: pytest.Pytester, failure: str, shown: str
) -> None:
    finding_suite.makepyfile(
        test_anyway=f"""
        import pytest
        from conftest import finding

        @pytest.mark.asyncio
        async def test_fails():
            finding("a problem before the failure")
            {failure}
        """
    )
    result = finding_suite.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            shown,
            "*",
            _header("test_anyway.py::test_fails", "body"),
            "",
            "[task-leaks] a problem before the failure",
        ]
    )
    assert result.stdout.str().count("[task-leaks] a problem before the failure") == 1


def test_a_section_heads_the_findings_of_a_traceback(finding_suite: pytest.Pytester) -> None:
    finding_suite.makepyfile(
        test_section="""
        import pytest
        from conftest import finding

        @pytest.mark.asyncio
        async def test_fails():
            finding("a problem")
            raise ValueError("boom")
        """
    )
    result = finding_suite.runpytest()
    result.stdout.fnmatch_lines(["E       ValueError: boom", "*- asyncio checks -*"])


XFAIL_CASES = [
    pytest.param(
        "@pytest.mark.xfail(reason='known')", "pass", [], {"xfailed": 1}, id="xfail-passes"
    ),
    pytest.param(
        "@pytest.mark.xfail(reason='known', strict=True)",
        "pass",
        [],
        {"xfailed": 1},
        id="strict-xfail-passes",
    ),
    pytest.param(
        "@pytest.mark.xfail(reason='known')",
        "assert False",
        [],
        {"xfailed": 1},
        id="xfail-fails",
    ),
    pytest.param(
        "@pytest.mark.xfail(reason='known', raises=ValueError)",
        "pass",
        [],
        {"failed": 1},
        id="xfail-raises-other",
    ),
    pytest.param(
        "@pytest.mark.xfail(reason='known', strict=True, raises=ValueError)",
        "pass",
        [],
        {"failed": 1},
        id="strict-xfail-raises-other",
    ),
    pytest.param(
        "@pytest.mark.xfail(reason='known')", "pass", ["--runxfail"], {"failed": 1}, id="runxfail"
    ),
    pytest.param("", "pytest.xfail('imperative')", [], {"xfailed": 1}, id="pytest-xfail"),
]


@pytest.mark.parametrize(("decorator", "then", "args", "outcomes"), XFAIL_CASES)
def test_a_finding_counts_as_an_exception_of_its_phase(
    finding_suite: pytest.Pytester,
    decorator: str,
    then: str,
    args: list[str],
    outcomes: dict[str, int],
) -> None:
    """As with pytest's own background errors under -W error: an xfail test whose check fails
    is an expected failure."""
    finding_suite.makepyfile(
        test_xfail=f"""
        import pytest
        from conftest import finding

        {decorator}
        @pytest.mark.asyncio
        async def test_it():
            finding("a problem")
            {then}
        """
    )
    result = finding_suite.runpytest("-rxXs", *args)
    result.assert_outcomes(**outcomes)
    if "failed" in outcomes:
        result.stdout.fnmatch_lines(
            [_header("test_xfail.py::test_it", "body"), "", "[task-leaks] a problem"]
        )
    else:
        assert "XPASS" not in result.stdout.str()


def test_a_test_skipped_after_the_problem_errors_at_teardown(
    finding_suite: pytest.Pytester,
) -> None:
    """pytest does the same with a background thread's error under -W error."""
    finding_suite.makepyfile(
        test_skip="""
        import pytest
        import pytest_asyncio
        from conftest import finding

        @pytest_asyncio.fixture
        async def resource():
            yield
            finding("a problem in teardown")

        @pytest.mark.asyncio
        async def test_skips(resource):
            finding("a problem before the skip")
            pytest.skip("not today")

        @pytest.mark.asyncio
        async def test_next():
            pass
        """
    )
    result = finding_suite.runpytest("-rs")
    result.assert_outcomes(skipped=1, errors=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_skips _*",
            _header("test_skip.py::test_skips", "body"),
            "",
            "[task-leaks] a problem before the skip",
            "",
            _header("test_skip.py::test_skips", "teardown"),
            "",
            "[task-leaks] a problem in teardown",
            "*short test summary info*",
            "SKIPPED [1] test_skip.py:13: not today",
        ]
    )


def test_a_teardown_finding_of_an_xfail_test_is_an_expected_failure(
    finding_suite: pytest.Pytester,
) -> None:
    """pytest does the same with an exception raised in an xfail test's teardown."""
    finding_suite.makepyfile(
        test_xfail_teardown="""
        import pytest
        import pytest_asyncio
        from conftest import finding

        @pytest_asyncio.fixture
        async def resource():
            yield
            finding("a problem in teardown")

        @pytest.mark.xfail(reason="known")
        @pytest.mark.asyncio
        async def test_it(resource):
            assert False
        """
    )
    result = finding_suite.runpytest("-rxX")
    result.assert_outcomes(xfailed=2)
    # pytest < 9 leaves out "at teardown of".
    result.stdout.fnmatch_lines(["XFAIL *test_xfail_teardown.py::test_it - known"])


def test_junitxml_carries_the_findings(finding_suite: pytest.Pytester) -> None:
    finding_suite.makepyfile(
        test_junit="""
        import pytest
        import pytest_asyncio
        from conftest import finding

        @pytest_asyncio.fixture
        async def resource():
            yield
            finding("a problem in teardown")

        @pytest.mark.asyncio
        async def test_body():
            finding("a problem in the body")

        @pytest.mark.asyncio
        async def test_teardown(resource):
            pass

        @pytest.mark.asyncio
        async def test_both():
            finding("a problem before the failure")
            assert 1 == 2

        @pytest.mark.asyncio
        async def test_fail_without_traceback():
            finding("a problem before pytest.fail")
            pytest.fail("it failed by itself", pytrace=False)
        """
    )
    result = finding_suite.runpytest("--junitxml=report.xml")
    result.assert_outcomes(failed=3, passed=1, errors=1)
    root = ET.parse(finding_suite.path / "report.xml").getroot()
    cases = {case.get("name"): case for case in root.iter("testcase")}

    failure = cases["test_body"].find("failure")
    assert failure is not None
    header = _header("test_junit.py::test_body", "body")
    # The message is the first line, as for an exception; the text has every finding.
    assert failure.get("message") == header
    assert failure.text == f"{header}\n\n[task-leaks] a problem in the body"

    error = cases["test_teardown"].find("error")
    assert error is not None
    expected = _header("test_junit.py::test_teardown", "teardown")
    assert error.get("message") == f'failed on teardown with "{expected}"'
    assert error.text == f"{expected}\n\n[task-leaks] a problem in teardown"

    both = cases["test_both"].find("failure")
    assert both is not None
    assert both.text is not None
    assert "assert 1 == 2" in both.text
    assert "[task-leaks] a problem before the failure" in both.text

    plain = cases["test_fail_without_traceback"].find("failure")
    assert plain is not None
    header = _header("test_junit.py::test_fail_without_traceback", "body")
    assert plain.text == (
        f"it failed by itself\n{'-' * 32} asyncio checks {'-' * 32}\n{header}\n\n"
        "[task-leaks] a problem before pytest.fail"
    )


@pytest.mark.python_independent  # through pytest-xdist's workers: one Python runs it
def test_xdist_shows_the_findings(finding_suite: pytest.Pytester) -> None:
    finding_suite.makepyfile(
        test_xdist="""
        import pytest
        from conftest import finding

        @pytest.mark.asyncio
        async def test_problem():
            finding("a problem on a worker")

        @pytest.mark.asyncio
        async def test_clean():
            pass
        """
    )
    result = finding_suite.runpytest_subprocess("-p", "xdist", "-n", "2", timeout=60)
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            _header("test_xdist.py::test_problem", "body"),
            "",
            "[task-leaks] a problem on a worker",
        ]
    )


def test_a_marker_turns_checks_on_from_its_first_test(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    """The session has no check on: the reporting plugin is registered while the first
    marked test is set up, and that test's own findings are reported."""
    ini(asyncio_checks="none")
    pytester.makeconftest(FINDING_CONFTEST)
    pytester.makepyfile(
        test_lazy="""
        import pytest
        import pytest_asyncio
        from conftest import CONFIG, finding

        def registered():
            return CONFIG.pluginmanager.get_plugin("pytest-asyncio-ng-checks") is not None

        @pytest_asyncio.fixture
        async def resource():
            finding("a problem in setup")
            yield

        @pytest.mark.asyncio
        async def test_unmarked_before():
            assert not registered()
            finding("not checked")

        @pytest.mark.asyncio(checks="task-leaks")
        async def test_first_marked(resource):
            pass

        @pytest.mark.asyncio(checks="task-leaks")
        async def test_second_marked():
            finding("a problem in the body")

        @pytest.mark.asyncio
        async def test_unmarked_after():
            assert registered()
            finding("not checked")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at setup of test_first_marked _*",
            _header("test_lazy.py::test_first_marked", "setup"),
            "",
            "[task-leaks] a problem in setup",
            "*_ test_second_marked _*",
            _header("test_lazy.py::test_second_marked", "body"),
        ]
    )


REGISTERED_CONFTEST = """
import sys


def pytest_sessionfinish(session):
    plugin = session.config.pluginmanager.get_plugin("pytest-asyncio-ng-checks")
    imported = "pytest_asyncio._checks._watch" in sys.modules
    print(f"\\nREGISTERED {plugin is not None} CHECKER {imported}")
"""


@pytest.mark.parametrize(("args", "on"), [([], False), (["--asyncio-checks=task-leaks"], True)])
def test_with_checks_off_nothing_is_registered(
    pytester: pytest.Pytester, args: list[str], on: bool
) -> None:
    pytester.makeconftest(REGISTERED_CONFTEST)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.asyncio
        async def test_async():
            pass

        def test_sync():
            pass
        """
    )
    # In a process of its own: an earlier in-process run may have imported the checks.
    result = pytester.runpytest_subprocess("-s", *args, timeout=60)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([f"REGISTERED {on} CHECKER {on}"])


def test_a_module_fixture_finding_is_an_error_of_the_test_it_was_set_up_or_torn_down_for(
    finding_suite: pytest.Pytester,
) -> None:
    finding_suite.makepyfile(
        test_wide="""
        import pytest
        import pytest_asyncio
        from conftest import finding

        pytestmark = pytest.mark.asyncio(loop_scope="module")

        @pytest_asyncio.fixture(scope="module", loop_scope="module")
        async def server():
            finding("a problem in the server's setup")
            yield
            finding("a problem in the server's teardown")

        async def test_first(server):
            pass

        async def test_middle(server):
            pass

        async def test_last(server):
            pass
        """
    )
    result = finding_suite.runpytest()
    result.assert_outcomes(errors=2, passed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at setup of test_first _*",
            _header("test_wide.py::test_first", "setup"),
            "",
            "[task-leaks] a problem in the server's setup",
            "*_ ERROR at teardown of test_last _*",
            _header("test_wide.py::test_last", "teardown"),
            "",
            "[task-leaks] a problem in the server's teardown",
        ]
    )
