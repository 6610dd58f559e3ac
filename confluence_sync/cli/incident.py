"""``incident new`` and ``incident validate``: dated postmortem pages from the template.

``new`` is the one command besides ``sync`` that writes to the wiki; the work (template, target,
refusal rules) lives in ``commands/incident.py``, so this module only turns flags into a request.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from confluence_sync.cli.options import (
    API_OPTION,
    CONFIG_OPTION,
    JSON_OPTION,
    input_errors_as_json,
    print_json,
    problems_json,
    with_api,
)
from confluence_sync.errors import display_path
from confluence_sync.output_text import printable

if TYPE_CHECKING:
    from confluence_sync.commands.incident import IncidentResult


class IsoDate(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2 on
    """YYYY-MM-DD, telling a date that does not exist (2026-02-30) apart from a bad format."""

    name = "YYYY-MM-DD"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            self.fail(f"{text!r} is not a date in the form YYYY-MM-DD", param, ctx)
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text} does not exist (check the day and the month)", param, ctx)


@click.group("incident")
def incident_group() -> None:
    """Dated incident (postmortem) pages."""


@incident_group.command("new")
@click.option("--title", default=None, help='Incident title, e.g. "Checkout API outage".')
@click.option(
    "--date",
    "date_",
    type=IsoDate(),
    default=None,
    help="The day the incident started, in UTC (YYYY-MM-DD). Default: today's UTC date, "
    "so pass it when writing up an incident from an earlier day.",
)
@click.option("--severity", default=None, help="Severity from the template's scale, e.g. SEV-2.")
@click.option(
    "--owner",
    default=None,
    help="The one named postmortem owner. Default: the --from file's owner, else git's "
    "user.name; required when neither gives one.",
)
@click.option(
    "--from",
    "from_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Incident YAML to fill the page from (flags override its fields).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Validate, and show the title, parent and labels of the page; write nothing.",
)
@click.option("--update", is_flag=True, help="Rewrite the page if confluence-sync created it.")
@click.option("--force", is_flag=True, help="With --update: overwrite even if edited in the wiki.")
@click.option("--local", is_flag=True, help="Allow the embedded local wiki even when CI=true.")
@CONFIG_OPTION
@API_OPTION
@JSON_OPTION
def incident_new(
    config_path: Path | None, api: str | None, local: bool, as_json: bool, **flags: Any
) -> None:
    """Create an incident's postmortem page from the template, under the Postmortems page.

    The page is titled "YYYY-MM-DD TITLE", dated --date (the day the incident started), or today
    in UTC when --date and --from give none. An existing title is refused (exit 2) unless
    --update is given for a page this tool created. With --json, stdout is one document: the
    action, the page's title, URL and labels, or the error.

    \b
    Example:
      confluence-sync incident new --title "Checkout API outage" --date 2026-11-27 \\
        --severity SEV-2 --owner "Alex Kim"
    """
    from confluence_sync.commands.incident import IncidentRequest, publish_incident
    from confluence_sync.config import load_settings

    request = IncidentRequest(date=flags.pop("date_"), allow_local=local, **flags)
    with input_errors_as_json(as_json, {"action": None, "title": None, "url": None}):
        result = publish_incident(
            with_api(load_settings(config_path), api),
            request,
            on_target=lambda t: click.echo(t.describe(), err=True),
        )
    if as_json:
        _incident_json(result)
    else:
        _incident_text(result)
    if result.failed_requests:  # in the document already: a message on stderr, exit 3
        from confluence_sync.errors import RemoteError

        first = result.failed_requests[0]
        raise RemoteError(
            f"{first.format_message()}; the run recovered ({result.action}); a plain rerun confirms"
        )


def _incident_json(result: IncidentResult) -> None:
    failed = [f.format_message() for f in result.failed_requests]
    print_json(
        {
            "ok": not failed,
            "action": result.action,
            "title": result.page.title,
            "parent": result.parent_title,
            "url": result.url or None,
            "labels": list(result.page.labels),
            "local": result.local,
            "failed_requests": failed,
        }
    )


def _incident_text(result: IncidentResult) -> None:
    page = result.page
    click.echo(f"{result.action}: {printable(page.title)} (under {printable(result.parent_title)})")
    click.echo(f"labels: {', '.join(page.labels)}")
    if result.url and result.local:
        served = "embedded wiki: opens while `confluence-sync wiki serve` runs"
        click.echo(f"page: {result.url} ({served})")
    elif result.url:
        click.echo(f"url: {result.url}")
    if result.failed_requests:
        from confluence_sync.errors import RemoteError

        first = result.failed_requests[0]
        raise RemoteError(
            f"{first.format_message()}; the run recovered ({result.action}); a plain rerun confirms"
        )


@incident_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@CONFIG_OPTION
@click.option(
    "--template",
    "template_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Postmortem template YAML (default: the configured one).",
)
@JSON_OPTION
def incident_validate(
    files: tuple[Path, ...], config_path: Path | None, template_path: Path | None, as_json: bool
) -> None:
    """Validate incident files against the postmortem template. Writes nothing.

    Prints "ok: FILE" for each valid file and every problem as path:line: field: message;
    exits 2 if any file is invalid. With --json, stdout is one document: ok, valid (the
    files), problems (path, line, level, message).

    \b
    Example:
      confluence-sync incident validate content/incidents/example.yaml
    """
    from confluence_sync.errors import TemplateError
    from confluence_sync.template.load import load_template_or_default, validate_incident_files

    with input_errors_as_json(as_json, {"valid": []}):
        if template_path is None:
            from confluence_sync.config import load_settings

            template_path = load_settings(config_path).template
        template = load_template_or_default(template_path)
    valid, problems = validate_incident_files(files, template)
    if as_json:
        document = {"ok": not problems, "valid": list(valid), "problems": problems_json(problems)}
        print_json(document)
    else:
        for shown in valid:
            click.echo(f"ok: {shown}")
    if problems:
        raise TemplateError(problems)


@incident_group.command("pull")
@click.argument("title")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Incident file to write or merge into (default: the file in content/incidents with "
    "this title and date, else content/incidents/DATE-SLUG.yaml).",
)
@click.option("--dry-run", is_flag=True, help="Print the new YAML (or the diff); write nothing.")
@click.option("--local", is_flag=True, help="Allow the embedded local wiki even when CI=true.")
@CONFIG_OPTION
@API_OPTION
@JSON_OPTION
def incident_pull(
    title: str,
    out: Path | None,
    dry_run: bool,
    local: bool,
    config_path: Path | None,
    api: str | None,
    as_json: bool,
) -> None:
    """Write an incident page, as edited in the wiki, back to its YAML file.

    TITLE is the page title ("2026-11-20 Checkout API outage"); the page must have been created
    by incident new. The file it came from (same title and date) is found in content/incidents;
    an existing file is merged: only fields that differ on the page change,
    everything else (comments included) stays as written. What the page cannot give back (the
    timestamps behind the durations, ticked checklist tasks) is reported as a warning. Exit 2
    when the page is missing, not an incident page, or would make an invalid file; 3 when the
    space is missing or the wiki fails. With --json, stdout is one document: the outcome, the
    file, the diff, and the warnings.

    \b
    Example:
      confluence-sync incident pull "2026-11-20 Checkout API outage" --dry-run
    """
    from confluence_sync.commands.incident_pull import IncidentPullRequest, pull_incident
    from confluence_sync.config import load_settings

    request = IncidentPullRequest(title, out, dry_run, local)
    with input_errors_as_json(as_json, {"title": title, "outcome": None}):
        result = pull_incident(
            with_api(load_settings(config_path), api),
            request,
            on_target=lambda t: click.echo(t.describe(), err=True),
        )
    for problem in result.problems:
        click.echo(problem.display(), err=True)
    if as_json:
        print_json(
            {
                "ok": True,
                "title": result.title,
                "outcome": result.outcome,
                "file": display_path(result.path),
                "diff": result.diff,
                "problems": problems_json(result.problems),
            }
        )
        return
    if dry_run:
        click.echo(result.diff or (result.text if result.outcome != "unchanged" else ""), nl=False)
    shown = printable(display_path(result.path))
    click.echo(f"{result.outcome}: {shown} (from '{printable(result.title)}')")
