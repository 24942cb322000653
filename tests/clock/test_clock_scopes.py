"""Virtual time on loops wider than a function, for async fixtures, and the refusal of a loop
that virtual time cannot drive (a loop factory's or an event_loop_policy's)."""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages

pytestmark = pytest.mark.timeout(90)


@pytest.mark.parametrize("scope", ["class", "module", "package", "session"])
def test_a_wider_loop_runs_on_virtual_time(pytester: pytest.Pytester, scope: str) -> None:
    pytester.makepyfile(
        f"""
        import asyncio
        import time
        import pytest

        LOOPS = []

        class TestWide:
            @pytest.mark.asyncio(loop_scope="{scope}", clock="virtual")
            async def test_first(self):
                loop = asyncio.get_running_loop()
                LOOPS.append(loop)
                real, start = time.monotonic(), loop.time()
                await asyncio.sleep(3600)
                assert time.monotonic() - real < 2
                assert loop.time() - start == pytest.approx(3600, abs=1e-6)

            @pytest.mark.asyncio(loop_scope="{scope}", clock="virtual")
            async def test_second(self):
                assert asyncio.get_running_loop() is LOOPS[0]
                real = time.monotonic()
                await asyncio.wait_for(asyncio.sleep(7200), 7201)
                assert time.monotonic() - real < 2
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


def test_the_clock_never_goes_backwards_across_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="module")
        TIMES = []

        def record():
            TIMES.append(asyncio.get_running_loop().time())

        async def test_real_before():
            record()
            await asyncio.sleep(0.05)
            record()

        @pytest.mark.asyncio(loop_scope="module", clock="virtual")
        async def test_virtual():
            record()
            await asyncio.sleep(3600)
            record()

        async def test_real_after():
            record()
            await asyncio.sleep(0.05)
            record()
            assert TIMES == sorted(TIMES), TIMES
            assert TIMES[3] - TIMES[2] == pytest.approx(3600, abs=1e-6)
            # Back on real time, the loop's time goes on from where virtual time left it.
            assert TIMES[4] >= TIMES[3]
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)


def test_a_module_fixture_keeps_its_timers_across_virtual_and_real_tests(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import pytest
        import pytest_asyncio

        pytestmark = pytest.mark.asyncio(loop_scope="module")
        FIRED = []
        TICKS = []

        @pytest_asyncio.fixture(scope="module", loop_scope="module")
        async def ticker():
            loop = asyncio.get_running_loop()
            for delay in (45, 0.2, 30):
                loop.call_later(delay, FIRED.append, delay)

            async def tick():
                while True:
                    await asyncio.sleep(0.1)
                    TICKS.append(loop.time())

            task = asyncio.create_task(tick())
            yield
            task.cancel()

        async def test_real_first(ticker):
            await asyncio.sleep(0.5)
            assert FIRED == [0.2]

        @pytest.mark.asyncio(loop_scope="module", clock="virtual")
        async def test_virtual(ticker):
            before = len(TICKS)
            await asyncio.sleep(60)
            assert FIRED == [0.2, 30, 45]
            assert 595 <= len(TICKS) - before <= 601  # one tick per 0.1 s: none lost

        async def test_real_after(ticker):
            before = len(TICKS)
            await asyncio.sleep(0.5)
            assert len(TICKS) - before >= 2  # ticking on at real speed
            assert TICKS == sorted(TICKS)
            steps = [b - a for a, b in zip(TICKS, TICKS[1:])]
            assert min(steps) >= 0.1 - 1e-6
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)


def test_async_fixtures_of_a_virtual_test_run_on_virtual_time(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import time
        import pytest
        import pytest_asyncio

        @pytest_asyncio.fixture
        async def slow():
            real = time.monotonic()
            await asyncio.sleep(3600)
            yield time.monotonic() - real
            real = time.monotonic()
            await asyncio.sleep(3600)
            print(f"\\nTEARDOWN took {time.monotonic() - real:.1f}s")

        @pytest.mark.asyncio(clock="virtual")
        async def test_marked(slow):
            assert slow < 1

        @pytest.mark.asyncio
        async def test_with_the_fixture(slow, virtual_clock):
            assert slow < 1
        """
    )
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=2)
    assert result.stdout.str().count("TEARDOWN took 0.") == 2


