"""Private attributes of asyncio's event loops that the plugin reads, in one place.

asyncio has no public way to ask a loop what it is waiting on. Each function here reads one
private attribute, checked on Python 3.10 - 3.13, and answers "unknown" (an empty result) for
loops that do not have it (the proactor loop on Windows, uvloop, a user's own loop class).
"""

from __future__ import annotations

import asyncio


def watched_fds(loop: asyncio.AbstractEventLoop) -> list[int]:
    """The file descriptors *loop* watches for its callbacks (servers, transports, readers),
    without the loop's own self-pipe; empty when the loop does not say."""
    selector = getattr(loop, "_selector", None)  # selector_events.BaseSelectorEventLoop
    get_map = getattr(selector, "get_map", None)
    if get_map is None or loop.is_closed():
        return []
    self_pipe = getattr(loop, "_ssock", None)
    own = self_pipe.fileno() if self_pipe is not None else -1
    mapping = get_map()  # None once the selector is closed
    if mapping is None:
        return []
    return sorted(fd for fd in mapping if isinstance(fd, int) and fd != own)
