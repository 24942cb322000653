"""How the plugin tells async test and fixture functions from sync ones."""

from __future__ import annotations

import functools
import inspect
import sys
from typing import Any

import pytest

from pytest_asyncio._inspect import async_kind


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
