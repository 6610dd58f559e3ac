"""``check`` and ``render``: the offline commands that read the site and never touch a wiki."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from confluence_sync.cli.options import CONFIG_OPTION, GITHUB_OPTION, STRICT_OPTION, github_output

if TYPE_CHECKING:
    from confluence_sync.errors import Problem


@click.command("check")
@CONFIG_OPTION
@GITHUB_OPTION
@STRICT_OPTION
def check_command(config_path: Path | None, github: bool | None, strict: bool) -> None:
    """Validate configuration, front matter, links, images and the template. No network.

    Prints every problem on stdout as path:line: level: message (errors and warnings), then a
    summary line on stderr. Exits 2 if there is any error; warnings alone exit 0.

    \b
    Example:
      confluence-sync check
    """
    from confluence_sync.config import describe_config, load_settings
    from confluence_sync.errors import InputError, count_summary
    from confluence_sync.source import build_site

    settings = load_settings(config_path).model_copy(update={"strict": strict})
    click.echo(f"config: {describe_config(settings.config_file)}", err=True)
    try:
        site = build_site(settings)
    except InputError as exc:
        if not exc.problems:
            raise
        _print_problems(exc.problems, github)
        click.echo(exc.summary(), err=True)
        raise SystemExit(2) from None
    _print_problems(site.warnings, github)
    tail = f" ({count_summary(site.warnings)})" if site.warnings else ""
    click.echo(f"ok: {len(site.pages)} pages checked{tail}", err=True)


def _print_problems(problems: Sequence[Problem], github: bool | None) -> None:
    """One line per problem on stdout, like a linter; GitHub annotations too on a runner."""
    for problem in problems:
        click.echo(problem.display())
    if github_output(github):
        from confluence_sync.github_report import emit_annotations

        for level in ("error", "warning"):
            emit_annotations([p for p in problems if p.level == level], click.echo, level)


@click.command("render")
@CONFIG_OPTION
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("out"),
    show_default=True,
    help="Directory for the storage files and pages.json.",
)
@STRICT_OPTION
def render_command(config_path: Path | None, out: Path, strict: bool) -> None:
    """Convert the whole site to Confluence storage format on disk, offline.

    Writes one <slug>.xml per page and pages.json (title, parent, source, labels, attachments).

    \b
    Example:
      confluence-sync render --out build/storage
    """
    from confluence_sync.config import load_settings
    from confluence_sync.source import build_site
    from confluence_sync.source.export import export_site

    site = build_site(load_settings(config_path).model_copy(update={"strict": strict}))
    for warning in site.warnings:
        click.echo(warning.display(), err=True)
    index = export_site(site, out)
    click.echo(f"rendered {len(index)} pages to {out}")
