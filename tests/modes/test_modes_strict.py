"""SPEC "Modes", strict: only marked async tests are ours; an unmarked one never passes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture


@pytest.mark.parametrize("configured", ["default", "ini", "cli"])
def test_strict_runs_only_marked_async_tests(
    pytester: pytest.Pytester, ini: IniWriter, configured: str
) -> None:
    if configured == "ini":
        ini(asyncio_mode="strict")
    pytester.makepyfile(
        """
        import asyncio

        import pytest

        RAN = []


        @pytest.mark.asyncio
        async def test_marked():
            task = asyncio.current_task()
            assert task is not None and not task.done()
            RAN.append("marked")


        async def test_unmarked_function():
            RAN.append("unmarked")


        class TestUnmarked:
            async def test_method(self):
                RAN.append("unmarked")

            @staticmethod
            async def test_static():
                RAN.append("unmarked")


        @pytest.mark.asyncio
        class TestMarked:
            async def test_method(self):
                assert asyncio.get_running_loop().is_running()
                RAN.append("marked")


        def test_zz_only_marked_ran():
            assert RAN == ["marked", "marked"]
        """
    )
    args = ["--asyncio-mode=strict"] if configured == "cli" else []
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=3, failed=3)
    result.stdout.fnmatch_lines(["*async def functions are not natively supported*"])
    for name in (
        "test_unmarked_function",
        "TestUnmarked::test_method",
        "TestUnmarked::test_static",
    ):
        result.stdout.fnmatch_lines([f"FAILED *::{name}*"])
