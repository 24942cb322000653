"""The blocking check: a callback or task step that holds its event loop longer than
``asyncio_blocking_threshold`` fails the test during which it ran, in that phase, with the
stack of the code that held the loop, sampled while it did.

Thresholds and sleeps keep wide margins (a threshold of 0.2 s against a block of 1.0 s, clean
steps of a few ms), so that a loaded machine neither hides a finding nor makes one up.
"""

from __future__ import annotations

import re
import signal
import sys

import pytest

from pytest_asyncio import _messages

# In-process runs drop the modules each run imports: this keeps one copy of the check (and of
# the modules it imports) for them all, as a real run has, instead of one per run.
from pytest_asyncio._checks import _blocking  # noqa: F401

pytestmark = pytest.mark.timeout(60)

THRESHOLD = {"asyncio_checks": "blocking", "asyncio_blocking_threshold": "0.2"}

BODY = """
import time
import pytest

def wait_for_disk():
    time.sleep(1.0)

@pytest.mark.asyncio(loop_scope="{scope}")
async def test_reads():
    wait_for_disk()
"""

#: Any number of seconds where a template was formatted with these.
SECONDS = 9.87
AFTER = 8.76


def _lines(text: str) -> list[str]:
    """A regex per line of *text*, with any seconds where it says SECONDS or AFTER."""
    seconds = re.escape(f"{SECONDS:.2f}"), re.escape(f"{AFTER:.2f}")
    lines = []
    for line in text.splitlines():
        pattern = re.escape(line)
        for each in seconds:
            pattern = pattern.replace(each, r"\d+\.\d\d")
        lines.append(pattern)
    return lines


def _line(source: str, text: str) -> int:
    """The number of the line of *source* (as pytester writes it) that holds *text*."""
    return next(i for i, line in enumerate(source.strip().splitlines(), 1) if text in line)


def _stack(module: str, source: str, *frames: tuple[str, str]) -> str:
    """The stack a report shows for *frames*: (function, source line) pairs, outermost first."""
    lines = []
    for function, code in frames:
        lines += [f"  {module}.py:{_line(source, code)} in {function}", f"      {code}"]
    return "\n".join(lines)


def _finding(what: str, stack: str, threshold: float = 0.2) -> str:
    where = _messages.CHECK_BLOCKING_STACK.format(after=AFTER, stack=stack)
    text = _messages.CHECK_BLOCKING_HELD.format(
        what=what,
        seconds=SECONDS,
        threshold=threshold,
        where=where,
        fix=_messages.CHECK_BLOCKING_FIX,
    )
    return _messages.CHECK_FINDING.format(check="blocking", text=text)


def _header(nodeid: str, phase: str, count: int = 1) -> str:
    return _messages.CHECKS_FAILED.format(
        nodeid=nodeid, count=count, problems="problem" if count == 1 else "problems", phase=phase
    )


@pytest.mark.parametrize("scope", ["function", "module"])
def test_a_blocking_call_in_the_body_fails_the_test_with_its_line(
    pytester: pytest.Pytester, scope: str
) -> None:
    pytester.makeini("[pytest]\nasyncio_checks = blocking\nasyncio_blocking_threshold = 0.2\n")
    pytester.makepyfile(test_body=BODY.format(scope=scope))
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.re_match_lines(
        [
            re.escape(
                "asyncio checks found 1 problem during the body of test test_body.py::test_reads."
            ),
            "",
            re.escape("[blocking] test test_body.py::test_reads held the event loop for ")
            + r"\d\.\d\d"
            + re.escape(
                " s in one step, longer than the threshold of 0.2 s "
                "(asyncio_blocking_threshold): nothing else on the loop could run meanwhile. "
            )
            + r"0\.\d\d"
            + re.escape(" s into the step it was running here, outermost call first:"),
            re.escape("  test_body.py:9 in test_reads"),
            re.escape("      wait_for_disk()"),
            re.escape("  test_body.py:5 in wait_for_disk"),
            re.escape("      time.sleep(1.0)"),
            re.escape(
                "Run blocking code in a thread, with await asyncio.to_thread(func, *args) or "
                "await loop.run_in_executor(None, func, *args), or use an async API in its "
                "place (await asyncio.sleep() instead of time.sleep()). A step that is slow "
                "and fine (a first import) needs a higher asyncio_blocking_threshold, or the "
                "test a checks= list without blocking."
            ),
        ],
        consecutive=True,
    )


CALLBACK = """
import asyncio
import time
import pytest

@pytest.mark.asyncio
async def test_later():
    def on_ready():
        time.sleep(1.0)

    asyncio.get_running_loop().call_soon(on_ready)
    await asyncio.sleep(0.01)
"""


