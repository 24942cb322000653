"""Deadlocks on virtual time: a test (or an async fixture's step) whose loop can never wake up
again fails at once, with every waiting task and where it waits; the run goes on.

Each inner run is a subprocess with an outer bound, and most carry an ``--asyncio-timeout``
too: if detection breaks, the run ends on the timeout (and the test fails) instead of hanging.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from pytest_asyncio import _messages

# A broken detection must not hang the suite.
pytestmark = pytest.mark.timeout(120)

#: The inner runs' limit: far longer than a detected deadlock takes, far shorter than ours.
LIMIT = "--asyncio-timeout=20"
#: Where the report says the job was, as the short summary shows it.
CANNOT_FINISH = "can never finish: every task on its"


def line_of(source: str, text: str) -> int:
    """The number of the first line of *source* holding *text*, as pytester writes it (it
    drops the leading blank lines)."""
    lines = source.strip("\n").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


EVENT = """
import asyncio
import pytest


async def wait_for_ready(event):
    await event.wait()


@pytest.mark.asyncio(clock="virtual")
async def test_waits_for_nobody():
    ready = asyncio.Event()
    await wait_for_ready(ready)


@pytest.mark.asyncio(clock="virtual")
async def test_after():
    await asyncio.sleep(3600)
"""


def test_report_of_an_event_nobody_sets(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_event=EVENT)
    result = pytester.runpytest_subprocess("-p", "no:randomly", LIMIT, timeout=60)
    result.assert_outcomes(failed=1, passed=1)
    # The literal text a user sees, every line of the failure in order.
    result.stdout.fnmatch_lines(
        [
            "*_ test_waits_for_nobody _*",
            "test test_event.py::test_waits_for_nobody can never finish: every task on its "
            "function-scoped event loop of test_event.py::test_waits_for_nobody is waiting, "
            "no timer is scheduled, and nothing outside the loop can wake it (no socket or "
            "pipe it watches, no executor job, subprocess or thread at work, no signal "
            "handler). On virtual time that is a deadlock, so it was cancelled at once instead "
            "of hanging. The waiting tasks, each with where it waits, outermost call first:",
            "test test_event.py::test_waits_for_nobody, waiting here:",
            "  test_event.py:12 in test_waits_for_nobody",
            "      await wait_for_ready(ready)",
            "  test_event.py:6 in wait_for_ready",
            "      await event.wait()",
            "Each innermost await above waits for something only one of these tasks could do: "
            "set an event or a future, release a lock, put an item in a queue. Make the code "
            "that should do it run, or bound the wait with asyncio.timeout().",
            "*= short test summary info =*",
            "FAILED test_event.py::test_waits_for_nobody - Deadlocked: test test_event.py*",
            "*= 1 failed, 1 passed in *",
        ]
    )
    output = result.stdout.str()
    assert "ran longer than" not in output  # not the timeout's report
    assert "All traceback entries are hidden" not in output
    assert "pytest_asyncio" not in output


CYCLES = {
    "futures": (
        """
    loop = asyncio.get_running_loop()
    ping, pong = loop.create_future(), loop.create_future()

    async def first():
        await ping
        pong.set_result(None)

    async def second():
        await pong
        ping.set_result(None)
""",
        ["      await ping"],
        ["      await pong"],
    ),
    "locks": (
        """
    a, b = asyncio.Lock(), asyncio.Lock()

    async def first():
        async with a:
            await asyncio.sleep(0)  # the other task takes b meanwhile
            async with b:
                pass

    async def second():
        async with b:
            await asyncio.sleep(0)
            async with a:
                pass
""",
        ["      async with b:"],
        ["      async with a:"],
    ),
}

CYCLE = """
import asyncio
import pytest


@pytest.mark.asyncio(clock="virtual")
async def test_cycle():
{body}
    tasks = [
        asyncio.create_task(first(), name="first"),
        asyncio.create_task(second(), name="second"),
    ]
    await asyncio.gather(*tasks)
"""


@pytest.mark.parametrize("kind", list(CYCLES))
def test_a_cycle_between_two_tasks_lists_both(pytester: pytest.Pytester, kind: str) -> None:
    body, first, second = CYCLES[kind]
    pytester.makepyfile(test_cycle=CYCLE.format(body=body))
    # Debug mode records where each task was created: the report shows it.
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "--asyncio-debug", LIMIT, timeout=60
    )
    result.assert_outcomes(failed=1)
    source = CYCLE.format(body=body)
    result.stdout.fnmatch_lines(
        [
            "test test_cycle.py::test_cycle can never finish: *",
            "test test_cycle.py::test_cycle, waiting here:",
            f"  test_cycle.py:{line_of(source, 'gather(')} in test_cycle",
            "      await asyncio.gather(*tasks)",
        ]
    )
    for name, chain in (("first", first), ("second", second)):
        created = line_of(source, f'name="{name}"')
        result.stdout.fnmatch_lines(
            [
                f"task {name!r} (created at test_cycle.py:{created} in test_cycle), waiting here:",
                f"  test_cycle.py:* in *{name}",
                *chain,
            ]
        )
    assert "ran longer than" not in result.stdout.str()


QUEUE = """
import asyncio
import pytest


