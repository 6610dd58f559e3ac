"""``wiki serve``: run the embedded local wiki over HTTP, for a browser or for tests."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("wiki")
def wiki_group() -> None:
    """The embedded Confluence-compatible local wiki."""


@wiki_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=8090, show_default=True, type=int, help="Port (0 picks a free one).")
@click.option(
    "--data", type=click.Path(path_type=Path, file_okay=False), default=Path(".confluence-sync/wiki"),
    show_default=True, help="Directory holding the wiki's SQLite database.",
)
@click.option("--mode", type=click.Choice(["cloud", "server"]), default="cloud", show_default=True,
              help="cloud: API under /wiki/rest/api; server (Data Center): under /rest/api.")
@click.option("--space", "spaces", multiple=True, default=("DEV",), show_default=True,
              help="Space key to create with a home page (repeatable).")
@click.option("--user", default="admin", show_default=True, help="User name accepted for Basic auth.")
@click.option("--token", default="admin", show_default=True, help="Token accepted (Basic or Bearer).")
@click.option("--rate-limit-every", default=0, type=int, help="Answer every Nth API request with 429.")
@click.option("--retry-after", default="1", show_default=True, help="Retry-After header on 429/503.")
@click.option("--error-rate", default=0.0, type=float, help="Fraction of API requests answering 503.")
@click.option("--latency-ms", default=0, type=int, help="Delay added to every API request.")
def wiki_serve(
    host: str, port: int, data: Path, mode: str, spaces: tuple[str, ...], user: str, token: str,
    rate_limit_every: int, retry_after: str, error_rate: float, latency_ms: int,
) -> None:
    """Run the local Confluence-compatible wiki until Ctrl-C.

    \b
    Example:
      confluence-sync wiki serve --port 8090 --space DEV
    """
    from confluence_sync.localwiki.faults import Faults
    from confluence_sync.localwiki.serve import ServeOptions, serve

    faults = Faults(rate_limit_every=rate_limit_every, retry_after=retry_after,
                    error_rate=error_rate, latency_ms=latency_ms)
    options = ServeOptions(host, port, data, "server" if mode == "server" else "cloud",
                           tuple(spaces), user, token, faults)
    serve(options, click.echo)
