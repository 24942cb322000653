"""Loops used where they cannot run: one clear failure naming the test and the loop."""

from __future__ import annotations

import asyncio

import pytest

from pytest_asyncio import _messages


def test_async_test_run_from_inside_a_running_loop(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.asyncio
        async def test_inner():
            pass
        """
    )

    async def run_pytest_inside_a_loop() -> pytest.RunResult:
        return pytester.runpytest()

    result = asyncio.run(run_pytest_inside_a_loop())
    result.assert_outcomes(failed=1)
    nodeid = "test_async_test_run_from_inside_a_running_loop.py::test_inner"
    message = _messages.LOOP_ALREADY_RUNNING.format(
        what=f"test {nodeid}", loop=f"function-scoped event loop of {nodeid}"
    )
    assert message in result.stdout.str()


def test_job_on_a_loop_closed_before_its_scope_ended(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio

        import pytest
        import pytest_asyncio

        pytestmark = pytest.mark.asyncio(loop_scope="module")

        @pytest_asyncio.fixture(loop_scope="module")
        def closes_the_loop():
            yield
            asyncio.get_event_loop().close()

        async def test_first(closes_the_loop):
            pass

        async def test_second():
            pass
        """
    )
    result = pytester.runpytest("-W", "ignore::pytest_asyncio.PytestAsyncioWarning")
    result.assert_outcomes(passed=1, failed=1)
    module = "test_job_on_a_loop_closed_before_its_scope_ended.py"
    message = _messages.LOOP_CLOSED_BEFORE_USE.format(
        what=f"test {module}::test_second", loop=f"module-scoped event loop of {module}"
    )
    assert message in result.stdout.str()
