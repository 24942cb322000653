"""Collection: marking async tests, loop-factory parametrization, computing test specs."""

from __future__ import annotations

from collections.abc import Generator
from typing import NamedTuple

import pytest

from pytest_asyncio import _collect, _marks, _overrides
from pytest_asyncio._inspect import async_kind, plain_function
from pytest_asyncio._settings import SETTINGS_KEY, Settings

#: An invalid result of the loop factories hook, raised once collection is done.
HOOK_ERROR_KEY = pytest.StashKey[pytest.UsageError]()


class _Plan(NamedTuple):
    """What the async tests of one module or class need at collection, found once for all."""

    settings: Settings
    #: Fixtures of ours overridden for these tests: each test uses the override.
    overrides: tuple[_overrides.Overridable, ...]
    #: Whether coroutine tests get prepared: in auto mode, or when the package marks them.
    prepare_coroutines: bool


_PLAN_KEY = pytest.StashKey[_Plan]()


def _plan(collector: pytest.Module | pytest.Class) -> _Plan:
    try:
        return collector.stash[_PLAN_KEY]
    except KeyError:
        settings = collector.config.stash[SETTINGS_KEY]
        prepare = settings.auto or _marks.package_marked(collector)
        plan = _Plan(settings, _overrides.overrides_for(collector), prepare)
        collector.stash[_PLAN_KEY] = plan
        return plan


_Collected = None | pytest.Item | pytest.Collector | list[pytest.Item | pytest.Collector]


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> Generator[None, _Collected, _Collected]:
    # Called for every name of every module and class: look at types only (plain_function),
    # never at attributes a user's object computes, and leave the rest to pytest.
    function = plain_function(obj)
    if function is None:
        return (yield)
    kind = async_kind(function)
    if kind is None and not hasattr(function, "hypothesis"):
        return (yield)  # sync tests: nothing to prepare
    plan = _plan(collector)
    if kind is not None and plan.overrides and collector.istestfunction(obj, name):
        # Before pytest builds the items: a parametrized override parametrizes the tests.
        for fixture in plan.overrides:
            pytest.mark.usefixtures(fixture.name)(function)
    result = yield
    if not result:
        return result  # not a test, as pytest decided
    if kind == "coroutine" and not plan.prepare_coroutines:
        return result  # strict mode, no package mark: nothing to add to the items
    for item in result if isinstance(result, list) else [result]:
        if isinstance(item, pytest.Function):
            _collect.prepare(item, plan.settings)
    return result


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run an async test once per loop factory when the hook names more than one."""
    hook = metafunc.config.hook.pytest_asyncio_loop_factories
    if not hook.get_hookimpls():
        return
    from pytest_asyncio import _loops  # imports asyncio: only with a loop factories hook

    definition = metafunc.definition
    if not _collect.is_ours(definition, metafunc.config.stash[SETTINGS_KEY]):
        return
    mark = _marks.find(definition)
    try:
        wanted = _marks.parse(mark, definition.nodeid).loop_factories if mark else None
    except _marks.MarkError:
        return  # reported when the test is set up
    factories = definition.ihook.pytest_asyncio_loop_factories(
        config=metafunc.config, item=definition
    )
    if factories is None:
        return
    try:
        names = list(wanted or _loops.check_factories(factories, definition.nodeid))
    except pytest.UsageError as error:
        # Raised here, pytest would report a collection error with a traceback; raised from
        # pytest_collection_modifyitems, it ends the run as a usage error.
        metafunc.config.stash.setdefault(HOOK_ERROR_KEY, error)
        return
    if len(names) > 1:
        metafunc.fixturenames.append(_loops.FACTORY_PARAM)
        metafunc.parametrize(_loops.FACTORY_PARAM, names, ids=names)


def pytest_collection_modifyitems(config: pytest.Config) -> None:
    # Each test's spec is computed when it is first needed, at its setup: after every hook
    # that adds marks, and never for tests that are deselected or not run on this worker.
    error = config.stash.get(HOOK_ERROR_KEY, None)
    if error is not None:
        raise error
