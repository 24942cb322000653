"""Timeouts: a job that catches the CancelledError and goes on is ended after a grace period,
with a report that says it refused to cancel and where it was waiting."""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages


@pytest.mark.parametrize("loop_scope", ["function", "module"])
def test_refusing_test_is_ended_and_the_loop_goes_on(
    pytester: pytest.Pytester, loop_scope: str
) -> None:
    pytester.makepyfile(
        test_refuse=f"""
        import asyncio
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="{loop_scope}")


        async def stubborn():
            while True:
                try:
                    await asyncio.sleep(10)
                except asyncio.CancelledError:
                    pass


        @pytest.mark.asyncio(loop_scope="{loop_scope}", timeout=0.2)
        async def test_refuses():
            await stubborn()


        async def test_after():
            await asyncio.sleep(0)
        """
    )
    # In a subprocess killed after 60 s: a test that refuses to cancel also defeats
    # pytest-timeout's signal method, whose interruption waits for the test to cancel.
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=60)
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "test test_refuse.py::test_refuses ran longer than 0.2 s (the limit set by "
            "@pytest.mark.asyncio(timeout=0.2)), was cancelled, and refused to stop: 1 s later "
            "it was still running, having caught the CancelledError. It was ended by force "
            "while waiting here, outermost call first:",
            "  test_refuse.py:17 in test_refuses",
            "      await stubborn()",
            "  test_refuse.py:10 in stubborn",
            "      await asyncio.sleep(10)",
            "Let CancelledError propagate: re-raise it after your cleanup instead of catching "
            "it and going on.",
        ],
        consecutive=True,
    )
    chain = (
        "  test_refuse.py:17 in test_refuses\n"
        "      await stubborn()\n"
        "  test_refuse.py:10 in stubborn\n"
        "      await asyncio.sleep(10)"
    )
    expected = _messages.TIMED_OUT_REFUSED.format(
        what="test test_refuse.py::test_refuses",
        seconds=0.2,
        source="@pytest.mark.asyncio(timeout=0.2)",
        grace=1.0,
        chain=chain,
    )
    assert expected in result.stdout.str()
