"""looptime's suites keep working: its marker, flags and fixtures drive our loops' time."""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages

pytest.importorskip("looptime")


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # Bounded: a fake time that does not jump would sleep for real.
    return pytester.runpytest("-p", "no:cacheprovider", "--asyncio-timeout=30", *args)


def test_marked_tests_start_at_zero_or_at_start(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import time
        import pytest

        @pytest.mark.asyncio
        @pytest.mark.looptime
        async def test_zero():
            loop = asyncio.get_running_loop()
            assert loop.time() == 0
            started = time.monotonic()
            await asyncio.sleep(3600)
            assert loop.time() == 3600
            assert time.monotonic() - started < 2

        @pytest.mark.asyncio
        @pytest.mark.looptime(start=123)
        async def test_start():
            loop = asyncio.get_running_loop()
            assert loop.time() == 123
            await asyncio.sleep(10)
            assert loop.time() == 133

        @pytest.mark.asyncio
        async def test_unmarked():
            loop = asyncio.get_running_loop()
            assert not getattr(loop, "looptime_on", False)
            started = time.monotonic()
            await asyncio.sleep(0.1)
            assert time.monotonic() - started >= 0.1
        """
    )
    _run(pytester).assert_outcomes(passed=3)


def test_the_looptime_flag_turns_it_on_for_unmarked_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        @pytest.mark.asyncio
        async def test_unmarked():
            await asyncio.sleep(10)
            assert asyncio.get_running_loop().time() == 10

        @pytest.mark.asyncio
        @pytest.mark.looptime(False)
        async def test_opted_out():
            assert not getattr(asyncio.get_running_loop(), "looptime_on", False)
        """
    )
    _run(pytester, "--looptime").assert_outcomes(passed=2)


def test_the_no_looptime_flag_leaves_marked_tests_on_real_time(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import time
        import pytest

        @pytest.mark.asyncio
        @pytest.mark.looptime(start=123)
        async def test_marked():
            loop = asyncio.get_running_loop()
            assert not getattr(loop, "looptime_on", False)
            assert loop.time() != 123
            started = time.monotonic()
            await asyncio.sleep(0.1)
            assert time.monotonic() - started >= 0.1
        """
    )
    _run(pytester, "--no-looptime").assert_outcomes(passed=1)


def test_the_looptime_fixture_reads_the_fake_time(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        @pytest.mark.asyncio
        @pytest.mark.looptime
        async def test_fixture(looptime, chronometer):
            with chronometer:
                await asyncio.sleep(10)
            assert looptime == 10
            assert chronometer.seconds < 2
        """
    )
    _run(pytester).assert_outcomes(passed=1)


def test_the_end_of_time_times_the_test_out(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import pytest
        from looptime import LoopTimeoutError

        @pytest.mark.asyncio
        @pytest.mark.looptime(end=5)
        async def test_end(looptime):
            with pytest.raises(LoopTimeoutError):
                await asyncio.sleep(10)
            assert looptime == 5

        @pytest.mark.asyncio
        @pytest.mark.looptime(end=5)
        async def test_fails():
            await asyncio.sleep(10)
        """
    )
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*LoopTimeoutError: The event loop has reached its end-of-time*"])


def test_a_module_scoped_loop_keeps_its_time_unless_start_is_given(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import pytest
        import pytest_asyncio

        pytestmark = pytest.mark.asyncio(loop_scope="module")

        @pytest_asyncio.fixture(loop_scope="module", scope="module")
        async def ticks():
            ticks = []
            task = asyncio.create_task(asyncio.Event().wait())
            yield ticks
            task.cancel()

        @pytest.mark.looptime
        async def test_first(ticks):
            first = asyncio.get_running_loop().time()
            await asyncio.sleep(100)
            ticks.append(first + 100)
            assert asyncio.get_running_loop().time() == first + 100

        @pytest.mark.looptime
        async def test_kept(ticks):
            assert asyncio.get_running_loop().time() >= ticks[0]

        @pytest.mark.looptime(start=10_000)
        async def test_start(ticks):
            assert asyncio.get_running_loop().time() == 10_000
            await asyncio.sleep(5)
            assert asyncio.get_running_loop().time() == 10_005
        """
    )
    _run(pytester).assert_outcomes(passed=3)


