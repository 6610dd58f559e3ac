"""``sync`` and ``plan``. Thin: options in, ``run_sync`` out, report printed, exit status from the
report (0 ok, 1 conflicts left, 2 bad input, 3 remote failure).

The progress bar, the table and the GitHub annotations are presentation, so they live here rather
than in ``publish/``, which stays usable (and testable) without a terminal or Click.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click import ClickException

from confluence_sync.cli.options import (
    API_OPTION,
    CONFIG_OPTION,
    GITHUB_OPTION,
    json_errors,
    with_api,
)

if TYPE_CHECKING:
    from confluence_sync.errors import Problem
    from confluence_sync.publish.apply import Progress
    from confluence_sync.publish.sync_report import Report

    Annotate = Callable[[Iterable[Problem], dict[str, Any] | None], None]

PROGRESS_MIN = 5  # below this many writes a bar is noise


SYNC_OPTIONS = (
    CONFIG_OPTION,
    click.option("--force", is_flag=True, help="Overwrite pages edited in the wiki."),
    click.option(
        "--adopt",
        is_flag=True,
        help="Take over pages with a guide title that confluence-sync did not write.",
    ),
    click.option(
        "--prune",
        is_flag=True,
        help="Delete managed pages whose source is gone (never unmanaged children).",
    ),
    click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print only a JSON report on stdout (the target line goes to stderr).",
    ),
    click.option(
        "--jobs", type=click.IntRange(1, 32), default=4, show_default=True, help="Parallel writers."
    ),
    click.option(
        "--message",
        default=None,
        help="Version message (default: 'confluence-sync: <source> @ <commit>').",
    ),
    click.option(
        "--local",
        "allow_local",
        is_flag=True,
        help="Allow the embedded local wiki in CI (CI=true) when CONFLUENCE_URL is unset.",
    ),
    GITHUB_OPTION,
    API_OPTION,
)
"""The options ``sync`` and ``plan`` share; one list so the two commands cannot drift."""


def _common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(SYNC_OPTIONS):
        func = option(func)
    return func


@click.command("sync")
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@_common_options
def sync_command(dry_run: bool, **kwargs: Any) -> None:
    """Make the space match the repository, writing only what changed.

    \b
    Example:
      CONFLUENCE_URL=https://example.atlassian.net/wiki CONFLUENCE_USER=me@example.com \\
      CONFLUENCE_TOKEN=... confluence-sync sync
    Without CONFLUENCE_URL it publishes to the embedded local wiki under .confluence-sync/.
    """
    _run(dry_run=dry_run, **kwargs)


@click.command("plan")
@_common_options
def plan_command(**kwargs: Any) -> None:
    """Show what `sync` would do (same as `sync --dry-run`).

    \b
    Example:
      confluence-sync plan --json > plan.json
    """
    _run(dry_run=True, **kwargs)


def _run(
    *,
    dry_run: bool,
    config_path: Path | None,
    as_json: bool,
    github: bool | None = None,
    api: str | None = None,
    **options: Any,
) -> None:
    """Both commands' one flow: settings, ``run_sync``, print, exit status. With ``--json`` the
    target line goes to stderr so stdout is one JSON document."""
    from confluence_sync.commands.sync import SyncHooks, SyncOptions, run_sync
    from confluence_sync.config import load_settings
    from confluence_sync.errors import InputError

    hooks = SyncHooks(
        on_target=lambda target: click.echo(target.describe(), err=as_json),
        progress=_progress_bar,
    )
    annotate = _annotator(github, err=as_json)
    with json_errors(as_json):
        try:
            settings = with_api(load_settings(config_path), api)
            report = run_sync(settings, SyncOptions(dry_run=dry_run, **options), hooks)
        except InputError as exc:
            annotate(exc.problems, None)
            raise
    annotate((), report.to_json())
    failure = _failure(report)
    _print_report(report, as_json, failure)
    if failure is not None:
        raise failure


def _print_report(report: Report, as_json: bool, failure: ClickException | None) -> None:
    """The JSON document, or the action table and the one-line summary."""
    if as_json:
        document = report.to_json()
        if failure is not None:
            document["error"] = failure.format_message()
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    for line in report.table():
        click.echo(line)
    click.echo(report.summary_line())


def _annotator(github: bool | None, *, err: bool) -> Annotate:
    """GitHub annotations for input problems and for a report's conflicts and errors; on stderr
    with --json so stdout stays one JSON document (the runner reads commands from both)."""
    from confluence_sync.github_report import (
        emit_annotations,
        emit_report_annotations,
        use_annotations,
    )

    def annotate(problems: Iterable[Problem], report: dict[str, Any] | None) -> None:
        if not use_annotations(github):
            return

        def echo(line: str) -> None:
            click.echo(line, err=err)

        emit_annotations(problems, echo)
        if report is not None:
            emit_report_annotations(report, echo)

    return annotate


def _failure(report: Report) -> ClickException | None:
    """A request that failed after its retries, or failed writes, are a remote failure (3)
    whatever else the run found; pages left alone (conflicts, and the pages under them) are 1;
    otherwise None (0)."""
    from confluence_sync.errors import ConflictError, RemoteError

    if report.failed_requests:
        return RemoteError("\n".join(report.failure_lines()))
    if report.errors:
        first = report.errors[0]
        return RemoteError(
            f"{len(report.errors)} page(s) failed; first: {first.action.title}: {first.error}"
        )
    if report.conflicts:
        return ConflictError(
            f"{report.conflicts} page(s) left alone, see the reasons above; {report.advice()}"
        )
    return None


@contextmanager
def _progress_bar(total: int) -> Iterator[Progress | None]:
    """A bar on stderr for runs with enough writes to be worth one, and only on a terminal, so
    CI logs and ``--json`` output stay clean."""
    if total <= PROGRESS_MIN or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label="Publishing", file=sys.stderr) as bar:
        yield lambda outcome: bar.update(1 if outcome.action.writes else 0)