@pytest.mark.asyncio(clock="virtual")
async def test_queue():
    jobs = asyncio.Queue()
    await jobs.get()
"""


def test_a_queue_nobody_puts_into(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_queue=QUEUE)
    result = pytester.runpytest_subprocess(LIMIT, timeout=60)
    result.assert_outcomes(failed=1)
    what = "test test_queue.py::test_queue"
    tasks = "\n".join([f"{what}, waiting here:", "  test_queue.py:8 in test_queue"])
    tasks += "\n      await jobs.get()"
    message = _messages.DEADLOCK.format(
        what=what, loop="function-scoped event loop of test_queue.py::test_queue", tasks=tasks
    )
    assert message in result.stdout.str()


FIXTURE = """
import asyncio
import pytest
import pytest_asyncio


@pytest_asyncio.fixture
async def connection():
    {setup}
    yield "connection"
    {teardown}


@pytest.mark.asyncio(clock="virtual")
async def test_uses(connection):
    await asyncio.sleep(60)


@pytest.mark.asyncio(clock="virtual")
async def test_next():
    await asyncio.sleep(60)
"""
NEVER = "await asyncio.Event().wait()"


@pytest.mark.parametrize("phase", ["setup", "teardown"])
def test_a_fixture_step_that_deadlocks_errors_naming_it(
    pytester: pytest.Pytester, phase: str
) -> None:
    steps = {"setup": "pass", "teardown": "pass", phase: NEVER}
    pytester.makepyfile(test_fixture=FIXTURE.format(**steps))
    result = pytester.runpytest_subprocess("-p", "no:randomly", LIMIT, timeout=60)
    outcomes = {"setup": {"errors": 1, "passed": 1}, "teardown": {"errors": 1, "passed": 2}}
    result.assert_outcomes(**outcomes[phase])
    what = _messages.TIMED_OUT_FIXTURE.format(phase=phase, name="connection")
    line = line_of(FIXTURE, "{" + phase + "}")
    result.stdout.fnmatch_lines(
        [
            f"*_ ERROR at {phase} of test_uses _*",
            f"{what} can never finish: every task on its function-scoped event loop of "
            "test_fixture.py::test_uses is waiting*",
            f"{what}, waiting here:",
            f"  test_fixture.py:{line} in connection",
            f"      {NEVER}",
            "ERROR test_fixture.py::test_uses - Deadlocked: *",
        ]
    )


UNWINDING = """
import asyncio
import pytest


@pytest.mark.asyncio(clock="virtual")
async def test_cleanup_waits_too():
    try:
        await asyncio.Event().wait()
    finally:
        await asyncio.Event().wait()
        print("never printed")


@pytest.mark.asyncio(clock="virtual")
async def test_swallows_everything():
    while True:
        try:
            await asyncio.Event().wait()
        except BaseException:
            pass


@pytest.mark.asyncio(clock="virtual")
async def test_next():
    await asyncio.sleep(60)
"""


def test_a_deadlock_while_unwinding_ends_the_job_by_force(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_unwinding=UNWINDING)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-s", LIMIT, timeout=60)
    # The first is closed; the second catches GeneratorExit too, and its loop is given up on
    # (the next test runs on a loop of its own).
    result.assert_outcomes(failed=2, passed=1)
    loop = "function-scoped event loop of test_unwinding.py::test_swallows_everything"
    result.stdout.fnmatch_lines(
        [
            "test test_unwinding.py::test_cleanup_waits_too can never finish: *",
            "  test_unwinding.py:8 in test_cleanup_waits_too",
            *_messages.DEADLOCK_UNWINDING.format(
                chain="  test_unwinding.py:10 in test_cleanup_waits_too\n"
                "      await asyncio.Event().wait()"
            ).splitlines(),
            "test test_unwinding.py::test_swallows_everything can never finish: *",
            "Cancelled, it waited again, while unwinding*",
            "  test_unwinding.py:18 in test_swallows_everything",
            _messages.DEADLOCK_ABANDONED.format(loop=loop),
        ]
    )
    output = result.stdout.str()
    assert "never printed" not in output
    assert "ran longer than" not in output
    assert "ignored GeneratorExit" not in output


# Each holds real work in flight, or a socket that could wake the loop.
NOT_DEADLOCKED = {
    "server": """
    server = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    async with server:
        await asyncio.Event().wait()
