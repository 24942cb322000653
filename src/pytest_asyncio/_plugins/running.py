"""Running async test bodies as jobs on their loop's driver task.

The modules that run loops (and asyncio) are imported by the first async test: a run of sync
tests does not pay for them.
"""

from __future__ import annotations

import contextvars
import functools
from typing import TYPE_CHECKING, Any

import pytest

from pytest_asyncio import _collect, _compat, _diagnosis

if TYPE_CHECKING:
    from pytest_asyncio._runner import LoopRunner


# Not tryfirst: skip marks (evaluated by a tryfirst hook) win over our errors; registered
# after pytest's runner, this still runs before the item's fixtures are set up.
def pytest_runtest_setup(item: pytest.Item) -> None:
    spec = _collect.spec_of(item)
    if spec is None:
        return
    if spec.error is not None:
        pytest.fail(spec.error, pytrace=False)
    _diagnosis.watch(item.config)
    if item.config.hook.pytest_asyncio_loop_factories.get_hookimpls():
        from pytest_asyncio import _loops

        _loops.select_factory(item)  # skips an unknown factory before fixtures are set up


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    spec = _collect.spec_of(pyfuncitem)
    if spec is None:
        return None
    __tracebackhide__ = True
    from pytest_asyncio import _loops

    runner = _loops.runner_for(pyfuncitem, pyfuncitem, spec.loop_scope)
    funcargs = pyfuncitem.funcargs
    kwargs = {name: funcargs[name] for name in _compat.test_argnames(pyfuncitem)}
    hypothesis = getattr(pyfuncitem.obj, "hypothesis", None)
    if hypothesis is not None:
        _run_hypothesis(pyfuncitem, runner, hypothesis, kwargs)
    else:
        context = contextvars.copy_context()
        _loops.run(runner, pyfuncitem.obj(**kwargs), context, pyfuncitem)
    return True


def _run_hypothesis(
    item: pytest.Function, runner: LoopRunner, hypothesis: Any, kwargs: dict[str, Any]
) -> None:
    """Run each hypothesis example as a job on the test's loop."""
    __tracebackhide__ = True
    from pytest_asyncio import _loops

    inner = hypothesis.inner_test

    @functools.wraps(inner)  # hypothesis reports the failing example under this name
    def run_example(*args: Any, **example_kwargs: Any) -> None:
        __tracebackhide__ = True
        context = contextvars.copy_context()
        _loops.run(runner, inner(*args, **example_kwargs), context, item)

    hypothesis.inner_test = run_example
    try:
        item.obj(**kwargs)
    finally:
        hypothesis.inner_test = inner
