"""SPEC "Loops and scopes": one loop per scope instance in use; tests of different loop scopes
interleave without breaking the wider loops; after loops close, sync code has no leftover
current loop and may run loops of its own."""

from __future__ import annotations

from collections.abc import Callable

import pytest

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

SCOPES = ["function", "class", "module", "package", "session"]

# Two packages of two modules of two classes of two tests: every scope instance holds several
# tests and has siblings, so "same loop" and "different loop" are both checked for each scope.
GRID_MODULE = """
import asyncio

import pytest

from probe import record

pytestmark = pytest.mark.asyncio(loop_scope={scope!r})


class TestA:
    async def test_1(self, request):
        record(request.node.nodeid)

    async def test_2(self, request):
        record(request.node.nodeid)


class TestB:
    async def test_1(self, request):
        record(request.node.nodeid)

    async def test_2(self, request):
        record(request.node.nodeid)
"""

GRID_PROBE = """
import asyncio

SEEN = []


def record(nodeid):
    loop = asyncio.get_running_loop()
    assert not loop.is_closed()
    SEEN.append((nodeid, loop))
"""

# Runs last (root files sort after the pkg_* directories): checks which tests shared a loop.
GRID_CHECK = """
import itertools

from probe import SEEN

SCOPE = {scope!r}

# The scope instance a test belongs to, from its node id "pkg/test_m.py::TestX::test_n".
INSTANCE = {{
    "function": lambda nodeid: nodeid,
    "class": lambda nodeid: nodeid.rsplit("::", 1)[0],
    "module": lambda nodeid: nodeid.split("::")[0],
    "package": lambda nodeid: nodeid.split("/")[0],
    "session": lambda nodeid: "",
}}[SCOPE]


def test_one_loop_per_scope_instance():
    assert len(SEEN) == 16
    for (first, first_loop), (second, second_loop) in itertools.combinations(SEEN, 2):
        same_instance = INSTANCE(first) == INSTANCE(second)
        assert (first_loop is second_loop) == same_instance, (first, second)


def test_finished_scopes_closed_their_loops():
    for nodeid, loop in SEEN:
        assert loop.is_closed() == (SCOPE != "session"), nodeid
"""


@pytest.mark.parametrize("scope", SCOPES)
def test_one_loop_per_scope_instance(pytester: pytest.Pytester, ini: IniWriter, scope: str) -> None:
    ini(asyncio_mode="strict")
    pytester.syspathinsert()
    pytester.makepyfile(probe=GRID_PROBE, test_zz_check=GRID_CHECK.format(scope=scope))
    for package in ("pkg_a", "pkg_b"):
        pytester.mkpydir(package)
        for module in ("test_m1", "test_m2"):
            path = pytester.path / package / f"{module}.py"
            path.write_text(GRID_MODULE.format(scope=scope))
    result = pytester.runpytest()
    result.assert_outcomes(passed=18)


INTERLEAVED_CONFTEST = """
import asyncio

import pytest_asyncio

LOOPS = {}


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def session_resource():
    loop = asyncio.get_running_loop()
    yield {"loop": loop}
    assert asyncio.get_running_loop() is loop


def remember(name):
    loop = asyncio.get_running_loop()
    LOOPS.setdefault(name, loop)
    assert LOOPS[name] is loop, name
    return loop
"""

# function, module, class, session and package tests in a mixed order; every test checks the
# wider loops it has seen are still the same objects and still open.
INTERLEAVED_FIRST = """
import asyncio

import pytest
import pytest_asyncio

from conftest import LOOPS, remember

FUNCTION_LOOPS = []


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_resource():
    loop = asyncio.get_running_loop()
    yield {"loop": loop}
    assert asyncio.get_running_loop() is loop


def check_wider_loops_open():
    for name in ("module", "session", "package"):
        if name in LOOPS:
            assert not LOOPS[name].is_closed(), name
    for loop in FUNCTION_LOOPS[:-1]:
        assert loop.is_closed()


@pytest.mark.asyncio(loop_scope="function")
async def test_function_1():
    FUNCTION_LOOPS.append(asyncio.get_running_loop())
    check_wider_loops_open()


@pytest.mark.asyncio(loop_scope="module")
async def test_module_1(module_resource):
    assert remember("module") is module_resource["loop"]
    check_wider_loops_open()


@pytest.mark.asyncio(loop_scope="session")
async def test_session_1(session_resource):
    assert remember("session") is session_resource["loop"]
    assert LOOPS["session"] is not LOOPS["module"]
    check_wider_loops_open()


@pytest.mark.asyncio(loop_scope="function")
async def test_function_2(module_resource, session_resource):
    loop = asyncio.get_running_loop()
    FUNCTION_LOOPS.append(loop)
    assert loop is not module_resource["loop"]
    assert loop is not session_resource["loop"]
    check_wider_loops_open()


@pytest.mark.asyncio(loop_scope="package")
async def test_package_1():
    remember("package")
    assert LOOPS["package"] is not LOOPS["module"]
    assert LOOPS["package"] is not LOOPS["session"]
    check_wider_loops_open()


@pytest.mark.asyncio(loop_scope="class")
class TestClassLoop:
    async def test_class_1(self):
        remember("class")
        check_wider_loops_open()

    @pytest.mark.asyncio(loop_scope="module")
    async def test_module_in_class(self, module_resource):
        assert remember("module") is module_resource["loop"]
        check_wider_loops_open()

    async def test_class_2(self):
        loop = remember("class")
        assert all(loop is not LOOPS[name] for name in ("module", "session", "package"))
        check_wider_loops_open()


@pytest.mark.asyncio(loop_scope="module")
async def test_module_2(module_resource):
    assert remember("module") is module_resource["loop"]
    assert LOOPS["class"].is_closed()
    check_wider_loops_open()


@pytest.mark.asyncio(loop_scope="session")
async def test_session_2(session_resource):
    assert remember("session") is session_resource["loop"]
    check_wider_loops_open()


@pytest.mark.asyncio(loop_scope="function")
async def test_function_3():
    FUNCTION_LOOPS.append(asyncio.get_running_loop())
    assert len(set(map(id, FUNCTION_LOOPS))) == 3
    check_wider_loops_open()


@pytest.mark.asyncio(loop_scope="module")
async def test_module_3(module_resource):
    assert remember("module") is module_resource["loop"]
    check_wider_loops_open()
"""

