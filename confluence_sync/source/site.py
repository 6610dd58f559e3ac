"""The whole site as the repo wants it: every page read, placed, converted and validated.

Everything is checked before anything is published, and all problems are collected so one run
of ``check`` shows every broken link, bad key and duplicate title at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from confluence_sync import convert
from confluence_sync.config import Settings
from confluence_sync.convert import macros
from confluence_sync.convert.targets import is_broken_link
from confluence_sync.errors import InputError, Problem, TemplateError
from confluence_sync.pages import AttachmentFile, DesiredPage, PackedText, PageKey
from confluence_sync.source.conversion import cache_for, convert_pages
from confluence_sync.source.convert_cache import ConversionCache
from confluence_sync.source.mkdocs_site import MkDocsTree, mkdocs_tree
from confluence_sync.source.packed_doc import PackedDoc
from confluence_sync.source.page_tree import Node, walk
from confluence_sync.source.read import SourceTree, read_tree
from confluence_sync.source.rules import label_problem, normal_label, title_problem

if TYPE_CHECKING:
    from confluence_sync.template import PostmortemTemplate

POSTMORTEMS_KEY = PageKey("generated:postmortems")


@dataclass(frozen=True)
class Site:
    """Desired pages, parents before children; ``warnings``: what publishes but loses something."""

    pages: tuple[DesiredPage, ...]
    top: PageKey | None
    warnings: tuple[Problem, ...] = ()

    def page(self, key: PageKey) -> DesiredPage:
        return next(p for p in self.pages if p.key == key)


def build_site(
    settings: Settings, env: Mapping[str, str] | None = None, *, cache: bool = True
) -> Site:
    """Read and convert everything; raise ``InputError`` with every problem found (warnings
    included, for the record) when any is an error. ``env`` answers ``!ENV`` in mkdocs.yml.
    ``cache``: reuse (and update) the conversion cache under ``.confluence-sync/cache``."""
    if not settings.content_dir.is_dir():
        raise InputError(
            [Problem(settings.relative(settings.content_dir), "content directory not found")]
        )
    store = cache_for(settings) if cache else None
    source: SourceTree | MkDocsTree
    if settings.renderer == "mkdocs":
        source = mkdocs_tree(settings, store, strict=settings.strict)
    else:
        source = read_tree(settings, os.environ if env is None else env)
    problems = source.problems
    nodes = source.nodes
    ordered = walk(nodes)
    top = nodes[0].key if len(nodes) == 1 and (nodes[0].page or nodes[0].body) else None
    ordered += _generated_nodes(settings, ordered, top, problems, store)
    _check_titles(ordered, source.nav_file, problems)
    problems.extend(_setting_label_problems(settings))
    with convert.collector_paused():
        desired = _convert_all(settings, ordered, problems, store, source.snippet_dirs)
    if settings.strict:  # --strict: a warning stops the run, as with mkdocs build --strict
        problems = [dataclasses.replace(p, level="error") for p in problems]
    found = sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.level, p.message))
    if any(p.level == "error" for p in found):
        raise InputError(found)
    return Site(tuple(desired), top, tuple(found))


def _generated_nodes(
    settings: Settings,
    ordered: list[Node],
    top: PageKey | None,
    problems: list[Problem],
    store: ConversionCache | None = None,
) -> list[Node]:
    """The template page (in the Resources section) and the Postmortems index page.

    The index is rendered here without incidents so ``check`` and ``render`` show it; ``sync``
    re-renders it from the incident pages it finds in the wiki.
    """
    if settings.template is None:
        return []
    template_file = settings.relative(settings.template)
    if not settings.template.is_file():
        problems.append(Problem(template_file, "postmortem template not found"))
        return []
    from confluence_sync.template import (  # only a site with a template pays for importing it
        load_template,
        render_postmortems_page,
    )

    try:
        template = load_template(settings.template)
    except TemplateError as exc:
        problems.extend(exc.problems)
        return []
    template_node = _template_node(settings, template, ordered, top, problems, store)
    today = dt.datetime.now(dt.timezone.utc).date()
    index_body = render_postmortems_page(template, [], today=today, space=settings.space)
    index_node = Node(POSTMORTEMS_KEY, settings.postmortems_title, None, None, body=index_body)
    return [template_node, index_node]


def _template_node(
    settings: Settings,
    template: PostmortemTemplate,
    ordered: list[Node],
    top: PageKey | None,
    problems: list[Problem],
    store: ConversionCache | None,
) -> Node:
    """The published template page, in the section ``template_page.parent`` names."""
    from confluence_sync.template import render_template_page

    template_file = settings.relative(settings.template) if settings.template else ""
    page = template.template_page
    section = settings.content_dir / page.parent
    parent = next((n.key for n in ordered if n.page and n.page.path == section), None)
    if parent is None and "parent" in page.model_fields_set:
        message = f"template_page.parent: no page {page.parent} in the content dir"
        problems.append(Problem(template_file, message))
    if store is None or settings.template is None:
        body = render_template_page(template)
    else:  # its guidance is Markdown: cached like the pages, by the template file's bytes
        source = settings.template.read_bytes()
        body = store.text(template_file, source, lambda: render_template_page(template))
    problems.extend(_label_problems(template_file, "template_page.labels", page.labels))
    return Node(
        PageKey(template_file), page.title, None, parent or top, 1000, body=body, labels=page.labels
    )


def _check_titles(nodes: list[Node], nav_file: str | None, problems: list[Problem]) -> None:
    """Titles Confluence would refuse (too long, empty, control characters) and titles used
    twice (Confluence allows one page per title in a space).

    A MkDocs nav reuses short labels in different sections ("Details" under Extensions and under
    Blocks); such a repeated nav label gets its section's title added, with a warning. A title
    written twice in the pages themselves stays an error: it is most likely a mistake.
    """
    by_key = {node.key: node for node in nodes}
    seen: dict[str, Node] = {}
    for node in nodes:
        where, line = _title_origin(node, nav_file)
        if reason := title_problem(node.title):
            problems.append(Problem(where, reason, line))
        other = seen.get(node.title.casefold())
        if other is not None:
            first = other.page.rel if other.page else other.key
            parent = by_key.get(node.parent) if node.parent else None
            renamed = f"{node.title} ({parent.title})" if parent else ""
            if where == nav_file and renamed and renamed.casefold() not in seen:
                message = (
                    f"nav title '{node.title}' is also used by {first}; published as '{renamed}'"
                )
                problems.append(Problem(where, message, line, "warning"))
                node.title = renamed
            else:
                name = node.page.rel if node.page else node.key
                message = f"duplicate title '{node.title}' (also used by {first})"
                if other.title != node.title:
                    message = (
                        f"title '{node.title}' differs from '{other.title}' ({first}) only in "
                        "case; Confluence treats them as the same title"
                    )
                problems.append(Problem(name, message))
        seen.setdefault(node.title.casefold(), node)


def _title_origin(node: Node, nav_file: str | None) -> tuple[str, int | None]:
    """Where a title was written: the nav that named it, or the page (front matter or H1)."""
    if nav_file is not None and node.nav_title:
        return nav_file, None
    if node.page is not None:
        return node.page.rel, node.page.title_line
    return node.key, None


def _setting_label_problems(settings: Settings) -> list[Problem]:
    """The project's own labels follow Confluence's rules too, or every page fails to publish."""
    where = settings.relative(settings.config_file) if settings.config_file else "pyproject.toml"
    table = "[tool.confluence-sync]"
    return [
        *_label_problems(where, f"{table} labels", settings.labels),
        *_label_problems(where, f"{table} managed_label", (settings.managed_label,)),
    ]


def _label_problems(where: str, field: str, labels: Sequence[str]) -> list[Problem]:
    return [
        Problem(where, f"{field}: {reason}")
        for label in labels
        if (reason := label_problem(normal_label(label)))
    ]


def _convert_all(
    settings: Settings,
    nodes: list[Node],
    problems: list[Problem],
    cache: ConversionCache | None,
    snippet_dirs: tuple[Path, ...] = (),
) -> list[DesiredPage]:
    """Every page's desired state; Markdown pages converted by ``conversion.convert_pages``."""
    snippets = convert.Snippets(settings.root, (*snippet_dirs, settings.root, settings.content_dir))
    docs = convert_pages(settings, nodes, cache, snippets=snippets)
    desired = []
    for node in nodes:
        labels = tuple(dict.fromkeys(normal_label(x) for x in (*settings.labels, *node.labels)))
        if node.page is None:
            body = node.body if node.body is not None else _container_body(node)
            desired.append(
                DesiredPage(
                    node.key,
                    node.title,
                    body,
                    node.parent,
                    labels,
                    node.files,
                    node.weight,
                    generated=node.generated,
                )
            )
            continue
        doc = docs[node.key]
        problems.extend(_page_problems(settings, doc))
        files = tuple(AttachmentFile(a.filename, a.path, a.sha256) for a in doc.attachments)
        packed = _page_body(node, doc)
        desired.append(
            DesiredPage(node.key, node.title, packed, node.parent, labels, files, node.weight)
        )
    return desired


