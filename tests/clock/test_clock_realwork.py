"""Real work under virtual time: sockets, executor jobs, subprocesses and threads keep working.
Ready I/O is served before any jump; while work that finishes by itself is in flight, virtual
time moves at real speed (timeouts around it stay right); what cannot finish by itself (an
open server, idle pool workers) does not hold time back."""

from __future__ import annotations

import pytest

# A broken clock must not hang the suite: every inner run is a subprocess with an outer bound,
# and each inner test has a limit of its own (on the real clock).
BOUND = 60
LIMIT = "--asyncio-timeout=20"


def test_tcp_echo_round_trip(pytester: pytest.Pytester) -> None:
    """The server's 30 s sleep is jumped over exactly; the bytes go through real sockets, and
    a name lookup (run in the loop's executor) works too."""
    pytester.makepyfile(
        test_echo="""
        import asyncio
        import time

        import pytest

        pytestmark = pytest.mark.asyncio(clock="virtual")


        async def echo_after_30_s(reader, writer):
            line = await reader.readline()
            await asyncio.sleep(30)
            writer.write(line)
            await writer.drain()
            writer.close()


        @pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
        async def test_round_trip(host):
            loop = asyncio.get_running_loop()
            server = await asyncio.start_server(echo_after_30_s, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            real = time.monotonic()
            start = loop.time()
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(b"ping\\n")
            await writer.drain()
            assert await asyncio.wait_for(reader.readline(), 60) == b"ping\\n"
            elapsed = loop.time() - start
            if host == "127.0.0.1":
                assert loop.time() == start + 30
            else:  # the name lookup ran in an executor, at real speed
                assert 30 <= elapsed < 31
            assert time.monotonic() - real < 2
            writer.close()
            server.close()
            await server.wait_closed()
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, timeout=BOUND)
    result.assert_outcomes(passed=2)


def test_open_server_does_not_hold_time_back(pytester: pytest.Pytester) -> None:
    """A listening server and an idle connection (from a fixture or the test itself) could wake
    the loop, but nothing will come by itself: sleep(600) still jumps."""
    pytester.makepyfile(
        test_server="""
        import asyncio
        import time

        import pytest
        import pytest_asyncio


        async def ignore(reader, writer):
            await reader.read()
            writer.close()  # else 3.12's wait_closed() waits for this connection forever


        @pytest_asyncio.fixture
        async def server():
            server = await asyncio.start_server(ignore, "127.0.0.1", 0)
            yield server
            server.close()
            await server.wait_closed()


        @pytest.mark.asyncio(clock="virtual")
        async def test_sleep_beside_server(server):
            port = server.sockets[0].getsockname()[1]
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            real = time.monotonic()
            start = asyncio.get_running_loop().time()
            await asyncio.sleep(600)
            assert asyncio.get_running_loop().time() == start + 600
            assert time.monotonic() - real < 2
            writer.close()
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, timeout=BOUND)
    result.assert_outcomes(passed=1)