INTERLEAVED_SECOND = """
import asyncio

import pytest

from conftest import LOOPS, remember


@pytest.mark.asyncio(loop_scope="module")
async def test_new_module_loop():
    loop = asyncio.get_running_loop()
    assert LOOPS["module"].is_closed()
    assert loop is not LOOPS["module"]


@pytest.mark.asyncio(loop_scope="session")
async def test_session_loop_carries_over(session_resource):
    assert remember("session") is session_resource["loop"]
    assert not LOOPS["session"].is_closed()


@pytest.mark.asyncio(loop_scope="package")
async def test_package_loop_carries_over():
    assert remember("package") is LOOPS["package"]
"""


def test_interleaved_loop_scopes_keep_wider_loops(pytester: pytest.Pytester, mode: str) -> None:
    pytester.syspathinsert()
    pytester.makeconftest(INTERLEAVED_CONFTEST)
    # In a package, so that the package loop is not the session loop.
    package = pytester.mkpydir("pkg")
    (package / "test_a_first.py").write_text(INTERLEAVED_FIRST)
    (package / "test_b_second.py").write_text(INTERLEAVED_SECOND)
    result = pytester.runpytest()
    result.assert_outcomes(passed=15)


SYNC_CONFTEST = """
import asyncio
import warnings

LOOPS = []


async def answer():
    await asyncio.sleep(0)
    return 42


def current_loop_or_none():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return asyncio.get_event_loop()
        except RuntimeError:
            return None


def check_no_leftover_current_loop():
    loop = current_loop_or_none()
    if loop is not None:
        # No loop at all, an open loop of an open scope, or a fresh one from the policy:
        # never a loop that was closed.
        assert not loop.is_closed()
    return loop


def check_sync_loops_work():
    assert asyncio.run(answer()) == 42
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(answer()) == 42
    finally:
        loop.close()
"""

SYNC_FIRST = """
import asyncio

import pytest
import pytest_asyncio

from conftest import LOOPS, answer, check_no_leftover_current_loop, check_sync_loops_work


@pytest_asyncio.fixture
def sync_fixture_on_loop():
    # A sync fixture made with pytest_asyncio.fixture runs with its loop as the current loop.
    loop = asyncio.get_event_loop()
    assert not loop.is_closed()
    return loop


@pytest.mark.asyncio
async def test_async_function_loop(sync_fixture_on_loop):
    LOOPS.append(asyncio.get_running_loop())
    assert sync_fixture_on_loop is LOOPS[0]


@pytest.mark.asyncio(loop_scope="module")
async def test_async_module_loop():
    LOOPS.append(asyncio.get_running_loop())


def test_sync_inside_open_module_scope():
    assert LOOPS[0].is_closed()
    assert not LOOPS[1].is_closed()
    check_no_leftover_current_loop()
    check_sync_loops_work()


@pytest.mark.asyncio
async def test_async_function_loop_after():
    assert await answer() == 42
    assert asyncio.get_running_loop() is not LOOPS[0]


@pytest.mark.asyncio(loop_scope="module")
async def test_async_module_loop_after():
    assert await answer() == 42
    assert asyncio.get_running_loop() is LOOPS[1]
"""

SYNC_SECOND = """
import asyncio

import pytest

from conftest import LOOPS, answer, check_no_leftover_current_loop, check_sync_loops_work


def test_sync_after_every_scope_closed():
    assert all(loop.is_closed() for loop in LOOPS)
    loop = check_no_leftover_current_loop()
    assert all(loop is not ours for ours in LOOPS)
    check_sync_loops_work()


@pytest.mark.asyncio(loop_scope="module")
async def test_async_after_sync_loops():
    assert await answer() == 42
    assert all(asyncio.get_running_loop() is not ours for ours in LOOPS)
"""


def test_sync_code_after_loops_close(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_mode="strict")
    pytester.syspathinsert()
    pytester.makeconftest(SYNC_CONFTEST)
    pytester.makepyfile(test_a_first=SYNC_FIRST, test_b_second=SYNC_SECOND)
    result = pytester.runpytest()
    result.assert_outcomes(passed=7)
