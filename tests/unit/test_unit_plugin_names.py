"""Names the plugin modules spell out, so that a run of sync tests need not import the module
that defines them, agree with those definitions."""

from __future__ import annotations

from pytest_asyncio import _factories, _overrides
from pytest_asyncio._plugins import collection, fixtures


def test_the_fixtures_plugin_knows_the_overridable_fixtures() -> None:
    assert fixtures._OVERRIDABLE == _overrides.NAMES


def test_the_collection_plugin_knows_the_requested_override() -> None:
    assert _overrides.POLICY.name == collection._POLICY
    assert [fixture.name for fixture in _overrides.OVERRIDABLE if fixture.requested] == [
        collection._POLICY
    ]


def test_the_loop_factory_fixture_has_the_parameter_name() -> None:
    definition = collection._loop_factory
    assert definition.name == _factories.FACTORY_PARAM
