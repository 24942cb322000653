"""SPEC "is_async_test" and "Modes": which items are ours, seen from a conftest's
``pytest_collection_modifyitems``, and the documented session-loop pattern."""

from __future__ import annotations

from collections.abc import Callable

import pytest

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

REPORTING_CONFTEST = """
import pytest
import pytest_asyncio

OURS = pytest.StashKey[list]()


def pytest_collection_modifyitems(config, items):
    config.stash[OURS] = [item.nodeid for item in items if pytest_asyncio.is_async_test(item)]


def pytest_report_collectionfinish(config, items):
    return ["is_async_test: " + " ".join(config.stash[OURS])]
"""

ITEMS_SUITE = """
import asyncio

import pytest


@pytest.mark.asyncio
async def test_marked():
    assert asyncio.get_running_loop().is_running()


async def test_unmarked():
    assert asyncio.get_running_loop().is_running()


@pytest.mark.asyncio
def test_sync_marked():
    pass


def test_sync():
    pass


@pytest.mark.anyio
async def test_anyio():
    pass


class TestClass:
    async def test_method(self):
        assert asyncio.get_running_loop().is_running()

    @staticmethod
    async def test_static():
        assert asyncio.get_running_loop().is_running()
"""


@pytest.mark.parametrize(
    ("mode", "ours", "passed", "failed"),
    [
        ("strict", ["test_marked"], 3, 4),
        (
            "auto",
            ["test_marked", "test_unmarked", "TestClass::test_method", "TestClass::test_static"],
            6,
            1,
        ),
    ],
)
def test_is_async_test_is_true_exactly_for_our_tests(
    pytester: pytest.Pytester,
    ini: IniWriter,
    mode: str,
    ours: list[str],
    passed: int,
    failed: int,
) -> None:
    ini(asyncio_mode=mode, markers="\n    anyio: run with anyio")
    pytester.makeconftest(REPORTING_CONFTEST)
    pytester.makepyfile(test_items=ITEMS_SUITE)
    # -p no:anyio: as if anyio's plugin were not installed (tests/compat covers it installed).
    result = pytester.runpytest("--strict-markers", "-p", "no:anyio")
    expected = " ".join(f"test_items.py::{name}" for name in ours)
    assert f"is_async_test: {expected}" in result.outlines
    # Exactly the tests we run pass: in strict mode, the sync tests and test_marked; in auto
    # mode, everything but the anyio test (left to anyio, which is not installed).
    result.assert_outcomes(passed=passed, failed=failed, warnings=1)  # the marked sync test


def test_session_loop_for_all_async_tests_in_strict_mode(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_mode="strict")
    pytester.makeconftest(
        """
        import pytest
        import pytest_asyncio


        def pytest_collection_modifyitems(items):
            pytest_asyncio_tests = (item for item in items if pytest_asyncio.is_async_test(item))
            session_scope_marker = pytest.mark.asyncio(loop_scope="session")
            for async_test in pytest_asyncio_tests:
                async_test.add_marker(session_scope_marker, append=False)


        @pytest.fixture(scope="session")
        def seen_loops():
            return []
        """
    )
    pytester.makepyfile(
        test_a="""
        import asyncio

        import pytest


        @pytest.mark.asyncio
        async def test_one(seen_loops):
            seen_loops.append(asyncio.get_running_loop())


        @pytest.mark.asyncio(loop_scope="function")
        class TestClass:
            async def test_two(self, seen_loops):
                seen_loops.append(asyncio.get_running_loop())
        """,
        test_b="""
        import asyncio

        import pytest


        async def test_unmarked_is_left_alone(seen_loops):
            seen_loops.append(asyncio.get_running_loop())


        @pytest.mark.asyncio(loop_scope="module")
        async def test_three(seen_loops):
            loop = asyncio.get_running_loop()
            assert len(seen_loops) == 2
            assert all(seen is loop for seen in seen_loops)
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["FAILED test_b.py::test_unmarked_is_left_alone*"])
