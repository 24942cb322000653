"""Timeouts under virtual time: limits are measured on the real clock, so virtual hours never
trip them and a real hang still does, with the usual report; hypothesis examples each see a
clock that never goes backwards."""

from __future__ import annotations

import pytest

# A broken clock or limit must not hang the suite: every inner run is a subprocess with an
# outer bound.
BOUND = 60


def test_virtual_hours_never_trip_a_real_limit(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_hours="""
        import asyncio
        import time

        import pytest


        @pytest.mark.asyncio(clock="virtual")
        async def test_by_option():
            real = time.monotonic()
            await asyncio.sleep(3600)
            await asyncio.wait_for(asyncio.sleep(7200), 10_000)
            assert time.monotonic() - real < 1


        @pytest.mark.asyncio(clock="virtual", timeout=1)
        async def test_by_marker():
            start = asyncio.get_running_loop().time()
            await asyncio.sleep(3600)
            assert asyncio.get_running_loop().time() == start + 3600
        """
    )
    result = pytester.runpytest_subprocess("--asyncio-timeout=1", timeout=BOUND)
    result.assert_outcomes(passed=2)


def test_real_hang_under_virtual_time_trips_the_limit(pytester: pytest.Pytester) -> None:
    """An executor job that takes longer than the limit, and a read that never gets data: both
    are cancelled after 1 real second, with the report of where they waited."""
    pytester.makepyfile(
        test_hang="""
        import asyncio
        import socket
        import time

        import pytest

        pytestmark = pytest.mark.asyncio(clock="virtual")


        async def test_executor_job():
            await asyncio.get_running_loop().run_in_executor(None, time.sleep, 3)


        async def test_silent_peer():
            ours, theirs = socket.socketpair()
            reader, writer = await asyncio.open_connection(sock=ours)
            try:
                await reader.read(1)
            finally:
                writer.close()
                theirs.close()
        """
    )
    result = pytester.runpytest_subprocess(
        "--asyncio-timeout=1", "-p", "no:randomly", timeout=BOUND
    )
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "test test_hang.py::test_executor_job ran longer than 1 s (the limit set by "
            "--asyncio-timeout=1) and was cancelled. It was waiting here, outermost call first:",
            "  test_hang.py:11 in test_executor_job",
            "      await asyncio.get_running_loop().run_in_executor(None, time.sleep, 3)",
            "test test_hang.py::test_silent_peer ran longer than 1 s (the limit set by "
            "--asyncio-timeout=1) and was cancelled. It was waiting here, outermost call first:",
            "  test_hang.py:18 in test_silent_peer",
            "      await reader.read(1)",
        ],
        consecutive=False,
    )


def test_endless_virtual_loop_is_cancelled_by_a_real_limit(pytester: pytest.Pytester) -> None:
    """``while True: await asyncio.sleep(1)`` races through virtual seconds, and the 1 s limit
    (real) still cancels it."""
    pytester.makepyfile(
        test_spin="""
        import asyncio

        import pytest


        @pytest.mark.asyncio(clock="virtual", timeout=1)
        async def test_spin():
            loop = asyncio.get_running_loop()
            start = loop.time()
            try:
                while True:
                    await asyncio.sleep(1)
            finally:
                print(f"virtual seconds passed: {loop.time() - start >= 1000}")
        """
    )
    result = pytester.runpytest_subprocess("-s", timeout=BOUND)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*virtual seconds passed: True",
            "test test_spin.py::test_spin ran longer than 1 s (the limit set by "
            "@pytest.mark.asyncio(timeout=1)) and was cancelled. It was waiting here, outermost "
            "call first:",
            "  test_spin.py:12 in test_spin",
            "      await asyncio.sleep(1)",
        ],
        consecutive=False,
    )


def test_hypothesis_examples_see_a_clock_that_never_goes_back(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_examples="""
        import asyncio

        import pytest
        from hypothesis import given, settings, strategies as st

        SEEN = []


        @settings(max_examples=30, deadline=None, database=None)
        @given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=5))
        @pytest.mark.asyncio(clock="virtual", timeout=5)
        async def test_example(sleeps):
            loop = asyncio.get_running_loop()
            start = loop.time()
            assert not SEEN or start >= SEEN[-1]
            for seconds in sleeps:
                await asyncio.sleep(seconds)
            assert loop.time() == start + sum(sleeps)
            SEEN.append(loop.time())


        def test_all_examples_ran():
            assert len(SEEN) >= 30
            assert SEEN == sorted(SEEN)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=BOUND)
    result.assert_outcomes(passed=2)
