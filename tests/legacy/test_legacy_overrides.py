"""A user's own ``event_loop`` fixture (pytest-asyncio < 1.0 suites) is honoured below it.

Async tests and async fixtures below the override run on its loop, whether or not they request
it; tests elsewhere do not. The user's fixture owns the loop: we never close it, and leave no
task in it that would be destroyed pending when the user closes it. Each override gets one
deprecation warning, pointing at the fixture's definition. A whole old-style suite passes as it
is.
"""

from __future__ import annotations

import gc
import logging
import os
import textwrap
from collections.abc import Iterator

import pytest

from pytest_asyncio import _messages

# The classic recipe, with the loop tagged so that tests can tell it apart. Its teardown
# raises if the loop was closed behind its back, which shows as an error in the outcome.
OVERRIDE = """
@pytest.fixture(scope="{scope}")
def event_loop():
    loop = asyncio.new_event_loop()
    loop.made_by_the_user = True
    yield loop
    if loop.is_closed():
        raise RuntimeError("the user's loop was closed by someone else")
    loop.close()
"""

COVERED_TESTS = """
import asyncio

import pytest
import pytest_asyncio

SEEN = []


@pytest_asyncio.fixture
async def fixture_loop():
    await asyncio.sleep(0)
    yield asyncio.get_running_loop()
    assert getattr(asyncio.get_running_loop(), "made_by_the_user", False)


@pytest.mark.asyncio
async def test_requests_it(event_loop, fixture_loop):
    assert asyncio.get_running_loop() is event_loop
    assert fixture_loop is event_loop
    assert event_loop.made_by_the_user
    SEEN.append(event_loop)


@pytest.mark.asyncio
async def test_does_not_request_it(fixture_loop):
    loop = asyncio.get_running_loop()
    assert loop.made_by_the_user
    assert fixture_loop is loop
    SEEN.append(loop)


@pytest.mark.asyncio(loop_scope="module")
async def test_explicit_loop_scope():
    # An explicit loop scope decides, as in 1.x: not the override's loop.
    assert not hasattr(asyncio.get_running_loop(), "made_by_the_user")


def test_sync_runs_until_complete(event_loop):
    assert event_loop.made_by_the_user
    assert event_loop.run_until_complete(asyncio.sleep(0, "done")) == "done"
    SEEN.append(event_loop)


def test_loops_seen():
    assert len({{id(loop) for loop in SEEN}}) == {distinct}
    assert all(loop.is_closed() for loop in SEEN[:-1]) == ({distinct} > 1)
"""

OUTSIDE_TESTS = """
import asyncio

import pytest
import pytest_asyncio


@pytest_asyncio.fixture
async def fixture_loop():
    return asyncio.get_running_loop()


@pytest.mark.asyncio
async def test_outside(fixture_loop):
    loop = asyncio.get_running_loop()
    assert not hasattr(loop, "made_by_the_user")
    assert fixture_loop is loop
"""


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def asyncio_errors() -> Iterator[list[logging.LogRecord]]:
    """What asyncio logs during the inner run (in-process, so the outer test sees it), e.g.
    "Task was destroyed but it is pending!" or an exception in a callback."""
    handler = _Records()
    logger = logging.getLogger("asyncio")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("scope", "where", "distinct"),
    [
        pytest.param("session", "conftest.py", 1, id="session-conftest"),
        pytest.param("function", "conftest.py", 3, id="function-conftest"),
        pytest.param("module", "test_covered.py", 1, id="module-test-module"),
    ],
)
def test_override_is_honoured_below_it(
    pytester: pytest.Pytester,
    mode: str,
    asyncio_errors: list[logging.LogRecord],
    scope: str,
    where: str,
    distinct: int,
) -> None:
    covered = pytester.mkdir("covered")
    override = "import asyncio\n\nimport pytest\n\n" + OVERRIDE.format(scope=scope)
    tests = COVERED_TESTS.format(distinct=distinct)
    if where == "conftest.py":
        (covered / "conftest.py").write_text(override)
    else:
        tests += OVERRIDE.format(scope=scope)
    (covered / "test_covered.py").write_text(tests)
    pytester.makepyfile(test_outside=OUTSIDE_TESTS)
    result = pytester.runpytest("-W", "always::pytest_asyncio.PytestAsyncioDeprecationWarning")
    gc.collect()
    result.assert_outcomes(passed=6, warnings=1)
    lines = (covered / where).read_text().splitlines()
    lineno = lines.index(f'@pytest.fixture(scope="{scope}")') + 1
    message = _messages.EVENT_LOOP_FIXTURE_OVERRIDDEN.format(
        location=f"covered{os.sep}{where}:{lineno}", scope=scope
    )
    output = result.stdout.str()
    assert output.count(f"PytestAsyncioDeprecationWarning: {message}") == 1, output
    assert [record.getMessage() for record in asyncio_errors] == []