def test_a_wider_fixture_set_up_during_a_virtual_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import time
        import pytest
        import pytest_asyncio

        @pytest_asyncio.fixture(scope="module", loop_scope="module")
        async def connected():
            loop = asyncio.get_running_loop()
            real = time.monotonic()
            await asyncio.sleep(600)  # a handshake with a long timeout
            yield loop, time.monotonic() - real, loop.time()

        @pytest.mark.asyncio(loop_scope="module", clock="virtual")
        async def test_virtual_sets_it_up(connected, virtual_clock):
            loop, took, at = connected
            assert loop is asyncio.get_running_loop()
            assert took < 1
            assert virtual_clock.time() == loop.time()
            virtual_clock.jump(100)
            # At real speed between the fixture's setup and the test, then 100 s at once.
            assert 100 - 1e-6 <= loop.time() - at < 101

        @pytest.mark.asyncio(loop_scope="module")
        async def test_real_uses_it(connected):
            loop, took, at = connected
            assert loop is asyncio.get_running_loop()
            assert loop.time() >= at + 100
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


# A loop class of one's own, delegating to an asyncio loop: it runs tests on the real clock,
# but virtual time cannot reach the loop that does the waiting.
WRAPPER = """
import asyncio


class WrappedLoop(asyncio.AbstractEventLoop):
    def __init__(self):
        self._inner = asyncio.SelectorEventLoop()

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def run_until_complete(self, future):
        return self._inner.run_until_complete(future)

    def run_forever(self):
        return self._inner.run_forever()

    def stop(self):
        return self._inner.stop()

    def close(self):
        return self._inner.close()

    def is_closed(self):
        return self._inner.is_closed()

    def is_running(self):
        return self._inner.is_running()

    def time(self):
        return self._inner.time()

    def create_task(self, coro, **kwargs):
        return self._inner.create_task(coro, **kwargs)

    def create_future(self):
        return self._inner.create_future()

    def call_soon(self, *args, **kwargs):
        return self._inner.call_soon(*args, **kwargs)

    def get_debug(self):
        return self._inner.get_debug()

    def set_debug(self, enabled):
        return self._inner.set_debug(enabled)
"""

HOOK_CONFTEST = (
    WRAPPER
    + """

def pytest_asyncio_loop_factories(config, item):
    return {"wrapped": WrappedLoop}
"""
)

POLICY_CONFTEST = (
    WRAPPER
    + """
import pytest


class WrappingPolicy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self):
        return WrappedLoop()


@pytest.fixture
def event_loop_policy():
    return WrappingPolicy()
"""
)

REFUSED = """
import asyncio
import pytest

@pytest.mark.asyncio(clock="real")
async def test_real():
    await asyncio.sleep(0.01)

@pytest.mark.asyncio(clock="virtual")
async def test_marked():
    print("RAN test_marked")

@pytest.mark.asyncio
async def test_fixture(virtual_clock):
    print("RAN test_fixture")
"""


def _refusals(nodeids: list[str], kind: str, factory: str) -> list[str]:
    return [
        _messages.CLOCK_NOT_VIRTUALISABLE.format(
            what=f"test {nodeid}",
            loop=f"function-scoped event loop of {nodeid}",
            kind=kind,
            factory=factory,
        )
        for nodeid in nodeids
    ]


def test_a_factory_loop_that_cannot_be_virtualised_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(HOOK_CONFTEST)
    pytester.makepyfile(test_refused=REFUSED)
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1, failed=1, errors=1)
    assert "RAN" not in result.stdout.str()  # never on real time, silently
    assert (
        "test test_refused.py::test_marked runs on virtual time, but its "
        "function-scoped event loop of test_refused.py::test_marked (conftest.WrappedLoop, "
        "made by the loop factory 'wrapped' (conftest.WrappedLoop) that the "
        "pytest_asyncio_loop_factories hook returns) keeps time or waits in a way of its own: "
        "virtual time drives asyncio's own loops only (those that keep asyncio.BaseEventLoop's "
        "time(), _run_once() and selector), so the test is not run rather than run on real "
        "time. Run it with @pytest.mark.asyncio(clock='real'), or make its loop with asyncio's "
        "own loops (e.g. asyncio.new_event_loop)."
    ) in result.outlines
    factory = _messages.CLOCK_FACTORY_HOOK.format(name="wrapped", create="conftest.WrappedLoop")
    nodeid = "test_refused.py::test_fixture"
    assert _refusals([nodeid], "conftest.WrappedLoop", factory)[0] in result.outlines


def test_a_policy_loop_that_cannot_be_virtualised_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(POLICY_CONFTEST)
    pytester.makepyfile(test_refused=REFUSED)
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1, failed=1, errors=1)
    assert "RAN" not in result.stdout.str()
    factory = (
        "the new_event_loop() of the conftest.WrappingPolicy that the overridden "
        "event_loop_policy fixture returns"
    )
    assert factory == _messages.CLOCK_FACTORY_POLICY.format(policy="conftest.WrappingPolicy")
    nodeids = ["test_refused.py::test_marked", "test_refused.py::test_fixture"]
    for line in _refusals(nodeids, "conftest.WrappedLoop", factory):
        assert line in result.outlines


