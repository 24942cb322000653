"""How the plugin tells async test and fixture functions from sync ones."""

from __future__ import annotations

import functools
import inspect
import sys
from typing import Any, cast

import pytest

from pytest_asyncio._inspect import async_kind, plain_function


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
