"""Fixtures wider than a function, under more than one loop factory.

DESIGN "Loop factories": the chosen factory is part of the cache key of every async fixture
wider than a function. A class-, module-, package- or session-scoped async fixture used by
tests parametrized over two factories is set up once per factory, on that factory's loop, and
torn down on it; pytest groups the tests of one factory together.
"""

from __future__ import annotations

import pytest

CONFTEST = """
import asyncio

import pytest_asyncio

EVENTS = []


class AlphaLoop(asyncio.SelectorEventLoop):
    pass


class BetaLoop(asyncio.SelectorEventLoop):
    pass


def pytest_asyncio_loop_factories(config, item):
    return {{"alpha": AlphaLoop, "beta": BetaLoop}}


@pytest_asyncio.fixture(scope="{scope}", loop_scope="{scope}")
async def shared():
    loop = asyncio.get_running_loop()
    EVENTS.append(f"setup:{{type(loop).__name__}}")
    yield loop
    assert asyncio.get_running_loop() is loop
    EVENTS.append(f"teardown:{{type(loop).__name__}}")


def pytest_unconfigure(config):
    print("events:", " ".join(EVENTS))
"""

TESTS = """
import asyncio

import pytest

LOOP_TYPE = {{"alpha": "AlphaLoop", "beta": "BetaLoop"}}


class TestShared:
    @pytest.mark.asyncio(loop_scope="{scope}")
    async def test_one(self, request, shared):
        assert shared is asyncio.get_running_loop()
        assert type(shared).__name__ == LOOP_TYPE[request.node.callspec.id]

    @pytest.mark.asyncio(loop_scope="{scope}")
    async def test_two(self, request, shared):
        assert shared is asyncio.get_running_loop()
        assert type(shared).__name__ == LOOP_TYPE[request.node.callspec.id]

    def test_sync(self, request):
        assert not hasattr(request.node, "callspec")
"""


@pytest.mark.parametrize("scope", ["class", "module", "package", "session"])
def test_wider_fixture_set_up_once_per_factory(pytester: pytest.Pytester, scope: str) -> None:
    pytester.makepyfile(
        **{
            "pkg/__init__": "",
            "pkg/conftest": CONFTEST.format(scope=scope),
            "pkg/test_shared": TESTS.format(scope=scope),
        }
    )
    result = pytester.runpytest("-v", "-s", "-p", "no:randomly")
    result.assert_outcomes(passed=5)
    ran = [line.split()[0] for line in result.outlines if line.startswith("pkg/test_shared.py")]
    assert ran == [
        "pkg/test_shared.py::TestShared::test_one[alpha]",
        "pkg/test_shared.py::TestShared::test_two[alpha]",
        "pkg/test_shared.py::TestShared::test_one[beta]",
        "pkg/test_shared.py::TestShared::test_two[beta]",
        "pkg/test_shared.py::TestShared::test_sync",
    ]
    assert (
        "events: setup:AlphaLoop teardown:AlphaLoop setup:BetaLoop teardown:BetaLoop"
        in result.outlines
    )


def test_sync_test_between_factories_does_not_mix_them(pytester: pytest.Pytester) -> None:
    """A sync test that sets a wider async fixture up before any async test runs it on the
    hook's first factory; the async tests of that factory reuse it, the next factory gets its
    own."""
    pytester.makeconftest(CONFTEST.format(scope="module"))
    pytester.makepyfile(
        test_mixed="""
        import asyncio

        import pytest

        LOOP_TYPE = {"alpha": "AlphaLoop", "beta": "BetaLoop"}


        def test_sync_first(shared):
            assert type(shared).__name__ == "AlphaLoop"


        @pytest.mark.asyncio(loop_scope="module")
        async def test_async(request, shared):
            assert shared is asyncio.get_running_loop()
            assert type(shared).__name__ == LOOP_TYPE[request.node.callspec.id]
        """
    )
    result = pytester.runpytest("-s", "-p", "no:randomly")
    result.assert_outcomes(passed=3)
    assert (
        "events: setup:AlphaLoop teardown:AlphaLoop setup:BetaLoop teardown:BetaLoop"
        in result.outlines
    )