def test_a_loop_of_the_current_policy_that_cannot_be_virtualised_is_refused(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        WRAPPER
        + """

class WrappingPolicy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self):
        return WrappedLoop()


def pytest_configure(config):
    config.previous_policy = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(WrappingPolicy())


def pytest_unconfigure(config):
    asyncio.set_event_loop_policy(config.previous_policy)
"""
    )
    pytester.makepyfile(test_refused=REFUSED)
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1, failed=1, errors=1)
    assert "RAN" not in result.stdout.str()
    factory = "the new_event_loop() of the current event loop policy, a conftest.WrappingPolicy"
    assert factory == _messages.CLOCK_FACTORY_DEFAULT.format(policy="conftest.WrappingPolicy")
    nodeids = ["test_refused.py::test_marked", "test_refused.py::test_fixture"]
    for line in _refusals(nodeids, "conftest.WrappedLoop", factory):
        assert line in result.outlines


def test_uvloop_is_refused(pytester: pytest.Pytester) -> None:
    pytest.importorskip("uvloop")
    pytester.makeconftest(
        """
        import uvloop

        def pytest_asyncio_loop_factories(config, item):
            return {"uvloop": uvloop.new_event_loop}
        """
    )
    pytester.makepyfile(test_refused=REFUSED)
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1, failed=1, errors=1)
    assert "RAN" not in result.stdout.str()
    factory = _messages.CLOCK_FACTORY_HOOK.format(name="uvloop", create="uvloop.new_event_loop")
    nodeids = ["test_refused.py::test_marked", "test_refused.py::test_fixture"]
    for line in _refusals(nodeids, "uvloop.Loop", factory):
        assert line in result.outlines


def test_a_loop_that_keeps_its_own_time_is_refused(pytester: pytest.Pytester) -> None:
    # A subclass of asyncio's own loop that reads time its own way, and one that waits in a
    # stand-in for a selector (as test utilities of some libraries do): virtual time would
    # fight their clock, so they are refused, not half driven.
    pytester.makeconftest(
        """
        import asyncio
        from unittest import mock

        class OwnTime(asyncio.SelectorEventLoop):
            def time(self):
                return 0.0

        class StandIn(asyncio.BaseEventLoop):
            def __init__(self):
                super().__init__()
                self._selector = mock.Mock()

            def _process_events(self, event_list):
                pass

            def _write_to_self(self):
                pass

        def pytest_asyncio_loop_factories(config, item):
            return {"own_time": OwnTime, "stand_in": StandIn}
        """
    )
    pytester.makepyfile(
        test_own="""
        import pytest

        @pytest.mark.asyncio(clock="virtual", loop_factories=["own_time"])
        async def test_own_time():
            print("RAN")

        @pytest.mark.asyncio(clock="virtual", loop_factories=["stand_in"])
        async def test_stand_in():
            print("RAN")
        """
    )
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider", timeout=60)
    result.assert_outcomes(failed=2)
    assert "RAN" not in result.stdout.str()
    for name, kind in [("own_time", "conftest.OwnTime"), ("stand_in", "conftest.StandIn")]:
        nodeid = f"test_own.py::test_{name}"
        factory = _messages.CLOCK_FACTORY_HOOK.format(name=name, create=kind)
        assert _refusals([nodeid], kind, factory)[0] in result.outlines


def test_a_fixture_looked_up_from_the_test_keeps_the_test_on_virtual_time(
    pytester: pytest.Pytester,
) -> None:
    # The lookup's setup is a job served inside the test's own: when it ends, the test's
    # time must stay virtual.
    pytester.makepyfile(
        test_lookup="""
        import asyncio
        import time

        import pytest
        import pytest_asyncio

        @pytest_asyncio.fixture
        async def later():
            await asyncio.sleep(60)
            return "ready"

        @pytest.mark.asyncio(clock="virtual")
        async def test_looks_up(request):
            loop = asyncio.get_running_loop()
            assert await pytest_asyncio.getfixturevalue(request, "later") == "ready"
            start, real = loop.time(), time.monotonic()
            await asyncio.sleep(3600)
            assert loop.time() - start == pytest.approx(3600, abs=1e-6)
            assert time.monotonic() - real < 5
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--asyncio-timeout=30", timeout=60
    )
    result.assert_outcomes(passed=1)
