"""The result of a sync or a plan, as a table for people and a JSON document for machines.

One shape serves ``sync``, ``plan``, the CI step summary and the tests, so the JSON keys here are
a contract: ``github summary`` and CI scripts read them from ``sync --json``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from confluence_sync.output_text import printable
from confluence_sync.plan.actions import ActionKind, PageAction
from confluence_sync.publish.apply import Outcome
from confluence_sync.publish.failures import ApiFailure
from confluence_sync.publish.target import Target

KINDS = tuple(kind.value for kind in ActionKind)
_LABELS = (
    ("create", "created"),
    ("update", "updated"),
    ("skip", "unchanged"),
    ("conflict", "conflicts"),
    ("orphan", "orphans"),
)
_OPTIONAL = (
    ("adopt", "adopted"),
    ("repair", "repaired"),
    ("move", "moved"),
    ("blocked", "skipped"),
    ("delete", "deleted"),
    ("failed", "failed"),
)


@dataclass(frozen=True)
class Report:
    target: Target
    dry_run: bool
    outcomes: tuple[Outcome, ...]
    failed_requests: tuple[ApiFailure, ...] = ()  # remote failures that survived the retries

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error is not None]

    def summary(self) -> dict[str, int]:
        done = Counter(o.action.kind.value for o in self.outcomes if o.error is None)
        counts = {kind: done.get(kind, 0) for kind in KINDS}
        counts["failed"] = len(self.errors)
        return counts

    @property
    def conflicts(self) -> int:
        return self.summary()["conflict"]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts and not self.failed_requests

    def failure_lines(self) -> list[str]:
        """A run that met a remote failure: the first failed request and what it left undone
        (the first line), then the pages blocked by it, as consequences."""
        first = self.failed_requests[0]
        undone = [f"'{o.action.title}'" for o in self.errors]
        left = (
            f"left undone: {', '.join(undone)}; rerun to finish"
            if undone
            else "nothing left undone (the run re-read the wiki and finished the pages it "
            "touched); a plain rerun confirms"
        )
        more = len(self.failed_requests) - 1
        lines = [f"{first.format_message()}; {left}" + (f" ({more} more failed)" if more else "")]
        lines += [
            f"  blocked by it: '{o.action.title}' ({o.action.source})"
            for o in self.outcomes
            if o.action.kind is ActionKind.BLOCKED and "failed" in o.action.reason
        ]
        return lines

    def advice(self) -> str:
        """What to do about the pages left alone, by why they were left alone: --force helps
        with wiki edits, --adopt with pages someone wrote by hand, nothing with a title that
        another of our sources holds."""
        reasons = [o.action.reason for o in self.outcomes if o.action.kind is ActionKind.CONFLICT]
        hints = []
        if any("--force" in r for r in reasons):
            hints.append(
                "confluence-sync pull PATH brings a wiki edit into the repo; --force overwrites "
                "it (Confluence keeps the history)"
            )
        if any("--adopt" in r for r in reasons):
            hints.append("--adopt takes over pages confluence-sync did not write")
        if any("is used by" in r for r in reasons):
            hints.append("a title used by another page of the site must be changed in the repo")
        return "; ".join(hints)

    def summary_line(self) -> str:
        counts = self.summary()
        parts = [f"{counts[k]} {word}" for k, word in _LABELS]
        parts += [f"{counts[k]} {word}" for k, word in _OPTIONAL if counts[k]]
        line = ", ".join(parts)
        return line + (" (dry run: nothing written)" if self.dry_run else "")

    def table(self) -> list[str]:
        rows = [("ACTION", "TITLE", "REASON")]
        for outcome in self.outcomes:
            action = outcome.action
            reason = f"FAILED: {outcome.error}" if outcome.error else action.reason
            rows.append((action.kind.value, printable(action.title), printable(reason)))
            rows += [
                ("", "", printable(line))
                for line in lost_comment_lines(outcome, self.target.page_link)
            ]
        width_a = max(len(r[0]) for r in rows)
        width_t = min(60, max(len(r[1]) for r in rows))
        return [f"{a:<{width_a}}  {t:<{width_t}}  {r}".rstrip() for a, t, r in rows]

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target.to_json(),
            "dry_run": self.dry_run,
            "actions": [action_json(o, self.target.page_link) for o in self.outcomes],
            "summary": self.summary(),
            "errors": [
                {"title": o.action.title, "source": o.action.source, "message": o.error}
                for o in self.errors
            ],
            "failed_requests": [f.format_message() for f in self.failed_requests],
            "ok": self.ok,
        }


def action_json(outcome: Outcome, link: Callable[[str], str] = str) -> dict[str, Any]:
    action = outcome.action
    item: dict[str, Any] = {
        "action": action.kind.value,
        "title": action.title,
        "source": action.source,
        "reason": action.reason,
    }
    if outcome.page_id:
        item["page_id"] = outcome.page_id
    if outcome.url:
        item["url"] = link(outcome.url)
    if action.kind is ActionKind.CONFLICT and action.remote is not None:
        item["editor"] = action.remote.last_editor
        item["edited"] = action.remote.last_edited
    if outcome.comments_lost:
        item["comments_lost"] = list(outcome.comments_lost)
    return item


def lost_comment_lines(outcome: Outcome, link: Callable[[str], str] = str) -> list[str]:
    """One line per inline comment whose marked text the repo deleted: the comment stays in
    the wiki without its place on the page, so the people who wrote it should be told."""
    where = f": {link(outcome.url)}" if outcome.url else ""
    return [
        f"{lost} lost its place (the text is gone from the page){where}"
        for lost in outcome.comments_lost
    ]


def outcomes_of_plan(actions: Sequence[PageAction]) -> tuple[Outcome, ...]:
    """A dry run reports the plan itself."""
    return tuple(
        Outcome(a, a.remote.id if a.remote else None, a.remote.url if a.remote else "")
        for a in actions
    )
