"""Explaining "attached to a different loop" failures (SPEC "Loops and scopes", better than the
reference): when a test fails because an asyncio object made on one loop is used on another,
its report gets a section naming each async fixture of the test with its loop scope, the test's
own loop scope, and the one loop scope that puts them all on one loop. Following that advice
makes the test pass.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

from pytest_asyncio import _diagnosis, _messages

IniWriter = Callable[..., None]

# Each kind of object is made (and bound to its loop) by a fixture on the module's loop; the
# test then uses it on its own loop. On one loop the test passes; on two, asyncio raises.
OBJECTS = {
    "future": (
        """
        @pytest_asyncio.fixture(loop_scope="module")
        async def shared():
            return asyncio.get_running_loop().create_future()
        """,
        """
            asyncio.get_running_loop().call_soon(shared.set_result, "ready")
            assert await shared == "ready"
        """,
    ),
    "queue": (
        """
        @pytest_asyncio.fixture(loop_scope="module")
        async def shared():
            queue = asyncio.Queue()
            getter = asyncio.ensure_future(queue.get())
            await asyncio.sleep(0)
            queue.put_nowait("binds the queue to this loop")
            await getter
            return queue
        """,
        """
            asyncio.get_running_loop().call_soon(shared.put_nowait, "item")
            assert await shared.get() == "item"
        """,
    ),
    "lock": (
        """
        @pytest_asyncio.fixture(loop_scope="module")
        async def shared():
            lock = asyncio.Lock()
            async with lock:
                waiter = asyncio.ensure_future(lock.acquire())
                await asyncio.sleep(0)
            await waiter
            lock.release()
            return lock
        """,
        """
            await shared.acquire()
            asyncio.get_running_loop().call_soon(shared.release)
            await shared.acquire()
            shared.release()
        """,
    ),
}

HEAD = """
import asyncio

import pytest
import pytest_asyncio


@pytest_asyncio.fixture
async def on_function_loop():
    return asyncio.get_running_loop()


@pytest.fixture
def sync_resource():
    return "not an async fixture"
"""

TEST = """
{mark}
async def test_uses_it(shared, on_function_loop, sync_resource):
    assert on_function_loop is not None
"""

SYMPTOMS = {
    "future": "attached to a different loop",
    "queue": "is bound to a different event loop",
    "lock": "is bound to a different event loop",
}


def _write(pytester: pytest.Pytester, kind: str, mark: str = "@pytest.mark.asyncio") -> None:
    fixture, body = OBJECTS[kind]
    source = textwrap.dedent(HEAD) + textwrap.dedent(fixture)
    source += TEST.format(mark=mark) + textwrap.indent(textwrap.dedent(body).lstrip("\n"), "    ")
    pytester.makepyfile(test_shared=source)


def _section(fixtures: dict[str, str], test_scope: str, widest: str) -> list[str]:
    return [
        f"*- {_diagnosis.SECTION} -*",
        _messages.DIFFERENT_LOOP_HEADER,
        *(
            _messages.DIFFERENT_LOOP_FIXTURE.format(name=name, loop_scope=scope)
            for name, scope in fixtures.items()
        ),
        _messages.DIFFERENT_LOOP_TEST.format(loop_scope=test_scope),
        _messages.DIFFERENT_LOOP_FIX.format(scope=widest),
    ]


@pytest.mark.parametrize("kind", list(OBJECTS))
def test_report_explains_the_loops(pytester: pytest.Pytester, mode: str, kind: str) -> None:
    _write(pytester, kind)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"E   *RuntimeError: *{SYMPTOMS[kind]}*",
            *_section(
                {"shared": "module", "on_function_loop": "function"},
                test_scope="function",
                widest="module",
            ),
        ],
        consecutive=False,
    )
    assert result.stdout.str().count(_messages.DIFFERENT_LOOP_HEADER) == 1


@pytest.mark.parametrize("kind", list(OBJECTS))
@pytest.mark.parametrize("how", ["mark", "ini"])
def test_following_the_advice_makes_it_pass(
    pytester: pytest.Pytester, ini: IniWriter, kind: str, how: str
) -> None:
    if how == "mark":
        ini()
        _write(pytester, kind, mark='@pytest.mark.asyncio(loop_scope="module")')
    else:
        ini(asyncio_default_test_loop_scope="module", asyncio_default_fixture_loop_scope="module")
        _write(pytester, kind)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_no_section_for_an_unrelated_failure(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(
        test_unrelated="""
        import asyncio

        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture(loop_scope="module")
        async def on_module_loop():
            return asyncio.get_running_loop()


        @pytest.mark.asyncio
        async def test_fails(on_module_loop):
            assert on_module_loop is asyncio.get_running_loop(), "plainly different"


        @pytest.mark.asyncio
        async def test_fails_otherwise(on_module_loop):
            raise RuntimeError("something else went wrong")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        ["E *AssertionError: plainly different", "E *RuntimeError: something else went wrong"]
    )
    output = result.stdout.str()
    assert _diagnosis.SECTION not in output
    assert _messages.DIFFERENT_LOOP_HEADER not in output


