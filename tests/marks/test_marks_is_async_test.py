"""``pytest_asyncio.is_async_test`` and marks added by ``pytest_collection_modifyitems``.

SPEC "is_async_test and the hook": true for the items we run (in strict mode only marked
ones); the typical use adds ``asyncio(loop_scope="session")`` marks at collection, which must
take effect over the marks already there.
"""

from __future__ import annotations

import pytest

CONFTEST = """
import pytest

from pytest_asyncio import is_async_test

SEEN = {}
LOOPS = {}


def pytest_collection_modifyitems(items):
    for item in items:
        SEEN[item.name] = is_async_test(item)
        if is_async_test(item):
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)


@pytest.fixture
def seen():
    return SEEN


@pytest.fixture
def loops():
    return LOOPS
"""


def test_is_async_test_and_session_marks_added_at_collection(
    pytester: pytest.Pytester, mode: str
) -> None:
    pytester.makeconftest(CONFTEST)
    auto = mode == "auto"
    pytester.makepyfile(
        test_one="""
        import asyncio

        import pytest


        @pytest.mark.asyncio(loop_scope="function")
        async def test_marked_one(loops):
            loops["session"] = asyncio.get_running_loop()


        async def test_unmarked_one(loops):
            assert loops["session"] is asyncio.get_running_loop()


        def test_sync_one():
            pass
        """,
        test_two=f"""
        import asyncio

        import pytest


        @pytest.mark.asyncio
        async def test_marked_two(loops):
            assert loops["session"] is asyncio.get_running_loop()


        def test_report(seen):
            assert seen == {{
                "test_marked_one": True,
                "test_unmarked_one": {auto},
                "test_sync_one": False,
                "test_marked_two": True,
                "test_report": False,
            }}
        """,
    )
    result = pytester.runpytest()
    if auto:
        result.assert_outcomes(passed=5)
    else:
        # Unmarked in strict mode: not ours; it fails saying how to mark it.
        result.assert_outcomes(passed=4, failed=1)
        result.stdout.fnmatch_lines(["FAILED test_one.py::test_unmarked_one*"])
