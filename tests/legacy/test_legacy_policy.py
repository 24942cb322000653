"""A user's ``event_loop_policy`` override is the current policy while the tests and fixtures
that run on its loops run, and the previous policy is restored after them. Its deprecation
warning is raised while the first test that sets the override up runs, so that test's
``filterwarnings`` marks and a ``filterwarnings = error`` setting apply to it as to any
warning of the test; collection never fails because of it.
"""

from __future__ import annotations

import textwrap

import pytest

from pytest_asyncio import _messages

# Python 3.14 deprecates the policy functions: the inner tests read the policy without that
# warning, so that filterwarnings = error only sees ours.
_POLICY_HELPERS = """
import asyncio
import warnings

import pytest
import pytest_asyncio


def current_policy():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return asyncio.get_event_loop_policy()


with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)

    class CustomPolicy(asyncio.DefaultEventLoopPolicy):
        pass
"""


def test_override_is_the_current_policy_while_its_tests_run(pytester: pytest.Pytester) -> None:
    """The behaviour pytest-asyncio's reference page for the fixture shows: a module-scoped
    override, a test on the module's loop that finds the override current; here also its
    async and sync fixtures, and a later module that finds the previous policy again."""
    pytester.makeini("[pytest]\nasyncio_mode = strict\nfilterwarnings =\n    error\n")
    pytester.makepyfile(
        test_a_covered=_POLICY_HELPERS
        + textwrap.dedent(
            """
            BEFORE = current_policy()


            @pytest.fixture(scope="module")
            def event_loop_policy():
                return CustomPolicy()


            @pytest_asyncio.fixture(loop_scope="module")
            async def async_fixture_policy():
                return current_policy()


            @pytest.mark.asyncio(loop_scope="module")
            @pytest.mark.filterwarnings("ignore::DeprecationWarning")
            async def test_module_loop(event_loop_policy, async_fixture_policy):
                assert current_policy() is event_loop_policy
                assert isinstance(event_loop_policy, CustomPolicy)
                assert async_fixture_policy is event_loop_policy


            @pytest.mark.asyncio
            async def test_function_loop(event_loop_policy):
                assert current_policy() is event_loop_policy
            """
        ),
        test_b_after=_POLICY_HELPERS
        + textwrap.dedent(
            """
            from test_a_covered import BEFORE


            def test_previous_policy_is_back():
                assert current_policy() is BEFORE
                assert not isinstance(current_policy(), CustomPolicy)


            @pytest.mark.asyncio
            async def test_async_previous_policy_is_back():
                assert current_policy() is BEFORE
            """
        ),
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


@pytest.mark.parametrize("marked", [True, False], ids=["marked", "unmarked"])
def test_warning_is_raised_while_the_test_runs(pytester: pytest.Pytester, marked: bool) -> None:
    """Under filterwarnings = error, the test's own mark decides; collection never fails."""
    pytester.makeini("[pytest]\nasyncio_mode = auto\nfilterwarnings =\n    error\n")
    mark = '@pytest.mark.filterwarnings("ignore::DeprecationWarning")\n' if marked else ""
    pytester.makepyfile(
        test_policy=_POLICY_HELPERS
        + textwrap.dedent(
            """
            @pytest.fixture(params=["a", "b"])
            def event_loop_policy(request):
                return CustomPolicy()


            {mark}async def test_runs_under_the_override(event_loop_policy):
                assert current_policy() is event_loop_policy
            """
        ).format(mark=mark)
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    output = result.stdout.str()
    assert "KeyError" not in output
    assert "error during collection" not in output
    if marked:
        result.assert_outcomes(passed=2)
        return
    # The first test that sets the override up gets the (error) warning; once per session.
    result.assert_outcomes(passed=1, errors=1)
    lineno = (pytester.path / "test_policy.py").read_text().splitlines().index(
        '@pytest.fixture(params=["a", "b"])'
    ) + 1
    message = _messages.POLICY_FIXTURE_OVERRIDDEN.format(location=f"test_policy.py:{lineno}")
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_runs_under_the_override[[]a[]]*",
            f"E *PytestAsyncioDeprecationWarning: {message}",
        ]
    )
    assert (
        "The event_loop_policy fixture is overridden in "
        f"test_policy.py:{lineno}; overriding it is deprecated. Implement the "
        "pytest_asyncio_loop_factories hook in a conftest.py instead."
    ) in output
