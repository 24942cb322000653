"""Running async test bodies as jobs on their loop's driver task.

The modules that run loops (and asyncio) are imported by the first async test: a run of sync
tests does not pay for them.
"""

from __future__ import annotations

import contextvars
import functools
from typing import TYPE_CHECKING, Any

import pytest

from pytest_asyncio import _collect, _compat, _timeouts

if TYPE_CHECKING:
    from pytest_asyncio._runner import LoopRunner, Owner


# Not tryfirst: skip marks (evaluated by a tryfirst hook) win over our errors; registered
# after pytest's runner, this still runs before the item's fixtures are set up.
def pytest_runtest_setup(item: pytest.Item) -> None:
    spec = _collect.spec_of(item)
    if spec is None:
        return
    if spec.error is not None:
        pytest.fail(spec.error, pytrace=False)
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
    from pytest_asyncio._runner import Owner

    runner = _loops.runner_for(pyfuncitem, pyfuncitem, spec.loop_scope)
    owner = Owner("call", pyfuncitem.nodeid)
    limit = _timeouts.limit_for(pyfuncitem)
    funcargs = pyfuncitem.funcargs
    kwargs = {name: funcargs[name] for name in _compat.test_argnames(pyfuncitem)}
    hypothesis = getattr(pyfuncitem.obj, "hypothesis", None)
    if hypothesis is not None:
        _run_hypothesis(pyfuncitem, runner, hypothesis, kwargs, owner, limit)
    else:
        context = contextvars.copy_context()
        test = pyfuncitem.obj(**kwargs)
        _loops.run(runner, test, context, pyfuncitem, owner=owner, limit=limit)
    return True


def pytest_exception_interact(
    node: pytest.Item | pytest.Collector,
    call: pytest.CallInfo[object],
    report: pytest.TestReport | pytest.CollectReport,
) -> None:
    """Explain a "different loop" failure. This hook runs for failures only, so passing
    tests pay nothing for it; the failure summary is printed later, sections included."""
    excinfo = call.excinfo
    if not isinstance(node, pytest.Item) or excinfo is None:
        return
    section = getattr(excinfo.value, "asyncio_section", None)  # a timeout's other tasks
    if section is not None:
        report.sections.append(section)
    from pytest_asyncio import _diagnosis

    if _diagnosis.is_different_loop_error(excinfo.value):
        spec = _collect.spec_of(node)
        text = _diagnosis.explain(node, spec.loop_scope if spec is not None else None)
        if text is not None:
            report.sections.append((_diagnosis.SECTION, text))


def _run_hypothesis(
    item: pytest.Function,
    runner: LoopRunner,
    hypothesis: Any,
    kwargs: dict[str, Any],
    owner: Owner,
    limit: _timeouts.Limit | None,
) -> None:
    """Run each hypothesis example as a job on the test's loop."""
    __tracebackhide__ = True
    from pytest_asyncio import _loops

    inner = hypothesis.inner_test

    @functools.wraps(inner)  # hypothesis reports the failing example under this name
    def run_example(*args: Any, **example_kwargs: Any) -> None:
        __tracebackhide__ = True
        context = contextvars.copy_context()
        example = inner(*args, **example_kwargs)
        _loops.run(runner, example, context, item, owner=owner, limit=limit)

    hypothesis.inner_test = run_example
    try:
        item.obj(**kwargs)
    finally:
        hypothesis.inner_test = inner
