"""Timeouts with pytest-timeout: its limit on an async test (marker, --timeout, its ini key) is
enforced by us, through its own timer hooks, with our report; ``func_only`` limits the body
alone; our own settings win over it; sync tests stay pytest-timeout's."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_asyncio import _messages

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

pytestmark = pytest.mark.timeout(60)

# pytest-timeout is loaded explicitly, whatever plugin autoloading does.
WITH_TIMEOUT = ("-p", "timeout")

HUNG = """
import asyncio
import pytest

TORN_DOWN = []


async def stuck_in_helper():
    await asyncio.Event().wait()


@pytest.fixture
async def resource():
    yield
    TORN_DOWN.append("resource")


{mark}
async def test_hangs(resource):
    await stuck_in_helper()


async def test_next():
    assert TORN_DOWN == ["resource"]
"""


@pytest.mark.parametrize(
    ("mark", "args", "ini_value", "env_value", "source", "literal"),
    [
        pytest.param(
            "@pytest.mark.timeout(0.3)",
            (),
            None,
            None,
            _messages.FOREIGN_TIMEOUT_MARK.format(seconds=0.3),
            "@pytest.mark.timeout(0.3)",
            id="marker",
        ),
        pytest.param(
            "",
            ("--timeout=0.3",),
            None,
            None,
            _messages.FOREIGN_TIMEOUT_CLI.format(seconds=0.3),
            "--timeout=0.3",
            id="cli",
        ),
        pytest.param(
            "",
            (),
            None,
            "0.3",
            _messages.FOREIGN_TIMEOUT_ENV.format(seconds=0.3),
            "PYTEST_TIMEOUT=0.3",
            id="environment",
        ),
        pytest.param(
            "",
            (),
            "0.3",
            None,
            _messages.FOREIGN_TIMEOUT_INI.format(
                seconds=0.3, origin=_messages.ORIGIN_INI.format(path="{ini_path}")
            ),
            "pytest-timeout's timeout = 0.3 in the configuration file {ini_path}",
            id="ini",
        ),
    ],
)
def test_its_limit_gives_our_report_and_the_run_goes_on(
    pytester: pytest.Pytester,
    ini: IniWriter,
    monkeypatch: pytest.MonkeyPatch,
    mark: str,
    args: tuple[str, ...],
    ini_value: str | None,
    env_value: str | None,
    source: str,
    literal: str,
) -> None:
    ini(asyncio_mode="auto", **({"timeout": ini_value} if ini_value is not None else {}))
    if env_value is not None:
        monkeypatch.setenv("PYTEST_TIMEOUT", env_value)
    pytester.makepyfile(test_hang=HUNG.format(mark=mark))
    result = pytester.runpytest(*WITH_TIMEOUT, "-p", "no:randomly", *args)
    result.assert_outcomes(failed=1, passed=1)
    ini_path = pytester.path / "tox.ini"  # where makeini() writes
    assert source.format(ini_path=ini_path) == literal.format(ini_path=ini_path)
    result.stdout.fnmatch_lines(
        [
            "*_ test_hangs _*",
            "test test_hang.py::test_hangs ran longer than 0.3 s (the limit set by "
            f"{literal.format(ini_path=ini_path)}) and was cancelled. It was waiting here, "
            "outermost call first:",
            "  test_hang.py:19 in test_hangs",
            "      await stuck_in_helper()",
            "  test_hang.py:8 in stuck_in_helper",
            "      await asyncio.Event().wait()",
        ]
    )
    # Not pytest-timeout's failure, nor its dump of the stacks.
    assert "from pytest-timeout" not in result.stdout.str()
    assert "+ Timeout +" not in result.stdout.str()


# A fixture whose setup and teardown each take 0.6 s, and a test body that takes 0.6 s unless
# told to hang: with a limit of 0.4 s on the whole test, the fixture's setup times out; on the
# body alone (func_only), the fixture takes its time and only a hanging body times out.
SLOW_FIXTURE = """
import asyncio
import pytest


@pytest.fixture
async def slow():
    await asyncio.sleep(0.6)
    yield
    await asyncio.sleep(0.6)


@pytest.mark.timeout(0.4{func_only})
async def test_quick_body(slow):
    pass


@pytest.mark.timeout(0.4{func_only})
async def test_hung_body(slow):
    await asyncio.Event().wait()
