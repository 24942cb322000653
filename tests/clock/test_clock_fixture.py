"""Virtual time: the virtual_clock fixture's API (time, jump, rate, autojump_threshold,
virtual), its invalid values, and its knobs going back to their defaults for each test."""

from __future__ import annotations

import math

import pytest

from pytest_asyncio import _messages

pytestmark = pytest.mark.timeout(60)


def test_jump_moves_time_and_due_timers_run_at_the_next_turn(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        @pytest.mark.asyncio
        async def test_jump(virtual_clock):
            loop = asyncio.get_running_loop()
            fired = []
            start = loop.time()
            for delay in (11, 5, 10):
                loop.call_later(delay, fired.append, delay)
            virtual_clock.jump(10)
            assert virtual_clock.time() - start == pytest.approx(10, abs=1e-9)
            assert loop.time() == virtual_clock.time()  # time stands still at rate 0
            await asyncio.sleep(0)  # this task resumes first in the loop's next turn...
            await asyncio.sleep(0)  # ...the timers that became due run in that turn
            assert fired == [5, 10]
            await asyncio.sleep(1)
            assert fired == [5, 10, 11]
            assert loop.time() - start == pytest.approx(11, abs=1e-9)

        @pytest.mark.asyncio
        async def test_jump_zero(virtual_clock):
            before = virtual_clock.time()
            virtual_clock.jump(0)
            virtual_clock.jump(0.5)
            assert virtual_clock.time() == before + 0.5
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("call", "value", "message", "error"),
    [
        ("virtual_clock.jump(-1)", -1, _messages.CLOCK_BAD_JUMP, ValueError),
        ("virtual_clock.jump(math.nan)", math.nan, _messages.CLOCK_BAD_JUMP, ValueError),
        ("virtual_clock.jump(math.inf)", math.inf, _messages.CLOCK_BAD_JUMP, ValueError),
        ("virtual_clock.jump('10')", "10", _messages.CLOCK_BAD_JUMP, TypeError),
        ("virtual_clock.jump(True)", True, _messages.CLOCK_BAD_JUMP, TypeError),
        ("virtual_clock.rate = -0.5", -0.5, _messages.CLOCK_BAD_RATE, ValueError),
        ("virtual_clock.rate = math.inf", math.inf, _messages.CLOCK_BAD_RATE, ValueError),
        ("virtual_clock.rate = None", None, _messages.CLOCK_BAD_RATE, TypeError),
        (
            "virtual_clock.autojump_threshold = -1",
            -1,
            _messages.CLOCK_BAD_AUTOJUMP_THRESHOLD,
            ValueError,
        ),
        (
            "virtual_clock.autojump_threshold = math.nan",
            math.nan,
            _messages.CLOCK_BAD_AUTOJUMP_THRESHOLD,
            ValueError,
        ),
        (
            "virtual_clock.autojump_threshold = '0.1'",
            "0.1",
            _messages.CLOCK_BAD_AUTOJUMP_THRESHOLD,
            TypeError,
        ),
    ],
)
def test_invalid_values(
    pytester: pytest.Pytester, call: str, value: object, message: str, error: type[Exception]
) -> None:
    pytester.makepyfile(
        f"""
        import math
        import pytest

        @pytest.mark.asyncio
        async def test_invalid(virtual_clock):
            rate, threshold, now = (
                virtual_clock.rate, virtual_clock.autojump_threshold, virtual_clock.time()
            )
            with pytest.raises({error.__name__}) as raised:
                {call}
            print("\\nMESSAGE", raised.value)
            assert (virtual_clock.rate, virtual_clock.autojump_threshold) == (rate, threshold)
            assert virtual_clock.time() == now
        """
    )
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1)
    assert f"MESSAGE {message.format(value=value)}" in result.outlines


def test_invalid_values_literal_text(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.asyncio
        async def test_invalid(virtual_clock):
            for call in (
                lambda: virtual_clock.jump(-5),
                lambda: setattr(virtual_clock, "rate", -1),
                lambda: setattr(virtual_clock, "autojump_threshold", float("inf")),
            ):
                with pytest.raises(ValueError) as raised:
                    call()
                print("\\nMESSAGE", raised.value)
        """
    )
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "MESSAGE virtual_clock.jump(-5): jump() takes a finite number of seconds >= 0 (an "
            "int or a float); virtual time never goes backwards.",
            "MESSAGE virtual_clock.rate = -1: the rate is a finite number >= 0 (an int or a "
            "float) of virtual seconds that pass per real second; 0 (the default) moves time "
            "by jumps only.",
            "MESSAGE virtual_clock.autojump_threshold = inf: the threshold is a finite number "
            ">= 0 (an int or a float) of real seconds to wait for I/O before a jump; 0 (the "
            "default) jumps at once.",
        ]
    )


def test_rate(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import time
        import pytest

        @pytest.mark.asyncio
        async def test_rate_zero(virtual_clock):
            loop = asyncio.get_running_loop()
            assert virtual_clock.rate == 0
            start = loop.time()
            time.sleep(0.1)
            assert loop.time() == start  # time stands still while code runs

        @pytest.mark.asyncio
        async def test_rate_one(virtual_clock):
            loop = asyncio.get_running_loop()
            virtual_clock.rate = 1
            assert virtual_clock.rate == 1.0
            start = loop.time()
            time.sleep(0.2)
            assert 0.15 < loop.time() - start < 5  # about real speed while code runs
            real = time.monotonic()
            before = loop.time()
            await asyncio.sleep(3600)  # and timers still jump
            assert time.monotonic() - real < 2
            assert loop.time() - before >= 3600

        @pytest.mark.asyncio
        async def test_rate_high(virtual_clock):
            loop = asyncio.get_running_loop()
            virtual_clock.rate = 1000
            start = loop.time()
            time.sleep(0.1)
            assert loop.time() - start >= 50
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)


def test_autojump_threshold(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import time
        import pytest

        @pytest.mark.asyncio
        async def test_default(virtual_clock):
            assert virtual_clock.autojump_threshold == 0
            real = time.monotonic()
            await asyncio.sleep(10)
            assert time.monotonic() - real < 0.25

        @pytest.mark.asyncio
        async def test_waits_for_real_first(virtual_clock):
            loop = asyncio.get_running_loop()
            virtual_clock.autojump_threshold = 0.3
            assert virtual_clock.autojump_threshold == 0.3
            real = time.monotonic()
            start = loop.time()
            await asyncio.sleep(10)
            assert 0.25 < time.monotonic() - real < 5
            assert loop.time() - start == pytest.approx(10, abs=1e-6)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


def test_the_knobs_go_back_to_their_defaults_for_each_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="module")
        CLOCKS = []

        async def test_sets_the_knobs(virtual_clock):
            assert virtual_clock.virtual
            virtual_clock.rate = 2
            virtual_clock.autojump_threshold = 0.01
            CLOCKS.append(virtual_clock)

        @pytest.mark.asyncio(loop_scope="module", clock="real")
        async def test_real_in_between():
            assert not CLOCKS[0].virtual

        async def test_finds_the_defaults(virtual_clock):
            assert virtual_clock is CLOCKS[0]  # the module's loop has one clock
            assert virtual_clock.virtual
            assert (virtual_clock.rate, virtual_clock.autojump_threshold) == (0, 0)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)
