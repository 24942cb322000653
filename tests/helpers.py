"""Inner-run files shared by several test modules (imported as ``helpers``: pytest puts the
directory of tests/conftest.py on sys.path)."""

from __future__ import annotations

# An inner conftest.py that counts every event loop created in the inner run (asyncio's loops
# all run BaseEventLoop.__init__, whatever factory or policy made them), lets inner code record
# what ran in RAN, and prints both when the run ends: "loops created: N; ran: a b c" ("-" when
# nothing ran). Match that line with -s.
COUNTING_CONFTEST = """
import asyncio

CREATED = []
RAN = []
_init = asyncio.BaseEventLoop.__init__


def _counting_init(self, *args, **kwargs):
    CREATED.append(self)
    _init(self, *args, **kwargs)


def pytest_configure(config):
    asyncio.BaseEventLoop.__init__ = _counting_init


def pytest_unconfigure(config):
    asyncio.BaseEventLoop.__init__ = _init
    print(f"loops created: {len(CREATED)}; ran: {' '.join(RAN) or '-'}")
"""