""",
    "executor": """
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, time.sleep, 0.3)
""",
    "subprocess": """
    code = "import time; time.sleep(0.3)"
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", code)
    assert await process.wait() == 0
""",
    "thread": """
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def work():
        time.sleep(0.3)
        loop.call_soon_threadsafe(done.set_result, "done")

    threading.Thread(target=work).start()
    assert await done == "done"
""",
}

WAITS = """
import asyncio
import sys
import threading
import time
import pytest


@pytest.mark.asyncio(clock="virtual")
async def test_waits():
{body}
"""


@pytest.mark.parametrize("kind", list(NOT_DEADLOCKED))
def test_no_deadlock_while_something_real_could_wake_the_loop(
    pytester: pytest.Pytester, kind: str
) -> None:
    pytester.makepyfile(test_waits=WAITS.format(body=NOT_DEADLOCKED[kind]))
    result = pytester.runpytest_subprocess("--asyncio-timeout=1", timeout=60)
    output = result.stdout.str()
    assert CANNOT_FINISH not in output
    if kind == "server":
        # A client could still connect: the timeout ends the wait, with its own report.
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(
            ["test test_waits.py::test_waits ran longer than 1 s (the limit set by *"]
        )
    else:
        result.assert_outcomes(passed=1)


WIDER = """
import asyncio
import pytest
import pytest_asyncio

pytestmark = pytest.mark.asyncio(loop_scope="module", clock="virtual")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def listener():
    async def wait_for_messages():
        await asyncio.Event().wait()

    task = asyncio.create_task(wait_for_messages(), name="listener")
    yield task
    task.cancel()


async def test_stuck(listener):
    await asyncio.Event().wait()


async def test_next(listener):
    start = asyncio.get_running_loop().time()
    await asyncio.sleep(60)
    assert asyncio.get_running_loop().time() - start >= 60
    assert not listener.done()
"""


def test_a_wider_loop_lists_its_background_tasks_and_runs_on(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_wider=WIDER)
    result = pytester.runpytest_subprocess("-p", "no:randomly", LIMIT, timeout=60)
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "test test_wider.py::test_stuck can never finish: every task on its module-scoped "
            "event loop of test_wider.py is waiting, *",
            "test test_wider.py::test_stuck, waiting here:",
            "  test_wider.py:19 in test_stuck",
            "      await asyncio.Event().wait()",
            "task 'listener', waiting here:",
            # Python 3.10 shows a function's name, not its qualified name.
            "  test_wider.py:11 in *wait_for_messages",
            "      await asyncio.Event().wait()",
            "Each innermost await above *",
        ]
    )


REAL = """
import asyncio
import pytest

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.mark.asyncio(clock="virtual")
async def test_virtual_first():
    await asyncio.sleep(3600)


@pytest.mark.asyncio(clock="real")
async def test_real_waits_for_nobody():
    await asyncio.Event().wait()
"""


def test_real_time_claims_no_deadlock(pytester: pytest.Pytester) -> None:
    # On a loop that ran on virtual time just before: its clock is there, but off.
    pytester.makepyfile(test_real=REAL)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "--asyncio-timeout=1", timeout=60)
    result.assert_outcomes(failed=1, passed=1)
    assert CANNOT_FINISH not in result.stdout.str()
    result.stdout.fnmatch_lines(
        ["test test_real.py::test_real_waits_for_nobody ran longer than 1 s *"]
    )


DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_documented_report_is_what_the_example_prints(pytester: pytest.Pytester) -> None:
    """The "Deadlocks" section of the virtual time docs: its example module prints the report
    shown under it."""
    text = (DOCS / "virtual-time.md").read_text()
    section = text[text.index("## Deadlocks") :]
    found = re.search(r"```py\n(.*?)```.*?```text\n(.*?)```", section, re.S)
    assert found is not None
    module, report = found.groups()
    if sys.version_info < (3, 11):
        report = re.sub(r"\w+\.<locals>\.", "", report)  # no qualified names on 3.10
    pytester.makepyfile(test_jobs=module)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", LIMIT, timeout=60)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(report.splitlines(), consecutive=True)


def test_later_tests_on_a_loop_given_up_on_name_the_deadlock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_shared="""
        import asyncio
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="module", clock="virtual")

        async def test_swallows_everything():
            while True:
                try:
                    await asyncio.Event().wait()
                except BaseException:
                    pass

        async def test_same_loop():
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", LIMIT, timeout=60)
    result.assert_outcomes(failed=2)
    # The literal text a user sees for the next test on the loop that was given up on.
    assert (
        "test test_shared.py::test_same_loop cannot run: its module-scoped event loop of "
        "test_shared.py was abandoned earlier, when test test_shared.py::test_swallows_everything "
        "deadlocked and would not stop. Fix that one first (see its failure); this then runs "
        "again."
    ) in result.outlines
