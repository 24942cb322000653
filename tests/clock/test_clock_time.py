"""The loop's time under virtual time: timers of every kind fire in the order and at the loop
times they would on the real clock, in far less real time; the loop's time starts where the
real clock was and only moves forward; ``time.monotonic()`` and ``time.time()`` stay real."""

from __future__ import annotations

import sys

import pytest

# A broken clock must not hang the suite: every inner run is a subprocess with an outer bound,
# and each inner test has a limit of its own (on the real clock).
BOUND = 60
LIMIT = "--asyncio-timeout=20"


def test_many_timers_wake_in_order_at_their_deadlines(pytester: pytest.Pytester) -> None:
    """A thousand sleeps of shuffled durations wake shortest first, each when the loop's time is
    exactly its deadline; ten thousand concurrent ones take little real time."""
    pytester.makepyfile(
        test_timers="""
        import asyncio
        import random
        import time

        import pytest

        pytestmark = pytest.mark.asyncio(clock="virtual")


        async def test_shuffled_sleeps():
            loop = asyncio.get_running_loop()
            durations = [n * 0.25 + n % 7 for n in range(1000)]
            random.Random(12).shuffle(durations)
            start = loop.time()
            woke = []

            async def sleeper(seconds):
                await asyncio.sleep(seconds)
                woke.append((seconds, loop.time()))

            real = time.monotonic()
            await asyncio.gather(*(sleeper(seconds) for seconds in durations))
            assert [seconds for seconds, _ in woke] == sorted(durations)
            assert all(at == start + seconds for seconds, at in woke)
            assert loop.time() == start + max(durations)
            assert time.monotonic() - real < 5


        async def test_ten_thousand_sleepers():
            loop = asyncio.get_running_loop()
            start = loop.time()
            real = time.monotonic()
            await asyncio.gather(*(asyncio.sleep(n / 1000) for n in range(10_000)))
            assert loop.time() == start + 9.999
            assert time.monotonic() - real < 10
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, timeout=BOUND)
    result.assert_outcomes(passed=2)


def test_wait_for_times_out_after_exactly_its_timeout(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_wait_for="""
        import asyncio
        import time

        import pytest

        pytestmark = pytest.mark.asyncio(clock="virtual")


        async def test_times_out():
            loop = asyncio.get_running_loop()
            real = time.monotonic()
            start = loop.time()
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.Event().wait(), 10)
            assert loop.time() == start + 10
            assert time.monotonic() - real < 1


        async def test_finishes_in_time():
            loop = asyncio.get_running_loop()
            start = loop.time()
            assert await asyncio.wait_for(asyncio.sleep(3, result="done"), 10) == "done"
            assert loop.time() == start + 3


        async def test_a_day_and_more():
            # asyncio never waits more than a day in one go; the clock jumps all the same.
            loop = asyncio.get_running_loop()
            start = loop.time()
            real = time.monotonic()
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.Event().wait(), 10 * 86400)
            assert loop.time() == start + 10 * 86400
            assert time.monotonic() - real < 1
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, timeout=BOUND)
    result.assert_outcomes(passed=3)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.timeout() is new in 3.11")
def test_asyncio_timeout_and_timeout_at(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_timeout="""
        import asyncio
        import time

        import pytest

        pytestmark = pytest.mark.asyncio(clock="virtual")


        async def test_timeout():
            loop = asyncio.get_running_loop()
            real = time.monotonic()
            start = loop.time()
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(10):
                    await asyncio.sleep(3600)
            assert loop.time() == start + 10
            assert time.monotonic() - real < 1


        async def test_timeout_at_rescheduled():
            loop = asyncio.get_running_loop()
            start = loop.time()
            with pytest.raises(TimeoutError):
                async with asyncio.timeout_at(start + 5) as scope:
                    await asyncio.sleep(2)
                    scope.reschedule(start + 7.5)
                    await asyncio.sleep(3600)
            assert loop.time() == start + 7.5


        async def test_inside_the_limit():
            loop = asyncio.get_running_loop()
            start = loop.time()
            async with asyncio.timeout(10):
                await asyncio.sleep(9)
            assert loop.time() == start + 9
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, timeout=BOUND)
    result.assert_outcomes(passed=3)


def test_call_later_and_call_at_fire_in_order_at_their_times(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_callbacks="""
        import asyncio

        import pytest


        @pytest.mark.asyncio(clock="virtual")
        async def test_callbacks():
            loop = asyncio.get_running_loop()
            start = loop.time()
            fired = []
            done = loop.create_future()

            def record(name):
                fired.append((name, loop.time() - start))
                if name == "last":
                    done.set_result(None)

            loop.call_later(5, record, "later 5")
            loop.call_at(start + 2, record, "at 2")
            loop.call_later(7.5, record, "later 7.5")
            loop.call_later(1, record, "cancelled").cancel()
            loop.call_at(start + 3600, record, "last")
            loop.call_soon(record, "soon")
            await done
            assert [name for name, _ in fired] == ["soon", "at 2", "later 5", "later 7.5", "last"]
            assert [at for _, at in fired] == pytest.approx([0, 2, 5, 7.5, 3600], abs=1e-6)
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, timeout=BOUND)
    result.assert_outcomes(passed=1)


def test_loop_time_starts_at_the_real_clock_and_never_goes_back(
    pytester: pytest.Pytester,
) -> None:
    """The loop's time starts near ``time.monotonic()``; through an async fixture, jumps, real
    waits and the fixture's teardown it only moves forward."""
    pytester.makepyfile(
        test_forward="""
        import asyncio
        import time

        import pytest
        import pytest_asyncio

        SEEN = []


        def see(where):
            now = asyncio.get_running_loop().time()
            assert not SEEN or now >= SEEN[-1][1], (where, now, SEEN[-1])
            SEEN.append((where, now))


        @pytest_asyncio.fixture
        async def around():
            see("fixture setup")
            await asyncio.sleep(60)
            see("fixture after sleep")
            yield
            see("fixture teardown")
            await asyncio.sleep(60)
            see("fixture teardown after sleep")


        @pytest.mark.asyncio(clock="virtual")
        async def test_forward(around):
            loop = asyncio.get_running_loop()
            see("test")
            await asyncio.sleep(3600)
            see("after sleep")
            await asyncio.get_running_loop().run_in_executor(None, time.sleep, 0.05)
            see("after executor")
            await asyncio.sleep(0)
            see("after sleep(0)")
            for _ in range(100):
                await asyncio.sleep(0.01)
                see("small sleep")


        def test_check_starts():
            real_start = SEEN[0][1]
            assert [where for where, _ in SEEN[:2]] == ["fixture setup", "fixture after sleep"]
            assert SEEN[1][1] == real_start + 60
            assert SEEN[-1][0] == "fixture teardown after sleep"
            assert SEEN[-1][1] >= real_start + 60 + 3600 + 1 + 60


        @pytest.mark.asyncio(clock="virtual")
        async def test_starts_near_the_real_clock():
            assert abs(asyncio.get_running_loop().time() - time.monotonic()) < 1
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, "-p", "no:randomly", timeout=BOUND)
    result.assert_outcomes(passed=3)


def test_time_module_stays_real(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_real="""
        import asyncio
        import time

        import pytest


        @pytest.mark.asyncio(clock="virtual")
        async def test_real():
            loop = asyncio.get_running_loop()
            start, monotonic, wall = loop.time(), time.monotonic(), time.time()
            await asyncio.sleep(3600)
            assert loop.time() == start + 3600
            assert time.monotonic() - monotonic < 1
            assert time.time() - wall < 1
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, timeout=BOUND)
    result.assert_outcomes(passed=1)
