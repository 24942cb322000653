"""``@pytest.mark.asyncio(loop_factories=[...])`` and what else the factories apply to.

SPEC "The marker" and "is_async_test and the hook": ``loop_factories`` selects, in its order,
among the factories the hook returns; an unknown name makes that variant skipped, naming the
available ones; ``loop_factories`` with no hook implementation is an error for that test; sync
tests are not parametrized; async fixtures of a test run on the loop of the test's factory
when their loop scope is the test's.
"""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages

CONFTEST = """
import asyncio


class AlphaLoop(asyncio.SelectorEventLoop):
    pass


class BetaLoop(asyncio.SelectorEventLoop):
    pass


class GammaLoop(asyncio.SelectorEventLoop):
    pass


def pytest_asyncio_loop_factories(config, item):
    return {"alpha": AlphaLoop, "beta": BetaLoop, "gamma": GammaLoop}
"""

LOOP_TYPE = {"alpha": "AlphaLoop", "beta": "BetaLoop", "gamma": "GammaLoop"}


def test_loop_factories_select_in_order(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_select=f"""
        import asyncio

        import pytest

        LOOP_TYPE = {LOOP_TYPE!r}


        def running_loop_type():
            return type(asyncio.get_running_loop()).__name__


        @pytest.mark.asyncio
        async def test_all(request):
            assert running_loop_type() == LOOP_TYPE[request.node.callspec.id]


        @pytest.mark.asyncio(loop_factories=["gamma", "alpha"])
        async def test_two(request):
            assert running_loop_type() == LOOP_TYPE[request.node.callspec.id]


        @pytest.mark.asyncio(loop_factories=["beta"])
        async def test_one(request):
            assert running_loop_type() == "BetaLoop"


        @pytest.mark.asyncio(loop_factories=["alpha", "nope"])
        async def test_unknown(request):
            assert running_loop_type() == LOOP_TYPE[request.node.callspec.id]


        @pytest.mark.asyncio(loop_factories=["nope"])
        async def test_only_unknown():
            raise AssertionError("must be skipped")


        def test_sync(request):
            assert not hasattr(request.node, "callspec")
        """
    )
    result = pytester.runpytest("-v", "-rs")
    result.assert_outcomes(passed=8, skipped=2)
    names = [
        "test_all[alpha]",
        "test_all[beta]",
        "test_all[gamma]",
        "test_two[gamma]",
        "test_two[alpha]",
        "test_one",
        "test_unknown[alpha]",
        "test_unknown[nope]",
        "test_only_unknown",
        "test_sync",
    ]
    ran = [line.split()[0] for line in result.outlines if line.startswith("test_select.py::")]
    assert ran == [f"test_select.py::{name}" for name in names]
    # Skipped at the test's own line, not at a line of the plugin.
    for line, name in ((27, "test_unknown"), (32, "test_only_unknown")):
        message = _messages.UNKNOWN_LOOP_FACTORY.format(
            name="nope", nodeid=f"test_select.py::{name}", available="'alpha', 'beta', 'gamma'"
        )
        assert f"SKIPPED [1] test_select.py:{line}: {message}" in result.outlines
    assert (
        "SKIPPED [1] test_select.py:32: loop factory 'nope' is not returned by "
        "pytest_asyncio_loop_factories for test_select.py::test_only_unknown; "
        "available: 'alpha', 'beta', 'gamma'."
    ) in result.outlines


def test_loop_factories_without_hook_fails_that_test(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(
        test_no_hook="""
        import asyncio

        import pytest


        @pytest.mark.asyncio(loop_factories=["alpha", "beta"])
        async def test_wants_factories():
            raise AssertionError("must not run")


        @pytest.mark.asyncio
        async def test_default_loop():
            assert asyncio.get_running_loop().is_running()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    output = result.stdout.str()
    assert "ERROR at setup of test_wants_factories" in output
    message = _messages.MARK_FACTORIES_WITHOUT_HOOK.format(
        nodeid="test_no_hook.py::test_wants_factories", names=["alpha", "beta"]
    )
    assert message in output


def test_async_fixtures_run_on_the_factory_loop(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_fixtures=f"""
        import asyncio

        import pytest

        import pytest_asyncio

        LOOP_TYPE = {LOOP_TYPE!r}
        TEARDOWNS = []


        @pytest_asyncio.fixture
        async def coroutine_loop():
            return asyncio.get_running_loop()


        @pytest_asyncio.fixture
        async def generator_loop():
            loop = asyncio.get_running_loop()
            yield loop
            assert asyncio.get_running_loop() is loop
            TEARDOWNS.append(type(loop).__name__)


        @pytest_asyncio.fixture(loop_scope="module")
        async def module_loop():
            return asyncio.get_running_loop()


        @pytest.mark.asyncio(loop_factories=["alpha", "beta"])
        async def test_function_loop(request, coroutine_loop, generator_loop):
            loop = asyncio.get_running_loop()
            assert type(loop).__name__ == LOOP_TYPE[request.node.callspec.id]
            assert coroutine_loop is loop
            assert generator_loop is loop


        @pytest.mark.asyncio(loop_scope="module", loop_factories=["beta", "gamma"])
        async def test_module_loop(request, module_loop):
            loop = asyncio.get_running_loop()
            assert type(loop).__name__ == LOOP_TYPE[request.node.callspec.id]
            assert module_loop is loop


        def test_teardowns_ran_on_their_loops():
            assert TEARDOWNS == ["AlphaLoop", "BetaLoop"]
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=5)


def test_a_hook_elsewhere_leaves_a_policy_override_in_force(
    pytester: pytest.Pytester, mode: str
) -> None:
    """A loop factories hook in one directory's conftest does not apply to tests in another;
    there, an overridden event_loop_policy still makes the loops and is the current policy."""
    hooked = pytester.mkpydir("hooked")
    (hooked / "conftest.py").write_text(CONFTEST)
    (hooked / "test_hooked.py").write_text(
        """
import asyncio

import pytest


@pytest.mark.asyncio
async def test_on_the_hook_loops():
    assert type(asyncio.get_running_loop()).__name__ in {"AlphaLoop", "BetaLoop", "GammaLoop"}
"""
    )
    policy = pytester.mkpydir("policy")
    (policy / "test_policy.py").write_text(
        """
import asyncio

import pytest


class CustomPolicy(asyncio.DefaultEventLoopPolicy):
    pass


@pytest.fixture(scope="module")
def event_loop_policy():
    return CustomPolicy()


@pytest.mark.asyncio
async def test_uses_the_policy():
    assert isinstance(asyncio.get_event_loop_policy(), CustomPolicy)
"""
    )
    result = pytester.runpytest("-p", "no:randomly", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=4)