def test_a_blocking_callback_is_named_with_its_line(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_checks = blocking\nasyncio_blocking_threshold = 0.2\n")
    pytester.makepyfile(test_callback=CALLBACK)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    callback = (
        f"test_later.<locals>.on_ready() at test_callback.py:{_line(CALLBACK, 'def on_ready')}"
    )
    what = _messages.CHECK_BLOCKING_CALLBACK.format(callback=callback, of="")
    # A frame's qualified name is known from Python 3.11 (code.co_qualname).
    frame = "test_later.<locals>.on_ready" if sys.version_info >= (3, 11) else "on_ready"
    stack = _stack("test_callback", CALLBACK, (frame, "time.sleep(1.0)"))
    result.stdout.re_match_lines(
        _lines(_header("test_callback.py::test_later", "body") + "\n\n" + _finding(what, stack)),
        consecutive=True,
    )


TASK = """
import asyncio
import time
import pytest

async def read_all():
    await asyncio.sleep(0)
    time.sleep(1.0)

@pytest.mark.asyncio
async def test_spawns():
    reader = asyncio.create_task(read_all(), name="reader")
    await reader
"""


def test_a_blocking_task_is_named_with_its_creation_site(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_checks = blocking\nasyncio_blocking_threshold = 0.2\n")
    pytester.makepyfile(test_task=TASK)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    site = f"test_task.py:{_line(TASK, 'create_task')} in test_spawns"
    what = _messages.CHECK_BLOCKING_TASK.format(
        name="reader", created=_messages.CHECK_BLOCKING_CREATED.format(location=site), of=""
    )
    stack = _stack("test_task", TASK, ("read_all", "time.sleep(1.0)"))
    result.stdout.re_match_lines(_lines(_finding(what, stack)), consecutive=True)


FIXTURE = """
import time
import pytest
import pytest_asyncio

@pytest_asyncio.fixture(scope="{scope}", loop_scope="{scope}")
async def disk():
    {setup}
    yield
    {teardown}

@pytest.mark.asyncio(loop_scope="{scope}")
async def test_one(disk):
    pass

@pytest.mark.asyncio(loop_scope="{scope}")
async def test_two(disk):
    pass
"""


@pytest.mark.parametrize("phase", ["setup", "teardown"])
@pytest.mark.parametrize("scope", ["function", "module"])
def test_a_blocking_fixture_step_is_an_error_naming_the_fixture(
    pytester: pytest.Pytester, scope: str, phase: str
) -> None:
    pytester.makeini("[pytest]\nasyncio_checks = blocking\nasyncio_blocking_threshold = 0.2\n")
    blocks = {"setup": "pass", "teardown": "pass", phase: "time.sleep(1.0)"}
    source = FIXTURE.format(scope=scope, **blocks)
    pytester.makepyfile(test_fixture=source)
    result = pytester.runpytest("-p", "no:randomly")
    if scope == "function":
        what = _messages.CHECK_BLOCKING_FIXTURE.format(phase=phase, name="disk")
        # Each test sets up and tears down its own.
        outcomes = {"errors": 2} if phase == "setup" else {"passed": 2, "errors": 2}
    else:
        owner = _messages.CHECK_WIDE_FIXTURE.format(scope="module", name="disk")
        what = _messages.CHECK_BLOCKING_WIDE.format(phase=phase, owner=owner)
        # Set up in the first test's setup, torn down in the last test's teardown.
        outcomes = {"errors": 1, "passed": 1} if phase == "setup" else {"passed": 2, "errors": 1}
    result.assert_outcomes(**outcomes)
    stack = _stack("test_fixture", source, ("disk", "time.sleep(1.0)"))
    nodeid = (
        "test_fixture.py::test_two"
        if scope == "module" and phase == "teardown"
        else ("test_fixture.py::test_one")
    )
    result.stdout.re_match_lines(
        _lines(_header(nodeid, phase) + "\n\n" + _finding(what, stack)), consecutive=True
    )
    result.stdout.fnmatch_lines([f"*ERROR at {phase} of {nodeid.split('::')[1]}*"])


@pytest.mark.parametrize(
    ("session", "marker", "caught"),
    [
        pytest.param(None, None, False, id="session-off"),
        pytest.param("task-leaks", None, False, id="other-check-on"),
        pytest.param("blocking", "none", False, id="marker-turns-it-off"),
        pytest.param("blocking", "task-leaks", False, id="marker-leaves-it-out"),
        pytest.param(None, "blocking", True, id="marker-turns-it-on"),
        pytest.param("all", None, True, id="all"),
    ],
)
def test_the_check_runs_only_where_it_is_on(
    pytester: pytest.Pytester, session: str | None, marker: str | None, caught: bool
) -> None:
    lines = ["[pytest]", "asyncio_blocking_threshold = 0.2"]
    if session is not None:
        lines.append(f"asyncio_checks = {session}")
    pytester.makeini("\n".join(lines) + "\n")
    source = BODY.format(scope="function")
    if marker is not None:
        source = source.replace('loop_scope="function"', f"checks={marker!r}")
    pytester.makepyfile(test_body=source)
    result = pytester.runpytest("-p", "no:randomly")
    if caught:
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["[[]blocking[]] test test_body.py::test_reads held *"])
    else:
        result.assert_outcomes(passed=1)
        assert "[blocking]" not in result.stdout.str()


@pytest.mark.parametrize(
    ("ini_threshold", "cli", "caught"),
    [
        pytest.param("5", None, False, id="ini-above"),
        pytest.param("0.2", None, True, id="ini-below"),
        pytest.param("5", "0.2", True, id="cli-below-over-ini"),
        pytest.param("0.2", "5", False, id="cli-above-over-ini"),
    ],
)
def test_the_threshold_comes_from_the_command_line_else_the_ini_file(
    pytester: pytest.Pytester, ini_threshold: str, cli: str | None, caught: bool
) -> None:
    pytester.makeini(
        f"[pytest]\nasyncio_checks = blocking\nasyncio_blocking_threshold = {ini_threshold}\n"
    )
    pytester.makepyfile(test_body=BODY.format(scope="function"))
    args = [] if cli is None else [f"--asyncio-blocking-threshold={cli}"]
    result = pytester.runpytest("-p", "no:randomly", *args)
    if caught:
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*longer than the threshold of 0.2 s*"])
    else:
        result.assert_outcomes(passed=1)


TWO_TESTS = """
import asyncio
import time
import pytest

pytestmark = pytest.mark.asyncio(loop_scope="{scope}")

async def test_blocks():
    time.sleep(1.0)

async def test_clean():
    loop = asyncio.get_running_loop()
    loop.call_soon(time.sleep, 0.002)
    await asyncio.gather(*(asyncio.sleep(0.001) for _ in range(20)))
    await loop.run_in_executor(None, time.sleep, 0.3)
    await asyncio.wait_for(asyncio.sleep(0.01), timeout=5)
"""


@pytest.mark.parametrize("scope", ["function", "module"])
def test_a_finding_is_blamed_on_the_test_that_blocked_only(
    pytester: pytest.Pytester, scope: str
) -> None:
    # A threshold well above the clean test's steps, which a loaded machine may stretch.
    pytester.makeini("[pytest]\nasyncio_checks = blocking\nasyncio_blocking_threshold = 0.4\n")
    pytester.makepyfile(test_two=TWO_TESTS.format(scope=scope))
    result = pytester.runpytest("-p", "no:randomly", "-rA")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        ["PASSED test_two.py::test_clean", "FAILED test_two.py::test_blocks*"]
    )
    assert result.stdout.str().count("[blocking]") == 1


