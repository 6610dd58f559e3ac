"""The ``confluence-sync`` command line. Thin: each command parses options, calls one function,
and maps the outcome to an exit code. Heavy modules are imported inside commands so ``--help``
stays fast.

One module per command family (``site``, ``sync``, ``diff``, ``incident``, ``wiki``, ``github``,
``preview``), options shared between them in ``options``; this module only builds the group and
registers them, so the layers below (``plan/``, ``publish/``) never need to know about Click.
"""

from __future__ import annotations

import logging
import os

import click

from confluence_sync import __version__
from confluence_sync.cli.allocator import map_large_blocks
from confluence_sync.cli.diff import diff_command
from confluence_sync.cli.doctor import doctor_command
from confluence_sync.cli.github import github_group
from confluence_sync.cli.incident import incident_group
from confluence_sync.cli.offline import check_command, render_command
from confluence_sync.cli.preview import preview_command
from confluence_sync.cli.pull import pull_command
from confluence_sync.cli.sync import plan_command, sync_command
from confluence_sync.cli.wiki import wiki_group
from confluence_sync.errors import redact
from confluence_sync.output_text import printable

__all__ = ["cli", "main"]


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
    for handler in logging.getLogger().handlers:
        handler.addFilter(_redact_record)


def _redact_record(record: logging.LogRecord) -> bool:
    """Debug logs include what servers answered (atlassian-python-api logs every response
    body), and a proxy may echo the request's credentials back: they are removed here. Titles
    and names from the wiki reach log lines too: control characters are escaped, so a record
    stays one line and cannot start a runner command."""
    token = os.environ.get("CONFLUENCE_TOKEN")
    message = record.getMessage()
    cleaned = redact(message, token=token, user=os.environ.get("CONFLUENCE_USER"))
    cleaned = printable(cleaned, tabs=True)
    secret = os.environ.get("CONFLUENCE_CLIENT_SECRET")
    cleaned = redact(cleaned, token=secret) if secret else cleaned
    if cleaned != message:
        record.msg, record.args = cleaned, ()
    return True


cli.add_command(check_command)
cli.add_command(render_command)
cli.add_command(wiki_group)
cli.add_command(incident_group)
cli.add_command(diff_command)
cli.add_command(github_group)
cli.add_command(sync_command)
cli.add_command(plan_command)
cli.add_command(pull_command)
cli.add_command(preview_command)
cli.add_command(doctor_command)


def main() -> None:
    """Console-script entry point; fixes the program name so usage lines read the same however
    it was started (``confluence-sync`` or ``python -m confluence_sync``)."""
    map_large_blocks()
    cli(prog_name="confluence-sync")
