"""One rebuild of the preview: build the site, publish what changed to the private wiki, and
tell the live-reload layer which pages now carry problems.

The site is built by the same function as ``sync`` (so the conversion cache decides which pages
are converted again) and published by the same planner and applier (so only pages whose digest
changed are written). A build that fails keeps the wiki as it was: its problems are placed on
the pages of the files they name, and the rest of the site stays on the last good build.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from confluence_sync.commands.desired import today_utc
from confluence_sync.commands.incident import (
    IncidentRequest,
    prepare_incident,
    write_incident,
)
from confluence_sync.commands.sync import SyncOptions, sync_pages
from confluence_sync.config import Settings
from confluence_sync.errors import ConfluenceSyncError, InputError, Problem
from confluence_sync.localwiki.live import Build, LiveState, Notice
from confluence_sync.publish.gateway import Gateway
from confluence_sync.publish.target import Target

log = logging.getLogger(__name__)

_PAGE_ID = re.compile(r"/pages/(\d+)")


@dataclass(frozen=True)
class PageRef:
    """Where a source file's page is: its id and its path on the preview server."""

    id: str
    path: str


@dataclass(frozen=True)
class BuildSummary:
    """What one rebuild did, for the command's output."""

    generation: int
    written: int = 0
    problems: tuple[Problem, ...] = ()
    latest: str = ""


@dataclass
class _Known:
    """What earlier builds learnt: the page of each source file, the last page saved."""

    refs: dict[str, PageRef] = field(default_factory=dict)  # guide pages, from the stamps
    incidents: dict[str, PageRef] = field(default_factory=dict)  # incident files' pages
    latest: str = ""
    generation: int = 0
    top: str = ""  # the source key of the guide's top page
    problems: tuple[Problem, ...] = ()  # the last build's


class PreviewBuilder:
    """Rebuilds into the private wiki behind ``gateway``; one instance per preview session."""

    def __init__(self, settings: Settings, gateway: Gateway, target: Target, live: LiveState):
        self.settings, self.gw, self.target, self.live = settings, gateway, target, live
        self._known = _Known()

    def build(self, changed: Collection[Path] = ()) -> BuildSummary:
        """Rebuild after ``changed`` files were saved (empty: the first build, everything).
        Open pages reload only when a page was written or the problems changed."""
        problems: list[Problem] = []
        written = 0
        try:
            written = self._publish_site()
        except InputError as error:
            problems.extend(p for p in error.problems if p.level == "error")
            problems.extend(() if error.problems else [Problem("build", str(error))])
        except ConfluenceSyncError as error:  # the private wiki refused: shown, not fatal
            problems.append(Problem("private wiki", str(error)))
        except OSError as error:  # a file removed or renamed while it was being read
            problems.append(Problem(str(error.filename or "build"), str(error)))
        if not changed or any(self._touches_incidents(p) for p in changed):
            written += self._publish_incidents(problems)
        problems = list(dict.fromkeys(problems))  # a template problem stops both parts
        self._refresh_refs()
        self._note_latest(changed)
        if written or not changed or tuple(problems) != self._known.problems:
            self._known.generation += 1
        self._known.problems = tuple(problems)
        build = self._placed(problems)
        self.live.publish(build)
        return BuildSummary(build.generation, written, tuple(problems), build.latest)

    def _publish_site(self) -> int:
        from confluence_sync.source import build_site

        site = build_site(self.settings)
        self._known.top = site.top or (site.pages[0].key if site.pages else "")
        # the private wiki is ours alone: a deleted file's page goes too (prune)
        options = SyncOptions(force=True, prune=True, jobs=2, allow_local=True)
        report = sync_pages(self.settings, site.pages, self.gw, self.target, options)
        if report.errors:
            failed = "; ".join(f"{o.action.title}: {o.error}" for o in report.errors)
            raise ConfluenceSyncError(f"the private wiki refused: {failed}")
        return sum(1 for o in report.outcomes if o.action.kind.value != "skip")

    def _publish_incidents(self, problems: list[Problem]) -> int:
        """The example incidents (``content_dir/incidents/*.yaml``) as incident pages, so the
        Postmortems index is shown with them; each file's problems are kept for its page.
        Returns how many pages were written."""
        written = 0
        for file in self._incident_files():
            request = IncidentRequest(from_file=file, update=True, force=True, allow_local=True)
            try:
                page = prepare_incident(self.settings, request, today_utc())
                action, url = write_incident(self.settings, request, self.gw, page, today_utc())
            except InputError as error:
                problems.extend(p for p in error.problems if p.level == "error")
                continue
            except ConfluenceSyncError as error:
                problems.append(Problem(self.settings.relative(file), str(error)))
                continue
            written += action != "unchanged"
            ref = _ref(url)
            if ref is not None:
                self._known.incidents[self.settings.relative(file)] = ref
        return written

    def _incident_files(self) -> list[Path]:
        folder = self.settings.content_dir / "incidents"
        return sorted(folder.glob("*.yaml")) if folder.is_dir() else []

    def _touches_incidents(self, path: Path) -> bool:
        folder = (self.settings.content_dir / "incidents").resolve()
        template = self.settings.template.resolve() if self.settings.template else None
        resolved = path.resolve()
        return resolved == template or folder in resolved.parents

    def _refresh_refs(self) -> None:
        """Which page each source file became (one CQL query over our stamps); a page pruned
        with its file is forgotten."""
        try:
            pages = self.gw.managed_pages(self.settings.space, self.settings.managed_label)
        except ConfluenceSyncError as error:
            log.warning("could not list the preview's pages: %s", error)
            return
        found = {page.source: _ref(page.url) for page in pages if page.source}
        refs = {source: ref for source, ref in found.items() if ref is not None}
        self._known.refs = {**refs, **self._known.incidents}

    def _note_latest(self, changed: Iterable[Path]) -> None:
        """The page of the last saved file that has one (an image or a snippet has none, and
        leaves the previous answer); before any save, or once that page is gone, the guide's
        top page."""
        refs = self._known.refs
        for path in changed:
            ref = refs.get(self.settings.relative(path))
            if ref is not None:
                self._known.latest = ref.path
        if self._known.latest not in {ref.path for ref in refs.values()}:
            top = refs.get(self._known.top)
            self._known.latest = top.path if top else ""

    def _placed(self, problems: Iterable[Problem]) -> Build:
        on_pages: dict[str, list[Notice]] = {}
        unplaced: list[Notice] = []
        for problem in problems:
            notice = Notice(problem.path, problem.message, problem.line)
            ref = self._known.refs.get(problem.path) or self._known.refs.get(
                self.settings.relative(Path(problem.path))  # shown relative to the cwd
            )
            if ref is None:
                unplaced.append(notice)
            else:
                on_pages.setdefault(ref.id, []).append(notice)
        return Build(
            self._known.generation,
            _frozen(on_pages),
            tuple(unplaced),
            self._known.latest,
        )


def _frozen(found: Mapping[str, list[Notice]]) -> dict[str, tuple[Notice, ...]]:
    return {key: tuple(value) for key, value in found.items()}


def _ref(url: str) -> PageRef | None:
    """A page's id and server path from its web URL (``…/spaces/DEV/pages/123/Title``)."""
    path = urlsplit(url).path
    found = _PAGE_ID.search(path)
    return PageRef(found.group(1), path) if found else None
