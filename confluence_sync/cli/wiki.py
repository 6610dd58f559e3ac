"""``wiki serve``: run the embedded local wiki over HTTP, for a browser or for tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from confluence_sync.cli.options import CONFIG_OPTION
from confluence_sync.publish.target import SERVE_HOST, SERVE_PORT


@click.group("wiki")
def wiki_group() -> None:
    """The embedded Confluence-compatible local wiki."""


@wiki_group.command("serve")
@click.option(
    "--host", default=SERVE_HOST, show_default=True, help="Address to bind (loopback by default)."
)
@click.option(
    "--port",
    default=SERVE_PORT,
    show_default=True,
    type=int,
    help="Port (0 picks a free one). Links printed for the embedded wiki use the default.",
)
@click.option(
    "--data",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Directory holding the wiki's SQLite database (default: .confluence-sync/wiki in the "
    "repository root, found as --config says: the embedded wiki that sync publishes to).",
)
@CONFIG_OPTION
@click.option(
    "--mode",
    type=click.Choice(["cloud", "server"]),
    default="cloud",
    show_default=True,
    help="cloud: REST v1 under /wiki/rest/api and v2 under /wiki/api/v2; "
    "server (Data Center): v1 only, under /rest/api.",
)
@click.option(
    "--space",
    "spaces",
    multiple=True,
    default=("DEV",),
    show_default=True,
    help="Space key to create with a home page (repeatable).",
)
@click.option(
    "--user", default="admin", show_default=True, help="User name accepted for Basic auth."
)
@click.option(
    "--token",
    default=None,
    help="Token accepted (Basic or Bearer). Default: a random one, printed at start.",
)
@click.option(
    "--allow-host",
    "allowed_hosts",
    multiple=True,
    help="Another name clients may use in the Host header (repeatable); the bound address and"
    " loopback names are always accepted.",
)
@click.option(
    "--rate-limit-every",
    default=0,
    type=click.IntRange(min=0),
    help="Answer every Nth API request with 429.",
)
@click.option(
    "--rate-limit-burst",
    default=0,
    type=click.IntRange(min=0),
    help="Answer the first N API requests with 429.",
)
@click.option("--retry-after", default="1", show_default=True, help="Retry-After header on 429s.")
@click.option(
    "--error-rate",
    default=0.0,
    type=click.FloatRange(0.0, 1.0),
    help="Fraction of API requests answering --error-status.",
)
@click.option(
    "--error-status",
    default=503,
    show_default=True,
    type=click.Choice([500, 502, 503, 504]),
    help="Status of the injected errors.",
)
@click.option(
    "--latency-ms", default=0, type=click.IntRange(min=0), help="Delay added to every API request."
)
@click.option(
    "--fail-after-write",
    default=0,
    type=click.IntRange(min=0),
    help="The next N writes are committed but answer 500.",
)
@click.option(
    "--upload-error-status",
    default=0,
    type=click.IntRange(min=0, max=599),
    help="Attachment uploads answer this status and write nothing (0: off).",
)
@click.option(
    "--property-error-status",
    default=0,
    type=click.IntRange(min=0, max=599),
    help="Content property writes answer this status and write nothing (0: off).",
)
@click.option(
    "--fail-request",
    "fail",
    multiple=True,
    callback=lambda ctx, param, values: _fail_rules(values),
    metavar="'METHOD PATTERN [STATUS] [TIMES] [landed]'",
    help="Fail matching API requests (method, and a regular expression searched in the path) "
    "TIMES times (default 1) with STATUS (default 500); 'landed': the write is done and only "
    "its answer is lost. Repeatable.",
)
def wiki_serve(
    host: str,
    port: int,
    data: Path | None,
    config_path: Path | None,
    mode: str,
    spaces: tuple[str, ...],
    user: str,
    token: str | None,
    allowed_hosts: tuple[str, ...],
    **faults: Any,
) -> None:
    """Run the local Confluence-compatible wiki until Ctrl-C.

    From any folder of the repository it serves the repository's embedded wiki (the one sync
    publishes to when CONFLUENCE_URL is unset), and says which on its first line.

    \b
    Example:
      confluence-sync wiki serve --port 8090 --space DEV
    """
    from confluence_sync.config import describe_config, load_settings, shown_path
    from confluence_sync.localwiki.faults import Faults
    from confluence_sync.localwiki.foreground import ServeOptions, serve

    if data is None:
        settings = load_settings(config_path, env={})  # the target variables play no part
        data = settings.local_data
        click.echo(f"Data: {shown_path(data)} (config {describe_config(settings.config_file)})")
    else:
        click.echo(f"Data: {shown_path(data)} (--data)")
    options = ServeOptions(
        host,
        port,
        data,
        "server" if mode == "server" else "cloud",
        tuple(spaces),
        user,
        token,
        Faults(**faults),
        tuple(allowed_hosts),
    )
    serve(options, click.echo)


def _fail_rules(specs: tuple[str, ...]) -> tuple[Any, ...]:
    from confluence_sync.localwiki.faults import FailRule

    try:
        return tuple(FailRule.parse(spec) for spec in specs)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fail-request") from None
