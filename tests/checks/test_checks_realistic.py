"""Checks: a clean, realistic async suite passes with every check on, and reports nothing.

The inner suite is what a service's tests look like: a module-scoped TCP server whose
connection handlers run in tasks of their own, a client connection per test, task groups,
timeouts, gather, executor jobs, queues with producer and consumer tasks, an async generator
fixture that cleans up, and context variables; on function and on module loops. Every one of
these patterns is correct code: a finding here is a false positive of a check.

The blocking threshold is 0.5 s, not the default 0.1 s: the check measures how long a step
held the loop in real time, and on a loaded two-core CI machine the operating system may
pause the process for longer than 0.1 s in the middle of a step of a few microseconds. That
is a real hold of the loop, not a false positive, but it would make this test fail at random.
"""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.timeout(180)

INI = """
[pytest]
asyncio_mode = auto
asyncio_checks = all
asyncio_blocking_threshold = 0.5
filterwarnings = error
"""

CONFTEST = """
import asyncio
import contextlib

import pytest_asyncio

HOST = "127.0.0.1"


class Service:
    \"\"\"A line protocol: ECHO <text>, UPPER <text>, SLOW <seconds> <text>, COUNT.\"\"\"

    def __init__(self):
        self.server = None
        self.handlers = set()
        self.connections = 0

    @property
    def port(self):
        return self.server.sockets[0].getsockname()[1]

    async def handle(self, reader, writer):
        self.handlers.add(asyncio.current_task())
        self.connections += 1
        try:
            while line := await reader.readline():
                command, _, argument = line.decode().rstrip("\\n").partition(" ")
                if command == "SLOW":
                    delay, _, argument = argument.partition(" ")
                    await asyncio.sleep(float(delay))
                elif command == "UPPER":
                    argument = argument.upper()
                elif command == "COUNT":
                    argument = str(self.connections)
                writer.write(f"{argument}\\n".encode())
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            self.handlers.discard(asyncio.current_task())
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


class Client:
    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer

    async def request(self, line):
        self.writer.write(f"{line}\\n".encode())
        await self.writer.drain()
        reply = await self.reader.readline()
        return reply.decode().rstrip("\\n")

    async def close(self):
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


async def connect(port):
    reader, writer = await asyncio.open_connection(HOST, port)
    return Client(reader, writer)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def service():
    service = Service()
    service.server = await asyncio.start_server(service.handle, HOST, 0)
    async with service.server:
        yield service
    # Clients have closed their connections: each handler ends on its own.
    if service.handlers:
        await asyncio.wait(service.handlers, timeout=5)


@pytest_asyncio.fixture(loop_scope="module")
async def client(service):
    client = await connect(service.port)
    yield client
    await client.close()
"""

# Tests on the module's loop, against the module-scoped server.
SERVICE_TESTS = """
import asyncio

import pytest

from conftest import connect

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_echo(client):
    assert await client.request("ECHO hello") == "hello"
    assert await client.request("UPPER hello") == "HELLO"


async def test_many_clients_at_once(service):
    async def talk(number):
        client = await connect(service.port)
        try:
            return await client.request(f"ECHO {number}")
        finally:
            await client.close()

    replies = await asyncio.gather(*(talk(number) for number in range(20)))
    assert replies == [str(number) for number in range(20)]


async def test_wait_for_a_slow_reply(client):
    assert await asyncio.wait_for(client.request("SLOW 0.05 late"), timeout=5) == "late"


async def test_wait_for_gives_up(service):
    client = await connect(service.port)
    try:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.request("SLOW 1 never"), timeout=0.05)
    finally:
        await client.close()


async def test_requests_in_background_tasks(client, service):
    other = await connect(service.port)
    try:
        first = asyncio.create_task(client.request("SLOW 0.02 first"), name="first")
        second = asyncio.create_task(other.request("ECHO second"), name="second")
        done, pending = await asyncio.wait({first, second}, timeout=5)
        assert not pending
        assert {task.result() for task in done} == {"first", "second"}
    finally:
        await other.close()


async def test_as_completed(service):
    clients = [await connect(service.port) for _ in range(3)]
    try:
        requests = [
            client.request(f"SLOW {delay} {delay}")
            for client, delay in zip(clients, ("0.06", "0.02", "0.04"))
        ]
        replies = [await reply for reply in asyncio.as_completed(requests)]
        assert sorted(replies) == ["0.02", "0.04", "0.06"]
    finally:
        await asyncio.gather(*(client.close() for client in clients))


async def test_the_server_counts_connections(client):
    assert int(await client.request("COUNT")) >= 1


async def test_a_server_of_its_own():
    handlers = []

    async def handle(reader, writer):
        handlers.append(asyncio.current_task())
        writer.write(await reader.readline())
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        client = await connect(server.sockets[0].getsockname()[1])
        assert await client.request("ping") == "ping"
        await client.close()
    await asyncio.gather(*handlers)
"""