def test_executor_jobs_are_waited_for_at_real_speed(pytester: pytest.Pytester) -> None:
    """An executor job finishes inside its wait_for (no jump past it), and virtual time moves
    by about the real time it took; one that takes longer than its timeout still times out."""
    pytester.makepyfile(
        test_executor="""
        import asyncio
        import time

        import pytest

        pytestmark = pytest.mark.asyncio(clock="virtual")


        @pytest.mark.parametrize("how", ["run_in_executor", "to_thread"])
        async def test_job_within_timeout(how):
            loop = asyncio.get_running_loop()
            real = time.monotonic()
            start = loop.time()
            if how == "to_thread":
                job = asyncio.to_thread(time.sleep, 0.2)
            else:
                job = loop.run_in_executor(None, time.sleep, 0.2)
            await asyncio.wait_for(job, 10)
            # Virtual time moved at real speed while the loop waited for the job.
            virtual, real = loop.time() - start, time.monotonic() - real
            assert 0.15 <= virtual <= real
            assert real - virtual < 0.1


        async def test_job_longer_than_timeout():
            loop = asyncio.get_running_loop()
            real = time.monotonic()
            start = loop.time()
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(loop.run_in_executor(None, time.sleep, 1), 0.3)
            assert loop.time() == start + 0.3
            assert 0.3 <= time.monotonic() - real < 0.9


        async def test_name_lookup():
            loop = asyncio.get_running_loop()
            infos = await asyncio.wait_for(loop.getaddrinfo("localhost", 80), 10)
            assert infos
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, timeout=BOUND)
    result.assert_outcomes(passed=4)


def test_idle_pool_workers_do_not_hold_time_back(pytester: pytest.Pytester) -> None:
    """Workers a pool keeps after its jobs wait for more work, which only the loop can give:
    a later sleep(600) jumps, in the same test and after a shutdown of the default
    executor."""
    pytester.makepyfile(
        test_pool="""
        import asyncio
        import concurrent.futures
        import time

        import pytest

        pytestmark = pytest.mark.asyncio(clock="virtual")


        async def test_default_executor():
            loop = asyncio.get_running_loop()
            await asyncio.gather(*(loop.run_in_executor(None, time.sleep, 0.05) for _ in range(4)))
            real = time.monotonic()
            await asyncio.sleep(600)
            assert time.monotonic() - real < 2


        async def test_own_executor():
            loop = asyncio.get_running_loop()
            with concurrent.futures.ThreadPoolExecutor(3) as pool:
                await asyncio.gather(
                    *(loop.run_in_executor(pool, time.sleep, 0.05) for _ in range(3))
                )
                real = time.monotonic()
                await asyncio.sleep(600)
                assert time.monotonic() - real < 2


        async def test_after_shutdown_default_executor():
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, time.sleep, 0.05)
            await asyncio.wait_for(loop.shutdown_default_executor(), 10)
            real = time.monotonic()
            await asyncio.sleep(600)
            assert time.monotonic() - real < 2
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, timeout=BOUND)
    result.assert_outcomes(passed=3)


def test_subprocesses_are_waited_for_at_real_speed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_subprocess="""
        import asyncio
        import subprocess
        import sys
        import time

        import pytest

        pytestmark = pytest.mark.asyncio(clock="virtual")

        SLEEP = "import time; time.sleep(0.3); print('done')"


        async def test_without_pipes():
            loop = asyncio.get_running_loop()
            start = loop.time()
            process = await asyncio.create_subprocess_exec(sys.executable, "-c", SLEEP)
            assert await asyncio.wait_for(process.wait(), 10) == 0
            assert loop.time() - start >= 0.3


        async def test_communicate():
            loop = asyncio.get_running_loop()
            start = loop.time()
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-c", SLEEP, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            out, err = await asyncio.wait_for(process.communicate(), 10)
            assert (out.strip(), err, process.returncode) == (b"done", b"", 0)
            assert loop.time() - start >= 0.3


        async def test_shell():
            process = await asyncio.create_subprocess_shell(
                f'"{sys.executable}" -c "{SLEEP}"', stdout=subprocess.PIPE
            )
            out, _ = await asyncio.wait_for(process.communicate(), 10)
            assert out.strip() == b"done"


        async def test_longer_than_timeout():
            loop = asyncio.get_running_loop()
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-c", "import time; time.sleep(30)"
            )
            start = loop.time()
            real = time.monotonic()
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(process.wait(), 0.3)
            assert loop.time() == start + 0.3
            assert time.monotonic() - real >= 0.3
            process.kill()
            await process.wait()
            real = time.monotonic()
            await asyncio.sleep(600)
            assert time.monotonic() - real < 2
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, timeout=BOUND)
    result.assert_outcomes(passed=4)


def test_thread_that_calls_back_is_waited_for(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_thread="""
        import asyncio
        import threading
        import time

        import pytest


        @pytest.mark.asyncio(clock="virtual")
        async def test_thread_posts_result():
            loop = asyncio.get_running_loop()
            future = loop.create_future()

            def work():
                time.sleep(0.2)
                loop.call_soon_threadsafe(future.set_result, "posted")

            thread = threading.Thread(target=work)
            start = loop.time()
            thread.start()
            assert await asyncio.wait_for(future, 5) == "posted"
            assert 0.15 <= loop.time() - start < 1
            thread.join()
            real = time.monotonic()
            await asyncio.sleep(600)
            assert time.monotonic() - real < 2
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, timeout=BOUND)
    result.assert_outcomes(passed=1)


