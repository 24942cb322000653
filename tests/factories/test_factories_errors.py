"""An unusable loop factory configuration is one clear error, never a silent default.

The ``pytest_asyncio_loop_factories`` hook must give a non-empty mapping of non-empty names to
callables. Anything else, ``None`` from every implementation included, is a collection error
naming the implementation's file and line and what is wrong. (SPEC says ``None`` means the
default loop; the newer issue 9 makes ``None`` from every implementation an error, as in
pytest-asyncio.) A ``loop_factories=[""]`` mark is a marker error of that test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import pytest_asyncio
from pytest_asyncio import _messages

TEST_MODULE = """
import pytest


@pytest.mark.asyncio
async def test_a():
    raise AssertionError("must not run")


def test_sync():
    pass
"""

HOOK = """import asyncio


class AlphaLoop(asyncio.SelectorEventLoop):
    pass


def pytest_asyncio_loop_factories(config, item):
    return {result}
"""


def collection_error(result: pytest.RunResult) -> str:
    """The output of a run that must have stopped at one collection error, no test run."""
    result.assert_outcomes(errors=1)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    output = result.stdout.str()
    assert "ERROR collecting test_hooked.py" in output
    # Just the message: no traceback through the plugin's frames.
    assert str(Path(pytest_asyncio.__file__).parent) not in output
    return output


class Shown:
    """Stands for a value in a message template: its repr is the text the user sees."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


LOOP = "<class 'conftest.AlphaLoop'>"


@pytest.mark.parametrize(
    ("written", "shown", "problem"),
    [
        pytest.param("{}", "{}", _messages.HOOK_RESULT_EMPTY, id="empty"),
        pytest.param(
            "[AlphaLoop]",
            f"[{LOOP}]",
            _messages.HOOK_RESULT_NOT_A_MAPPING.format(type="list"),
            id="list",
        ),
        pytest.param(
            '{"": AlphaLoop}',
            f"{{'': {LOOP}}}",
            _messages.HOOK_RESULT_BAD_NAME.format(name=""),
            id="empty-name",
        ),
        pytest.param(
            "{1: AlphaLoop}",
            f"{{1: {LOOP}}}",
            _messages.HOOK_RESULT_BAD_NAME.format(name=1),
            id="name-not-str",
        ),
        pytest.param(
            '{"alpha": 1}',
            "{'alpha': 1}",
            _messages.HOOK_RESULT_NOT_CALLABLE.format(name="alpha"),
            id="not-callable",
        ),
    ],
)
def test_unusable_hook_result_is_a_collection_error(
    pytester: pytest.Pytester, mode: str, written: str, shown: str, problem: str
) -> None:
    pytester.makeconftest(HOOK.format(result=written))
    pytester.makepyfile(test_hooked=TEST_MODULE)
    output = collection_error(pytester.runpytest())
    message = _messages.HOOK_BAD_RESULT.format(
        where="conftest.py:8", value=Shown(shown), nodeid="test_hooked.py::test_a", problem=problem
    )
    assert message in output


def test_empty_factory_name_message(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(HOOK.format(result='{"": AlphaLoop}'))
    pytester.makepyfile(test_hooked=TEST_MODULE)
    output = collection_error(pytester.runpytest())
    assert (
        "pytest_asyncio_loop_factories in conftest.py:8 returned "
        "{'': <class 'conftest.AlphaLoop'>} for test_hooked.py::test_a: the name '' is not a "
        "non-empty string. It must return a non-empty mapping of names to zero-argument "
        "callables that create event loops, e.g. {'default': asyncio.new_event_loop}."
    ) in output


def test_none_from_every_implementation_is_a_collection_error(
    pytester: pytest.Pytester, mode: str
) -> None:
    """Each implementation returning None is named, in the order pluggy calls them."""
    pytester.makepyfile(
        plugin_first="""
        import pytest


        @pytest.hookimpl(tryfirst=True)
        def pytest_asyncio_loop_factories(config, item):
            return None
        """
    )
    pytester.makeconftest(
        """
        pytest_plugins = ["plugin_first"]


        def pytest_asyncio_loop_factories(config, item):
            return None
        """
    )
    pytester.makepyfile(test_hooked=TEST_MODULE)
    output = collection_error(pytester.runpytest())
    message = _messages.HOOK_ALL_NONE.format(
        nodeid="test_hooked.py::test_a", where="plugin_first.py:4, conftest.py:4"
    )
    assert message in output
    assert (
        "every pytest_asyncio_loop_factories implementation returned None for "
        "test_hooked.py::test_a (plugin_first.py:4, conftest.py:4), so no loop factory is "
        "named for it. Return the factories for it, e.g. {'default': asyncio.new_event_loop} "
        "for the default loop."
    ) in output


def test_none_first_then_factories_uses_the_factories(pytester: pytest.Pytester) -> None:
    """The first non-None result wins: a None is an error only when every one is None."""
    pytester.makepyfile(
        plugin_first="""
        import pytest


        @pytest.hookimpl(tryfirst=True)
        def pytest_asyncio_loop_factories(config, item):
            return None
        """
    )
    pytester.makeconftest(
        """
        import asyncio

        pytest_plugins = ["plugin_first"]


        class AlphaLoop(asyncio.SelectorEventLoop):
            pass


        def pytest_asyncio_loop_factories(config, item):
            return {"alpha": AlphaLoop}
        """
    )
    pytester.makepyfile(
        test_hooked="""
        import asyncio

        import pytest


        @pytest.mark.asyncio
        async def test_a():
            assert type(asyncio.get_running_loop()).__name__ == "AlphaLoop"
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_hook_declining_a_sync_test_leaves_its_fixtures_on_the_default_loop(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        import asyncio

        import pytest_asyncio


        class AlphaLoop(asyncio.SelectorEventLoop):
            pass


        def pytest_asyncio_loop_factories(config, item):
            if pytest_asyncio.is_async_test(item):
                return {"alpha": AlphaLoop}
            return None
        """
    )
    pytester.makepyfile(
        test_hooked="""
        import asyncio

        import pytest

        import pytest_asyncio


        @pytest_asyncio.fixture
        async def loop_type():
            return type(asyncio.get_running_loop()).__name__


        def test_sync(loop_type):
            assert loop_type != "AlphaLoop"


        @pytest.mark.asyncio
        async def test_async(loop_type):
            assert loop_type == "AlphaLoop"
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_empty_name_in_the_mark_is_a_marker_error(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(HOOK.format(result='{"alpha": AlphaLoop}'))
    pytester.makepyfile(
        test_marked="""
        import pytest


        @pytest.mark.asyncio(loop_factories=[""])
        async def test_a():
            raise AssertionError("must not run")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    message = _messages.MARK_BAD_FACTORIES.format(nodeid="test_marked.py::test_a", value=[""])
    assert message in result.stdout.str()
