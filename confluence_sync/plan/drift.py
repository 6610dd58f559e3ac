"""Drift between the repo and the wiki: which side changed each managed page, and how.

Our stamp (content property) records the digest we sent and the version our write produced, so
"who changed it" needs no bodies: a moved digest means the repo changed, a moved version means
someone edited the wiki. Whether the page *actually* differs is decided on canonical storage, since
Confluence rewrites bodies on save and a raw comparison would report every page as changed.

Everything here is pure except :func:`collect_diff`, which only reads through a narrow protocol.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Protocol

from confluence_sync.convert.canonical import canonical_xhtml, same_content
from confluence_sync.convert.comment_markers import has_markers
from confluence_sync.errors import RemoteError
from confluence_sync.output_text import printable
from confluence_sync.pages import DesiredPage, PageId, PageKey, RemotePage
from confluence_sync.plan.build import RemoteState, attachments_differ, identity_of
from confluence_sync.plan.identity import (
    Claim,
    Identity,
    edited_since_stamp,
    stamp_ahead,
    written_by_us,
)
from confluence_sync.plan.moves import moved_away

log = logging.getLogger(__name__)


COMMENTS_ONLY = "comments only"


class DiffState(str, Enum):
    """How a managed page compares; the value is what users read."""

    IN_SYNC = "in sync"
    REPO_CHANGED = "repo changed"
    WIKI_EDITED = "wiki edited"
    BOTH_CHANGED = "both changed"
    ATTACHMENTS = "attachments differ"
    MISSING = "missing in wiki"
    ORPHAN = "orphan in wiki"
    MOVED = "moved in the wiki"  # content in sync; a person moved it, and sync leaves it there
    DAMAGED = "stamp damaged"  # the stamp proves nothing: ahead of the page, or disputed


@dataclass(frozen=True)
class PageDiff:
    """The comparison of one page, with enough to say who changed it and show the change."""

    title: str
    source: str
    state: DiffState
    page_id: PageId | None = None
    wiki_version: int | None = None
    stamp_version: int | None = None  # the version our last write produced
    wiki_editor: str = ""
    wiki_edited: str = ""
    url: str = ""
    diff: str = ""  # unified diff of canonical storage; "" when in sync
    attachments: str = ""  # the attachments the wiki lacks or holds with other content
    # COMMENTS_ONLY when the wiki's side differs by inline comments alone; else where a person
    # moved the page, or why its stamp is damaged
    note: str = ""

    @property
    def differs(self) -> bool:
        """A move a person made is shown but is no drift: ``sync`` leaves it as it is."""
        return self.state not in (DiffState.IN_SYNC, DiffState.MOVED)


@dataclass(frozen=True)
class DiffReport:
    """All compared pages, in site order, orphans last."""

    pages: tuple[PageDiff, ...]

    @property
    def ok(self) -> bool:
        """True when nothing differs (the command's exit status 0)."""
        return not any(page.differs for page in self.pages)

    def summary(self) -> dict[str, int]:
        """Count per state, every state present (zeros included) so JSON consumers can index it."""
        counts = {state.value: 0 for state in DiffState}
        for page in self.pages:
            counts[page.state.value] += 1
        return counts


class BodyReader(Protocol):
    def page_body(self, page_id: PageId, version: int | None = None) -> str: ...


class VersionAuthor(Protocol):
    @property
    def by_us(self) -> bool:
        """Our own account wrote the version."""
        ...


class WikiReader(Protocol):
    """The read side of the publish gateway; all diff needs beyond the remote state."""

    def page_body(self, page_id: PageId, version: int | None = None) -> str: ...

    def version_note(self, page_id: PageId, number: int) -> VersionAuthor: ...

    def attachments(self, page_id: PageId) -> Sequence[Attachment]: ...


class Attachment(Protocol):
    @property
    def filename(self) -> str: ...

    @property
    def sha256(self) -> str | None: ...


Pair = tuple[DesiredPage | None, RemotePage | None]


def pairs_of(desired: Sequence[DesiredPage], identity: Identity) -> list[Pair]:
    """Pair desired pages with wiki pages by the planner's identity rule: a page that is not
    ours (written by hand, or another source's) leaves its desired page missing; stamped pages
    nothing claims are orphans."""
    pairs: list[Pair] = []
    for page in desired:
        match = identity.matches[page.key]
        ours = match.claim is Claim.OURS
        pairs.append((page, match.remote if ours else None))
    pairs += [(None, page) for page in identity.leftovers]
    return pairs


def needs_body(desired: DesiredPage | None, remote: RemotePage | None) -> bool:
    """Whether the wiki body must be fetched. Only a page whose current version we wrote (our
    account, the version our stamp claims) with the digest the repo has now is known to be in
    sync without it; that keeps a clean diff at one query."""
    if remote is None:
        return False
    if desired is None or remote.stamp is None:
        return True
    return not (remote.stamp.digest == desired.digest and written_by_us(remote))


def classify(
    desired: DesiredPage | None,
    remote: RemotePage | None,
    wiki_body: str | None,
    attachments: str = "",
    wiki_commented: bool = False,
) -> DiffState:
    """The state of one pair. ``wiki_body`` is None only when :func:`needs_body` said so;
    ``attachments`` names the attachments that differ; ``wiki_commented``: the versions since
    our stamp changed nothing but inline comments, so the wiki's side did not move."""
    if remote is None:
        return DiffState.MISSING
    if desired is None:
        return DiffState.ORPHAN
    if stamp_ahead(remote):
        return DiffState.DAMAGED
    if wiki_body is None or (
        desired.title == remote.title and same_content(desired.body, wiki_body)
    ):
        if attachments:
            return DiffState.ATTACHMENTS
        return DiffState.MOVED if moved_away(remote) else DiffState.IN_SYNC
    stamp = remote.stamp
    if stamp is None:
        # Never written by us (or the stamp was lost): nothing says which side moved.
        return DiffState.BOTH_CHANGED
    repo_moved = stamp.digest != desired.digest
    wiki_moved = edited_since_stamp(remote) and not wiki_commented
    if repo_moved and wiki_moved:
        return DiffState.BOTH_CHANGED
    if repo_moved:
        return DiffState.REPO_CHANGED
    # Digest and version both match our stamp yet the content differs: the wiki holds something
    # other than what we wrote without a new version, so the wiki is the side that changed.
    return DiffState.WIKI_EDITED


def wiki_heading(remote: RemotePage | None) -> str:
    """``wiki: <title> (v7, edited by Jane Doe at 2026-11-27T10:00Z)``: who to ask about it."""
    if remote is None:
        return "wiki: (no page)"
    details = [f"v{remote.version}"]
    if remote.last_editor or remote.last_edited:
        by = f" by {printable(remote.last_editor)}" if remote.last_editor else ""
        at = f" at {remote.last_edited}" if remote.last_edited else ""
        details.append(f"edited{by}{at}")
    return f"wiki: {printable(remote.title)} ({', '.join(details)})"


def repo_heading(desired: DesiredPage | None, remote: RemotePage | None) -> str:
    if desired is not None:
        return f"repo: {printable(desired.key)}"
    gone = remote.source if remote is not None else ""
    return f"repo: (no source{', was ' + gone if gone else ''})"


def _lines(title: str | None, body: str | None) -> list[str]:
    """What is diffed: the title as a first line (so renames show) and the canonical body."""
    if title is None:
        return []
    lines = [f"title: {printable(title)}", ""]  # the diff is printed: one line, escaped
    if body:
        lines += canonical_xhtml(body).splitlines()
    return lines


def unified_diff(
    desired: DesiredPage | None, remote: RemotePage | None, wiki_body: str | None
) -> str:
    """Unified diff from the wiki's canonical storage to the repo's, headed by who edited it."""
    old = _lines(remote.title if remote else None, wiki_body)
    new = _lines(desired.title if desired else None, desired.body if desired else None)
    hunks = difflib.unified_diff(
        old, new, fromfile=wiki_heading(remote), tofile=repo_heading(desired, remote), lineterm=""
    )
    return "\n".join(hunks)


def compare(
    desired: DesiredPage | None,
    remote: RemotePage | None,
    wiki_body: str | None,
    attachments: str = "",
    wiki_commented: bool = False,
) -> PageDiff:
    """One :class:`PageDiff` from a matched pair and (if fetched) the wiki body."""
    state = classify(desired, remote, wiki_body, attachments, wiki_commented)
    commented = wiki_commented or (
        state in (DiffState.IN_SYNC, DiffState.ATTACHMENTS) and has_markers(wiki_body or "")
    )
    quiet = state in (DiffState.IN_SYNC, DiffState.ATTACHMENTS, DiffState.MOVED)
    text = "" if quiet else unified_diff(desired, remote, wiki_body)
    if desired is not None:
        title, source = desired.title, str(desired.key)
    else:
        assert remote is not None
        title, source = remote.title, remote.source
    return PageDiff(
        title=title,
        source=source,
        state=state,
        page_id=remote.id if remote else None,
        wiki_version=remote.version if remote else None,
        stamp_version=last_ours(remote) if remote else None,
        wiki_editor=remote.last_editor if remote else "",
        wiki_edited=remote.last_edited if remote else "",
        url=remote.url if remote else "",
        diff=text,
        attachments=attachments if state is DiffState.ATTACHMENTS else "",
        note=COMMENTS_ONLY if commented else _note(state, remote),
    )


def last_ours(remote: RemotePage) -> int | None:
    """The version our last write made, as far as it can be told: the stamp's, unless a person
    wrote the very version the stamp claims (a hand-edited stamp); theirs is then the latest,
    and the one before it is taken as ours (what ``pull`` merges from)."""
    stamp = remote.stamp
    if stamp is None or stamp_ahead(remote):
        return None
    if stamp.version == remote.version and not remote.by_us:
        return remote.version - 1 or None
    return stamp.version


def _note(state: DiffState, remote: RemotePage | None) -> str:
    if remote is None or remote.stamp is None:
        return ""
    if state is DiffState.MOVED:
        editor = f" by {remote.last_editor}" if edited_since_stamp(remote) else ""
        return f"moved in the wiki{editor} under page {remote.parent_id}; sync leaves it there"
    if state is DiffState.DAMAGED:
        return f"its stamp claims version {remote.stamp.version}, the page is at {remote.version}"
    return ""


def source_filter(prefixes: Iterable[str]) -> Callable[[str], bool]:
    """A predicate over repo-relative sources: a prefix names a file or a directory (everything
    under it). No prefixes selects everything."""
    cleaned = [p.strip("/") for p in prefixes]
    if not cleaned or any(p in ("", ".") for p in cleaned):
        return lambda source: True

    def selected(source: str) -> bool:
        path = source.rstrip("/")
        return any(path == p or path.startswith(p + "/") for p in cleaned)

    return selected


def diff_pairs(pairs: Sequence[Pair], reader: WikiReader) -> DiffReport:
    """Compare matched pairs, fetching a wiki body only where :func:`needs_body` asks for it,
    and the attachment listing of pages that should have attachments."""
    results = []
    for desired, remote in pairs:
        body = None
        if remote is not None and needs_body(desired, remote):
            body = reader.page_body(remote.id)
        differ = ""
        if remote is not None and desired is not None and desired.attachments:
            listing = {a.filename: a.sha256 for a in reader.attachments(remote.id)}
            differ = attachments_differ(desired, listing)
        commented = body is not None and _only_commented(reader, desired, remote, body)
        results.append(compare(desired, remote, body, differ, commented))
    return DiffReport(tuple(results))


def _only_commented(
    reader: WikiReader, desired: DesiredPage | None, remote: RemotePage | None, body: str
) -> bool:
    """Whether the wiki moved past our stamp by inline comments alone, asked only when the
    repo moved too (otherwise the repo's body is the one to compare with): one more body read,
    the version our stamp names."""
    stamp = remote.stamp if remote is not None else None
    if desired is None or remote is None or stamp is None or not has_markers(body):
        return False
    if stamp.digest == desired.digest or remote.version == stamp.version:
        return False
    if remote.title != desired.title:
        return False
    stamped = stamped_body(reader, remote)
    if stamped is None or not same_content(body, stamped):
        return False
    # a stamp a person pointed at their own version proves nothing (identity.written_by_us)
    return stamp.version < remote.version and reader.version_note(remote.id, stamp.version).by_us


def stamped_body(reader: BodyReader, remote: RemotePage) -> str | None:
    """The body of the version our stamp names, or None when the wiki has no such version (a
    stamp edited by hand): then nothing says the edit since was comments only."""
    assert remote.stamp is not None
    try:
        return reader.page_body(remote.id, remote.stamp.version)
    except RemoteError as error:
        if getattr(error, "status", None) in (400, 404):
            return None
        raise


def collect_diff(
    reader: WikiReader,
    desired: Sequence[DesiredPage],
    state: RemoteState,
    *,
    select: Callable[[str], bool] | None = None,
    site: str = "",
) -> DiffReport:
    """Pair pages as ``sync`` would, read the bodies that might differ, and compare."""
    log.debug("%d managed pages, %d desired", len(state.managed), len(desired))
    identity = identity_of(desired, state, adopt=False, site=site)
    pairs = pairs_of(desired, identity)
    if select is not None:
        pairs = [pair for pair in pairs if select(_pair_source(pair))]
    report = diff_pairs(pairs, reader)
    return DiffReport(tuple(_disputed(page, identity) for page in report.pages))


def _disputed(page: PageDiff, identity: Identity) -> PageDiff:
    """A source two pages claim is shown as damaged, naming both, not as missing."""
    match = identity.matches.get(PageKey(page.source))
    disputed = match is not None and match.remote is None and match.claim is Claim.TAKEN
    if page.state is DiffState.MISSING and disputed:
        assert match is not None
        return replace(page, state=DiffState.DAMAGED, note=match.reason)
    return page


def _pair_source(pair: Pair) -> str:
    desired, remote = pair
    if desired is not None:
        return str(desired.key)
    return remote.source if remote is not None else ""


def report_document(
    report: DiffReport, target: Mapping[str, object], link: Callable[[str], str] = str
) -> dict[str, object]:
    """The ``diff --json`` document; ``link`` turns a page URL into one that opens later."""
    return {
        "target": dict(target),
        "pages": [
            {
                "title": page.title,
                "source": page.source,
                "state": page.state.value,
                "page_id": page.page_id,
                "url": link(page.url) if page.url else page.url,
                "wiki_version": page.wiki_version,
                "wiki_editor": page.wiki_editor,
                "wiki_edited": page.wiki_edited,
                "diff": page.diff,
                "attachments": page.attachments,
                "note": page.note,
            }
            for page in report.pages
        ],
        "summary": report.summary(),
        "ok": report.ok,
    }