def _page_problems(settings: Settings, doc: PackedDoc) -> list[Problem]:
    """The page's errors and warnings; with ``links = "warn"`` a broken link or anchor (rendered
    as its text) is a warning, so a migrating site publishes and fixes its links later."""
    if settings.links != "warn":
        return [*doc.problems, *doc.warnings]
    found = []
    for problem in doc.problems:
        if is_broken_link(problem.message):
            problem = Problem(
                problem.path, problem.message + "; published as text", problem.line, "warning"
            )
        found.append(problem)
    return [*found, *doc.warnings]


def _page_body(node: Node, doc: PackedDoc) -> str | PackedText:
    """The converted page, after its excerpt (``description``) and before its nav links; the
    packed document itself when it has neither, so it is not packed a second time."""
    description = node.page.meta.description if node.page else None
    excerpt = macros.excerpt(macros.esc(description)) if description else ""
    links = _links_body(node)
    return excerpt + doc.xhtml + links if excerpt or links else doc.packed


def _container_body(node: Node) -> str:
    return macros.children() + _links_body(node)


def _links_body(node: Node) -> str:
    if not node.links:
        return ""
    items = "".join(
        f"<li>{macros.web_link(url, macros.esc(label))}</li>" for label, url in node.links
    )
    return f"<ul>{items}</ul>"
