"""The ``pytest_asyncio_loop_factories(config, item)`` hook: what its result does to tests.

SPEC "is_async_test and the hook": more than one factory parametrizes async tests with ids
``test_x[name]``; exactly one gives no id suffix; a nested conftest applies only below it.
An unusable result is a collection error: tests/factories/test_factories_errors.py.

Each factory makes a loop of its own ``SelectorEventLoop`` subclass, so an inner test proves
which factory made its loop by the loop's type.
"""

from __future__ import annotations

import asyncio

import pytest

from pytest_asyncio import _messages

LOOP_CLASSES = """
import asyncio


class AlphaLoop(asyncio.SelectorEventLoop):
    pass


class BetaLoop(asyncio.SelectorEventLoop):
    pass
"""


def conftest_returning(result: str) -> str:
    return (
        LOOP_CLASSES
        + f"\n\ndef pytest_asyncio_loop_factories(config, item):\n    return {result}\n"
    )


def default_loop_type() -> str:
    loop = asyncio.new_event_loop()
    try:
        return type(loop).__name__
    finally:
        loop.close()


def inner_tests(expected: dict[str, str]) -> str:
    """Two module-scoped async tests checking their loop's type against *expected*; the
    second checks it shares the first one's loop of the same factory, and no other."""
    return f"""
import asyncio

import pytest

EXPECTED = {expected!r}
LOOPS = {{}}


def variant(request):
    callspec = getattr(request.node, "callspec", None)
    return callspec.id if callspec is not None else None


@pytest.mark.asyncio(loop_scope="module")
async def test_a(request):
    loop = asyncio.get_running_loop()
    assert type(loop).__name__ == EXPECTED[request.node.name]
    LOOPS[variant(request)] = loop


@pytest.mark.asyncio(loop_scope="module")
async def test_b(request):
    loop = asyncio.get_running_loop()
    assert type(loop).__name__ == EXPECTED[request.node.name]
    assert LOOPS[variant(request)] is loop
    assert [key for key, other in LOOPS.items() if other is loop] == [variant(request)]
"""


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        pytest.param(
            '{"alpha": AlphaLoop, "beta": BetaLoop}',
            {
                "test_a[alpha]": "AlphaLoop",
                "test_a[beta]": "BetaLoop",
                "test_b[alpha]": "AlphaLoop",
                "test_b[beta]": "BetaLoop",
            },
            id="two",
        ),
        pytest.param('{"beta": BetaLoop}', {"test_a": "BetaLoop", "test_b": "BetaLoop"}, id="one"),
    ],
)
def test_hook_result_chooses_the_loops(
    pytester: pytest.Pytester, mode: str, result: str, expected: dict[str, str]
) -> None:
    pytester.makeconftest(conftest_returning(result))
    pytester.makepyfile(test_hooked=inner_tests(expected))
    run = pytester.runpytest("-v")
    run.assert_outcomes(passed=len(expected))
    output = run.stdout.str()
    for name in expected:
        assert f"test_hooked.py::{name} PASSED" in output


def test_nested_conftest_applies_only_below_it(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(
        **{
            "sub/conftest": conftest_returning('{"alpha": AlphaLoop, "beta": BetaLoop}'),
            "sub/test_below": inner_tests(
                {
                    "test_a[alpha]": "AlphaLoop",
                    "test_a[beta]": "BetaLoop",
                    "test_b[alpha]": "AlphaLoop",
                    "test_b[beta]": "BetaLoop",
                }
            ),
            "test_beside": inner_tests(dict.fromkeys(["test_a", "test_b"], default_loop_type())),
        }
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=6)
    output = result.stdout.str()
    for nodeid in ("test_beside.py::test_a", "test_beside.py::test_b"):
        assert f"{nodeid} PASSED" in output
    for name in ("test_a[alpha]", "test_a[beta]", "test_b[alpha]", "test_b[beta]"):
        assert f"sub/test_below.py::{name} PASSED" in output


def test_loop_factories_mark_outside_the_hooks_directory(pytester: pytest.Pytester) -> None:
    """A hook in sub/conftest.py does not name factories for tests beside sub/: asking for
    one there must not silently run on the default loop."""
    pytester.makepyfile(
        **{
            "sub/conftest": conftest_returning('{"alpha": AlphaLoop, "beta": BetaLoop}'),
            "test_beside": """
            import pytest


            @pytest.mark.asyncio(loop_factories=["alpha"])
            async def test_wants_alpha():
                pass
            """,
        }
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    message = _messages.MARK_FACTORIES_WITHOUT_HOOK.format(
        nodeid="test_beside.py::test_wants_alpha", names=["alpha"]
    )
    assert message in result.stdout.str()
