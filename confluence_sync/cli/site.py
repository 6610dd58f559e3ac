"""``check`` and ``render``: the offline commands that read the site and never touch a wiki."""

from __future__ import annotations

from pathlib import Path

import click

from confluence_sync.cli.options import CONFIG_OPTION, GITHUB_OPTION, github_output


@click.command("check")
@CONFIG_OPTION
@GITHUB_OPTION
def check_command(config_path: Path | None, github: bool | None) -> None:
    """Validate configuration, front matter, links, images and the template. No network.

    Prints every problem as path:line: message and exits 2 if there are any.

    \b
    Example:
      confluence-sync check
    """
    from confluence_sync.config import load_settings
    from confluence_sync.errors import InputError
    from confluence_sync.source import build_site

    try:
        site = build_site(load_settings(config_path))
    except InputError as exc:
        if github_output(github):
            from confluence_sync.github import emit_annotations

            emit_annotations(exc.problems, click.echo)
        raise
    click.echo(f"ok: {len(site.pages)} pages checked")


@click.command("render")
@CONFIG_OPTION
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("out"),
    show_default=True,
    help="Directory for the storage files and pages.json.",
)
def render_command(config_path: Path | None, out: Path) -> None:
    """Convert the whole site to Confluence storage format on disk, offline.

    Writes one <slug>.xml per page and pages.json (title, parent, source, labels, attachments).

    \b
    Example:
      confluence-sync render --out build/storage
    """
    from confluence_sync.config import load_settings
    from confluence_sync.source import build_site
    from confluence_sync.source.export import export_site

    index = export_site(build_site(load_settings(config_path)), out)
    click.echo(f"rendered {len(index)} pages to {out}")
