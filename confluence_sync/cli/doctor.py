"""``doctor``: print what the credentials can and cannot do; exit 3 when a sync would fail."""

from __future__ import annotations

from pathlib import Path

import click

from confluence_sync.cli.options import API_OPTION, CONFIG_OPTION, with_api


@click.command("doctor")
@CONFIG_OPTION
@click.option("--local", "allow_local", is_flag=True, help="Allow the embedded local wiki in CI.")
@API_OPTION
def doctor_command(config_path: Path | None, allow_local: bool, api: str | None) -> None:
    """Check that the credentials can do everything a sync does, writing nothing.

    Names the missing scope or permission (space view, page create/update, attachment write,
    label write, property write). Exit 0 when all pass, 3 when one is missing.

    \b
    Example:
      CONFLUENCE_URL=https://example.atlassian.net/wiki CONFLUENCE_CLIENT_ID=... \\
      CONFLUENCE_CLIENT_SECRET=... confluence-sync doctor
    """
    from confluence_sync.commands.doctor import run_doctor
    from confluence_sync.config import load_settings
    from confluence_sync.errors import RemoteError

    settings = with_api(load_settings(config_path), api)
    report = run_doctor(
        settings, allow_local=allow_local, on_target=lambda t: click.echo(t.describe())
    )
    click.echo(f"Credentials: {report.credentials}")
    width = max(len(c.capability) for c in report.checks)
    for check in report.checks:
        mark = "ok     " if check.ok else "MISSING"
        click.echo(f"  {mark}  {check.capability:<{width}}  {check.detail}")
    if report.failed:
        names = ", ".join(c.capability for c in report.failed)
        raise RemoteError(f"{len(report.failed)} of {len(report.checks)} checks failed ({names})")
    click.echo(f"All {len(report.checks)} checks passed.")
