"""Whether a debugger is active in the calling thread, as pytest-timeout recognises one.

A debugger steps through code with a trace function (``sys.settrace``) or, from Python 3.12,
registers as the debugger tool of ``sys.monitoring``. Its trace function comes from a module
of a known debugger: ``bdb`` (pdb, ipdb, pytest's debugger and every other ``bdb.Bdb``
subclass), pydevd (PyCharm, VS Code's debugpy). Coverage's tracer is not one: a run under
coverage keeps its limits.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from types import FrameType
from typing import Final

#: Prefixes of the names of the modules (or of parts of them) debuggers trace from.
KNOWN: Final = ("bdb", "pdb", "pydevd", "_pydevd", "debugpy")


def active() -> bool:
    """True when a known debugger traces the calling thread."""
    trace = sys.gettrace()
    if trace is not None and is_debugger(trace):
        return True
    monitoring = getattr(sys, "monitoring", None)  # Python >= 3.12
    return monitoring is not None and monitoring.get_tool(monitoring.DEBUGGER_ID) is not None


def in_frames(frames: Iterable[FrameType]) -> bool:
    """True when a known debugger traces one of *frames* (of another thread: a debugger stopped
    at its prompt there, which blocks that thread's loop)."""
    return any(frame.f_trace is not None and is_debugger(frame.f_trace) for frame in frames)


def is_debugger(trace: object) -> bool:
    """True if *trace*, a trace function, belongs to a known debugger."""
    return any(part.startswith(KNOWN) for module in _modules(trace) for part in module.split("."))


def _modules(trace: object) -> Iterator[str]:
    """The modules *trace* comes from: its own, and those of its class and base classes (a
    bound method's object's class for a method)."""
    module = getattr(trace, "__module__", None)
    if isinstance(module, str):
        yield module
    owner = getattr(trace, "__self__", None)
    for cls in type(trace if owner is None else owner).__mro__:
        yield cls.__module__
