"""Why code that blocks a loop cannot be interrupted, as the blocked-loop report says it."""

from __future__ import annotations

import signal
import threading

import pytest

from pytest_asyncio import _blocked, _messages

MAIN = threading.main_thread().ident


def test_no_signals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_blocked, "SIGNAL", None)
    reason = _blocked.not_interruptible(MAIN)  # type: ignore[arg-type]
    assert reason == _messages.BLOCKED_NO_SIGNALS
    assert reason == "this platform cannot send a signal to a thread"


@pytest.mark.skipif(_blocked.SIGNAL is None, reason="no SIGURG here")
def test_signal_taken_outside_python(monkeypatch: pytest.MonkeyPatch) -> None:
    # signal.getsignal() answers None for a handler that was not set from Python.
    monkeypatch.setattr(signal, "getsignal", lambda signum: None)
    reason = _blocked.not_interruptible(MAIN)  # type: ignore[arg-type]
    assert reason == _messages.BLOCKED_SIGNAL_TAKEN.format(signal="SIGURG")
    assert reason == "SIGURG has a handler set outside Python, which is left alone"


@pytest.mark.skipif(_blocked.SIGNAL is None, reason="no SIGURG here")
def test_not_the_main_thread() -> None:
    assert _blocked.not_interruptible(-1) == _messages.BLOCKED_NOT_MAIN_THREAD
