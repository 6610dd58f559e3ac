"""Output for GitHub Actions: workflow-command annotations and the job step summary.

Annotations put a check error or a sync conflict on the pull request's diff view, next to the line
that caused it, which is where reviewers look. The step summary turns a ``sync --json`` report into
a table so a reviewer sees what merging would publish without reading the job log.

GitHub parses workflow commands from stdout line by line, so any ``%``, CR or LF in a message must
be percent-encoded, and in ``key=value`` properties ``,`` and ``:`` are separators and must be too.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from confluence_sync.errors import InputError, Problem
from confluence_sync.output_text import printable

log = logging.getLogger(__name__)

LEVELS = ("error", "warning", "notice")
ACTION_ORDER = (
    "create",
    "adopt",
    "update",
    "repair",
    "move",
    "conflict",
    "blocked",
    "orphan",
    "delete",
    "skip",
)
_ACTION_ICONS = {
    "create": "➕",
    "adopt": "🤝",
    "update": "✏️",
    "repair": "🔧",
    "move": "↪️",
    "conflict": "⚠️",
    "blocked": "⏸️",
    "orphan": "👻",
    "delete": "🗑️",
    "skip": "✔️",
}


def in_github_actions(env: Mapping[str, str] | None = None) -> bool:
    """True when running as a GitHub Actions step (the runner sets ``GITHUB_ACTIONS=true``)."""
    source = os.environ if env is None else env
    return source.get("GITHUB_ACTIONS", "").strip().lower() == "true"


def use_annotations(flag: bool | None, env: Mapping[str, str] | None = None) -> bool:
    """``--github``/``--no-github`` when given, else on exactly when running on a runner."""
    return in_github_actions(env) if flag is None else flag


def escape_data(text: str) -> str:
    """Encode a command message so it stays on one line and ``%`` is not read as an escape."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Encode a property value; ``,`` separates properties and ``:`` ends them."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(problem: Problem, level: str = "error", *, title: str | None = None) -> str:
    """One ``::error file=…,line=…::message`` line for a problem (``line`` only when known)."""
    if level not in LEVELS:
        raise ValueError(f"annotation level must be one of {', '.join(LEVELS)}, not {level!r}")
    props = [f"file={escape_property(problem.path)}"]
    if problem.line:
        props.append(f"line={problem.line}")
    if title:
        props.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(props)}::{escape_data(problem.message)}"


def emit_annotations(
    problems: Iterable[Problem],
    echo: Callable[[str], None],
    level: str = "error",
    *,
    title: str | None = None,
) -> int:
    """Print an annotation for each problem through ``echo`` (stdout: the runner only reads
    commands there); returns how many were printed."""
    count = 0
    for problem in problems:
        echo(annotation(problem, level, title=title))
        count += 1
    return count


def report_problems(report: Mapping[str, Any]) -> list[tuple[Problem, str]]:
    """The sync-report entries worth annotating, with their level: conflicts are warnings (the
    page was left alone on purpose), and so are comments that lost their place; errors are
    errors."""
    found: list[tuple[Problem, str]] = []
    for action in report.get("actions") or ():
        if action.get("action") == "conflict":
            message = f"{action.get('title', '?')}: {_conflict_reason(action)}"
            found.append((Problem(str(action.get("source") or ""), message), "warning"))
        found += [(problem, "warning") for problem in _lost_comments(action)]
    for error in report.get("errors") or ():
        message = f"{error.get('title', '?')}: {error.get('message', 'failed')}"
        found.append((Problem(str(error.get("source") or ""), message), "error"))
    return found


def _lost_comments(action: Mapping[str, Any]) -> list[Problem]:
    """Inline comments the write could not put back: their text was deleted in the repo."""
    where = f": {action['url']}" if action.get("url") else ""
    return [
        Problem(
            str(action.get("source") or ""),
            f"{action.get('title', '?')}: {lost} lost its place (the text is gone){where}",
        )
        for lost in action.get("comments_lost") or ()
    ]


def emit_report_annotations(report: Mapping[str, Any], echo: Callable[[str], None]) -> int:
    """Annotate a ``sync --json`` report's conflicts and errors; returns how many lines."""
    lines = [annotation(problem, level) for problem, level in report_problems(report)]
    for line in lines:
        echo(line)
    return len(lines)