# Tests of tasks, queues, executors and context variables; run twice, on function loops and
# on the module's loop.
WORK_TESTS = """
import asyncio
import contextlib
import contextvars
import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import pytest_asyncio

LOOP = "{loop_scope}"
pytestmark = pytest.mark.asyncio(loop_scope=LOOP)

request_id = contextvars.ContextVar("request_id", default=None)


@pytest.fixture(scope="module")
def executor():
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="jobs") as executor:
        yield executor


@pytest_asyncio.fixture(loop_scope=LOOP)
async def workers():
    \"\"\"A queue served by three consumer tasks, which are stopped and awaited after the
    test.\"\"\"
    queue = asyncio.Queue()
    results = []

    async def consume():
        while True:
            item = await queue.get()
            try:
                await asyncio.sleep(0.001)
                results.append(item * 2)
            finally:
                queue.task_done()

    tasks = [asyncio.create_task(consume(), name=f"consumer-{{n}}") for n in range(3)]
    yield queue, results
    await queue.join()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


@pytest_asyncio.fixture(loop_scope=LOOP)
async def tagged():
    token = request_id.set("fixture-42")
    yield
    request_id.reset(token)


async def ticks(count):
    for number in range(count):
        await asyncio.sleep(0)
        yield number


async def test_producer_and_consumers(workers):
    queue, results = workers

    async def produce(start):
        for item in range(start, start + 10):
            await queue.put(item)

    await asyncio.gather(produce(0), produce(10))
    await queue.join()
    assert sorted(results) == [item * 2 for item in range(20)]


async def test_bounded_queue_with_a_cancelled_consumer():
    queue = asyncio.Queue(maxsize=2)
    seen = []

    async def consume():
        while True:
            seen.append(await queue.get())

    consumer = asyncio.create_task(consume())
    for item in range(5):
        await queue.put(item)
    while len(seen) < 5:
        await asyncio.sleep(0)
    consumer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consumer
    assert seen == [0, 1, 2, 3, 4]


async def test_executor_jobs(executor):
    loop = asyncio.get_running_loop()
    digest = await loop.run_in_executor(executor, hashlib.sha256, b"data")
    assert digest.hexdigest().startswith("3a6eb079")
    await loop.run_in_executor(None, time.sleep, 0.2)  # slow, but not on the loop
    name = await asyncio.to_thread(lambda: threading.current_thread().name)
    assert name != threading.main_thread().name


async def test_thread_safe_callbacks():
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def work():
        time.sleep(0.05)
        loop.call_soon_threadsafe(done.set_result, "from a thread")

    thread = threading.Thread(target=work)
    thread.start()
    assert await asyncio.wait_for(done, timeout=5) == "from a thread"
    await asyncio.to_thread(thread.join)


async def test_timers_and_futures():
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    loop.call_later(0.01, future.set_result, 42)
    handle = loop.call_later(10, future.cancel)
    assert await future == 42
    handle.cancel()


async def test_cancelling_a_long_task():
    started = asyncio.Event()

    async def forever():
        started.set()
        await asyncio.sleep(3600)

    task = asyncio.create_task(forever())
    await started.wait()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled()


async def test_shielded_work_is_awaited():
    inner = asyncio.create_task(asyncio.sleep(0.01, "saved"))
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.shield(inner), timeout=0.001)
    assert await inner == "saved"


async def test_errors_of_gathered_tasks_are_retrieved():
    async def fail():
        raise ValueError("expected")

    results = await asyncio.gather(fail(), asyncio.sleep(0, "ok"), return_exceptions=True)
    assert isinstance(results[0], ValueError)
    assert results[1] == "ok"


async def test_context_variables_reach_tasks(tagged):
    assert request_id.get() == "fixture-42"

    async def child():
        request_id.set("child")
        return request_id.get()

    assert await asyncio.create_task(child()) == "child"
    assert request_id.get() == "fixture-42"


async def test_async_generator_closed_early():
    async with contextlib.aclosing(ticks(100)) as numbers:
        async for number in numbers:
            if number == 3:
                break
    assert number == 3


async def test_synchronisation_primitives():
    lock = asyncio.Lock()
    condition = asyncio.Condition()
    order = []

    async def waiter(name):
        async with condition:
            await condition.wait()
            async with lock:
                order.append(name)

    tasks = [asyncio.create_task(waiter(name)) for name in "abc"]
    await asyncio.sleep(0.01)
    async with condition:
        condition.notify_all()
    await asyncio.gather(*tasks)
    assert sorted(order) == ["a", "b", "c"]
"""

