"""How ``confluence-sync diff`` shows a :class:`DiffReport`: a status line per page, then the
diffs (or, with ``--stat``, only line counts), or one JSON document.

Kept apart from ``diff.py`` so the comparison stays pure and testable without caring how it is
printed; colour is decided by the caller and passed in, never read from the terminal here.
Colour is plain ANSI SGR codes written here, so ``plan/`` needs no terminal or CLI library.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from confluence_sync.output_text import printable
from confluence_sync.plan.drift import (
    COMMENTS_ONLY,
    DiffReport,
    DiffState,
    PageDiff,
    report_document,
)

STATE_WIDTH = max(len(state.value) for state in DiffState)
_STATE_COLOURS = {
    DiffState.IN_SYNC: "green",
    DiffState.REPO_CHANGED: "yellow",
    DiffState.WIKI_EDITED: "magenta",
    DiffState.BOTH_CHANGED: "red",
    DiffState.MISSING: "yellow",
    DiffState.ORPHAN: "magenta",
    DiffState.MOVED: "cyan",
    DiffState.DAMAGED: "red",
}
_ANSI_FG = {"red": 31, "green": 32, "yellow": 33, "magenta": 35, "cyan": 36}
_ANSI_RESET = "\x1b[0m"


def _style(text: str, fg: str | None = None, bold: bool | None = None) -> str:
    """``text`` wrapped in ANSI SGR codes: colour, then weight, then a full reset, so coloured
    output is unchanged from earlier versions. ``bold=False`` explicitly switches bold off (22);
    ``None`` leaves the weight alone."""
    codes = f"\x1b[{_ANSI_FG[fg]}m" if fg else ""
    if bold is not None:
        codes += "\x1b[1m" if bold else "\x1b[22m"
    return f"{codes}{text}{_ANSI_RESET}"


def use_colour(choice: str, is_tty: bool) -> bool:
    """``--color auto|always|never``: auto colours only a terminal."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    return is_tty


def status_line(page: PageDiff, colour: bool, notes: bool = False) -> str:
    """``repo changed   Title``: state padded so titles line up; with ``notes``, what the
    wiki's side amounts to when that is known (``(comments only)``)."""
    label = page.state.value.ljust(STATE_WIDTH)
    if colour:
        label = _style(label, fg=_STATE_COLOURS[page.state], bold=page.differs)
    shown = page.note and (notes or page.note != COMMENTS_ONLY)  # moves, damage: always
    note = f"  ({printable(page.note)})" if shown else ""
    return f"{label}  {printable(page.title)}{note}"


def colour_diff_line(line: str) -> str:
    """Colour one unified-diff line the way git does."""
    if line.startswith(("--- ", "+++ ")):
        return _style(line, bold=True)
    if line.startswith("@@"):
        return _style(line, fg="cyan")
    if line.startswith("+"):
        return _style(line, fg="green")
    if line.startswith("-"):
        return _style(line, fg="red")
    return line


def diff_stat(page: PageDiff) -> tuple[int, int]:
    """Lines added and removed (going from the wiki to the repo), file headers excluded."""
    added = removed = 0
    for line in page.diff.splitlines():
        if line.startswith(("+++ ", "--- ")):
            continue
        if line.startswith("+"):
            added += 1
        elif line.startswith("-"):
            removed += 1
    return added, removed


def summary_line(report: DiffReport) -> str:
    """``5 pages: 3 in sync, 1 repo changed, 1 wiki edited``: non-zero states only."""
    counts = {state: n for state, n in report.summary().items() if n}
    parts = ", ".join(f"{n} {state}" for state, n in counts.items())
    total = len(report.pages)
    noun = "page" if total == 1 else "pages"
    return f"{total} {noun}: {parts}" if parts else "no managed pages"


PULLABLE = (DiffState.WIKI_EDITED, DiffState.BOTH_CHANGED)


def render_text(
    report: DiffReport, *, stat: bool = False, colour: bool = False, notes: bool = False
) -> str:
    """The human-readable report: status lines, then diffs (or stats), then the summary."""
    lines = [status_line(page, colour, notes) for page in report.pages]
    changed = [page for page in report.pages if page.differs]
    if changed:
        lines.append("")
    if stat:
        width = max(len(printable(page.title)) for page in changed) if changed else 0
        for page in changed:
            added, removed = diff_stat(page)
            plus = _style(f"+{added}", fg="green") if colour else f"+{added}"
            minus = _style(f"-{removed}", fg="red") if colour else f"-{removed}"
            lines.append(f"{printable(page.title).ljust(width)} | {plus} {minus}")
    else:
        for page in changed:
            body = [printable(line, tabs=True) for line in page.diff.split("\n")]
            lines.extend(colour_diff_line(line) if colour else line for line in body)
            if page.state in PULLABLE and page.source.endswith(".md"):
                lines.append(
                    f"run: confluence-sync pull {printable(page.source)}  "
                    "(brings the wiki's edit back)"
                )
            lines.append("")
    if lines and lines[-1] != "":
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines)


def render_json(
    report: DiffReport, target: Mapping[str, object], link: Callable[[str], str] = str
) -> str:
    """The ``--json`` document, pretty-printed and stable (keys in a fixed order)."""
    return json.dumps(report_document(report, target, link), indent=2, ensure_ascii=False)
