"""Virtual time: which tests run on it (asyncio_clock, --asyncio-clock, the marker's clock= on a
test, a class or a module, the virtual_clock fixture), the report header, invalid values, and
a run on the real clock that loads nothing of it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_asyncio import _messages

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

pytestmark = pytest.mark.timeout(60)

# `which_clock(name)`, awaited in an inner test, prints "CLOCK name: virtual" or "... real": a
# sleep of 0.2 s takes no real time on virtual time.
WHICH_CONFTEST = """
import asyncio
import time


async def which_clock(name):
    start = time.monotonic()
    await asyncio.sleep(0.2)
    clock = "virtual" if time.monotonic() - start < 0.15 else "real"
    print(f"\\nCLOCK {name}: {clock}")
"""

ONE_TEST = """
import pytest
from conftest import which_clock

@pytest.mark.asyncio
async def test_one():
    await which_clock("test_one")
"""

HEADER = (
    "asyncio: mode=strict, debug=False, asyncio_default_fixture_loop_scope=None, "
    "asyncio_default_test_loop_scope=function"
)


@pytest.mark.parametrize(
    ("ini_value", "args", "clock"),
    [
        pytest.param(None, [], "real", id="default"),
        pytest.param("real", [], "real", id="ini-real"),
        pytest.param("virtual", [], "virtual", id="ini-virtual"),
        pytest.param("  Virtual ", [], "virtual", id="ini-case-space"),
        pytest.param("REAL", [], "real", id="ini-uppercase"),
        pytest.param("real", ["--asyncio-clock=virtual"], "virtual", id="cli-over-ini"),
        pytest.param("virtual", ["--asyncio-clock=REAL"], "real", id="cli-real-over-ini"),
        pytest.param("real", ["-o", "asyncio_clock=virtual"], "virtual", id="-o"),
    ],
)
def test_session_clock(
    pytester: pytest.Pytester, ini: IniWriter, ini_value: str | None, args: list[str], clock: str
) -> None:
    ini(**({"asyncio_clock": ini_value} if ini_value is not None else {}))
    pytester.makeconftest(WHICH_CONFTEST)
    pytester.makepyfile(ONE_TEST)
    result = pytester.runpytest("-s", *args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"CLOCK test_one: {clock}"])
    header = HEADER + (", asyncio_clock=virtual" if clock == "virtual" else "")
    assert result.outlines.count(header) == 1
    assert ("asyncio_clock" in result.stdout.str()) == (clock == "virtual")


def test_invalid_clock_on_the_command_line(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_clock="virtual")
    pytester.makepyfile(ONE_TEST)
    result = pytester.runpytest("--asyncio-clock=virtal")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.errlines if line.startswith("ERROR")] == [
        "ERROR: pytest-asyncio-ng: asyncio_clock = 'virtal' (from the command line option "
        "--asyncio-clock) is not valid; use one of: real, virtual. Did you mean 'virtual'?"
    ]
    assert "Traceback" not in result.stderr.str()


@pytest.mark.parametrize(
    ("value", "suggestion"), [("reel", "real"), ("fake", None), ("virtual time", "virtual")]
)
def test_invalid_clock_in_the_ini_file(
    pytester: pytest.Pytester, ini: IniWriter, value: str, suggestion: str | None
) -> None:
    ini(asyncio_clock=value)
    pytester.makepyfile(ONE_TEST)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    expected = _messages.INVALID_OPTION.format(
        key="asyncio_clock",
        value=value,
        origin=_messages.ORIGIN_INI.format(path=pytester.path / "tox.ini"),
        choices="real, virtual",
    )
    if suggestion is not None:
        expected += " " + _messages.DID_YOU_MEAN.format(suggestion=suggestion)
    assert [line for line in result.errlines if line.startswith("ERROR")] == [f"ERROR: {expected}"]


MARKED = """
import pytest
from conftest import which_clock

pytestmark = pytest.mark.asyncio(clock="virtual")


async def test_module_mark():
    await which_clock("test_module_mark")


@pytest.mark.asyncio(clock="real")
class TestReal:
    async def test_class_mark(self):
        await which_clock("test_class_mark")

    @pytest.mark.asyncio(clock="Virtual")
    async def test_own_mark(self):
        await which_clock("test_own_mark")


@pytest.mark.asyncio
async def test_mark_without_clock():
    await which_clock("test_mark_without_clock")


@pytest.mark.asyncio(clock="real", loop_scope="function")
async def test_real_mark():
    await which_clock("test_real_mark")
