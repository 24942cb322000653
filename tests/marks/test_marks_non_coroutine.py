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
