"""What kind of function a test or fixture is, cheaply: collection asks this of every test.

``inspect.iscoroutinefunction`` unwraps partials and methods and looks for markers on every
call; a plain function (or a method of one) answers from its code flags alone.
"""

from __future__ import annotations

import inspect
import types
from typing import Final, Literal

AsyncKind = Literal["coroutine", "asyncgen"]

_COROUTINE: Final = inspect.CO_COROUTINE
_ASYNCGEN: Final = inspect.CO_ASYNC_GENERATOR
#: Set by inspect.markcoroutinefunction (Python 3.12+) on sync functions that return awaitables.
_MARKER: Final = "_is_coroutine_marker"


def async_kind(function: object) -> AsyncKind | None:
    """ "coroutine" for an ``async def``, "asyncgen" for an async generator function, else None."""
    if type(function) is types.MethodType:
        function = function.__func__
    if type(function) is types.FunctionType and not hasattr(function, _MARKER):
        flags = function.__code__.co_flags
        if flags & _COROUTINE:
            return "coroutine"
        return "asyncgen" if flags & _ASYNCGEN else None
    if inspect.iscoroutinefunction(function):
        return "coroutine"
    return "asyncgen" if inspect.isasyncgenfunction(function) else None


#: Method wrappers whose ``__func__`` is a slot of a builtin type: reading it runs no user code.
_WRAPPERS: Final = (staticmethod, classmethod, types.MethodType)


def plain_function(obj: object) -> types.FunctionType | None:
    """The Python function *obj* is, or wraps as a static, class or bound method; else None.

    Collection asks this of every name of every test module and class, before pytest has
    decided what is a test. It looks at types only and never reads an attribute that a user's
    class computes: a module-level object with a ``__getattr__`` (``from pytest import mark``,
    a framework's lazy ``settings``) is never probed.
    """
    kind = type(obj)
    if kind is types.FunctionType:
        return obj  # type: ignore[return-value]  # checked by type just above
    if kind in _WRAPPERS:
        inner: object = obj.__func__  # type: ignore[attr-defined]
        if type(inner) is types.FunctionType:
            return inner
    return None
