"""Converting the site's Markdown pages: from the cache where it still holds, else parsed and
rendered (on several processes for a large site, see ``pool.py``).

Rendering a page needs the anchors of every page it links to, so conversion runs in two steps:
every page's anchors (from the cache, or by parsing it), then every page whose cached output no
longer holds is rendered. Output is the same whichever way a page was converted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confluence_sync import convert
from confluence_sync.config import Settings
from confluence_sync.convert import (
    Cuts,
    FileDigests,
    PageTarget,
    ParsedPage,
    Snippets,
    StorageDoc,
    chunks,
    heading_anchors,
    parse_markdown,
)
from confluence_sync.convert.snippets import expand_snippets
from confluence_sync.pages import PageKey
from confluence_sync.source.convert_cache import (
    ConversionCache,
    Entry,
    Query,
    QueryText,
    code_fingerprint,
    page_fingerprint,
)
from confluence_sync.source.packed_doc import PackedDoc
from confluence_sync.source.page_tree import Node
from confluence_sync.source.pool import Rendered, ShareWork, convert_in_pool, worker_count
from confluence_sync.source.resolve import PageResolver, SiteResolver

log = logging.getLogger(__name__)

CACHE_DIR = Path(".confluence-sync") / "cache"
KEEP_TOKENS_BYTES = 1_500_000  # Markdown parsed once and kept up to this size (see first_pass)


@dataclass(frozen=True)
class PageJob:
    """Everything ``render_parsed`` is given for one page (so everything its output depends on,
    with the resolver's answers)."""

    key: PageKey
    rel: str
    path: Path
    body: str
    line_offset: int
    toc: bool
    snippets: Snippets | None = None  # where ``--8<--`` markers are looked up
    diagrams: str = "code"  # the site's ``diagrams`` setting
    math: str = "macro"  # the site's ``math`` setting

    def parts(self) -> tuple[str, ...]:
        """The cache key's parts: with snippets, the text they expand to (a changed snippet
        file is a changed page)."""
        expanded = self.parsed_text() if self.snippets is not None else ""
        body = self.body if expanded == self.body else f"{self.body}\0{expanded}"
        return (
            self.rel,
            str(self.path),
            str(self.line_offset),
            str(self.toc),
            self.diagrams,
            self.math,
            body,
        )

    def parsed_text(self) -> str:
        if self.snippets is None:
            return self.body
        return expand_snippets(self.body, self.snippets).text

    def parse(self, kept: ParsedPage | Cuts | None = None) -> ParsedPage:
        """The page parsed, or what ``first_pass`` kept of it."""
        if isinstance(kept, ParsedPage):
            return kept
        return parse_markdown(self.body, snippets=self.snippets, cuts=kept)


def jobs_of(
    nodes: Sequence[Node],
    snippets: Snippets | None = None,
    diagrams: str = "code",
    math: str = "macro",
) -> list[PageJob]:
    return [
        PageJob(
            n.key,
            n.page.rel,
            n.page.path,
            n.page.body,
            n.page.line_offset,
            n.page.meta.toc,
            snippets,
            diagrams,
            math,
        )
        for n in nodes
        if n.page is not None
    ]


def cache_for(settings: Settings) -> ConversionCache:
    return ConversionCache(settings.root / CACHE_DIR, code_fingerprint())


def convert_pages(
    settings: Settings,
    nodes: Sequence[Node],
    cache: ConversionCache | None = None,
    *,
    processes: int | None = None,
    snippets: Snippets | None = None,
) -> dict[PageKey, PackedDoc]:
    """Every Markdown page's storage document, by key; ``cache`` is read and updated.
    ``processes``: how many to convert on (None: as many as the machine and site justify)."""
    jobs = jobs_of(nodes, snippets, settings.diagrams, settings.math)
    code = cache.code if cache is not None else ""
    prints = {job.key: page_fingerprint(code, job.parts()) for job in jobs}
    cached = {
        job.key: entry
        for job in jobs
        if cache is not None and (entry := cache.get(job.rel, prints[job.key])) is not None
    }
    todo = [job for job in jobs if job.key not in cached]
    workers = processes if processes is not None else worker_count(len(todo))
    run = _pooled if workers > 1 and len(todo) > 1 else _serial
    anchors: dict[str, Mapping[str, str]] = {k: e.anchors for k, e in cached.items()}
    rendered = run(settings, nodes, jobs, cached, anchors, max(1, workers))
    docs: dict[PageKey, PackedDoc] = {}
    for job in jobs:
        if job.key in rendered:
            doc, page_anchors, queries = rendered[job.key]
            docs[job.key] = doc
            if cache is not None:
                fresh = Entry(prints[job.key], page_anchors, doc, tuple(queries))
                cache.keep(job.rel, fresh, fresh=True)
        else:
            docs[job.key] = cached[job.key].doc
            if cache is not None:
                cache.keep(job.rel, cached[job.key], fresh=False)
    if cache is not None:
        cache.save()
    return docs


def _serial(
    settings: Settings,
    nodes: Sequence[Node],
    jobs: Sequence[PageJob],
    cached: Mapping[PageKey, Entry],
    anchors: dict[str, Mapping[str, str]],
    workers: int,
) -> dict[PageKey, Rendered]:
    """Parse what the cache lacks, then render it and every entry that no longer holds."""
    parsed, found = first_pass([job for job in jobs if job.key not in cached])
    for key, page_anchors in found.items():
        anchors[key] = page_anchors
    resolver = SiteResolver.for_nodes(settings, list(nodes), anchors)
    digests = FileDigests()
    rendered: dict[PageKey, Rendered] = {}
    for job in stale_jobs(jobs, cached, resolver, digests):
        page = job.parse(parsed.pop(job.key, None))
        recorder = RecordingResolver(resolver.at(job.path), digests)
        doc = render(page, job, recorder, digests)
        rendered[job.key] = (PackedDoc.of(doc), dict(page.anchors), recorder.queries)
    return rendered


def _pooled(
    settings: Settings,
    nodes: Sequence[Node],
    jobs: Sequence[PageJob],
    cached: Mapping[PageKey, Entry],
    anchors: dict[str, Mapping[str, str]],
    workers: int,
) -> dict[PageKey, Rendered]:
    """The same on ``workers`` processes (``pool.py``); each page's output is identical."""
    todo = [job for job in jobs if job.key not in cached]
    shares = [todo[i::workers] for i in range(workers)]

    def site_for(
        parsed: dict[PageKey, dict[str, str]],
    ) -> tuple[dict[Path, PageTarget], Path, list[PageJob]]:
        for key, found in parsed.items():
            anchors[key] = found
        resolver = SiteResolver.for_nodes(settings, list(nodes), anchors)
        redo = [j for j in stale_jobs(jobs, cached, resolver, FileDigests()) if j.key in cached]
        return resolver.targets, resolver.repo, redo

    _, rendered = convert_in_pool(shares, site_for, ShareWork(first_pass, render_share))
    return rendered


def render_share(
    parsed: dict[PageKey, Any],
    jobs: Sequence[PageJob],
    targets: dict[Path, PageTarget],
    repo: Path,
) -> Iterator[tuple[PageKey, Rendered]]:
    """A pool worker's second pass: its jobs rendered against the whole site's targets, each
    result packed (document) and written as text (questions) for the trip back. Each page's
    tokens leave ``parsed`` as it is rendered, so they are freed page by page."""
    resolver = SiteResolver(targets, repo)
    digests = FileDigests()
    for job in jobs:
        page = job.parse(parsed.pop(job.key, None))
        recorder = RecordingResolver(resolver.at(job.path), digests)
        doc = render(page, job, recorder, digests)
        yield job.key, (PackedDoc.of(doc), dict(page.anchors), QueryText.of(recorder.queries))


def stale_jobs(
    jobs: Sequence[PageJob],
    cached: Mapping[PageKey, Entry],
    resolver: SiteResolver,
    digests: FileDigests,
) -> list[PageJob]:
    """The jobs to render: not cached, or cached with answers that changed since."""
    return [
        job
        for job in jobs
        if job.key not in cached or not still_holds(cached[job.key], resolver.at(job.path), digests)
    ]


def first_pass(
    jobs: Sequence[PageJob],
) -> tuple[dict[PageKey, ParsedPage | Cuts], dict[PageKey, dict[str, str]]]:
    """Every page's anchors, and what is worth keeping of the parse for rendering.

    Keeping each page's tokens between the passes saves parsing twice, but holds the whole
    site's tokens at once (about 50 times the Markdown). Above ``KEEP_TOKENS_BYTES`` anchors
    come from the converter's lighter outline pass instead, and each page is parsed when it is
    rendered and released after, so memory follows the largest page, not the site. A page
    large enough to be converted in chunks keeps only where it is cut (``Cuts``)."""
    if sum(len(job.body) for job in jobs) <= KEEP_TOKENS_BYTES:
        parsed = {job.key: job.parse() for job in jobs}
        return dict(parsed), {key: page.anchors for key, page in parsed.items()}
    kept: dict[PageKey, ParsedPage | Cuts] = {}
    found: dict[PageKey, dict[str, str]] = {}
    for job in jobs:
        text = job.parsed_text()
        if len(text) <= chunks.CHUNK_CHARS:
            found[job.key] = heading_anchors(text)
            continue
        page = job.parse()
        found[job.key] = page.anchors
        if page.cuts is not None:
            kept[job.key] = page.cuts
    return kept, found


def render(page: ParsedPage, job: PageJob, resolver: Any, digests: FileDigests) -> StorageDoc:
    return convert.render_parsed(
        page,
        source=job.rel,
        line_offset=job.line_offset,
        resolver=resolver,
        toc=job.toc,
        digests=digests,
        diagrams=job.diagrams,
        math=job.math,
    )


class RecordingResolver:
    """A page's resolver that writes down every question and answer, for the cache."""

    def __init__(self, inner: PageResolver, digests: FileDigests) -> None:
        self.inner = inner
        self.digests = digests
        self.queries: list[Query] = []

    def resolve_page(self, href: str) -> PageTarget | None:
        found = self.inner.resolve_page(href)
        self.queries.append(["page", href, target_answer(found)])
        return found

    def resolve_file(self, href: str) -> Path | str:
        found = self.inner.resolve_file(href)
        self.queries.append(["file", href, *file_answer(found, self.digests)])
        return found

    def resolve_diagram(self, kind: str, source: str) -> Path | str:
        found = self.inner.resolve_diagram(kind, source)
        self.queries.append(["diagram", f"{kind}\0{source}", *file_answer(found, self.digests)])
        return found


def target_answer(target: PageTarget | None) -> list[Any] | None:
    """A linked page's title and a digest of its anchors (the anchors themselves would make
    every entry as large as the pages it links to)."""
    if target is None:
        return None
    anchors = json.dumps(sorted(target.anchors.items()), ensure_ascii=False)
    return [target.title, hashlib.sha256(anchors.encode()).hexdigest()[:32]]


def file_answer(found: Path | str, digests: FileDigests) -> list[str]:
    if isinstance(found, Path):
        return ["path:" + os.fspath(found), digests.sha256(found)]
    return ["reason:" + found, ""]


def still_holds(entry: Entry, resolver: PageResolver, digests: FileDigests) -> bool:
    """Ask the cached page's questions again: the entry holds only if every answer (and every
    attached file's content) is what it was."""
    for query in entry.queries:
        kind, href, *answer = query
        if kind == "page":
            if [target_answer(resolver.resolve_page(href))] != answer:
                return False
        elif kind == "file":
            if file_answer(resolver.resolve_file(href), digests) != answer:
                return False
        elif kind == "diagram":
            diagram, _, source = href.partition("\0")
            if file_answer(resolver.resolve_diagram(diagram, source), digests) != answer:
                return False
        else:
            return False
    return all(digests.sha256(a.path) == a.sha256 for a in entry.doc.attachments)
