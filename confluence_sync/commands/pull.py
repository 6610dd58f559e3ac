"""``pull``: bring edits made in the wiki back into the Markdown files they were published from.

Which pages to pull comes from ``diff`` (``wiki edited``, ``both changed``), so ``pull`` agrees
with it. Each page is merged three ways, as ``git merge-file`` does: the base is the page as we
last published it (its storage at the stamped version, turned into Markdown), theirs is the page
as the wiki has it now (turned into Markdown the same way), ours is the working file. Only the
wiki's edits land; the file's own wording and formatting elsewhere, and its front matter, stay as
they are. Where both sides changed the same lines the file gets conflict markers (exit 1).
"""

from __future__ import annotations

import difflib
import posixpath
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from confluence_sync.commands.diff import compare_with_wiki, repo_sources
from confluence_sync.commands.pull_files import (
    AttachmentFetch,
    Refused,
    attachment_folder,
    fetch_new,
    write_saved,
)
from confluence_sync.config import Settings
from confluence_sync.errors import RefusedError
from confluence_sync.pages import DesiredPage, PageKey
from confluence_sync.plan.drift import DiffState, PageDiff, source_filter
from confluence_sync.publish.gateway import Gateway
from confluence_sync.publish.target import Target, connect
from confluence_sync.reverse import LinkTable, ReverseResult, storage_to_markdown
from confluence_sync.reverse.untrusted import TooDeep, check_storage_depth
from confluence_sync.reverse.writeback import h1_title, merge_three_way, replace_body
from confluence_sync.source.page import read_page

PULLED = (DiffState.WIKI_EDITED, DiffState.BOTH_CHANGED)


REFUSED_EXIT = RefusedError.exit_code
"""``pull``'s exit status when it refused something from the wiki (a page, an attachment, a
link): distinct from 1 (conflict markers) so a workflow can stop before committing anything."""


@dataclass(frozen=True)
class PulledFile:
    """What ``pull`` did (or, with ``--dry-run``, would do) to one source file."""

    source: str
    title: str
    outcome: str  # pulled | merged | conflict | unchanged | refused
    diff: str = ""  # unified diff of the file, before → after
    message: str = ""
    downloads: tuple[str, ...] = ()  # attachments added in the wiki, saved in the page's folder
    refusals: tuple[str, ...] = ()  # what of the wiki's page was not taken, and why


