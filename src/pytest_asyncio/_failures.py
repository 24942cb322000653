"""Failing a test or a fixture with one of our messages, shown alone.

pytest shows a failure raised with ``pytrace=False`` as its message only; but under a failure
whose every frame hides itself, it adds a note that all traceback entries are hidden, and it
shows the exception being handled when the failure was raised. :func:`fail` raises from a
frame that does not hide itself, and drops that context.
"""

from __future__ import annotations

from typing import NoReturn

from ._compat import Failed


def fail(message: str) -> NoReturn:
    """Fail the running test, setup or teardown with *message* alone."""
    raise Failed(message, pytrace=False) from None