# asyncio.TaskGroup and asyncio.timeout() came with Python 3.11.
MODERN_TESTS = """
import asyncio
import sys

import pytest

from conftest import connect

if sys.version_info < (3, 11):
    pytest.skip("TaskGroup and asyncio.timeout() need Python 3.11", allow_module_level=True)

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_task_group_of_clients(service):
    async def talk(number):
        client = await connect(service.port)
        try:
            return await client.request(f"UPPER item{{number}}")
        finally:
            await client.close()

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(talk(number)) for number in range(10)]
    assert [task.result() for task in tasks] == [f"ITEM{{number}}" for number in range(10)]


async def test_task_group_cancels_the_others_on_error():
    cancelled = []

    async def sleeper():
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    async def fail():
        await asyncio.sleep(0.01)
        raise ValueError("boom")

    with pytest.raises(BaseExceptionGroup) as info:
        async with asyncio.TaskGroup() as group:
            group.create_task(sleeper())
            group.create_task(sleeper())
            group.create_task(fail())
    assert info.group_contains(ValueError)
    assert cancelled == [True, True]


async def test_timeout_around_a_request(client):
    async with asyncio.timeout(5):
        assert await client.request("SLOW 0.01 in time") == "in time"


async def test_timeout_expires(service):
    client = await connect(service.port)
    try:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await client.request("SLOW 1 too late")
    finally:
        await client.close()


async def test_task_group_in_a_fixture_style_scope():
    results = []
    async with asyncio.timeout(5):
        async with asyncio.TaskGroup() as group:
            for delay in (0.03, 0.01, 0.02):
                group.create_task(asyncio.sleep(delay)).add_done_callback(
                    lambda task, delay=delay: results.append(delay)
                )
    assert results == [0.01, 0.02, 0.03]
"""

SERVICE_COUNT = SERVICE_TESTS.count("\nasync def test_")
WORK_COUNT = WORK_TESTS.count("\nasync def test_")
MODERN_COUNT = MODERN_TESTS.count("\nasync def test_")


def test_a_clean_suite_passes_with_every_check_on(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_service=SERVICE_TESTS,
        test_work_function_loops=WORK_TESTS.format(loop_scope="function"),
        test_work_module_loop=WORK_TESTS.format(loop_scope="module"),
        test_modern=MODERN_TESTS.format(),
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=150)
    modern = sys.version_info >= (3, 11)
    passed = SERVICE_COUNT + 2 * WORK_COUNT + (MODERN_COUNT if modern else 0)
    if modern:
        result.assert_outcomes(passed=passed)
    else:
        result.assert_outcomes(passed=passed, skipped=1)
    output = result.stdout.str()
    assert "asyncio checks" not in output
    assert "asyncio checks found" not in output
    assert result.stderr.str().strip() == ""
    result.stdout.fnmatch_lines(
        [
            "asyncio: *, asyncio_checks=task-exceptions,task-leaks,unawaited,blocking, "
            "asyncio_blocking_threshold=0.5"
        ]
    )


FREES_ITS_TASKS = """
import asyncio
import gc
import weakref

import pytest

REFS = []


class Payload:
    pass


async def work(n):
    payload = Payload()
    REFS.append(weakref.ref(payload))
    await asyncio.sleep(0)
    if n % 2:
        raise ValueError(n)
    return n


@pytest.mark.asyncio
async def test_what_its_finished_tasks_held_is_freed():
    results = await asyncio.gather(*[work(n) for n in range(6)], return_exceptions=True)
    assert [type(r) for r in results] == [int, ValueError] * 3
    task = asyncio.create_task(work(7))
    try:
        await task
    except ValueError:
        pass
    del results, task
    await asyncio.sleep(0)
    gc.collect()
    assert len(REFS) == 7
    assert [ref for ref in REFS if ref() is not None] == []
"""


@pytest.mark.parametrize("checks", ["task-exceptions", "task-leaks", "unawaited", "blocking"])
def test_a_finished_task_is_not_kept_alive_by_the_checks(
    pytester: pytest.Pytester, checks: str
) -> None:
    """A task done with its result or exception taken is let go at once: what its frames and
    its exception's traceback hold is freed, as without checks (a test that asserts so, with
    gc.get_objects() or weak references, passes). The blocking threshold is far above what
    gc.collect() takes on a loaded machine: this test is about what the checks hold."""
    pytester.makepyfile(test_frees=FREES_ITS_TASKS)
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        f"--asyncio-checks={checks}",
        "-o",
        "asyncio_blocking_threshold=5",
        timeout=60,
    )
    result.assert_outcomes(passed=1)
