"""Ctrl-C: the SIGINT handler of the session (``_interrupt``), installed when its first loop
is made (``_loops``, which registers this module then) and restored at its end, and the
report of the interrupted job in the terminal summary."""

from __future__ import annotations

import pytest

from pytest_asyncio import _interrupt


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    # Not at session finish: the fixture teardowns pytest runs then may be interrupted too.
    _interrupt.uninstall(config)


def pytest_terminal_summary(config: pytest.Config) -> None:
    # Right above pytest's own KeyboardInterrupt summary, after the fixture teardowns.
    _interrupt.show_report(config)
