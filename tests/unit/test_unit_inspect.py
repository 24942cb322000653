"""How the plugin tells async test and fixture functions from sync ones."""

from __future__ import annotations

import functools
import inspect
import sys
from typing import Any, cast

import pytest

import pytest_asyncio
from pytest_asyncio._inspect import async_kind, may_be_ours, plain_function, surely_sync_fixture


def plain() -> None:
    pass


async def coroutine() -> None:
    pass


async def asyncgen() -> Any:
    yield


class Holder:
    def method(self) -> None:
        pass

    async def async_method(self) -> None:
        pass


@pytest.mark.parametrize(
    ("function", "kind"),
    [
        (plain, None),
        (coroutine, "coroutine"),
        (asyncgen, "asyncgen"),
        (Holder().method, None),
        (Holder().async_method, "coroutine"),
        (functools.partial(coroutine), "coroutine"),
        (functools.partial(plain), None),
        (len, None),
    ],
)
def test_async_kind(function: object, kind: str | None) -> None:
    assert async_kind(function) == kind


@pytest.mark.skipif(sys.version_info < (3, 12), reason="inspect.markcoroutinefunction: 3.12+")
def test_async_kind_of_marked_sync_function() -> None:
    def returns_awaitable() -> Any:
        return coroutine()

    marked = inspect.markcoroutinefunction(returns_awaitable)  # type: ignore[attr-defined,unused-ignore]
    assert async_kind(marked) == "coroutine"


class Lazy:
    """Records every attribute asked of it, and raises like an unconfigured settings object."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __getattr__(self, name: str) -> Any:
        self.asked.append(name)
        raise RuntimeError(name)

    def __call__(self) -> None:
        pass


@pytest.mark.parametrize(
    ("obj", "function"),
    [
        (coroutine, coroutine),
        (plain, plain),
        (staticmethod(coroutine), coroutine),
        (classmethod(cast(Any, coroutine)), coroutine),
        (Holder().async_method, Holder.async_method),
        (Holder, None),
        (functools.partial(coroutine), None),
        (staticmethod(len), None),
        (len, None),
        (pytest.mark, None),
    ],
)
def test_plain_function(obj: object, function: object) -> None:
    assert plain_function(obj) is function


def test_plain_function_reads_no_attribute_of_user_objects() -> None:
    lazy = Lazy()
    assert plain_function(lazy) is None
    assert lazy.asked == []


def _marked_sync() -> Any:
    """A sync function ``inspect.markcoroutinefunction()`` marked (3.12+), else None."""
    mark = getattr(inspect, "markcoroutinefunction", None)
    if mark is None:
        return None

    def returns_awaitable() -> Any:
        return coroutine()

    return mark(returns_awaitable)


def _decorated() -> Any:
    """A sync function ``pytest_asyncio.fixture`` decorated (it records its options on it)."""

    def value() -> int:
        return 1

    pytest_asyncio.fixture(value)
    return value


def _hypothesis_like() -> Any:
    def test() -> None:
        pass

    test.hypothesis = object()  # type: ignore[attr-defined]  # as hypothesis's @given does
    return test


@pytest.mark.parametrize(
    ("function", "sync"),
    [
        (plain, True),
        (Holder().method, True),
        (coroutine, False),
        (asyncgen, False),
        (Holder().async_method, False),
        (functools.partial(plain), False),  # not a plain function: looked at closer
        (len, False),
    ],
)
def test_surely_sync_fixture(function: object, sync: bool) -> None:
    assert surely_sync_fixture(function) is sync


def test_a_fixture_decorated_or_marked_as_coroutine_is_not_surely_sync() -> None:
    assert surely_sync_fixture(_decorated()) is False
    marked = _marked_sync()
    if marked is not None:
        assert surely_sync_fixture(marked) is False


def test_may_be_ours(pytester: pytest.Pytester) -> None:
    """The tests that are not surely sync: async ones, sync ones marked asyncio, and those a
    function flag alone cannot tell (hypothesis tests, functions marked as coroutines)."""
    items = pytester.getitems(
        """
        import inspect
        import types
        import pytest

        def test_sync():
            pass

        async def test_async():
            pass

        @pytest.mark.asyncio
        def test_sync_marked():
            pass

        def test_hypothesis_like():
            pass
        test_hypothesis_like.hypothesis = types.SimpleNamespace(inner_test=test_hypothesis_like)

        def test_marked_as_coroutine():
            pass
        if hasattr(inspect, "markcoroutinefunction"):
            test_marked_as_coroutine = inspect.markcoroutinefunction(test_marked_as_coroutine)
        """
    )
    assert len(items) == 5
    ours = may_be_ours(items)
    expected = ["test_async", "test_hypothesis_like", "test_sync_marked"]
    if sys.version_info >= (3, 12):
        expected.append("test_marked_as_coroutine")
    assert sorted(item.name for item in items if id(item) in ours) == sorted(expected)
