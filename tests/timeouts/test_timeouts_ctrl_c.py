"""Ctrl-C during an async test: the report shows where it waited, the test is cancelled and
unwinds, fixture teardowns run, and the run ends as pytest ends it (exit code 2). A second
Ctrl-C ends it at once.

Each inner run is a real process that receives SIGINT, killed after 60 s.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_asyncio import _messages

BOUND = 60.0


def _default_sigint() -> None:
    # A process started in the background by a shell ignores SIGINT, and so would its
    # children: give the inner run Python's default handler, as in a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + BOUND
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output, _ = process.communicate()
            pytest.fail(f"the inner run never reached {path.name}:\n{output}")
        time.sleep(0.02)


def interrupt(pytester: pytest.Pytester, *markers: str) -> tuple[int, str, float]:
    """Run pytest on pytester's directory; send SIGINT each time the inner run has written
    the next marker file. Return the exit code, the output, and the seconds from the last
    SIGINT to the end of the run."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-s"],
        cwd=pytester.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_default_sigint,
    )
    for marker in markers:
        _wait_for(pytester.path / marker, process)
        process.send_signal(signal.SIGINT)
    sent = time.monotonic()
    try:
        output, _ = process.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(f"the inner run did not end within {BOUND:g} s of Ctrl-C:\n{output}")
    return process.returncode, output, time.monotonic() - sent


@pytest.mark.parametrize("loop_scope", ["function", "module"])
def test_ctrl_c_reports_the_hung_await_and_tears_down(
    pytester: pytest.Pytester, loop_scope: str
) -> None:
    pytester.makepyfile(
        test_hang=f"""
        import asyncio
        import pathlib

        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture(loop_scope="{loop_scope}", scope="{loop_scope}")
        async def resource():
            yield
            await asyncio.sleep(0)
            print("async teardown of resource ran")


        async def stuck_in_helper():
            pathlib.Path("ready").touch()
            await asyncio.Event().wait()


        async def forever():
            await asyncio.sleep(3600)


        @pytest.mark.asyncio(loop_scope="{loop_scope}")
        async def test_hangs(resource):
            task = asyncio.create_task(forever(), name="background")
            try:
                await stuck_in_helper()
            finally:
                print("finally of test_hangs ran")
        """
    )
    code, output, _ = interrupt(pytester, "ready")
    assert code == 2, output
    lines = output.splitlines()
    report = [
        "Ctrl-C cancelled test test_hang.py::test_hangs, which was waiting here, outermost "
        "call first:",
        "  test_hang.py:28 in test_hangs",
        "      await stuck_in_helper()",
        "  test_hang.py:17 in stuck_in_helper",
        "      await asyncio.Event().wait()",
        "Its cleanup code and the fixture teardowns ran before the run ended. If it hung, the "
        "innermost await above is the one that never completed; with a limit "
        "(--asyncio-timeout=SECONDS) such a test fails there and the run goes on.",
    ]
    start = lines.index(report[0])
    assert lines[start : start + len(report)] == report
    assert "\n".join(report) == _messages.INTERRUPTED.format(
        what="test test_hang.py::test_hangs", chain="\n".join(report[1:5])
    )
    assert lines[start - 1].strip("= ") == _messages.INTERRUPTED_TITLE
    section = lines[start + len(report) :][:3]
    assert _messages.INTERRUPT_TASKS_SECTION in section[0]
    assert section[1:] == ["task 'background', waiting here:", "  test_hang.py:21 in forever"]
    # The cleanup ran when the test was cancelled, the async teardown at the end of the run.
    assert output.index("finally of test_hangs ran") < output.index(
        "async teardown of resource ran"
    )
    # pytest's own summary follows, pointing at the await that never completed.
    banner = next(i for i, line in enumerate(lines) if line.strip("! ") == "KeyboardInterrupt")
    assert banner > start
    assert lines[banner + 1].endswith("/test_hang.py:17: KeyboardInterrupt")
    assert "no tests ran" in lines[-1]
    assert "selectors.py" not in output
    assert "asyncio" + "/" not in output
    assert "Task was destroyed" not in output


