"""Collection: marking async tests, loop-factory parametrization, computing test specs."""

from __future__ import annotations

from collections.abc import Generator
from typing import NamedTuple

import pytest

from pytest_asyncio import _collect, _factories, _marks, _overrides
from pytest_asyncio._inspect import async_kind, plain_function
from pytest_asyncio._settings import SETTINGS_KEY, Settings

#: The fixture name lists (closures) of the tests parametrized over loop factories.
_CLOSURES_KEY = pytest.StashKey[list[list[str]]]()


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
    """Run an async test once per loop factory the hook names for it (see _factories)."""
    if not metafunc.config.hook.pytest_asyncio_loop_factories.get_hookimpls():
        return
    definition = metafunc.definition
    settings = metafunc.config.stash[SETTINGS_KEY]
    if not _collect.is_ours(definition, settings):
        return
    mark = _marks.find(definition)
    try:
        spec = _marks.parse(mark, definition.nodeid) if mark else None
    except _marks.MarkError:
        return  # reported when the test is set up
    try:
        factories = _factories.hook_factories(metafunc.config, definition)
    except _factories.FactoriesError as error:
        pytest.fail(str(error), pytrace=False)  # a collection error: just the message
    if factories is None:
        return  # no implementation applies here; a loop_factories mark fails at setup
    wanted = spec.loop_factories if spec is not None else None
    loop_scope = (spec.loop_scope if spec is not None else None) or settings.default_test_loop_scope
    scope = _factories.param_scope(metafunc, loop_scope, settings)
    metafunc.fixturenames.append(_factories.FACTORY_PARAM)
    metafunc.parametrize(
        _factories.FACTORY_PARAM,
        _factories.variants(factories, wanted, definition.nodeid),
        indirect=True,
        scope=scope,
    )
    metafunc.config.stash.setdefault(_CLOSURES_KEY, []).append(metafunc.fixturenames)


@pytest.fixture(scope="session", name=_factories.FACTORY_PARAM)
def _loop_factory(request: pytest.FixtureRequest) -> object:
    """The loop factory of an async test under the loop factories hook (its parameter)."""
    factory = getattr(request, "param", None)
    if _factories.has_pending(request.config):
        from pytest_asyncio import _loops

        _loops.settle(request, factory)
    return factory


def pytest_collection_modifyitems(config: pytest.Config) -> None:
    # Each test's spec is computed when it is first needed, at its setup: after every hook
    # that adds marks, and never for tests that are deselected or not run on this worker.
    for names in config.stash.get(_CLOSURES_KEY, ()):
        # The factory fixture goes first, so that a change of factory tears down the fixtures
        # tied to the previous one before any of them is looked up. pytest drops it from the
        # closure after parametrizing (no test argument asks for it): put it back.
        if _factories.FACTORY_PARAM in names:
            names.remove(_factories.FACTORY_PARAM)
        names.insert(0, _factories.FACTORY_PARAM)
    config.stash[_CLOSURES_KEY] = []