SYNC_FIXTURES = """
import time
import pytest
import pytest_asyncio

@pytest.fixture
def slow_sync():
    time.sleep(1.0)
    yield
    time.sleep(1.0)

@pytest_asyncio.fixture
async def on_top(slow_sync):
    yield

@pytest.fixture
def looked_up():
    time.sleep(1.0)
    return 1

@pytest.mark.asyncio
async def test_sync_fixtures(on_top, request):
    assert await pytest_asyncio.getfixturevalue(request, "looked_up") == 1
"""


def test_sync_fixtures_run_while_the_loop_is_stopped_and_do_not_count(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\nasyncio_checks = blocking\nasyncio_blocking_threshold = 0.2\n")
    pytester.makepyfile(test_sync=SYNC_FIXTURES)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1)


SHORT_STEPS = """
import asyncio
import time
import pytest

@pytest.mark.asyncio
async def test_short_steps():
    for _ in range(3):
        time.sleep(0.2)
        await asyncio.sleep(0)
    asyncio.get_running_loop().call_soon(time.sleep, 0.2)
    await asyncio.sleep(0.01)
"""


def test_steps_under_the_threshold_are_not_findings(pytester: pytest.Pytester) -> None:
    # Three steps of 0.2 s in a row are three steps, not one of 0.6 s.
    pytester.makeini("[pytest]\nasyncio_checks = blocking\nasyncio_blocking_threshold = 1\n")
    pytester.makepyfile(test_short=SHORT_STEPS)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1)


MANY = """
import asyncio
import time
import pytest

@pytest.mark.asyncio
async def test_blocks_often():
    for _ in range(7):
        time.sleep(0.5)
        await asyncio.sleep(0)
"""


