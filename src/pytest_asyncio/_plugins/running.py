"""Running async test bodies as jobs on their loop's driver task.

The modules that run loops (and asyncio) are imported by the first async test, and those that
decide which tests are ours by the first test that may be: a run of sync tests does not load
tests does not pay for them.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Final

import pytest

from pytest_asyncio._inspect import surely_sync

if TYPE_CHECKING:
    from pytest_asyncio._runner import LoopRunner, Owner
    from pytest_asyncio._timeouts import Limit


# Not tryfirst: skip marks (evaluated by a tryfirst hook) win over our errors; registered
# after pytest's runner, this still runs before the item's fixtures are set up.
def pytest_runtest_setup(item: pytest.Item) -> None:
    if surely_sync(item):
        return
    from pytest_asyncio import _collect, _diagnosis
    from pytest_asyncio._collect import MARK_DEPRECATION_KEY, UNMARKED_KEY
    from pytest_asyncio._warnings import location, warn_once

    spec = _collect.spec_of(item)
    if spec is None:
        if UNMARKED_KEY in item.stash:
            _watch_unmarked_tests(item.config)
        return
    if MARK_DEPRECATION_KEY in item.stash:  # once per session: the first test using it is named
        warning = item.stash[MARK_DEPRECATION_KEY]
        warn_once(item.config, "mark scope=", warning, *location(item))
    if spec.error is not None:
        pytest.fail(spec.error, pytrace=False)
    _diagnosis.watch(item.config)
    if spec.checks:  # a test's marker turns checks on that the session leaves off
        from pytest_asyncio._plugins import checks

        checks.activate(item.config, item)
    if spec.clock == "virtual":  # a test's marker or fixture asks for virtual time
        from pytest_asyncio._plugins import clock

        clock.activate(item.config, item)
    if item.config.hook.pytest_asyncio_loop_factories.get_hookimpls():
        from pytest_asyncio import _loops

        _loops.select_factory(item)  # skips an unknown factory before fixtures are set up


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    __tracebackhide__ = True
    if surely_sync(pyfuncitem):
        return None
    from pytest_asyncio import _collect, _compat, _timeouts
    from pytest_asyncio._collect import SYNC_MARKED_KEY
    from pytest_asyncio._warnings import warn_at

    spec = _collect.spec_of(pyfuncitem)
    if spec is None:
        if SYNC_MARKED_KEY in pyfuncitem.stash:  # before the test runs, as pytest-asyncio warns
            warn_at(pyfuncitem, pyfuncitem.stash[SYNC_MARKED_KEY])
        return None
    from pytest_asyncio import _loops, _runner

    runner = _loops.runner_for(pyfuncitem, pyfuncitem, spec.loop_scope)
    owner = _runner.Owner("call", pyfuncitem.nodeid)
    limit = _timeouts.limit_for(pyfuncitem, spec)
    funcargs = pyfuncitem.funcargs
    kwargs = {name: funcargs[name] for name in _compat.test_argnames(pyfuncitem)}
    hypothesis = getattr(pyfuncitem.obj, "hypothesis", None)
    if hypothesis is not None:
        _run_hypothesis(pyfuncitem, runner, hypothesis, kwargs, owner, limit)
    else:
        context = contextvars.copy_context()
        result = _loops.run(
            runner, pyfuncitem.obj(**kwargs), context, pyfuncitem, owner=owner, limit=limit
        )
        if result is not None:
            _returned(pyfuncitem, result)
    return True


def _returned(item: pytest.Function, result: object) -> None:
    """Treat a value returned by an async test as pytest treats one from a sync test."""
    import reprlib

    from pytest_asyncio import _compat, _messages
    from pytest_asyncio._warnings import warn_at

    message = _messages.TEST_RETURNED_VALUE.format(nodeid=item.nodeid, value=reprlib.repr(result))
    if _compat.RETURN_NOT_NONE_WARNING is None:  # pytest 8.4.0 failed such tests
        pytest.fail(message, pytrace=False)
    warn_at(item, _compat.RETURN_NOT_NONE_WARNING(message))


_UNMARKED_PLUGIN: Final = "asyncio-ng-unmarked-async-tests"


def _watch_unmarked_tests(config: pytest.Config) -> None:
    # Registered with the first unmarked async test: a run without one pays nothing per test.
    manager = config.pluginmanager
    if manager.get_plugin(_UNMARKED_PLUGIN) is None:
        manager.register(_UnmarkedAsyncTests(), _UNMARKED_PLUGIN)


class _UnmarkedAsyncTests:
    """Explains why an unmarked async test in strict mode did not run.

    Another plugin may run such a test through its own ``pytest_pyfunc_call``; only if none
    does, pytest (or hypothesis, for a ``@given`` test) fails it advising to install an async
    plugin, and that failure is replaced with one that says how to have this plugin run it.
    """

    @pytest.hookimpl(wrapper=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> Generator[None, object, object]:
        # No __tracebackhide__: with pytrace=False pytest shows the message alone, and would
        # add a note about hidden frames.
        try:
            return (yield)
        except (Exception, pytest.fail.Exception) as error:
            from pytest_asyncio import _compat
            from pytest_asyncio._collect import UNMARKED_KEY

            mode = pyfuncitem.stash.get(UNMARKED_KEY, None)
            if mode is None or not _compat.is_unsupported_async_failure(error):
                raise
        from pytest_asyncio import _messages

        message = _messages.UNMARKED_ASYNC_TEST.format(nodeid=pyfuncitem.nodeid, mode=mode)
        pytest.fail(message, pytrace=False)


def _run_hypothesis(
    item: pytest.Function,
    runner: LoopRunner,
    hypothesis: Any,
    kwargs: dict[str, Any],
    owner: Owner,
    limit: Limit | None,
) -> None:
    """Run each hypothesis example as a job on the test's loop."""
    __tracebackhide__ = True
    from pytest_asyncio import _loops

    inner = hypothesis.inner_test

    @functools.wraps(inner)  # hypothesis reports the failing example under this name
    def run_example(*args: Any, **example_kwargs: Any) -> Any:
        __tracebackhide__ = True
        context = contextvars.copy_context()
        # Returned: hypothesis checks that a test returns None, as it does for sync tests.
        example = inner(*args, **example_kwargs)
        return _loops.run(runner, example, context, item, owner=owner, limit=limit)

    hypothesis.inner_test = run_example
    try:
        item.obj(**kwargs)
    finally:
        hypothesis.inner_test = inner
