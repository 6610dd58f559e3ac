"""``incident pull TITLE``: an incident page, as edited in the wiki, back into its YAML file.

The inverse of ``incident new --from FILE``. The page is found by title and must be one this tool
created (its stamp's source is ``incident:…``). Its fields are read with the template it was
rendered from, and merged into the incident file: only fields whose value on the page differs
change; the rest of the file, comments included, stays as written. The result must pass
``incident validate`` before anything is written.

What the page cannot carry back is reported as warnings: the milestone timestamps (the page shows
only durations computed from them), ticked checklist tasks, and anything else that would make
``incident new --from FILE --update`` render a different page.
"""

from __future__ import annotations

import difflib
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from confluence_sync.config import Settings
from confluence_sync.convert.canonical import canonical_xhtml, same_content
from confluence_sync.errors import (
    ConfigError,
    InputError,
    Problem,
    RefusedError,
    TemplateError,
    display_path,
)
from confluence_sync.pages import INCIDENT_PREFIX, RemotePage
from confluence_sync.plan.identity import checked, describe_holder
from confluence_sync.publish.target import Target, connect
from confluence_sync.reverse.untrusted import TooDeep, check_storage_depth
from confluence_sync.template import Incident, PostmortemTemplate, load_incident, load_template
from confluence_sync.template.incident_yaml import changed_fields, dump_fields, rewrite_yaml
from confluence_sync.template.load import IncidentLoader
from confluence_sync.template.page_reader import PageReading, read_incident_page
from confluence_sync.template.render import incident_properties, render_incident, slug

INCIDENTS_DIR = "content/incidents"


@dataclass(frozen=True)
class IncidentPullRequest:
    title: str
    out: Path | None = None
    dry_run: bool = False
    allow_local: bool = False


@dataclass(frozen=True)
class IncidentPullResult:
    title: str
    path: Path
    outcome: str  # written | created | unchanged | would write | would create
    text: str  # the file's new content
    diff: str  # unified diff, old file → new ("" for a new file)
    problems: tuple[Problem, ...] = ()


def pull_incident(
    settings: Settings,
    request: IncidentPullRequest,
    *,
    on_target: Callable[[Target], None] = lambda target: None,
) -> IncidentPullResult:
    """Read the page, merge it into the incident file, validate, and write (unless dry-run)."""
    if settings.template is None:
        raise ConfigError([Problem("pyproject.toml", "no postmortem template configured or found")])
    template = load_template(settings.template)
    with connect(settings, allow_local=request.allow_local) as (gateway, target):
        on_target(target)
        gateway.home_page(settings.space)  # a missing space is a remote error (exit 3)
        remote = gateway.find_page(settings.space, request.title)
        _check_page(remote, request.title, settings.space)
        assert remote is not None
        _check_created_by_us(gateway.version_note(remote.id, 1).by_us, checked(remote))
        storage = gateway.page_body(remote.id)
    try:
        check_storage_depth(storage)
    except TooDeep as exc:
        raise RefusedError(f"{remote.title!r} is not pulled: {exc}") from exc
    reading = read_incident_page(template, remote.title, storage)
    path = request.out or _default_path(settings, reading)
    old = path.read_text(encoding="utf-8") if path.is_file() else None
    text = _merged(template, path, old, reading)
    incident = _validated(template, path, text)
    problems = (*reading.problems, *_not_carried(template, incident, reading, storage, path))
    outcome = _write(path, old, text, request.dry_run)
    diff = _diff(path, old, text) if old is not None else ""
    return IncidentPullResult(remote.title, path, outcome, text, diff, problems)


def _check_page(remote: RemotePage | None, title: str, space: str) -> None:
    if remote is None:
        raise InputError([Problem("incident pull", f"no page titled '{title}' in space {space}")])
    if not remote.source.startswith(INCIDENT_PREFIX):
        why = f"stamped from {remote.source}" if remote.source else "no confluence-sync stamp"
        raise InputError(
            [
                Problem(
                    "incident pull",
                    f"'{remote.title}' is not an incident page created by confluence-sync "
                    f"incident new ({why}); only those can be pulled into an incident file",
                )
            ]
        )


_INCIDENT_NAME = re.compile(r"(?:\d{4}-\d{2}-\d{2}-?)?[a-z0-9-]{0,120}")


def _check_created_by_us(first_by_us: bool, remote: RemotePage) -> None:
    """An incident page is ours when our account created it (its first version) and its stamp
    was written for it: a page made by hand with a copied or typed-in ``incident:`` stamp is
    a person's page, and nothing of it is pulled into the repo."""
    if first_by_us and remote.stamp is not None:
        return
    raise InputError(
        [
            Problem(
                "incident pull",
                f"'{remote.title}' carries an incident stamp, but confluence-sync did not create "
                f"it ({describe_holder(remote)}); only pages made by incident new can be pulled",
            )
        ]
    )


