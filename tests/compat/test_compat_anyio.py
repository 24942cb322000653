"""SPEC "Modes": tests marked for another async plugin are left alone. With anyio's pytest
plugin installed beside us, tests marked ``anyio`` or using the ``anyio_backend`` fixture are
run by anyio (in strict and in auto mode) and ``is_async_test`` is False for them, while our
tests in the same modules still run on our loops."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

# Records, for every collected item, whether pytest-asyncio-ng says it runs it.
CONFTEST = """
import json

import pytest

import pytest_asyncio


def pytest_collection_modifyitems(config, items):
    ours = {item.nodeid: pytest_asyncio.is_async_test(item) for item in items}
    (config.rootpath / "ours.json").write_text(json.dumps(ours))
"""

# anyio keeps the runner of the test it is running in a module global; a test it runs sees
# that runner's loop running. Our tests see no anyio runner at all.
PROBE = """
import asyncio

import anyio.pytest_plugin

OUR_LOOPS = []


def run_by_anyio():
    runner = anyio.pytest_plugin._current_runner
    return runner is not None and runner.get_loop() is asyncio.get_running_loop()


def run_by_us():
    assert anyio.pytest_plugin._current_runner is None
    loop = asyncio.get_running_loop()
    assert all(loop is other for other in OUR_LOOPS)
    OUR_LOOPS.append(loop)
"""

MIXED_MODULE = """
import asyncio

import anyio
import pytest

from probe import OUR_LOOPS, run_by_anyio, run_by_us


@pytest.mark.anyio
async def test_anyio_marked(anyio_backend_name):
    assert anyio_backend_name == "asyncio"
    assert run_by_anyio()
    assert asyncio.get_running_loop() not in OUR_LOOPS
    await anyio.sleep(0)


async def test_anyio_backend_fixture(anyio_backend):
    assert anyio_backend == "asyncio"
    assert run_by_anyio()
    await anyio.sleep(0)


@pytest.mark.asyncio(loop_scope="session")
async def test_ours_marked():
    run_by_us()
    await asyncio.sleep(0)


class TestMixed:
    @pytest.mark.anyio
    async def test_anyio_method(self, request):
        assert request.instance is self
        assert run_by_anyio()

    @pytest.mark.asyncio(loop_scope="session")
    async def test_ours_method(self, request):
        assert request.instance is self
        run_by_us()
{unmarked}

def test_sync():
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
"""

UNMARKED = """

async def test_ours_unmarked():
    run_by_us()


class TestUnmarked:
    async def test_ours_unmarked_method(self):
        run_by_us()
"""

ANYIO_MODULE = """
import asyncio

import anyio
import pytest
from hypothesis import given, settings, strategies as st

from probe import run_by_anyio

pytestmark = pytest.mark.anyio


async def test_module_marked():
    assert run_by_anyio()
    await anyio.sleep(0)


class TestModuleMarked:
    async def test_method(self):
        assert run_by_anyio()


@settings(max_examples=3, database=None, deadline=None)
@given(x=st.integers())
async def test_given(x):
    assert run_by_anyio()