def test_autojump_threshold_waits_for_a_slow_peer(pytester: pytest.Pytester) -> None:
    """A peer in a thread of its own (started by a fixture, so it does not hold time back)
    answers after 0.2 s of real time: by default the clock jumps to the wait_for's timeout
    first; with ``autojump_threshold = 1`` the answer comes first."""
    pytester.makepyfile(
        test_peer="""
        import asyncio
        import socket
        import threading
        import time

        import pytest


        @pytest.fixture
        def slow_peer():
            server = socket.create_server(("127.0.0.1", 0))

            def answer_late():
                connection, _ = server.accept()
                with connection:
                    line = connection.recv(100)
                    time.sleep(0.2)
                    connection.sendall(line)

            thread = threading.Thread(target=answer_late, daemon=True)
            thread.start()
            yield server.getsockname()[1]
            thread.join(5)
            server.close()


        @pytest.mark.parametrize("threshold", [0, 1])
        @pytest.mark.asyncio
        async def test_ask(slow_peer, virtual_clock, threshold):
            virtual_clock.autojump_threshold = threshold
            assert virtual_clock.autojump_threshold == threshold
            loop = asyncio.get_running_loop()
            reader, writer = await asyncio.open_connection("127.0.0.1", slow_peer)
            writer.write(b"hello\\n")
            start = loop.time()
            try:
                answer = await asyncio.wait_for(reader.readline(), 5)
            except asyncio.TimeoutError:
                answer = "timed out"
            print(f"threshold {threshold}: {answer!r} after {loop.time() - start:g} s")
            writer.close()
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, "-s", timeout=BOUND)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["*threshold 0: 'timed out' after 5 s*", "*threshold 1: b'hello\\n' after 0 s*"]
    )


def test_rate_lets_time_flow_between_jumps(pytester: pytest.Pytester) -> None:
    """With ``rate = 1`` the loop's time also moves at real speed while the loop is busy, and
    still jumps when it would wait; with the default rate 0 it stands still while busy."""
    pytester.makepyfile(
        test_rate="""
        import asyncio
        import time

        import pytest


        @pytest.mark.parametrize("rate", [0, 1])
        @pytest.mark.asyncio
        async def test_rate(virtual_clock, rate):
            virtual_clock.rate = rate
            loop = asyncio.get_running_loop()
            start = loop.time()
            real = time.monotonic()
            time.sleep(0.2)
            busy = loop.time() - start
            if rate:
                assert 0.2 <= busy < 1
            else:
                assert busy == 0
            await asyncio.sleep(600)
            assert 600 - 1e-6 <= loop.time() - start < 601
            assert time.monotonic() - real < 2
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, timeout=BOUND)
    result.assert_outcomes(passed=2)


def test_jumps_log_nothing_in_debug_mode(pytester: pytest.Pytester) -> None:
    """With asyncio's debug mode on, jumping over an hour of sleep logs nothing from asyncio
    (3.10 - 3.13 no longer log long selector waits), and neither does a jump by hand inside a
    task step: asyncio times each step on the loop's clock, and the jumped hour is not time
    the step took. Its slow-callback limit is back once the loop waits again."""
    pytester.makeini("[pytest]\nasyncio_debug = true\n")
    pytester.makepyfile(
        test_debug="""
        import asyncio
        import logging

        import pytest


        @pytest.mark.asyncio(clock="virtual")
        async def test_quiet(caplog, virtual_clock):
            caplog.set_level(logging.DEBUG, logger="asyncio")
            loop = asyncio.get_running_loop()
            assert loop.get_debug()
            limit = loop.slow_callback_duration
            await asyncio.sleep(0)
            await asyncio.sleep(3600)
            await asyncio.wait_for(asyncio.sleep(60), 120)
            start = loop.time()
            virtual_clock.jump(3600)
            assert loop.time() == start + 3600
            await asyncio.sleep(0)
            virtual_clock.jump(0.5)
            virtual_clock.jump(0.5)
            await asyncio.sleep(1)
            assert loop.slow_callback_duration == limit
            assert [record.getMessage() for record in caplog.records] == []
        """
    )
    result = pytester.runpytest_subprocess(LIMIT, timeout=BOUND)
    result.assert_outcomes(passed=1)