def test_fixture_looked_up_by_the_test_is_listed(pytester: pytest.Pytester, mode: str) -> None:
    """A fixture the test got with ``await pytest_asyncio.getfixturevalue()`` is used too."""
    fixture, _ = OBJECTS["future"]
    pytester.makepyfile(
        test_lookup=textwrap.dedent(HEAD)
        + textwrap.dedent(fixture)
        + textwrap.dedent(
            """
            @pytest.mark.asyncio
            async def test_looks_it_up(request, on_function_loop):
                future = await pytest_asyncio.getfixturevalue(request, "shared")
                asyncio.get_running_loop().call_soon(future.set_result, "ready")
                assert await future == "ready"
            """
        )
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        _section(
            {"on_function_loop": "function", "shared": "module"},
            test_scope="function",
            widest="module",
        )
    )


def test_each_test_is_explained_with_its_own_fixture(pytester: pytest.Pytester, mode: str) -> None:
    """A conftest fixture and a module's override of it have one name and two loop scopes: the
    report names the loop scope of the fixture the failing test used."""
    pytester.makeconftest(
        """
        import asyncio

        import pytest_asyncio


        @pytest_asyncio.fixture(scope="session", loop_scope="session")
        async def shared():
            queue = asyncio.Queue()
            getter = asyncio.ensure_future(queue.get())
            await asyncio.sleep(0)
            queue.put_nowait("binds the queue to this loop")
            await getter
            return queue
        """
    )
    test_file = """
        import asyncio

        import pytest


        @pytest.mark.asyncio
        async def test_awaits_it(shared):
            await shared.get()  # bound to the session's loop: fails at once
        """
    pytester.makepyfile(
        test_a_session=test_file,
        test_b_override="""
        import asyncio

        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture
        async def shared():
            return asyncio.Queue()


        @pytest.mark.asyncio
        async def test_uses_its_own(shared):
            asyncio.get_running_loop().call_soon(shared.put_nowait, "item")
            assert await shared.get() == "item"
        """,
        test_c_session=test_file,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=2)
    section = _section({"shared": "session"}, test_scope="function", widest="session")
    result.stdout.fnmatch_lines(
        ["*_ test_awaits_it _*", *section, "*_ test_awaits_it _*", *section]
    )


def test_the_test_task_is_named_as_such(pytester: pytest.Pytester, mode: str) -> None:
    """asyncio names the awaiting task in its message; when that task ran the test body, the
    section says it is the test's task, without naming how the plugin runs it."""
    _write(pytester, "future")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            _messages.DIFFERENT_LOOP_TEST.format(loop_scope="function"),
            _messages.DIFFERENT_LOOP_TASK.format(loop_scope="function"),
            _messages.DIFFERENT_LOOP_FIX.format(scope="module"),
        ]
    )
    after_header = result.stdout.str().split(_diagnosis.SECTION, 1)[1]
    # the section ends where pytest's short summary begins; that summary quotes the raw
    # asyncio error (untruncated when CI is set), which is not ours to reword
    section = after_header.split("short test summary info", 1)[0]
    assert _messages.DIFFERENT_LOOP_TASK.format(loop_scope="function") in section
    assert "Task-" not in section
    assert "_drive" not in section
    assert "driver" not in section


def test_the_task_line_as_a_user_reads_it(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini()
    _write(pytester, "future")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  the test itself: the function-scoped loop",
            "The task in the error is this test's task, which runs the test on its "
            "function-scoped loop; what it awaited was made on another loop.",
        ]
    )


def test_a_task_the_test_made_is_not_called_the_tests(pytester: pytest.Pytester, mode: str) -> None:
    """The future is awaited in a task the test created: asyncio names that task, not the
    test's, so the section does not claim it is the test's."""
    fixture, _ = OBJECTS["future"]
    pytester.makepyfile(
        test_own_task=textwrap.dedent(HEAD)
        + textwrap.dedent(fixture)
        + textwrap.dedent(
            """
            @pytest.mark.asyncio
            async def test_awaits_in_a_task(shared):
                async def wait():
                    return await shared

                await asyncio.create_task(wait(), name="waiter")
            """
        )
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E   *RuntimeError: Task <Task pending name='waiter'*attached to a different loop",
            *_section({"shared": "module"}, test_scope="function", widest="module"),
        ]
    )
    assert _messages.DIFFERENT_LOOP_TASK.format(loop_scope="function") not in result.stdout.str()
