"""Fixture lookup done the wrong way fails with a message that says the right way.

The sync ``request.getfixturevalue()`` cannot set up an async fixture from code running in an
event loop; the failure names the fixture and the awaitable form. The awaitable form only works
on a loop pytest-asyncio-ng runs; awaited elsewhere it raises a RuntimeError saying so.
"""

from __future__ import annotations

import textwrap

import pytest

from pytest_asyncio import _messages

FIXTURES = """
import asyncio

import pytest
import pytest_asyncio

SET_UP = []


@pytest_asyncio.fixture
async def resource():
    SET_UP.append("resource")
    await asyncio.sleep(0)
    return "resource value"
"""


def test_sync_lookup_of_async_fixture_from_async_test(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makeconftest(FIXTURES)
    pytester.makepyfile(
        test_sync_form="""
        import pytest

        from conftest import SET_UP


        @pytest.mark.asyncio
        async def test_sync_form(request):
            request.getfixturevalue("resource")


        @pytest.mark.asyncio
        async def test_sync_form_of_a_fixture_already_set_up(request, resource):
            assert request.getfixturevalue("resource") == resource == "resource value"


        def test_resource_was_set_up_once():
            assert SET_UP == ["resource"]
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=1, warnings=0)
    message = _messages.FIXTURE_FROM_RUNNING_LOOP.format(name="resource")
    # pytrace=False: the message alone, as the failure's whole text
    result.stdout.fnmatch_lines(["*_ test_sync_form _*", message])
    assert "never awaited" not in result.stdout.str()


@pytest.mark.parametrize(
    "test",
    [
        pytest.param(
            """
            def test_lookup(request):
                asyncio.run(pytest_asyncio.getfixturevalue(request, "resource"))
            """,
            id="asyncio.run-in-sync-test",
        ),
        pytest.param(
            """
            @pytest.mark.asyncio
            async def test_lookup(request):
                lookup = pytest_asyncio.getfixturevalue(request, "resource")
                await asyncio.to_thread(asyncio.run, lookup)
            """,
            id="thread-of-async-test",
        ),
    ],
)
def test_awaited_on_a_foreign_loop(pytester: pytest.Pytester, mode: str, test: str) -> None:
    pytester.makeconftest(FIXTURES)
    header = """
        import asyncio

        import pytest
        import pytest_asyncio

        from conftest import SET_UP
        """
    footer = """
        def test_resource_was_not_set_up():
            assert SET_UP == []
        """
    pytester.makepyfile(test_foreign="\n".join(map(textwrap.dedent, (header, test, footer))))
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1, warnings=0)
    message = _messages.GETFIXTUREVALUE_FOREIGN_LOOP.format(name="resource")
    result.stdout.fnmatch_lines([f"E *RuntimeError: {message}"])
