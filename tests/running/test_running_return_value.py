"""An async test that returns a value is treated as pytest treats a sync one: a
``PytestReturnNotNoneWarning`` naming the test (pytest 8.4.0 failed such tests instead)."""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages

RETURNING = """
import pytest
from hypothesis import given, strategies as st


def test_sync():
    return 42


@pytest.mark.asyncio
async def test_async():
    return 42


@pytest.mark.asyncio
async def test_async_none():
    return None


@given(st.just(1))
def test_sync_hypothesis(n):
    return n


@pytest.mark.asyncio
@given(st.just(1))
async def test_async_hypothesis(n):
    return n
"""

WARNS = hasattr(pytest, "PytestReturnNotNoneWarning")


def test_returned_value_is_treated_as_for_sync_tests(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(test_returning=RETURNING)
    result = pytester.runpytest()
    outcomes = result.parseoutcomes()
    # hypothesis fails both its tests alike: it checks what the inner test returns.
    result.stdout.fnmatch_lines(
        ["FAILED test_returning.py::test_sync_hypothesis*", "FAILED *::test_async_hypothesis*"]
    )
    message = _messages.TEST_RETURNED_VALUE.format(nodeid="test_returning.py::test_async", value=42)
    if WARNS:
        assert outcomes == {"passed": 3, "failed": 2, "warnings": 2}
        assert f"PytestReturnNotNoneWarning: {message}" in result.stdout.str()
    else:
        assert outcomes["passed"] == 1
        assert outcomes["failed"] == 4
        assert message in result.stdout.str()


@pytest.mark.skipif(not WARNS, reason="pytest 8.4.0 fails the test: no warning to turn")
def test_returned_value_warning_text_and_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.asyncio
        async def test_async():
            return [1, 2]
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, warnings=1)
    assert (
        "test_returned_value_warning_text_and_error.py:3: PytestReturnNotNoneWarning: "
        "test_returned_value_warning_text_and_error.py::test_async returned [1, 2] instead of "
        "None, and pytest ignores what a test returns. To check the value, write assert "
        "instead of return."
    ) in result.stdout.str()
    # As for a sync test, -W error::pytest.PytestReturnNotNoneWarning fails it.
    result = pytester.runpytest("-W", "error::pytest.PytestReturnNotNoneWarning")
    result.assert_outcomes(failed=1)
