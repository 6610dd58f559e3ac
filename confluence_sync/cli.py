"""The ``confluence-sync`` command line. Thin: each command parses options, calls one function,
and maps the outcome to an exit code. Heavy modules are imported inside commands so ``--help``
stays fast."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from confluence_sync import __version__

CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="pyproject.toml to read [tool.confluence-sync] from (default: ./pyproject.toml).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="confluence-sync")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """Publish a Markdown postmortem guide and template to Confluence, and keep them in sync.

    \b
    Example:
      confluence-sync check && confluence-sync sync
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@CONFIG_OPTION
def check(config_path: Path | None) -> None:
    """Validate configuration, front matter, links, images and the template. No network.

    Prints every problem as path:line: message and exits 2 if there are any.

    \b
    Example:
      confluence-sync check
    """
    from confluence_sync.config import load_settings
    from confluence_sync.source import build_site

    site = build_site(load_settings(config_path))
    click.echo(f"ok: {len(site.pages)} pages checked")


@cli.command()
@CONFIG_OPTION
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("out"),
    show_default=True,
    help="Directory for the storage files and pages.json.",
)
def render(config_path: Path | None, out: Path) -> None:
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


@cli.group()
def wiki() -> None:
    """The embedded Confluence-compatible local wiki."""


@cli.group()
def incident() -> None:
    """Dated incident (postmortem) pages."""


def main() -> None:
    cli(prog_name="confluence-sync")
