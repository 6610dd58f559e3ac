"""``preview``: serve the guide from a private local wiki and reload the browser on each save."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from confluence_sync.cli.options import CONFIG_OPTION

if TYPE_CHECKING:
    from confluence_sync.preview.rebuild import BuildSummary
    from confluence_sync.preview.session import PreviewAddress


@click.command("preview")
@CONFIG_OPTION
@click.option(
    "--port", default=8091, show_default=True, type=int, help="Port (0 picks a free one)."
)
@click.option(
    "--open",
    "open_browser",
    is_flag=True,
    help="Open the browser on the page of the file saved last (the top page at start).",
)
def preview_command(config_path: Path | None, port: int, open_browser: bool) -> None:
    """Serve the guide as the wiki shows it, rebuilt and reloaded on every save.

    Pages are published into a private local wiki that lives as long as the command (never to
    CONFLUENCE_URL, never into .confluence-sync/wiki). A page whose file has a problem shows
    the problem (file, line, message) until the file is fixed. Ctrl-C stops it.

    \b
    Example:
      confluence-sync preview --open
    """
    from confluence_sync.config import describe_config, load_settings
    from confluence_sync.preview.session import (
        PreviewHooks,
        PreviewOptions,
        preview_environment,
        run_preview,
    )

    settings = load_settings(config_path, env=preview_environment(os.environ))
    click.echo(
        f"Preview of {describe_config(settings.config_file)} in a private local wiki"
        " (nothing is sent to CONFLUENCE_URL)"
    )

    def ready(address: PreviewAddress, summary: BuildSummary) -> None:
        click.echo(f"Serving {address.home}")
        click.echo(f"Last saved page: {address.latest}")
        _report(summary)
        click.echo("Watching for changes; press Ctrl-C to stop.")
        if open_browser:
            import webbrowser

            webbrowser.open(address.latest)

    hooks = PreviewHooks(on_ready=ready, on_build=_report)
    stop = threading.Event()
    # a service manager's or a test's SIGTERM ends the preview as Ctrl-C does: the private
    # wiki's temporary folder is removed either way
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a preview ends
            run_preview(settings, PreviewOptions(port=port), hooks, stop)
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("Stopped.")


def _report(summary: BuildSummary) -> None:
    """One line per build; a failed build lists its problems like ``check`` does."""
    for problem in summary.problems:
        click.echo(problem.display(), err=True)
    state = f"{len(summary.problems)} problem(s)" if summary.problems else "ok"
    click.echo(f"build {summary.generation}: {state}, {summary.written} page(s) written")
