"""``pull``: parse options, call ``commands.pull.run_pull``, print what changed in which file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from confluence_sync.cli.options import CONFIG_OPTION, json_errors
from confluence_sync.output_text import printable

if TYPE_CHECKING:
    from confluence_sync.commands.pull import PullReport


@click.command("pull")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show the changes as a diff; write nothing.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document (Target line on stderr)."
)
@click.option("--local", is_flag=True, help="Allow the embedded local wiki even when CI=true.")
@CONFIG_OPTION
def pull_command(
    paths: tuple[Path, ...], dry_run: bool, as_json: bool, local: bool, config_path: Path | None
) -> None:
    """Bring edits made in the wiki back into the Markdown files they came from.

    Pulls every page `diff` reports as "wiki edited" or "both changed" (under PATH), merging
    three ways like `git merge-file`: only the wiki's edits land, front matter and the rest of
    the file stay as written. Where the repo changed the same lines the file gets conflict
    markers. Commit the result, then `sync` restamps those pages without rewriting them.
    The template page's section headings, guidance and property names go back into the template
    YAML file; other edits to it are refused. The wiki is untrusted: an attachment is saved only
    under a plain name in the page's own images/<page>/ folder, links to repository files,
    script links and html macros are not taken. Exit 0 when everything was pulled cleanly, 1
    for conflicts or edits that cannot be pulled (generated pages, template edits the file
    cannot hold), 2 for bad input, 3 when the wiki fails, 4 when something from the wiki was
    refused (listed under "refused"; with --json, the "refusals" field).

    \b
    Example:
      confluence-sync pull content/resources --dry-run
    """
    from confluence_sync.commands.pull import run_pull
    from confluence_sync.config import load_settings

    with json_errors(as_json):
        settings = load_settings(config_path)
        report, target = run_pull(
            settings,
            paths,
            dry_run=dry_run,
            allow_local=local,
            on_target=lambda target: click.echo(target.describe(), err=as_json),
        )
    if as_json:
        click.echo(json.dumps(report.to_json(target), indent=2, ensure_ascii=False))
    else:
        _print(report, dry_run)
    raise SystemExit(report.exit_code)


def _print(report: PullReport, dry_run: bool) -> None:
    if not report.files:
        click.echo("nothing to pull: no page was edited in the wiki")
        return
    for pulled in report.files:
        detail = f" ({printable(pulled.message)})" if pulled.message else ""
        click.echo(f"{pulled.outcome:<9} {printable(pulled.source)}{detail}")
        for saved in pulled.downloads:
            click.echo(f"{'':<9} + {printable(saved)} (attachment added in the wiki)")
        for reason in pulled.refusals:
            if reason != pulled.message:
                click.echo(f"{'':<9} ! refused: {printable(reason)}")
    for pulled in report.files:
        if pulled.diff and (dry_run or pulled.outcome == "conflict"):
            click.echo("")
            click.echo("\n".join(printable(line, tabs=True) for line in pulled.diff.split("\n")))
    if dry_run:
        click.echo("(dry run: nothing written)")
