"""The watchdog's pause while a debugger is active, on a fake clock, and the recognition of
debuggers by their trace functions, without pytester."""

from __future__ import annotations

import bdb
import pdb
import threading
import time
from typing import Any

import pytest

from pytest_asyncio import _debuggers, _watchdog

pytestmark = pytest.mark.timeout(60)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeDeadline:
    def __init__(self, at: float) -> None:
        self.at = at
        self.expired = threading.Event()

    def expire(self) -> None:
        self.expired.set()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    clock = FakeClock()
    monkeypatch.setattr(_watchdog, "monotonic", clock)
    return clock


def test_resume_moves_armed_deadlines_by_the_pause(clock: FakeClock) -> None:
    watchdog = _watchdog.Watchdog()
    before = FakeDeadline(at=101.0)
    watchdog.arm(before)
    watchdog.pause()
    states = [watchdog.paused]
    clock.now = 103.0
    watchdog.pause()  # a second pause does not restart it
    clock.now = 106.0
    during = FakeDeadline(at=107.0)  # armed with 1 s left
    watchdog.arm(during)
    clock.now = 110.0
    watchdog.resume()
    states.append(watchdog.paused)
    assert states == [True, False]
    # Paused from 100 to 110: the first deadline had 1 s left, and has it after resuming.
    assert before.at == 111.0
    # Armed at 106 with 1 s left: its second starts at the resume.
    assert during.at == 111.0
    watchdog.resume()  # without a pause: nothing moves
    assert before.at == during.at == 111.0
    assert not before.expired.is_set()
    watchdog.disarm(before)
    watchdog.disarm(during)


def test_nothing_expires_while_paused(clock: FakeClock) -> None:
    watchdog = _watchdog.Watchdog()
    deadline = FakeDeadline(at=100.2)  # the thread wakes 0.2 s (real) after arming
    watchdog.arm(deadline)
    watchdog.pause()
    clock.now = 200.0  # long past the deadline
    time.sleep(0.6)
    assert not deadline.expired.is_set()
    watchdog.resume()
    assert deadline.at == pytest.approx(200.2)
    clock.now = 201.0
    assert deadline.expired.wait(10)


def _custom_trace(frame: Any, event: str, arg: Any) -> None:
    return None


class _Pydevd:
    """Stands in for pydevd's tracer: a callable object of a pydevd module."""

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        return None


_Pydevd.__module__ = "_pydevd_bundle.pydevd_cython"


class _SubclassedDebugger(pdb.Pdb):
    def trace_dispatch(self, frame: Any, event: str, arg: Any) -> Any:  # defined here
        return super().trace_dispatch(frame, event, arg)


@pytest.mark.parametrize(
    ("trace", "debugger"),
    [
        pytest.param(bdb.Bdb().trace_dispatch, True, id="bdb"),
        pytest.param(pdb.Pdb().trace_dispatch, True, id="pdb"),
        pytest.param(_SubclassedDebugger().trace_dispatch, True, id="bdb-subclass-override"),
        pytest.param(_Pydevd(), True, id="pydevd"),
        pytest.param(_custom_trace, False, id="a-function"),
        pytest.param(print, False, id="a-builtin"),
    ],
)
def test_debuggers_are_recognised_by_their_trace_function(trace: object, debugger: bool) -> None:
    assert _debuggers.is_debugger(trace) is debugger


def test_coverage_is_not_a_debugger() -> None:
    coverage = pytest.importorskip("coverage")
    tracer = coverage.CTracer() if hasattr(coverage, "CTracer") else None
    if tracer is None:  # a coverage built without its C tracer
        from coverage.pytracer import PyTracer

        tracer = PyTracer()._trace
    assert not _debuggers.is_debugger(tracer)
