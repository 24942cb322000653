"""Which tests the per-test hooks look at: once collection has ended, the items that may be
ours (async tests, sync tests marked ``asyncio`` however the mark got there); a run with none
of them keeps no per-test hook; a session that collected nothing, whose items are made by hand,
asks each test as it runs."""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages

TIMEOUT = 120

#: Prints, at each test's setup, whether our per-test hooks are registered.
HOOKS_PROBE = """
def pytest_runtest_setup(item):
    registered = item.config.pluginmanager.has_plugin("asyncio-ng-tests")
    print(f"\\nHOOKS {item.name} {registered}")
"""


def _hooks_lines(result: pytest.RunResult) -> list[str]:
    return [line for line in result.stdout.lines if line.startswith("HOOKS ")]


def test_a_run_of_sync_tests_keeps_no_per_test_hook(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(HOOKS_PROBE)
    pytester.makepyfile("def test_one():\n    pass\n\ndef test_two():\n    pass\n")
    result = pytester.runpytest_subprocess("-s", timeout=TIMEOUT)
    result.assert_outcomes(passed=2)
    assert _hooks_lines(result) == ["HOOKS test_one False", "HOOKS test_two False"]


def test_one_async_test_keeps_them_for_the_run(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makeconftest(HOOKS_PROBE)
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        def test_sync():
            pass

        @pytest.mark.asyncio
        async def test_async():
            await asyncio.sleep(0)
        """
    )
    result = pytester.runpytest_subprocess("-s", timeout=TIMEOUT)
    result.assert_outcomes(passed=2)
    assert _hooks_lines(result) == ["HOOKS test_sync True", "HOOKS test_async True"]


MARKED_LATE = """
import pytest

@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if item.name == "test_marked_by_a_plugin":
            item.add_marker(pytest.mark.asyncio)
"""

SYNC_MARKED_OTHER_WAYS = """
import pytest

@pytest.mark.parametrize("n", [pytest.param(1, marks=pytest.mark.asyncio)])
def test_marked_by_a_parameter(n):
    pass

def test_marked_by_a_plugin():
    pass

def test_not_marked():
    pass
"""


def test_a_sync_test_marked_after_our_collection_hook_is_still_warned(
    pytester: pytest.Pytester,
) -> None:
    # The mark comes after our pytest_collection_modifyitems: from a parameter's marks, and from
    # a plugin's hook that runs after ours. The sync suite has no async test at all.
    pytester.makeconftest(MARKED_LATE)
    pytester.makepyfile(test_marked=SYNC_MARKED_OTHER_WAYS)
    result = pytester.runpytest_subprocess(timeout=TIMEOUT)
    result.assert_outcomes(passed=3, warnings=2)
    output = result.stdout.str()
    for nodeid in (
        "test_marked.py::test_marked_by_a_parameter[1]",
        "test_marked.py::test_marked_by_a_plugin",
    ):
        message = _messages.SYNC_TEST_MARKED.format(nodeid=nodeid)
        assert f"PytestAsyncioWarning: {message}" in output
    assert "test_not_marked is marked" not in output


def test_collect_only_lists_async_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest\n\n@pytest.mark.asyncio\nasync def test_async():\n    pass\n"
    )
    result = pytester.runpytest_subprocess("--collect-only", "-q", timeout=TIMEOUT)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["test_collect_only_lists_async_tests.py::test_async"])


def test_items_collected_by_hand_are_asked_one_by_one(pytester: pytest.Pytester) -> None:
    """Items made by hand (``pytester.getitems``) after their session collected nothing: each
    test is looked at when it runs."""
    pytester.makepyfile(
        test_by_hand="""
        import asyncio
        import pytest
        from _pytest.runner import runtestprotocol

        SOURCE = '''
        import asyncio
        import pytest

        RAN = []

        def test_sync():
            RAN.append("sync")

        @pytest.mark.asyncio
        async def test_async():
            await asyncio.sleep(0)
            RAN.append("async")
        '''

        def test_run_by_hand(pytester):
            items = pytester.getitems(SOURCE)
            outcomes = []
            for item in items:
                reports = runtestprotocol(item, log=False)
                outcomes.append([report.outcome for report in reports])
            assert outcomes == [["passed"] * 3, ["passed"] * 3]
            assert items[0].module.RAN == ["sync", "async"]
        """
    )
    result = pytester.runpytest_subprocess("-p", "pytester", timeout=TIMEOUT)
    result.assert_outcomes(passed=1)