"""


@pytest.mark.parametrize(
    ("func_only", "ini_options"),
    [
        pytest.param(", func_only=True", {}, id="marker"),
        pytest.param("", {"timeout_func_only": "true"}, id="ini"),
    ],
)
def test_func_only_limits_the_body_alone(
    pytester: pytest.Pytester, ini: IniWriter, func_only: str, ini_options: dict[str, str]
) -> None:
    ini(asyncio_mode="auto", **ini_options)
    pytester.makepyfile(test_func_only=SLOW_FIXTURE.format(func_only=func_only))
    result = pytester.runpytest(*WITH_TIMEOUT, "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_hung_body _*",
            "test test_func_only.py::test_hung_body ran longer than 0.4 s (the limit set by "
            "@pytest.mark.timeout(0.4)) and was cancelled. It was waiting here, outermost call "
            "first:",
            "  test_func_only.py:19 in test_hung_body",
        ]
    )


def test_without_func_only_each_fixture_step_has_the_limit(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    pytester.makepyfile(test_whole=SLOW_FIXTURE.format(func_only=""))
    result = pytester.runpytest(*WITH_TIMEOUT, "-p", "no:randomly")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_quick_body*",
            "the setup of async fixture 'slow' ran longer than 0.4 s (the limit set by "
            "@pytest.mark.timeout(0.4)) and was cancelled. It was waiting here, outermost call "
            "first:",
            "  test_whole.py:7 in slow",
            "      await asyncio.sleep(0.6)",
        ]
    )


def test_each_step_has_the_whole_limit(pytester: pytest.Pytester) -> None:
    """pytest-timeout would count setup, body and teardown together (1.2 s > 1 s); each of
    ours is well within the limit."""
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    pytester.makepyfile(
        """
        import asyncio
        import pytest


        @pytest.fixture
        async def slow():
            await asyncio.sleep(0.4)
            yield
            await asyncio.sleep(0.4)


        @pytest.mark.timeout(1)
        async def test_body(slow):
            await asyncio.sleep(0.4)
        """
    )
    result = pytester.runpytest(*WITH_TIMEOUT)
    result.assert_outcomes(passed=1)


# Each test sleeps 0.5 s: it fails under a limit of 0.2 s and passes under one of 5 s.
SLEEPER = """
import asyncio
import pytest

{marks}
async def test_sleeps():
    await asyncio.sleep(0.5)
"""


@pytest.mark.parametrize(
    ("marks", "args", "ini_options", "source"),
    [
        pytest.param(
            "@pytest.mark.timeout(0.2)\n@pytest.mark.asyncio(timeout=5)",
            (),
            {},
            None,
            id="our-marker-over-its-marker",
        ),
        pytest.param(
            "@pytest.mark.asyncio(timeout=None)", ("--timeout=0.2",), {}, None, id="our-none"
        ),
        pytest.param(
            "@pytest.mark.timeout(5)",
            ("--asyncio-timeout=0.2",),
            {},
            "--asyncio-timeout=0.2",
            id="our-cli-over-its-marker",
        ),
        pytest.param(
            "@pytest.mark.timeout(5)",
            (),
            {"asyncio_timeout": "0.2"},
            "asyncio_timeout = 0.2 (*)",
            id="our-ini-over-its-marker",
        ),
        pytest.param(
            "@pytest.mark.asyncio(timeout=0.2)",
            ("--timeout=5",),
            {},
            "@pytest.mark.asyncio(timeout=0.2)",
            id="our-marker-over-its-cli",
        ),
        pytest.param(
            "@pytest.mark.timeout(0.2)",
            ("--asyncio-timeout=0",),
            {},
            "@pytest.mark.timeout(0.2)",
            id="its-marker-when-ours-is-zero",
        ),
    ],
)
def test_precedence(
    pytester: pytest.Pytester,
    ini: IniWriter,
    marks: str,
    args: tuple[str, ...],
    ini_options: dict[str, str],
    source: str | None,
) -> None:
    ini(asyncio_mode="auto", **ini_options)
    pytester.makepyfile(SLEEPER.format(marks=marks))
    result = pytester.runpytest(*WITH_TIMEOUT, *args)
    if source is None:
        result.assert_outcomes(passed=1)
    else:
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines([f"*ran longer than 0.2 s (the limit set by {source})*"])
    assert "from pytest-timeout" not in result.stdout.str()


def test_sync_tests_stay_its_own(pytester: pytest.Pytester) -> None:
    """In a subprocess: pytest-timeout's signal handler would replace the outer bound's."""
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    pytester.makepyfile(
        test_both="""
        import asyncio
        import time
        import pytest


        @pytest.mark.timeout(0.5)
        def test_sync_blocks():
            time.sleep(30)


        @pytest.mark.timeout(0.5)
        async def test_async_hangs():
            await asyncio.Event().wait()
        """
    )
    result = pytester.runpytest_subprocess(*WITH_TIMEOUT, "-p", "no:randomly", timeout=60)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_sync_blocks _*",
            "*time.sleep(30)",
            "E       Failed: Timeout (>0.5s) from pytest-timeout.",
            "*_ test_async_hangs _*",
            "test test_both.py::test_async_hangs ran longer than 0.5 s (the limit set by "
            "@pytest.mark.timeout(0.5)) and was cancelled. It was waiting here, outermost call "
            "first:",
            "  test_both.py:13 in test_async_hangs",
        ]
    )
    assert result.duration < 20


def test_without_pytest_timeout(pytester: pytest.Pytester) -> None:
    """Its hooks do not exist then: ours are never called, and nothing complains."""
    pytester.makeini("[pytest]\nasyncio_mode = auto\nmarkers = timeout\n")
    pytester.makepyfile(SLEEPER.format(marks="@pytest.mark.timeout(0.2)"))
    result = pytester.runpytest("-p", "no:timeout", "-W", "error")
    result.assert_outcomes(passed=1)
