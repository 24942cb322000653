"""Context variables between async fixtures, sync code and tests.

pytest runs every sync fixture and test in the thread's current context. An async fixture's
steps run, inside the loop's driver task, in a copy of that context taken at its setup, so the
teardown runs in the very context the setup ran in (``ContextVar.reset(token)`` works there).
Once the setup is done, what it set is *published*: set in the thread's context too, so every
fixture and test after it, sync or async, on any loop, sees it. At its teardown the fixture's
publication is withdrawn, restoring the earlier values. A test runs in a throwaway copy of the
thread's context: what it sets never leaks into later tests.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Final

Tokens = list["contextvars.Token[Any]"]

_UNSET: Final = object()

#: Variables of ours set in a fixture's context for its own jobs, never published.
PRIVATE: set[contextvars.ContextVar[Any]] = set()


def publish(context: contextvars.Context) -> Tokens:
    """Set in the current context every variable whose value differs in *context*."""
    tokens: Tokens = []
    for var, value in context.items():  # one loop, no copy: every fixture setup runs this
        if var.get(_UNSET) is not value and var not in PRIVATE:
            tokens.append(var.set(value))
    return tokens


def changes(
    before: contextvars.Context, after: contextvars.Context
) -> list[tuple[contextvars.ContextVar[Any], Any]]:
    """The variables whose values differ in *after* from *before*."""
    return [
        (var, value)
        for var, value in after.items()
        if (var not in before or before[var] is not value) and var not in PRIVATE
    ]


def withdraw(tokens: Tokens) -> None:
    """Undo a :func:`publish`, newest first."""
    if not tokens:
        return
    for token in reversed(tokens):
        # RuntimeError: already reset; ValueError: published from another context.
        with contextlib.suppress(RuntimeError, ValueError):
            token.var.reset(token)
