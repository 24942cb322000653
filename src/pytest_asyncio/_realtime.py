"""The real clock every limit of ours is measured on.

Bound at import, before any test runs: a test that patches ``time.monotonic`` (or a virtual
clock that replaces a loop's ``time()``) cannot stretch or shrink our limits.
"""

from __future__ import annotations

import time
from typing import Final

#: Seconds on a monotonic clock that no test can patch.
monotonic: Final = time.monotonic
