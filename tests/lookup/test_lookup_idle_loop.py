"""The idle-loop trap (issue 9, item 9): a wider-scoped async fixture starts a server on its
loop, and a test on a loop of its own talks to it. The fixture's loop does not run during the
test, so the server never answers and the test times out. The failure report gets a section
naming the fixture, its loop, what that loop holds open, and the loop scope that fixes it;
a passing test gets no section, and following the advice makes the test pass.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_asyncio import _diagnosis, _messages

IniWriter = Callable[..., None]

# The inner tests time out after half a second by themselves; this bounds a hang of the run.
pytestmark = pytest.mark.timeout(60)

SERVER = """
import asyncio

import pytest
import pytest_asyncio


async def echo(reader, writer):
    writer.write(await reader.readline())
    await writer.drain()
    writer.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def server():
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[:2]


async def ping(address):
    reader, writer = await asyncio.open_connection(*address)
    try:
        writer.write(b"ping\\n")
        return await asyncio.wait_for(reader.readline(), 0.5)
    finally:
        writer.close()
"""

TALKS = """
{mark}
async def test_talks_to_it(server):
    assert await ping(server) == b"ping\\n"
"""

PASSES = """
@pytest.mark.asyncio
async def test_does_not_talk_to_it(server):
    assert server[0] == "127.0.0.1"


@pytest.mark.asyncio
async def test_fails_otherwise(server):
    raise AssertionError("unrelated, but the idle loop still holds the server")
"""


def _section(port: str = "*") -> list[str]:
    return [
        f"*- {_diagnosis.SECTION} -*",
        _messages.IDLE_LOOP_HEADER.format(loop_scope="function"),
        _messages.IDLE_LOOP_FIXTURE.format(
            name="server",
            loop_scope="session",
            sockets=_messages.SOCKET_LISTENING.format(address=f"127.0.0.1:{port}"),
        ),
        _messages.IDLE_LOOP_FIX.format(scope="session"),
    ]


def test_report_names_the_idle_fixture_loop(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(test_server=SERVER + TALKS.format(mark="@pytest.mark.asyncio"))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E   *TimeoutError*", *_section()])


def test_the_text_a_user_sees(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini()
    pytester.makepyfile(test_server=SERVER + TALKS.format(mark="@pytest.mark.asyncio"))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- event loops (pytest-asyncio-ng) -*",
            "This test ran on its own function-scoped loop while another loop held open "
            "sockets. That loop is idle during the test: nothing on it runs, so a server there "
            "accepts no connection and sends no answer, and the test waits for it, often until "
            "a timeout.",
            "  fixture 'server': the session-scoped loop, which holds a server listening on "
            "127.0.0.1:*",
            "Run the test on that loop: give it the same loop scope with "
            "@pytest.mark.asyncio(loop_scope='session'), or set "
            "asyncio_default_test_loop_scope = session for every test.",
        ]
    )


@pytest.mark.parametrize("how", ["mark", "ini"])
def test_following_the_advice_makes_it_pass(
    pytester: pytest.Pytester, ini: IniWriter, how: str
) -> None:
    if how == "mark":
        ini()
        mark = '@pytest.mark.asyncio(loop_scope="session")'
    else:
        ini(asyncio_default_test_loop_scope="session")
        mark = "@pytest.mark.asyncio"
    pytester.makepyfile(test_server=SERVER + TALKS.format(mark=mark))
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_only_failing_tests_get_the_section(pytester: pytest.Pytester, mode: str) -> None:
    """A passing test on its own loop next to the busy one gets nothing; a test failing for
    another reason while the loop is idle gets the section (the server may be the cause)."""
    pytester.makepyfile(test_server=SERVER + PASSES)
    result = pytester.runpytest("-rA")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*_ test_fails_otherwise _*", *_section()])
    assert result.stdout.str().count(_diagnosis.SECTION) == 1


def test_a_loop_held_by_no_fixture_of_the_test(pytester: pytest.Pytester, mode: str) -> None:
    """The test reaches the server through a module global, not the fixture: the section still
    names the idle loop and what it holds."""
    pytester.makepyfile(
        test_server=SERVER
        + """