def test_a_test_reports_five_steps_in_full_and_counts_the_rest(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\nasyncio_checks = blocking\nasyncio_blocking_threshold = 0.2\n")
    pytester.makepyfile(test_many=MANY)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert output.count("[blocking] test test_many.py::test_blocks_often held") == 5
    more = _messages.CHECK_BLOCKING_MORE.format(count=2, steps="steps", threshold=0.2, shown=5)
    result.stdout.fnmatch_lines(
        [_header("test_many.py::test_blocks_often", "body", count=6), f"[[]blocking[]] {more}"]
    )


@pytest.mark.python_independent  # through pytest-xdist's workers: one Python runs it
def test_xdist_reports_the_finding(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_checks = blocking\nasyncio_blocking_threshold = 0.2\n")
    pytester.makepyfile(test_two=TWO_TESTS.format(scope="function"))
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", timeout=60)
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "[[]blocking[]] test test_two.py::test_blocks held the event loop for *",
            "  test_two.py:8 in test_blocks",
            "      time.sleep(1.0)",
        ]
    )


def test_warnings_as_errors_change_nothing(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_checks = blocking\nasyncio_blocking_threshold = 0.2\n")
    pytester.makepyfile(test_body=BODY.format(scope="function"))
    result = pytester.runpytest("-p", "no:randomly", "-W", "error")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "[[]blocking[]] test test_body.py::test_reads held the event loop for *",
            "  test_body.py:9 in test_reads",
        ]
    )


TIMED = """
import time
import pytest

@pytest.mark.asyncio(timeout=0.5)
async def test_hangs():
    time.sleep(30)
"""


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="no pthread_kill")
def test_a_job_blocked_past_its_limit_gets_both_reports(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_checks = blocking\nasyncio_blocking_threshold = 0.2\n")
    pytester.makepyfile(test_timed=TIMED)
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=60)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "test test_timed.py::test_hangs ran longer than 0.5 s *interrupted*",
            "  test_timed.py:6 in test_hangs",
            "      time.sleep(30)",
            "*- asyncio checks -*",
            _header("test_timed.py::test_hangs", "body"),
            "",
            "[[]blocking[]] test test_timed.py::test_hangs held the event loop for *",
            "  test_timed.py:6 in test_hangs",
            "      time.sleep(30)",
        ]
    )


# Stands in for a user at pytest's debugger prompt, inside a step of the loop.
PROMPT_CONFTEST = """
import time
import pytest

@pytest.fixture
def prompt(request):
    config = request.config

    def at_prompt(seconds):
        config.hook.pytest_enter_pdb(config=config, pdb=None)
        try:
            time.sleep(seconds)
        finally:
            config.hook.pytest_leave_pdb(config=config, pdb=None)

    return at_prompt
"""

DEBUGGED = """
import time
import pytest

@pytest.mark.asyncio
async def test_debugged(prompt):
    prompt(1.0)
    time.sleep(0.05)

@pytest.mark.asyncio
async def test_debugged_then_blocks(prompt):
    prompt(1.0)
    time.sleep(1.0)
"""


def test_time_at_the_debugger_prompt_does_not_count(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_checks = blocking\nasyncio_blocking_threshold = 0.2\n")
    pytester.makeconftest(PROMPT_CONFTEST)
    pytester.makepyfile(test_debugged=DEBUGGED)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-rA", timeout=60)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["PASSED test_debugged.py::test_debugged"])
    # The step held the loop 2 s, 1 s of which at the prompt.
    result.stdout.re_match_lines(
        [
            re.escape("[blocking] test test_debugged.py::test_debugged_then_blocks held the ")
            + r"event loop for 1\.\d\d s in one step.*",
            re.escape("  test_debugged.py:12 in test_debugged_then_blocks"),
            re.escape("      time.sleep(1.0)"),
        ]
    )


REALISTIC = """
import asyncio
import sys
import time

import pytest
import pytest_asyncio


async def echo(reader, writer):
    while data := await reader.read(100):
        writer.write(data)
        await writer.drain()
    writer.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server():
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[:2]


@pytest_asyncio.fixture(loop_scope="module")
async def client(server):
    reader, writer = await asyncio.open_connection(*server)
    yield reader, writer
    writer.close()
    await writer.wait_closed()


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.mark.parametrize("n", range(3))
async def test_echo(client, n):
    reader, writer = client
    writer.write(b"ping %d" % n)
    await writer.drain()
    assert await asyncio.wait_for(reader.read(100), 5) == b"ping %d" % n


async def test_executor_and_threads():
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, time.sleep, 0.3)
    await asyncio.to_thread(time.sleep, 0.3)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="TaskGroup and timeout: 3.11+")
async def test_task_group_and_timeout():
    async with asyncio.timeout(5):
        async with asyncio.TaskGroup() as group:
            for _ in range(20):
                group.create_task(asyncio.sleep(0.01))
"""


def test_a_clean_suite_has_no_findings(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_checks = blocking\nasyncio_blocking_threshold = 0.2\n")
    pytester.makepyfile(test_clean=REALISTIC)
    result = pytester.runpytest("-p", "no:randomly")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes["passed"] >= 4
