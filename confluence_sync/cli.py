"""The ``confluence-sync`` command line. Thin: each command parses options, calls one function,
and maps the outcome to an exit code. Heavy modules are imported inside commands so ``--help``
stays fast."""

from __future__ import annotations

import logging
from datetime import datetime
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

GITHUB_OPTION = click.option(
    "--github/--no-github",
    "github",
    default=None,
    help="Also print problems as GitHub Actions annotations (default: on when GITHUB_ACTIONS=true).",
)


def github_output(flag: bool | None) -> bool:
    """``--github``/``--no-github`` when given, else whether we run on a GitHub Actions runner."""
    from confluence_sync.github import use_annotations

    return use_annotations(flag)


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
@GITHUB_OPTION
def check(config_path: Path | None, github: bool | None) -> None:
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


@wiki.command("serve")
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


@cli.group()
def incident() -> None:
    """Dated incident (postmortem) pages."""


@incident.command("new")
@click.option("--title", default=None, help="Incident title, e.g. \"Checkout API outage\".")
@click.option("--date", "date_", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Incident date (YYYY-MM-DD; default: today, UTC).")
@click.option("--severity", default=None, help="Severity from the template's scale, e.g. SEV-2.")
@click.option("--owner", default=None, help="The one named postmortem owner.")
@click.option("--from", "from_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              default=None, help="Incident YAML to fill the page from (flags override its fields).")
@click.option("--dry-run", is_flag=True, help="Validate and show the page that would be created.")
@click.option("--update", is_flag=True, help="Rewrite the page if confluence-sync created it.")
@click.option("--force", is_flag=True, help="With --update: overwrite even if edited in the wiki.")
@click.option("--local", is_flag=True, help="Allow the embedded local wiki even when CI=true.")
@CONFIG_OPTION
def incident_new(
    title: str | None, date_: datetime | None, severity: str | None, owner: str | None,
    from_file: Path | None, dry_run: bool, update: bool, force: bool, local: bool,
    config_path: Path | None,
) -> None:
    """Create today's postmortem page from the template, under the Postmortems page.

    The page is titled "YYYY-MM-DD TITLE". An existing title is refused (exit 2) unless --update
    is given for a page this tool created.

    \b
    Example:
      confluence-sync incident new --title "Checkout API outage" --severity SEV-2 --owner "Alex Kim"
    """
    from confluence_sync.config import load_settings
    from confluence_sync.publish.incident import IncidentRequest, publish_incident

    request = IncidentRequest(
        title=title, date=date_.date() if date_ else None, severity=severity, owner=owner,
        from_file=from_file, dry_run=dry_run, update=update, force=force, allow_local=local,
    )
    result = publish_incident(
        load_settings(config_path), request, on_target=lambda t: click.echo(t.describe(), err=True)
    )
    page = result.page
    click.echo(f"{result.action}: {page.title} (under {result.parent_title})")
    click.echo(f"labels: {', '.join(page.labels)}")
    if result.url:
        click.echo(f"url: {result.url}")


@incident.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@CONFIG_OPTION
@click.option(
    "--template", "template_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="Postmortem template YAML (default: the configured one).",
)
def incident_validate(
    files: tuple[Path, ...], config_path: Path | None, template_path: Path | None
) -> None:
    """Validate incident files against the postmortem template. Writes nothing.

    Prints "ok: FILE" for each valid file and every problem as path:line: field: message;
    exits 2 if any file is invalid.

    \b
    Example:
      confluence-sync incident validate incidents/2026-11-27-checkout.yaml
    """
    from confluence_sync.errors import TemplateError
    from confluence_sync.template.load import load_template_or_default, validate_incident_files

    if template_path is None:
        from confluence_sync.config import load_settings

        template_path = load_settings(config_path).template
    valid, problems = validate_incident_files(files, load_template_or_default(template_path))
    for shown in valid:
        click.echo(f"ok: {shown}")
    if problems:
        raise TemplateError(problems)


@cli.command("diff")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (Target line on stderr).")
@click.option("--stat", is_flag=True, help="Only count changed lines per page.")
@click.option(
    "--color", "--colour", "color", type=click.Choice(["auto", "always", "never"]),
    default="auto", show_default=True, help="Colour the diff (auto: only on a terminal).",
)
@CONFIG_OPTION
@click.option("--local", is_flag=True, help="Allow the embedded local wiki even when CI=true.")
def diff_cmd(
    paths: tuple[Path, ...], as_json: bool, stat: bool, color: str,
    config_path: Path | None, local: bool,
) -> None:
    """Show how the wiki differs from the repo, and which side changed each page.

    Each page is: in sync, repo changed, wiki edited, both changed, missing in wiki or orphan in
    wiki; pages that differ get a unified diff (wiki -> repo) naming the last wiki editor.
    PATH limits the report to sources under it. Read-only. Exit 0 when nothing differs, 1 when
    something does, 2 for bad input, 3 when the wiki cannot be read.

    \b
    Example:
      confluence-sync diff content/guides --stat
    """
    import sys

    from confluence_sync.plan.diff_command import DiffOptions, run_diff
    from confluence_sync.plan.diff_output import use_colour

    colour = False if as_json else use_colour(color, sys.stdout.isatty())
    options = DiffOptions(paths, as_json, stat, colour, config_path, local)
    report = run_diff(options, click.echo)
    raise SystemExit(0 if report.ok else 1)


@cli.group()
def github() -> None:
    """Helpers for GitHub Actions workflows."""


@github.command("summary")
@click.argument("report_file", metavar="FILE.json", type=click.Path(path_type=Path, dir_okay=False))
def github_summary(report_file: Path) -> None:
    """Render a `sync --json` report as a Markdown table for the job summary.

    Appends to $GITHUB_STEP_SUMMARY, or prints when it is not set.

    \b
    Example:
      confluence-sync sync --dry-run --json > plan.json
      confluence-sync github summary plan.json
    """
    import json

    from confluence_sync.errors import InputError, Problem
    from confluence_sync.github import plan_summary_markdown, write_step_summary

    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError([Problem(str(report_file), f"cannot read a JSON report: {exc}")]) from exc
    markdown = plan_summary_markdown(report)
    if write_step_summary(markdown) is None:
        click.echo(markdown, nl=False)


from confluence_sync.publish.commands import plan_command, sync_command

cli.add_command(sync_command)
cli.add_command(plan_command)


def main() -> None:
    cli(prog_name="confluence-sync")