"""


@pytest.mark.parametrize("session", ["real", "virtual"])
def test_the_closest_mark_names_the_clock(
    pytester: pytest.Pytester, ini: IniWriter, session: str
) -> None:
    ini(asyncio_clock=session)
    pytester.makeconftest(WHICH_CONFTEST)
    pytester.makepyfile(MARKED)
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(
        [
            "CLOCK test_module_mark: virtual",
            "CLOCK test_class_mark: real",
            "CLOCK test_own_mark: virtual",
            # The test's own mark is the closest, and it names no clock: the session's.
            f"CLOCK test_mark_without_clock: {session}",
            "CLOCK test_real_mark: real",
        ]
    )


def test_an_invalid_mark_fails_only_its_test(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(WHICH_CONFTEST)
    pytester.makepyfile(
        test_marks="""
        import pytest
        from conftest import which_clock

        @pytest.mark.asyncio(clock="virtal")
        async def test_misspelt():
            await which_clock("test_misspelt")

        @pytest.mark.asyncio(clock=3600)
        async def test_number():
            await which_clock("test_number")

        @pytest.mark.asyncio(clock="virtual")
        async def test_fine():
            await which_clock("test_fine")
        """
    )
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1, errors=2)
    assert "CLOCK test_misspelt" not in result.stdout.str()
    assert "CLOCK test_number" not in result.stdout.str()
    result.stdout.fnmatch_lines(["CLOCK test_fine: virtual"])
    assert (
        "test_marks.py::test_misspelt: @pytest.mark.asyncio(clock='virtal') names no clock; use "
        "one of: 'real', 'virtual'. Did you mean 'virtual'?"
    ) in result.outlines
    expected = _messages.MARK_BAD_CLOCK.format(
        nodeid="test_marks.py::test_number", value=3600, choices="'real', 'virtual'"
    )
    assert expected in result.outlines
    result.stdout.fnmatch_lines(["*ERROR at setup of test_misspelt*"])


def test_the_fixture_turns_virtual_time_on(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(WHICH_CONFTEST)
    pytester.makepyfile(
        """
        import asyncio
        import pytest
        from conftest import which_clock

        @pytest.mark.asyncio
        async def test_with_fixture(virtual_clock):
            assert virtual_clock.virtual
            assert virtual_clock.time() == asyncio.get_running_loop().time()
            await which_clock("test_with_fixture")

        @pytest.mark.asyncio
        async def test_without():
            await which_clock("test_without")
        """
    )
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["CLOCK test_with_fixture: virtual", "CLOCK test_without: real"])


def test_the_fixture_on_a_test_marked_real(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_real="""
        import pytest

        @pytest.mark.asyncio(clock="real")
        async def test_both(virtual_clock):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    assert (
        "test_real.py::test_both: requests the virtual_clock fixture but is marked "
        "@pytest.mark.asyncio(clock='real'); remove one of the two."
    ) in result.outlines
    assert _messages.VIRTUAL_CLOCK_ON_REAL.format(nodeid="test_real.py::test_both") in (
        result.outlines
    )


def test_the_fixture_in_a_sync_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_sync="""
        def test_sync(virtual_clock):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    assert (
        "test_sync.py::test_sync: the virtual_clock fixture is for async tests (it runs the "
        "test's event loop on virtual time); this test is not one that pytest-asyncio-ng runs."
    ) in result.outlines


REGISTERED_CONFTEST = """
import sys


def pytest_sessionfinish(session):
    plugin = session.config.pluginmanager.get_plugin("pytest-asyncio-ng-clock")
    imported = "pytest_asyncio._clock._virtual" in sys.modules
    print(f"\\nREGISTERED {plugin is not None} CLOCK {imported}")
"""


@pytest.mark.parametrize(
    ("args", "mark", "on"),
    [
        pytest.param([], "", False, id="real"),
        pytest.param(["--asyncio-clock=real"], "", False, id="cli-real"),
        pytest.param(["--asyncio-clock=virtual"], "", True, id="cli-virtual"),
        pytest.param([], "clock='virtual'", True, id="mark"),
    ],
)
def test_on_the_real_clock_nothing_is_loaded(
    pytester: pytest.Pytester, args: list[str], mark: str, on: bool
) -> None:
    pytester.makeconftest(REGISTERED_CONFTEST)
    pytester.makepyfile(
        f"""
        import asyncio
        import pytest

        @pytest.mark.asyncio({mark})
        async def test_async():
            await asyncio.sleep(0)

        def test_sync():
            pass
        """
    )
    # In a process of its own: an earlier in-process run may have imported the clock.
    result = pytester.runpytest_subprocess("-s", *args, timeout=60)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([f"REGISTERED {on} CLOCK {on}"])
