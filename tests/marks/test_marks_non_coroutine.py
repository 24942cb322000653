"""The mark on functions that are not coroutine functions.

SPEC "The marker": a sync function with the mark runs normally, with a ``PytestWarning`` that
names it and points at ``pytestmark``; an async generator test function is not run: xfail
(run=False) plus a ``PytestCollectionWarning``.
"""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages

SYNC_MARKED = """
import pytest

CALLS = []


@pytest.mark.asyncio
def test_decorated():
    CALLS.append("test_decorated")


class TestPytestmark:
    pytestmark = pytest.mark.asyncio

    def test_in_class(self):
        CALLS.append("test_in_class")


def test_both_ran():
    assert CALLS == ["test_decorated", "test_in_class"]
"""


def test_marked_sync_test_runs_with_a_warning(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(test_sync=SYNC_MARKED)
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, warnings=2)
    output = result.stdout.str()
    for nodeid in ("test_sync.py::test_decorated", "test_sync.py::TestPytestmark::test_in_class"):
        message = _messages.SYNC_TEST_MARKED.format(nodeid=nodeid)
        assert f"PytestAsyncioWarning: {message}" in output


def test_marked_sync_test_warning_is_a_pytest_warning(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sync=SYNC_MARKED)
    result = pytester.runpytest("-W", "ignore::pytest.PytestWarning")
    result.assert_outcomes(passed=3, warnings=0)


def test_async_generator_test_is_xfailed_without_running(
    pytester: pytest.Pytester, mode: str
) -> None:
    pytester.makepyfile(
        test_agen="""
        import pytest

        RAN = []


        @pytest.mark.asyncio
        async def test_agen():
            RAN.append("test_agen")
            yield


        def test_agen_did_not_run():
            assert RAN == []
        """
    )
    result = pytester.runpytest("-rx")
    result.assert_outcomes(passed=1, xfailed=1, warnings=1)
    output = result.stdout.str()
    message = _messages.ASYNC_GENERATOR_TEST.format(nodeid="test_agen.py::test_agen")
    assert f"PytestCollectionWarning: {message}" in output
    # run=False: pytest reports the xfail as not run.
    assert f"[NOTRUN] {message}" in output


MODULE_MARK_COVERS_SYNC_TEST = """
import pytest

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_async():
    pass


def test_sync():
    pass
"""


def test_marked_sync_test_fails_under_warnings_as_errors(pytester: pytest.Pytester) -> None:
    # The warning is issued when the test is called: pytest turns it into that test's failure
    # (as pytest-asyncio does), never into an INTERNALERROR of the report hook.
    pytester.makepyfile(test_module_mark=MODULE_MARK_COVERS_SYNC_TEST)
    result = pytester.runpytest("-W", "error", "-rf")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.no_fnmatch_line("*INTERNALERROR*")
    result.stdout.fnmatch_lines(
        [
            "E   pytest_asyncio._warnings.PytestAsyncioWarning: test_module_mark.py::test_sync "
            "is marked with @pytest.mark.asyncio but is not an async function, so the mark "
            "does nothing. Remove the mark; if it comes from a pytestmark on the module or "
            "class, check that pytestmark.",
            "FAILED test_module_mark.py::test_sync - *",
            "* 1 failed, 1 passed in *",
        ]
    )
    message = _messages.SYNC_TEST_MARKED.format(nodeid="test_module_mark.py::test_sync")
    assert f"PytestAsyncioWarning: {message}" in result.stdout.str()


SETUP_FAILS_FIRST = """
import pytest


@pytest.mark.asyncio
async def test_async():
    pass


@pytest.mark.asyncio
@pytest.mark.skipif("1/0")
def test_sync():
    pass


@pytest.mark.asyncio(scope="module")
@pytest.mark.skipif("1/0")
async def test_deprecated_scope():
    pass
"""


def test_setup_error_before_ours_under_warnings_as_errors(pytester: pytest.Pytester) -> None:
    # The skipif condition fails before the plugin sets the tests up: their marks are first
    # looked at when their failures are reported, which must not warn.
    pytester.makepyfile(test_setup_fails=SETUP_FAILS_FIRST)
    result = pytester.runpytest("-W", "error")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.no_fnmatch_line("*INTERNALERROR*")
    result.stdout.fnmatch_lines(["* 1 passed, 2 errors in *"])