def test_one_warning_per_override(pytester: pytest.Pytester, mode: str) -> None:
    """Two overrides, each covering two test modules: two warnings."""
    override = "import asyncio\n\nimport pytest\n\n" + OVERRIDE.format(scope="session")
    test_file = textwrap.dedent(
        """
        import asyncio

        import pytest


        @pytest.mark.asyncio
        async def test_covered():
            assert asyncio.get_running_loop().made_by_the_user
        """
    )
    for directory in ("first", "second"):
        path = pytester.mkdir(directory)
        (path / "conftest.py").write_text(override)
        (path / f"test_{directory}_1.py").write_text(test_file)
        (path / f"test_{directory}_2.py").write_text(test_file)
    result = pytester.runpytest("-W", "always::pytest_asyncio.PytestAsyncioDeprecationWarning")
    result.assert_outcomes(passed=4, warnings=2)
    lineno = override.splitlines().index('@pytest.fixture(scope="session")') + 1
    output = result.stdout.str()
    for directory in ("first", "second"):
        location = f"{directory}{os.sep}conftest.py:{lineno}"
        message = _messages.EVENT_LOOP_FIXTURE_OVERRIDDEN.format(location=location, scope="session")
        assert output.count(message) == 1, output


# An old-style suite, as written for pytest-asyncio 0.21: a session event_loop override in
# conftest.py, @pytest.mark.asyncio tests, a session-scoped async fixture (an echo server) and
# sync tests that drive the loop with event_loop.run_until_complete. It passes as it is, in
# both modes, with only the deprecation warning for the override.

SUITE_CONFTEST = """
import asyncio

import pytest
import pytest_asyncio


@pytest.fixture(scope="session")
def event_loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


async def echo(reader, writer):
    writer.write(await reader.readline())
    await writer.drain()
    writer.close()
    await writer.wait_closed()


@pytest_asyncio.fixture(scope="session")
async def server():
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    server.loop = asyncio.get_running_loop()
    yield server
    assert asyncio.get_running_loop() is server.loop
    server.close()
    await server.wait_closed()


async def roundtrip(server, text):
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(text.encode() + b"\\n")
    line = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    await writer.wait_closed()
    return line.decode().strip()
"""

SUITE_TESTS = """
import asyncio

import pytest

from conftest import roundtrip


def test_sync_first(event_loop, server):
    assert server.loop is event_loop
    assert event_loop.run_until_complete(roundtrip(server, "sync")) == "sync"


@pytest.mark.asyncio
async def test_async(server, event_loop):
    assert asyncio.get_running_loop() is event_loop is server.loop
    assert await roundtrip(server, "async") == "async"


@pytest.mark.asyncio
async def test_async_without_event_loop(server):
    assert asyncio.get_running_loop() is server.loop
    assert await roundtrip(server, "again") == "again"


class TestClass:
    @pytest.mark.asyncio
    async def test_method(self, server):
        assert asyncio.get_running_loop() is server.loop

    def test_sync_method(self, event_loop, server):
        assert server.loop is event_loop
        assert event_loop.run_until_complete(roundtrip(server, "method")) == "method"
"""


def test_old_style_suite_passes(
    pytester: pytest.Pytester, mode: str, asyncio_errors: list[logging.LogRecord]
) -> None:
    pytester.makeconftest(SUITE_CONFTEST)
    pytester.makepyfile(test_old_style=SUITE_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    gc.collect()
    result.assert_outcomes(passed=5, warnings=1)
    conftest = (pytester.path / "conftest.py").read_text().splitlines()
    lineno = conftest.index('@pytest.fixture(scope="session")') + 1
    message = _messages.EVENT_LOOP_FIXTURE_OVERRIDDEN.format(
        location=f"conftest.py:{lineno}", scope="session"
    )
    assert f"PytestAsyncioDeprecationWarning: {message}" in result.stdout.str()
    assert [record.getMessage() for record in asyncio_errors] == []
