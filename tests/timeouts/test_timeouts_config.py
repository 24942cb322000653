"""Timeouts: where the limit comes from (marker > --asyncio-timeout > asyncio_timeout), how it
is turned off, its report header, and invalid values."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_asyncio import _messages

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

pytestmark = pytest.mark.timeout(60)

# Each test sleeps 0.3 s: it fails under a limit of 0.1 s and passes under one of 5 s.
SLEEPERS = """
import asyncio
import pytest

{pytestmark}

{mark}
async def test_sleeps():
    await asyncio.sleep(0.3)
"""


BARE = "@pytest.mark.asyncio"


@pytest.mark.parametrize(
    ("ini_value", "cli", "mark", "pytestmark", "source"),
    [
        pytest.param("0.1", None, BARE, "", "asyncio_timeout = 0.1 (*)", id="ini"),
        pytest.param("5", "0.1", BARE, "", "--asyncio-timeout=0.1", id="cli-over-ini"),
        pytest.param(
            "5", "5", f"{BARE}(timeout=0.1)", "", f"{BARE}(timeout=0.1)", id="mark-over-cli"
        ),
        pytest.param(
            None,
            None,
            "",
            "pytestmark = pytest.mark.asyncio(timeout=0.1)",
            "@pytest.mark.asyncio(timeout=0.1)",
            id="module-pytestmark",
        ),
        pytest.param(
            "5",
            None,
            f"{BARE}(loop_scope='module')",
            "pytestmark = pytest.mark.asyncio(timeout=0.1)",
            None,
            id="own-mark-replaces-pytestmark",
        ),
        pytest.param("0.1", "0", BARE, "", None, id="cli-zero-turns-ini-off"),
        pytest.param("0.1", "0.1", f"{BARE}(timeout=None)", "", None, id="mark-none-turns-it-off"),
        pytest.param("0", None, BARE, "", None, id="ini-zero"),
    ],
)
def test_precedence(
    pytester: pytest.Pytester,
    ini: IniWriter,
    ini_value: str | None,
    cli: str | None,
    mark: str,
    pytestmark: str,
    source: str | None,
) -> None:
    ini(**({"asyncio_timeout": ini_value} if ini_value is not None else {}))
    pytester.makepyfile(SLEEPERS.format(mark=mark, pytestmark=pytestmark))
    args = [f"--asyncio-timeout={cli}"] if cli is not None else []
    result = pytester.runpytest(*args)
    if source is None:
        result.assert_outcomes(passed=1)
    else:
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines([f"*ran longer than 0.1 s (the limit set by {source})*"])


@pytest.mark.parametrize(
    ("args", "suffix"),
    [
        pytest.param([], "", id="unset"),
        pytest.param(["--asyncio-timeout=2.5"], ", asyncio_timeout=2.5", id="set"),
        pytest.param(["--asyncio-timeout=0"], "", id="zero"),
    ],
)
def test_report_header(pytester: pytest.Pytester, args: list[str], suffix: str) -> None:
    result = pytester.runpytest(*args)
    result.stdout.fnmatch_lines(
        [
            "asyncio: mode=strict, debug=False, asyncio_default_fixture_loop_scope=None, "
            f"asyncio_default_test_loop_scope=function{suffix}"
        ]
    )
    assert result.stdout.str().count("asyncio_timeout") == (1 if suffix else 0)


def test_invalid_ini_value(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_timeout="soon")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    origin = _messages.ORIGIN_INI.format(path=pytester.path / "tox.ini")
    expected = _messages.INVALID_OPTION.format(
        key="asyncio_timeout",
        value="soon",
        origin=origin,
        choices="a number of seconds (0 for no limit)",
    )
    assert expected in result.stderr.str()


@pytest.mark.parametrize("value", ["-1", "nan", "ten"])
def test_invalid_cli_value(pytester: pytest.Pytester, value: str) -> None:
    result = pytester.runpytest(f"--asyncio-timeout={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (
        f"pytest-asyncio-ng: asyncio_timeout = '{value}' (from the command line option "
        "--asyncio-timeout) is not valid; use one of: a number of seconds (0 for no limit)."
    ) in result.stderr.str()
    assert "Traceback" not in result.stderr.str()


def test_invalid_mark_value_fails_only_its_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad="""
        import pytest

        @pytest.mark.asyncio(timeout="10")
        async def test_bad():
            pass

        @pytest.mark.asyncio(timeout=10)
        async def test_good():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "test_bad.py::test_bad: @pytest.mark.asyncio(timeout='10') is not a limit; use a "
            "number of seconds, or timeout=None for no limit."
        ]
    )
    expected = _messages.MARK_BAD_TIMEOUT.format(nodeid="test_bad.py::test_bad", value="10")
    assert expected in result.stdout.str()