def _default_path(settings: Settings, reading: PageReading) -> Path:
    """The incident file whose title and date name this page (the file ``incident new --from``
    published it from), else ``content/incidents/DATE-SLUG.yaml``."""
    date, title = str(reading.fields.get("date", "")), str(reading.fields.get("title", ""))
    folder = settings.root / INCIDENTS_DIR
    same = [path for path in sorted(folder.glob("*.y*ml")) if _names(path) == (date, title)]
    if len(same) > 1:
        shown = ", ".join(display_path(p) for p in same)
        raise InputError(
            [Problem("incident pull", f"several files hold this incident ({shown}); pass --out")]
        )
    if same:
        return same[0]
    # Both parts come from the page: the date only as the title's ``YYYY-MM-DD``, the rest as
    # a slug, so the name is a plain base name inside the incidents folder (checked again).
    name = "-".join(part for part in (date, slug(title)) if part) or "incident"
    if not _INCIDENT_NAME.fullmatch(name):
        raise InputError([Problem("incident pull", f"no safe file name for {title!r}; pass --out")])
    return folder / f"{name}.yaml"


def _names(path: Path) -> tuple[str, str] | None:
    """(date, title) as an incident file states them; None for a file that is not one."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=IncidentLoader)  # a SafeLoader
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(data, dict):
        return None
    return str(data.get("date", "")).strip(), str(data.get("title", "")).strip()


def _merged(template: PostmortemTemplate, path: Path, old: str | None, reading: PageReading) -> str:
    """The new file text: the page's fields written fresh, or merged into the existing file."""
    if old is None:
        header = f"# Pulled from the wiki page '{reading.fields.get('date', '')} "
        header += f"{reading.fields.get('title', '')}' by confluence-sync incident pull.\n"
        return header + dump_fields(reading.fields)
    current = load_incident(path, template)  # an invalid file is reported before any merge
    raw: Any = yaml.load(old, Loader=IncidentLoader)  # IncidentLoader is a SafeLoader
    updates = changed_fields(template, current, raw, reading.fields)
    return rewrite_yaml(old, updates) if updates else old


def _validated(template: PostmortemTemplate, path: Path, text: str) -> Incident:
    """Validate the new text as ``incident validate`` would; problems name the target file."""
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder) / path.name
        scratch.write_text(text, encoding="utf-8")
        try:
            return load_incident(scratch, template)
        except TemplateError as exc:
            shown, scratch_shown = display_path(path), display_path(scratch)
            problems = [
                Problem(shown if p.path == scratch_shown else p.path, p.message, p.line, p.level)
                for p in exc.problems
            ]
            problems.insert(0, Problem(shown, "the page does not make a valid incident file"))
            raise TemplateError(problems) from exc


def _not_carried(
    template: PostmortemTemplate, incident: Incident, reading: PageReading, storage: str, path: Path
) -> list[Problem]:
    """Warnings for what differs between the page and the page the new file would render."""
    shown = display_path(path)
    problems: list[Problem] = []
    computed = incident_properties(template, incident)
    for key, value in reading.shown.items():
        if computed.get(key) is not None and " ".join(computed[key].split()) != value:
            why = (
                "the meeting deadline is computed from the severity and resolved_at"
                if key == "Meeting Deadline"
                else "it is computed from the timestamps (started_at … resolved_at), which "
                "the page does not show; set them in the file (or pull with --out into the "
                "file the page was made from)"
            )
            msg = f"{key}: the page shows {value!r}, the file gives {computed[key]!r}; {why}"
            problems.append(Problem(shown, msg, level="warning"))
    if reading.checklist is not None and reading.checklist[0]:
        msg = (
            f"checklist: {reading.checklist[0]} of {reading.checklist[1]} tasks are ticked on "
            "the page; an incident file does not hold them, and incident new --update would "
            "untick them"
        )
        problems.append(Problem(shown, msg, level="warning"))
    if not problems and not same_content(render_incident(template, incident), storage):
        problems.append(Problem(shown, _render_gap(template, incident, storage), level="warning"))
    return problems


def _render_gap(template: PostmortemTemplate, incident: Incident, storage: str) -> str:
    """Where re-rendering the file would change the page: the first differing lines."""
    before = canonical_xhtml(storage).splitlines()
    after = canonical_xhtml(render_incident(template, incident)).splitlines()
    changed = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    sample = "; ".join(" ".join(line.split()) for line in changed[:4])
    return (
        "the page holds something the incident file cannot carry; incident new --update "
        f"would change it ({sample})"
    )


def _write(path: Path, old: str | None, text: str, dry_run: bool) -> str:
    if old == text:
        return "unchanged"
    if dry_run:
        return "would create" if old is None else "would write"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return "created" if old is None else "written"


def _diff(path: Path, old: str, new: str) -> str:
    shown = display_path(path)
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"a/{shown}",
            tofile=f"b/{shown}",
        )
    )