"""

# Node ids of the tests anyio runs (anyio parametrizes them over its one available backend).
ANYIO_TESTS = [
    "test_mixed.py::test_anyio_marked[asyncio]",
    "test_mixed.py::test_anyio_backend_fixture[asyncio]",
    "test_mixed.py::TestMixed::test_anyio_method[asyncio]",
    "test_module.py::test_module_marked[asyncio]",
    "test_module.py::TestModuleMarked::test_method[asyncio]",
    "test_module.py::test_given[asyncio]",
]
OUR_TESTS = ["test_mixed.py::test_ours_marked", "test_mixed.py::TestMixed::test_ours_method"]
AUTO_ONLY_TESTS = [
    "test_mixed.py::test_ours_unmarked",
    "test_mixed.py::TestUnmarked::test_ours_unmarked_method",
]


@pytest.mark.parametrize("asyncio_mode", ["strict", "auto"])
def test_anyio_tests_run_by_anyio_ours_by_us(
    pytester: pytest.Pytester, ini: IniWriter, asyncio_mode: str
) -> None:
    auto = asyncio_mode == "auto"
    # Unmarked tests in auto mode take the session loop too: one loop for all of ours.
    ini(asyncio_mode=asyncio_mode, asyncio_default_test_loop_scope="session")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        probe=PROBE,
        test_mixed=MIXED_MODULE.format(unmarked=UNMARKED if auto else ""),
        test_module=ANYIO_MODULE,
    )
    ours = OUR_TESTS + (AUTO_ONLY_TESTS if auto else [])
    # Runs last: every one of our tests ran, all on the one session loop.
    pytester.makepyfile(
        test_zz_check=f"""
        from probe import OUR_LOOPS

        def test_our_tests_ran():
            assert len(OUR_LOOPS) == {len(ours)}
        """
    )
    result = pytester.runpytest("-W", "error::pytest.PytestWarning")
    result.assert_outcomes(passed=len(ANYIO_TESTS) + len(ours) + 2)

    is_async_test = json.loads((pytester.path / "ours.json").read_text())
    assert {nodeid for nodeid, value in is_async_test.items() if value} == set(ours)
    assert set(ANYIO_TESTS) <= set(is_async_test)


@pytest.mark.parametrize("asyncio_mode", ["strict", "auto"])
def test_anyio_backend_parametrized_to_asyncio_only(
    pytester: pytest.Pytester, ini: IniWriter, asyncio_mode: str
) -> None:
    ini(asyncio_mode=asyncio_mode)
    pytester.makepyfile(probe=PROBE)
    pytester.makepyfile(
        test_backends="""
        import asyncio

        import anyio
        import pytest

        from probe import run_by_anyio, run_by_us


        @pytest.fixture(params=["asyncio"])
        def anyio_backend(request):
            return request.param


        @pytest.mark.anyio
        async def test_overridden_fixture(anyio_backend):
            assert anyio_backend == "asyncio"
            assert run_by_anyio()
            await anyio.sleep(0)


        @pytest.mark.parametrize("anyio_backend", [("asyncio", {"debug": True})])
        async def test_parametrized(anyio_backend):
            assert run_by_anyio()
            assert asyncio.get_running_loop().get_debug()


        @pytest.mark.asyncio
        async def test_ours():
            run_by_us()
        """
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines_random(
        [
            "*::test_overridden_fixture[[]asyncio[]] PASSED*",
            "*::test_parametrized[[]anyio_backend0[]] PASSED*",
            "*::test_ours PASSED*",
        ]
    )


@pytest.mark.parametrize(
    "plugin_order",
    [
        pytest.param([], id="default-order"),
        # -p registers anyio's plugin before the entry points, so before ours.
        pytest.param(["-p", "anyio"], id="anyio-registered-first"),
    ],
)
def test_async_fixtures_of_anyio_tests_run_by_anyio_in_auto_mode(
    pytester: pytest.Pytester, ini: IniWriter, plugin_order: list[str]
) -> None:
    # Auto mode makes every async fixture ours; but a fixture set up for a test anyio runs
    # must run on anyio's loop, in anyio's runner, as it would without us, whatever order
    # the plugins were registered in.
    ini(asyncio_mode="auto")
    pytester.makepyfile(probe=PROBE)
    pytester.makepyfile(
        test_fixtures="""
        import asyncio

        import pytest

        from probe import run_by_anyio, run_by_us


        @pytest.fixture
        async def anyio_resource():
            assert run_by_anyio()
            yield asyncio.get_running_loop()
            assert run_by_anyio()


        @pytest.fixture
        async def our_resource():
            run_by_us()
            return asyncio.get_running_loop()


        @pytest.mark.anyio
        async def test_anyio(anyio_resource):
            assert anyio_resource is asyncio.get_running_loop()


        async def test_ours(our_resource):
            assert our_resource is asyncio.get_running_loop()
        """
    )
    result = pytester.runpytest(*plugin_order)
    result.assert_outcomes(passed=2)