def test_ctrl_c_in_fixture_setup_names_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_setup="""
        import asyncio
        import pathlib

        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture
        async def server():
            pathlib.Path("ready").touch()
            await asyncio.Event().wait()
            yield


        @pytest.mark.asyncio
        async def test_uses(server):
            pass
        """
    )
    code, output, _ = interrupt(pytester, "ready")
    assert code == 2, output
    assert (
        "Ctrl-C cancelled the setup of async fixture 'server', which was waiting here, "
        "outermost call first:\n"
        "  test_setup.py:11 in server\n"
        "      await asyncio.Event().wait()\n"
    ) in output
    assert "test_setup.py:11: KeyboardInterrupt" in output


def test_second_ctrl_c_ends_a_test_that_swallows_cancellation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_refuse="""
        import asyncio
        import pathlib

        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture(loop_scope="module", scope="module")
        async def resource():
            yield
            await asyncio.sleep(0)
            print("async teardown of resource ran")


        @pytest.mark.asyncio(loop_scope="module")
        async def test_refuses(resource):
            pathlib.Path("ready").touch()
            while True:
                try:
                    await asyncio.sleep(3600)
                except asyncio.CancelledError:
                    pathlib.Path("swallowed").touch()
        """
    )
    code, output, elapsed = interrupt(pytester, "ready", "swallowed")
    assert code == 2, output
    assert elapsed < 20, output
    assert "  test_refuse.py:20 in test_refuses\n      await asyncio.sleep(3600)\n" in output
    assert _messages.INTERRUPTED_FORCED in output
    assert (
        "Ctrl-C was pressed again before it had finished unwinding, and it was ended by force. "
        "If it catches CancelledError, let it propagate: re-raise it after your cleanup."
    ) in output
    # Ended by force, the test left the module's loop free for the async teardown.
    assert "async teardown of resource ran" in output
    assert "selectors.py" not in output


def test_ctrl_c_while_sync_code_blocks_the_loop(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_block="""
        import pathlib
        import time

        import pytest


        @pytest.mark.asyncio
        async def test_blocks():
            pathlib.Path("ready").touch()
            time.sleep(3600)
        """
    )
    code, output, elapsed = interrupt(pytester, "ready")
    assert code == 2, output
    assert elapsed < 20, output
    # Delivered where the loop is blocked, as Python's own handler would.
    assert "test_block.py:10: KeyboardInterrupt" in output


def test_sigint_handler_is_ours_only_over_the_default_one(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import atexit
        import signal

        import pytest


        def custom(signum, frame):
            raise KeyboardInterrupt


        def pytest_configure(config):
            if config.getoption("--custom", None):
                signal.signal(signal.SIGINT, custom)


        def pytest_addoption(parser):
            parser.addoption("--custom", action="store_true")


        @atexit.register
        def after():
            handler = signal.getsignal(signal.SIGINT)
            print("at exit:", "default" if handler is signal.default_int_handler else handler)
        """
    )
    pytester.makepyfile(
        test_handler="""
        import signal

        import pytest


        @pytest.mark.asyncio
        async def test_handler(request):
            handler = signal.getsignal(signal.SIGINT)
            name = getattr(handler, "__name__", type(handler).__name__)
            print("during the run:", name)
        """
    )
    for args, during, after in [
        ((), "Interrupter", "default"),
        (("--custom",), "custom", "<function custom"),
    ]:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-s", *args],
            cwd=pytester.path,
            capture_output=True,
            text=True,
            timeout=BOUND,
            preexec_fn=_default_sigint,
            check=False,
        )
        assert result.returncode == 0, result.stdout
        assert f"during the run: {during}" in result.stdout
        assert f"at exit: {after}" in result.stdout