def test_looptime_enabled_works_in_async_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import looptime
        import pytest
        import pytest_asyncio

        @pytest_asyncio.fixture
        async def warmed_up():
            with looptime.enabled(strict=True):
                await asyncio.sleep(60)
                return asyncio.get_running_loop().time()

        @pytest.mark.asyncio
        @pytest.mark.looptime
        async def test_fixture(warmed_up):
            assert warmed_up == 60
        """
    )
    _run(pytester).assert_outcomes(passed=1)


def test_looptime_on_a_loop_driven_by_the_virtual_clock_fails_clearly(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_shared="""
        import asyncio
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="module")

        @pytest.mark.asyncio(loop_scope="module", clock="virtual")
        async def test_virtual():
            await asyncio.sleep(60)

        @pytest.mark.looptime
        async def test_looptime():
            await asyncio.sleep(60)
        """
    )
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    expected = _messages.LOOPTIME_ON_VIRTUAL_CLOCK.format(
        nodeid="test_shared.py::test_looptime",
        source=_messages.LOOPTIME_SOURCE_MARK,
        loop="module-scoped event loop of test_shared.py",
    )
    assert expected in result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*test_shared.py::test_looptime asks for looptime's fake loop time "
            "(@pytest.mark.looptime), but its module-scoped event loop of test_shared.py "
            "already runs on pytest-asyncio-ng's virtual clock*"
        ]
    )


def test_without_looptime_nothing_changes(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        def pytest_terminal_summary(terminalreporter, config):
            plugin = config.pluginmanager.get_plugin("pytest-asyncio-ng-looptime")
            terminalreporter.write_line(f"looptime integration: {plugin is not None}")
        """
    )
    pytester.makepyfile(
        """
        import asyncio
        import looptime
        import pytest

        @pytest.mark.asyncio
        @pytest.mark.looptime
        async def test_marked():
            loop = asyncio.get_running_loop()
            print(f"patched: {isinstance(loop, looptime.LoopTimeEventLoop)}")
        """
    )
    result = _run(pytester, "-s", "-p", "no:looptime_plugin")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*patched: False", "looptime integration: False"])
    result = _run(pytester, "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*patched: True", "looptime integration: True"])


# A loop that is not built on asyncio's BaseEventLoop (as uvloop's is not): a stand-in that
# hands every attribute to an asyncio loop inside.
OPAQUE_LOOP_CONFTEST = """
import asyncio


class OpaqueLoop(asyncio.AbstractEventLoop):
    def __init__(self):
        object.__setattr__(self, "inner", asyncio.new_event_loop())

    def __getattribute__(self, name):
        if name == "__class__":
            return object.__getattribute__(self, name)
        return getattr(object.__getattribute__(self, "inner"), name)


def pytest_asyncio_loop_factories(config, item):
    return {"opaque": OpaqueLoop}
"""


def test_looptime_on_a_loop_it_cannot_patch_fails_clearly(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(OPAQUE_LOOP_CONFTEST)
    pytester.makepyfile(
        test_opaque="""
        import asyncio
        import pytest

        @pytest.mark.asyncio
        async def test_real():
            await asyncio.sleep(0)

        @pytest.mark.asyncio
        async def test_flagged():
            await asyncio.sleep(60)
        """
    )
    result = _run(pytester, "--looptime", "-k", "test_flagged")
    result.assert_outcomes(failed=1, deselected=1)
    expected = _messages.LOOPTIME_NOT_PATCHABLE.format(
        nodeid="test_opaque.py::test_flagged",
        source=_messages.LOOPTIME_SOURCE_FLAG,
        loop="function-scoped event loop of test_opaque.py::test_flagged",
        kind="conftest.OpaqueLoop",
    )
    assert expected in result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*test_opaque.py::test_flagged asks for looptime's fake loop time (--looptime), but "
            "its function-scoped event loop of test_opaque.py::test_flagged is a "
            "conftest.OpaqueLoop, which looptime cannot patch*"
        ]
    )
