"""What the planner decides for each page, and the plan as a whole.

Kept apart from ``build.py`` so the report, the CLI and the applier can depend on the vocabulary
without pulling in the planning rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from confluence_sync.pages import DesiredPage, PageId, RemotePage


class ActionKind(str, Enum):
    """One verb per page. ``delete`` only appears for orphans when pruning was asked for;
    ``blocked`` is a page not written because its parent is in conflict or failed."""

    CREATE = "create"
    ADOPT = "adopt"
    UPDATE = "update"
    REPAIR = "repair"
    SKIP = "skip"
    MOVE = "move"
    CONFLICT = "conflict"
    BLOCKED = "blocked"
    ORPHAN = "orphan"
    DELETE = "delete"


WRITES = frozenset(
    {
        ActionKind.CREATE,
        ActionKind.ADOPT,
        ActionKind.UPDATE,
        ActionKind.REPAIR,
        ActionKind.MOVE,
        ActionKind.DELETE,
    }
)


@dataclass(frozen=True)
class PageAction:
    """A decision about one page, with the reason a person reading the plan needs.

    ``desired`` is None for orphans (no source any more); ``remote`` is None for creations.
    ``depth`` is the distance from the configured root, so the applier can write parents first.
    """

    kind: ActionKind
    title: str
    source: str
    reason: str
    desired: DesiredPage | None = None
    remote: RemotePage | None = None
    depth: int = 0

    @property
    def writes(self) -> bool:
        return self.kind in WRITES


@dataclass(frozen=True)
class Plan:
    """Every action, parents before children; orphans (and deletions) last, deepest first."""

    actions: tuple[PageAction, ...]
    root_id: PageId

    @property
    def writes(self) -> int:
        return sum(1 for a in self.actions if a.writes)