def _conflict_reason(action: Mapping[str, Any]) -> str:
    """The planner's reason, plus who edited the page when the reason does not say already."""
    reason = str(action.get("reason") or "edited in the wiki, left alone")
    editor = action.get("editor")
    if editor and str(editor) in reason:
        return reason
    return (reason + _edited_by(action)).strip()


def _edited_by(action: Mapping[str, Any]) -> str:
    editor, edited = action.get("editor"), action.get("edited")
    if editor and edited:
        return f" by {editor} at {edited}"
    if editor:
        return f" by {editor}"
    return f" at {edited}" if edited else ""


def _cell(value: object) -> str:
    """A Markdown table cell: pipes escaped and control characters shown escaped (a newline
    would end the table, and the summary is text the wiki's editors wrote)."""
    text = ("" if value is None else str(value)).replace("\\", "\\\\")
    return printable(text.replace("\r", " ").replace("\n", " ")).replace("|", "\\|")


def _page_cell(action: Mapping[str, Any], *, local: bool = False) -> str:
    """The page title, linked unless the run published to the embedded wiki (its links point
    at a ``wiki serve`` on the runner, which a reader of the summary cannot reach)."""
    title = _cell(action.get("title", ""))
    url = action.get("url")
    if url and not local and str(url).startswith(("http://", "https://")):
        label = title.replace("[", "\\[").replace("]", "\\]")
        return f"[{label}]({_cell(url).replace(' ', '%20')})"
    return title


def _reason_cell(action: Mapping[str, Any]) -> str:
    if action.get("action") == "conflict":
        return _cell(_conflict_reason(action))
    return _cell(action.get("reason") or "")


def _sort_key(action: Mapping[str, Any]) -> tuple[int, str]:
    kind = str(action.get("action", ""))
    rank = ACTION_ORDER.index(kind) if kind in ACTION_ORDER else len(ACTION_ORDER)
    return rank, str(action.get("title", ""))


def _headline(report: Mapping[str, Any]) -> str:
    target = report.get("target") or {}
    where = "the local wiki" if target.get("local") else (target.get("url") or "Confluence")
    space = target.get("space") or "?"
    verb = "Plan (dry run)" if report.get("dry_run") else "Sync"
    status = "✅ ok" if report.get("ok") else "❌ needs attention"
    return f"### confluence-sync: {verb} for space {_cell(space)} at {_cell(where)}: {status}"


def _summary_line(report: Mapping[str, Any]) -> str:
    counts = report.get("summary") or {}
    keys = [k for k in (*ACTION_ORDER, "failed") if k in counts]
    keys += sorted(k for k in counts if k not in keys)
    parts = [f"{counts[k]} {k}" for k in keys]
    return "**Summary:** " + (", ".join(parts) if parts else "nothing to do")


def plan_summary_markdown(report: Mapping[str, Any]) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: a headline, one table row per action (changes
    first, skips last), the counts, and any errors."""
    if not isinstance(report, Mapping) or "actions" not in report:
        raise InputError("not a confluence-sync report: expected a JSON object with 'actions'")
    lines = [_headline(report), ""]
    actions = sorted(report.get("actions") or (), key=_sort_key)
    local = bool((report.get("target") or {}).get("local"))
    if actions:
        lines += ["| Action | Page | Source | Reason |", "| --- | --- | --- | --- |"]
        for action in actions:
            kind = str(action.get("action", "?"))
            icon = _ACTION_ICONS.get(kind, "")
            lines.append(
                f"| {(icon + ' ' + kind).strip()} | {_page_cell(action, local=local)} "
                f"| {_cell(action.get('source', ''))} | {_reason_cell(action)} |"
            )
    else:
        lines.append("_No managed pages._")
    lines += ["", _summary_line(report)]
    errors = report.get("errors") or ()
    if errors:
        lines += ["", "**Errors:**", ""]
        for error in errors:
            where = f" (`{error['source']}`)" if error.get("source") else ""
            lines.append(
                f"- {_cell(error.get('title', '?'))}{where}: {_cell(error.get('message'))}"
            )
    return "\n".join(lines) + "\n"


def write_step_summary(markdown: str, env: Mapping[str, str] | None = None) -> Path | None:
    """Append to the file named by ``GITHUB_STEP_SUMMARY``; None when unset (not on a runner),
    so the caller can print instead. Appending matters: earlier steps may have written too."""
    source = os.environ if env is None else env
    target = source.get("GITHUB_STEP_SUMMARY", "").strip()
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(markdown)
    log.debug("appended %d characters to %s", len(markdown), path)
    return path
