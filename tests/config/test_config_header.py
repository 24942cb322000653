"""SPEC "Configuration": the report header line, and no warning when
``asyncio_default_fixture_loop_scope`` is unset."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_asyncio import _settings

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param(
            {},
            {
                "mode": "strict",
                "debug": False,
                "fixture_loop_scope": None,
                "test_loop_scope": "function",
            },
            id="defaults",
        ),
        pytest.param(
            {
                "asyncio_mode": "auto",
                "asyncio_debug": "true",
                "asyncio_default_fixture_loop_scope": "fixture-scope",
                "asyncio_default_test_loop_scope": "module",
            },
            {
                "mode": "auto",
                "debug": True,
                "fixture_loop_scope": "fixture-scope",
                "test_loop_scope": "module",
            },
            id="all-set",
        ),
        pytest.param(
            {"asyncio_default_fixture_loop_scope": "session"},
            {
                "mode": "strict",
                "debug": False,
                "fixture_loop_scope": "session",
                "test_loop_scope": "function",
            },
            id="fixture-loop-scope",
        ),
    ],
)
def test_report_header(
    pytester: pytest.Pytester,
    ini: IniWriter,
    monkeypatch: pytest.MonkeyPatch,
    options: dict[str, str],
    expected: dict[str, object],
) -> None:
    monkeypatch.delenv("PYTHONASYNCIODEBUG", raising=False)
    if options:
        ini(**options)
    pytester.makepyfile(
        """
        def test_sync():
            assert True
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    header = _settings.HEADER.format(**expected)
    lines = [line for line in result.outlines if line.startswith("asyncio: ")]
    assert len(lines) == 1
    # The whole line, or the line followed by our own keys (the SPEC allows them at the end).
    assert lines[0] == header or lines[0].startswith(header + ", ")


def test_no_warning_when_fixture_loop_scope_unset(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(
        """
        import asyncio

        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture
        async def fixture_loop():
            return asyncio.get_running_loop()


        @pytest_asyncio.fixture(scope="module")
        async def module_fixture_loop():
            yield asyncio.get_running_loop()


        @pytest.mark.asyncio
        async def test_loops(fixture_loop, module_fixture_loop):
            loop = asyncio.get_running_loop()
            assert fixture_loop is loop
            assert module_fixture_loop is not loop
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, warnings=0)
    mentions = [line for line in result.outlines if "asyncio_default_fixture_loop_scope" in line]
    assert len(mentions) == 1
    assert mentions[0].startswith("asyncio: ")
