"""``github summary``: turn a ``sync --json`` report into the job summary of a GitHub Actions run.

Annotations themselves are printed by ``check`` and ``sync``; this group holds the helpers a
workflow calls as separate steps.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.group("github")
def github_group() -> None:
    """Helpers for GitHub Actions workflows."""


@github_group.command("summary")
@click.argument("report_file", metavar="FILE.json", type=click.Path(path_type=Path, dir_okay=False))
def github_summary(report_file: Path) -> None:
    """Render a `sync --json` report as a Markdown table for the job summary.

    Appends to $GITHUB_STEP_SUMMARY, or prints when it is not set.

    \b
    Example:
      confluence-sync sync --dry-run --json > plan.json
      confluence-sync github summary plan.json
    """
    import json

    from confluence_sync.errors import InputError, Problem
    from confluence_sync.github_report import plan_summary_markdown, write_step_summary

    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError([Problem(str(report_file), f"cannot read a JSON report: {exc}")]) from exc
    try:
        markdown = plan_summary_markdown(report)
    except InputError as exc:  # valid JSON, but some other document: say which file
        raise InputError([Problem(str(report_file), exc.format_message())]) from exc
    if write_step_summary(markdown) is None:
        click.echo(markdown, nl=False)