ADDRESS = []


@pytest.mark.asyncio(loop_scope="session")
async def test_starts_it(server):
    ADDRESS.extend(server)


@pytest.mark.asyncio
async def test_talks_to_it():
    assert await ping(ADDRESS) == b"ping\\n"
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            _messages.IDLE_LOOP_HEADER.format(loop_scope="function"),
            _messages.IDLE_LOOP_UNNAMED.format(
                loop_scope="session",
                sockets=_messages.SOCKET_LISTENING.format(address="127.0.0.1:*"),
            ),
            _messages.IDLE_LOOP_FIX.format(scope="session"),
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "  the session-scoped loop (no async fixture of this test), which holds a server "
            "listening on 127.0.0.1:*"
        ]
    )


def test_connections_and_other_descriptors_are_described(
    pytester: pytest.Pytester, mode: str
) -> None:
    """A module-loop fixture holds a connection and a pipe reader while a test on its own
    loop fails: each is described."""
    pytester.makepyfile(
        test_connection="""
        import asyncio
        import os

        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture(scope="module", loop_scope="module")
        async def connection():
            read_end, write_end = os.pipe()
            loop = asyncio.get_running_loop()
            loop.add_reader(read_end, lambda: None)
            accepted = []  # kept: Python 3.13 closes a writer that is garbage collected
            server = await asyncio.start_server(lambda r, w: accepted.append(w), "127.0.0.1", 0)
            reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
            server.close()
            await asyncio.sleep(0.01)  # the transports start reading in callbacks of their own
            yield reader
            for each in [writer, *accepted]:
                each.close()
            loop.remove_reader(read_end)
            os.close(read_end)
            os.close(write_end)


        @pytest.mark.asyncio
        async def test_waits_for_an_answer(connection):
            await asyncio.sleep(0.01)
            raise AssertionError("no answer came")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            _messages.IDLE_LOOP_HEADER.format(loop_scope="function"),
            "  fixture 'connection': the module-scoped loop, which holds "
            + ", ".join(
                [
                    _messages.SOCKET_OTHER.format(fd="*"),
                    _messages.SOCKET_CONNECTED.format(address="127.0.0.1:*", peer="127.0.0.1:*"),
                ]
            )
            + "*",
            _messages.IDLE_LOOP_FIX.format(scope="module"),
        ]
    )
    result.stdout.re_match_lines(
        [
            r"  fixture 'connection': the module-scoped loop, which holds file descriptor \d+, "
            r"a connection from 127\.0\.0\.1:\d+ to 127\.0\.0\.1:\d+"
        ]
    )


def test_a_fixture_on_a_narrower_loop(pytester: pytest.Pytester, mode: str) -> None:
    """The test runs on the module loop, the fixture's server on the test's function loop: the
    advice widens the fixture's loop to the test's."""
    pytester.makepyfile(
        test_narrow=SERVER.replace('scope="session", loop_scope="session"', 'loop_scope="function"')
        + TALKS.format(mark='@pytest.mark.asyncio(loop_scope="module")')
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            _messages.IDLE_LOOP_HEADER.format(loop_scope="module"),
            _messages.IDLE_LOOP_FIXTURE.format(
                name="server",
                loop_scope="function",
                sockets=_messages.SOCKET_LISTENING.format(address="127.0.0.1:*"),
            ),
            _messages.DIFFERENT_LOOP_FIX.format(scope="module"),
        ]
    )


def test_the_troubleshooting_page_quotes_the_section() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "troubleshooting.md").read_text()
    fixture = _messages.IDLE_LOOP_FIXTURE.format(
        name="server",
        loop_scope="session",
        sockets=_messages.SOCKET_LISTENING.format(address="127.0.0.1:41234"),
    )
    for line in [
        _messages.IDLE_LOOP_HEADER.format(loop_scope="function"),
        fixture,
        _messages.IDLE_LOOP_FIX.format(scope="session"),
    ]:
        assert f"\n{line}\n" in page
