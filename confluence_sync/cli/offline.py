"""``check`` and ``render``: the offline commands that read the site and never touch a wiki."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from confluence_sync.cli.options import (
    CONFIG_OPTION,
    GITHUB_OPTION,
    JSON_OPTION,
    github_output,
    input_errors_as_json,
    print_json,
    problems_json,
)

if TYPE_CHECKING:
    from confluence_sync.errors import Problem


@click.command("check")
@CONFIG_OPTION
@GITHUB_OPTION
@JSON_OPTION
def check_command(config_path: Path | None, github: bool | None, as_json: bool) -> None:
    """Validate configuration, front matter, links, images and the template. No network.

    Prints every problem on stdout as path:line: level: message (errors and warnings), then a
    summary line on stderr. Exits 2 if there is any error; warnings alone exit 0. With --json,
    stdout is one document: ok, config, pages, problems (path, line, level, message).

    \b
    Example:
      confluence-sync check --json
    """
    from confluence_sync.config import describe_config, load_settings
    from confluence_sync.errors import InputError, count_summary
    from confluence_sync.source import build_site

    with input_errors_as_json(as_json, {"config": None, "pages": 0}):
        settings = load_settings(config_path)
    config = describe_config(settings.config_file)
    click.echo(f"config: {config}", err=True)
    try:
        site = build_site(settings)
    except InputError as exc:
        if not exc.problems:
            raise
        _report(exc.problems, github, as_json, {"ok": False, "config": config, "pages": 0})
        click.echo(exc.summary(), err=True)
        raise SystemExit(2) from None
    pages = len(site.pages)
    _report(site.warnings, github, as_json, {"ok": True, "config": config, "pages": pages})
    tail = f" ({count_summary(site.warnings)})" if site.warnings else ""
    click.echo(f"ok: {pages} pages checked{tail}", err=True)


def _report(
    problems: Sequence[Problem], github: bool | None, as_json: bool, head: dict[str, object]
) -> None:
    if as_json:
        print_json({**head, "problems": problems_json(problems)})
    else:
        _print_problems(problems, github)


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
@JSON_OPTION
def render_command(config_path: Path | None, out: Path, as_json: bool) -> None:
    """Convert the whole site to Confluence storage format on disk, offline.

    Writes one <slug>.xml per page and pages.json (title, parent, source, labels, attachments).
    With --json, stdout is one document: ok, out, files (every file written), pages (the
    pages.json index) and warnings.

    \b
    Example:
      confluence-sync render --out build/storage --json
    """
    from confluence_sync.config import describe_config, load_settings
    from confluence_sync.source import build_site
    from confluence_sync.source.export import export_site

    with input_errors_as_json(as_json, {"out": str(out), "files": []}):
        settings = load_settings(config_path)
        click.echo(f"config: {describe_config(settings.config_file)}", err=True)
        site = build_site(settings)
    for warning in site.warnings:
        click.echo(warning.display(), err=True)
    index = export_site(site, out)
    if as_json:
        files = [str(out / str(page["file"])) for page in index] + [str(out / "pages.json")]
        print_json(
            {
                "ok": True,
                "out": str(out),
                "files": files,
                "pages": index,
                "warnings": problems_json(site.warnings),
            }
        )
        return
    click.echo(f"rendered {len(index)} pages to {out}")