@dataclass(frozen=True)
class PullReport:
    files: tuple[PulledFile, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(f.outcome not in ("conflict", "refused") for f in self.files)

    @property
    def refused(self) -> bool:
        """Something from the wiki was refused: a page, an attachment, a link, a macro."""
        return any(f.refusals for f in self.files)

    @property
    def exit_code(self) -> int:
        return REFUSED_EXIT if self.refused else 0 if self.ok else 1

    def to_json(self, target: Target) -> dict[str, object]:
        listed = [
            {"source": f.source, "title": f.title, "reason": reason}
            for f in self.files
            for reason in f.refusals
        ]
        return {
            "target": target.to_json(),
            "files": [
                vars(f) | {"downloads": list(f.downloads), "refusals": list(f.refusals)}
                for f in self.files
            ],
            "refusals": listed,
            "ok": self.ok,
        }


def run_pull(
    settings: Settings,
    paths: Sequence[Path] = (),
    *,
    dry_run: bool = False,
    cwd: Path | None = None,
    allow_local: bool = False,
    on_target: Callable[[Target], None] = lambda target: None,
) -> tuple[PullReport, Target]:
    """Pull every page ``diff`` calls wiki-edited or both-changed (under ``paths``)."""
    from confluence_sync.source import build_site

    select = source_filter(repo_sources(paths, settings.root, cwd or Path.cwd()))
    site = build_site(settings)
    with connect(settings, allow_local=allow_local) as (gateway, target):
        on_target(target)
        report, pages = compare_with_wiki(settings, gateway, site.pages, select)
        puller = _Puller(settings, gateway, pages, dry_run)
        done = [puller.pull(page) for page in report.pages if page.state in PULLED]
        return PullReport(tuple(done)), target


class _Puller:
    def __init__(
        self, settings: Settings, gateway: Gateway, pages: Sequence[DesiredPage], dry_run: bool
    ) -> None:
        self.settings, self.gw, self.dry_run = settings, gateway, dry_run
        self.fetch = AttachmentFetch(
            gateway, settings.content_dir, settings.pull_max_attachment_bytes, dry_run
        )
        self.by_key = {page.key: page for page in pages}
        self.sources = {p.title: p.key for p in pages if p.key.endswith(".md")}

    def pull(self, diff: PageDiff) -> PulledFile:
        """One page; a page too deep or too odd to read is refused alone (the others are still
        pulled): the page is whatever a wiki editor made it, so reading it must not end the run."""
        try:
            return self._pull(diff)
        except TooDeep as exc:
            why = str(exc)
        except (ValueError, RecursionError) as exc:
            why = f"the page could not be read ({type(exc).__name__}: {exc})"
        return PulledFile(diff.source, diff.title, "refused", why, refusals=(why,))

    def _pull(self, diff: PageDiff) -> PulledFile:
        page = self.by_key.get(PageKey(diff.source))
        path = self.settings.root / diff.source
        template = self.settings.template
        if page is not None and template is not None and path.resolve() == template.resolve():
            return self._template(page, path, diff)
        if page is None or not diff.source.endswith(".md") or not path.is_file():
            why = (
                f"'{diff.title}' is generated from {diff.source}, not written in Markdown; "
                "edit that file (pull cannot write this page back)"
            )
            return PulledFile(diff.source, diff.title, "refused", message=why)
        assert diff.page_id is not None
        return self._merge(page, path, diff)

    def _merge(self, page: DesiredPage, path: Path, diff: PageDiff) -> PulledFile:
        source = read_page(path, page.key)
        assert diff.page_id is not None
        theirs, base, refusals = self._versions(page, diff, toc=source.meta.toc)
        ours = path.read_text(encoding="utf-8")
        keep_h1 = source.meta.title is None
        merged = merge_three_way(
            replace_body(ours, base, title_from_h1=keep_h1),
            ours,
            replace_body(ours, theirs.markdown, title_from_h1=keep_h1),
            # repo unchanged since publishing: where ours differs from the base it is only in
            # how the same content is written (table padding, list spacing), so the wiki wins
            prefer_theirs=diff.state is DiffState.WIKI_EDITED,
        )
        if merged.text == ours:
            return PulledFile(page.key, page.title, "unchanged", refusals=refusals)
        if keep_h1 and h1_title(merged.text) != h1_title(ours):
            why = "a level-1 heading added in the wiki would rename the page; a title changes "
            return _refused(page, why + "only through front matter (title:) in the repo")
        try:
            saved = fetch_new(self.fetch, diff.page_id, path, theirs.new_attachments)
        except Refused as exc:
            return _refused(page, f"not pulled: {exc}")
        outcome = "conflict" if merged.conflicts else "pulled"
        if diff.state is DiffState.BOTH_CHANGED and not merged.conflicts:
            outcome = "merged"
        if not self.dry_run:
            write_saved(saved)
            path.write_text(merged.text, encoding="utf-8", newline="")
        changes = _file_diff(page.key, ours, merged.text)
        downloads = tuple(self._rel(file.target) for file in saved)
        return PulledFile(page.key, page.title, outcome, changes, "", downloads, refusals)

    def _versions(
        self, page: DesiredPage, diff: PageDiff, *, toc: bool
    ) -> tuple[ReverseResult, str, tuple[str, ...]]:
        """The page now (theirs), the Markdown of the version we published (the base), and what
        of the wiki's page was refused that the published version did not already hold (that
        came from the repository, which is trusted)."""
        assert diff.page_id is not None
        markdown = self._reader(page, toc=toc)
        theirs = markdown(self.gw.page_body(diff.page_id))
        published = self._published(diff)
        base = markdown(published) if published else ReverseResult("")
        return theirs, base.markdown, _new(theirs.refusals, base.refusals)

    def _template(self, page: DesiredPage, path: Path, diff: PageDiff) -> PulledFile:
        """The template page: its guidance and names go back into the template file."""
        from confluence_sync.template.template_yaml import pull_template_page

        if diff.state is DiffState.BOTH_CHANGED:
            why = (
                f"{page.key} changed since '{page.title}' was published and the page was edited "
                "in the wiki; set the file's change aside (git stash), pull, then bring it back"
            )
            return PulledFile(page.key, page.title, "refused", message=why)
        assert diff.page_id is not None
        body = self.gw.page_body(diff.page_id)
        check_storage_depth(body)
        pulled = pull_template_page(path, page.key, body)
        if pulled.problems:
            why = "; ".join(p.message for p in pulled.problems) + f"; edit {page.key}"
            return PulledFile(page.key, page.title, "refused", message=why)
        if pulled.after == pulled.before:
            return PulledFile(page.key, page.title, "unchanged")
        if not self.dry_run:
            path.write_text(pulled.after, encoding="utf-8", newline="")
        changes = _file_diff(page.key, pulled.before, pulled.after)
        return PulledFile(page.key, page.title, "pulled", changes)

    def _reader(self, page: DesiredPage, *, toc: bool) -> Callable[[str], ReverseResult]:
        """Storage → Markdown for this page: its links and attachments placed in the repo."""
        links = LinkTable(
            page=page.key,
            pages=self.sources,
            attachments={a.filename: self._rel(a.path) for a in page.attachments},
            space=self.settings.space,
        )

        def markdown(storage: str) -> ReverseResult:
            return storage_to_markdown(
                storage,
                links=links,
                source=page.key,
                toc_in_front_matter=toc,
                attachment_folder=attachment_folder(page.key),
            )

        return markdown

    def _published(self, diff: PageDiff) -> str:
        """The storage we last published: the page at the version our stamp records."""
        assert diff.page_id is not None
        version = diff.stamp_version
        return self.gw.page_body(diff.page_id, version) if version else ""

    def _rel(self, path: Path) -> str:
        return posixpath.normpath(
            path.resolve().relative_to(self.settings.root.resolve()).as_posix()
        )


def _new(found: Sequence[str], before: Sequence[str]) -> tuple[str, ...]:
    """``found`` without one occurrence of each message in ``before``."""
    left = Counter(before)
    kept = []
    for message in found:
        if left[message]:
            left[message] -= 1
        else:
            kept.append(message)
    return tuple(kept)


def _refused(page: DesiredPage, why: str) -> PulledFile:
    return PulledFile(page.key, page.title, "refused", message=why, refusals=(why,))


def _file_diff(name: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), f"a/{name}", f"b/{name}", lineterm=""
    )
    return "\n".join(lines)
