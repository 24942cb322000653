"""Setting up and calling the async tests we run (``_plugins.running`` calls this module for
every test that may be one; the first such test imports it, and asyncio with it).
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Generator
from typing import Any, Final

import pytest

from . import _compat, _messages
from ._collect import MARK_DEPRECATION_KEY, SYNC_MARKED_KEY, UNMARKED_KEY, spec_of
from ._compat import test_argnames
from ._loops import run, runner_for, select_factory
from ._runner import LoopRunner, Owner
from ._timeouts import Limit, limit_for
from ._warnings import location, warn_at, warn_once


def setup(item: pytest.Item) -> None:
    """At the test's setup, before its fixtures: fail it for a bad marker, start what its
    marker asks for."""
    spec = spec_of(item)
    if spec is None:
        if UNMARKED_KEY in item.stash:
            _watch_unmarked_tests(item.config)
        return
    if MARK_DEPRECATION_KEY in item.stash:  # once per session: the first test using it is named
        warning = item.stash[MARK_DEPRECATION_KEY]
        warn_once(item.config, "mark scope=", warning, *location(item))
    if spec.error is not None:
        pytest.fail(spec.error, pytrace=False)
    if spec.checks:  # a test's marker turns checks on that the session leaves off
        from pytest_asyncio._plugins import checks

        checks.activate(item.config, item)
    if spec.clock == "virtual":  # a test's marker or fixture asks for virtual time
        from pytest_asyncio._plugins import clock

        clock.activate(item.config, item)
    if item.config.hook.pytest_asyncio_loop_factories.get_hookimpls():
        select_factory(item)  # skips an unknown factory before fixtures are set up


def call(pyfuncitem: pytest.Function) -> bool | None:
    """Run the test's body as a job on its loop; None when it is not ours."""
    __tracebackhide__ = True
    spec = spec_of(pyfuncitem)
    if spec is None:
        if SYNC_MARKED_KEY in pyfuncitem.stash:  # before the test runs, as pytest-asyncio warns
            warn_at(pyfuncitem, pyfuncitem.stash[SYNC_MARKED_KEY])
        return None
    runner = runner_for(pyfuncitem, pyfuncitem, spec.loop_scope)
    owner = Owner("call", pyfuncitem.nodeid)
    limit = limit_for(pyfuncitem, spec)
    funcargs = pyfuncitem.funcargs
    kwargs = {name: funcargs[name] for name in test_argnames(pyfuncitem)}
    function = pyfuncitem.obj
    if spec.hypothesis:
        _run_hypothesis(pyfuncitem, runner, function.hypothesis, kwargs, owner, limit)
    else:
        context = contextvars.copy_context()
        # On a loop of its own, the test is the last job unless its fixtures ran before it.
        sole = spec.loop_scope == "function" and not runner.has_run
        awaitable = function(**kwargs)
        config = pyfuncitem.config
        result = run(
            runner,
            awaitable,
            context,
            pyfuncitem,
            config=config,
            owner=owner,
            limit=limit,
            sole=sole,
        )
        if result is not None:
            _returned(pyfuncitem, result)
    return True


def _returned(item: pytest.Function, result: object) -> None:
    """Treat a value returned by an async test as pytest treats one from a sync test."""
    import reprlib

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
            mode = pyfuncitem.stash.get(UNMARKED_KEY, None)
            if mode is None or not _compat.is_unsupported_async_failure(error):
                raise
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
    inner = hypothesis.inner_test

    @functools.wraps(inner)  # hypothesis reports the failing example under this name
    def run_example(*args: Any, **example_kwargs: Any) -> Any:
        __tracebackhide__ = True
        context = contextvars.copy_context()
        # Returned: hypothesis checks that a test returns None, as it does for sync tests.
        example = inner(*args, **example_kwargs)
        return run(runner, example, context, item, config=item.config, owner=owner, limit=limit)

    hypothesis.inner_test = run_example
    try:
        item.obj(**kwargs)
    finally:
        hypothesis.inner_test = inner
