"""Loop scopes: their names and their order (a run of sync tests reads them in its settings)."""

from __future__ import annotations

from typing import Final, Literal

LoopScope = Literal["function", "class", "module", "package", "session"]

#: Narrowest first; the position is the width.
SCOPES: Final[tuple[LoopScope, ...]] = ("function", "class", "module", "package", "session")
SCOPE_CHOICES: Final = ", ".join(SCOPES)


def as_scope(value: object) -> LoopScope | None:
    """Return *value* as a loop scope, or None when it names none."""
    for scope in SCOPES:
        if value == scope:
            return scope
    return None


def is_narrower(scope: LoopScope, than: LoopScope) -> bool:
    return SCOPES.index(scope) < SCOPES.index(than)
