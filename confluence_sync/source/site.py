"""The whole site as the repo wants it: every page read, placed, converted and validated.

Everything is checked before anything is published, and all problems are collected so one run
of ``check`` shows every broken link, bad key and duplicate title at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from confluence_sync import convert
from confluence_sync.config import Settings
from confluence_sync.convert import macros
from confluence_sync.errors import InputError, Problem, TemplateError
from confluence_sync.plan.model import AttachmentFile, DesiredPage, PageKey
from confluence_sync.source.mkdocs import NavError, nav_tree, read_nav
from confluence_sync.source.page import PageReadError, SourcePage, read_page
from confluence_sync.source.resolve import SiteResolver
from confluence_sync.source.tree import Node, discover, folder_tree, walk

POSTMORTEMS_KEY = PageKey("generated:postmortems")


@dataclass(frozen=True)
class Site:
    """Desired pages, parents before children."""

    pages: tuple[DesiredPage, ...]
    top: PageKey | None

    def page(self, key: PageKey) -> DesiredPage:
        return next(p for p in self.pages if p.key == key)


def build_site(settings: Settings) -> Site:
    """Read and convert everything; raise ``InputError`` with every problem found."""
    problems: list[Problem] = []
    if not settings.content_dir.is_dir():
        raise InputError(
            [Problem(settings.relative(settings.content_dir), "content directory not found")]
        )
    pages = _read_pages(settings, problems)
    nodes = _tree(settings, pages, problems)
    ordered = walk(nodes)
    top = nodes[0].key if len(nodes) == 1 and nodes[0].page else None
    ordered += _generated_nodes(settings, ordered, top, problems)
    _check_titles(ordered, problems)
    with convert.collector_paused():
        desired = _convert_all(settings, ordered, problems)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.path, p.line or 0)))
    return Site(tuple(desired), top)


def _read_pages(settings: Settings, problems: list[Problem]) -> list[SourcePage]:
    pages = []
    for path in discover(settings.content_dir):
        try:
            page = read_page(path, settings.relative(path))
        except PageReadError as exc:
            problems.extend(exc.problems)
            continue
        except UnicodeDecodeError:
            problems.append(Problem(settings.relative(path), "not valid UTF-8"))
            continue
        if not page.meta.draft:
            pages.append(page)
    return pages


def _tree(settings: Settings, pages: list[SourcePage], problems: list[Problem]) -> list[Node]:
    mkdocs_file = settings.mkdocs or settings.content_dir.parent / "mkdocs.yml"
    if settings.mkdocs and not mkdocs_file.is_file():
        problems.append(Problem(settings.relative(mkdocs_file), "mkdocs file not found"))
    elif mkdocs_file.is_file():
        rel = settings.relative(mkdocs_file)
        try:
            nav = read_nav(mkdocs_file, rel)
            if nav:
                return nav_tree(nav, pages, settings.content_dir, settings.root, rel)
        except NavError as exc:
            problems.extend(exc.problems)
            return []
    return folder_tree(pages, settings.content_dir, settings.root)


def _generated_nodes(
    settings: Settings, ordered: list[Node], top: PageKey | None, problems: list[Problem]
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
        render_template_page,
    )

    try:
        template = load_template(settings.template)
    except TemplateError as exc:
        problems.extend(exc.problems)
        return []
    page = template.template_page
    section = settings.content_dir / page.parent
    parent = next((n.key for n in ordered if n.page and n.page.path == section), None)
    if parent is None and "parent" in page.model_fields_set:
        problems.append(
            Problem(
                template_file, f"template_page.parent: no page {page.parent} in the content dir"
            )
        )
    body = render_template_page(template)
    template_node = Node(
        PageKey(template_file), page.title, None, parent or top, 1000, body=body, labels=page.labels
    )
    today = dt.datetime.now(dt.timezone.utc).date()
    index_body = render_postmortems_page(template, [], today=today, space=settings.space)
    index_node = Node(POSTMORTEMS_KEY, settings.postmortems_title, None, None, body=index_body)
    return [template_node, index_node]


def _check_titles(nodes: list[Node], problems: list[Problem]) -> None:
    seen: dict[str, Node] = {}
    for node in nodes:
        other = seen.setdefault(node.title.casefold(), node)
        if other is not node:
            where = node.page.rel if node.page else node.key
            first = other.page.rel if other.page else other.key
            problems.append(
                Problem(where, f"duplicate title '{node.title}' (also used by {first})")
            )


def _convert_all(
    settings: Settings, nodes: list[Node], problems: list[Problem]
) -> list[DesiredPage]:
    """Parse every page first: links are checked against the anchors of the pages they point at."""
    snippets = convert.Snippets(settings.root, (settings.root, settings.content_dir))
    parsed = {
        node.key: convert.parse_markdown(node.page.body, snippets=snippets)
        for node in nodes
        if node.page
    }
    resolver = SiteResolver.for_nodes(
        settings, nodes, {key: p.anchors for key, p in parsed.items()}
    )
    digests = convert.FileDigests()
    desired = []
    for node in nodes:
        labels = tuple(dict.fromkeys((*settings.labels, *node.labels)))
        if node.page is None:
            body = node.body if node.body is not None else _container_body(node)
            desired.append(
                DesiredPage(node.key, node.title, body, node.parent, labels, (), node.weight)
            )
            continue
        doc = convert.render_parsed(
            parsed[node.key],
            source=node.page.rel,
            line_offset=node.page.line_offset,
            resolver=resolver.at(node.page.path),
            toc=node.page.meta.toc,
            digests=digests,
        )
        problems.extend(doc.problems)
        files = tuple(AttachmentFile(a.filename, a.path, a.sha256) for a in doc.attachments)
        body = doc.xhtml + _links_body(node)
        desired.append(
            DesiredPage(node.key, node.title, body, node.parent, labels, files, node.weight)
        )
    return desired


def _container_body(node: Node) -> str:
    return macros.children() + _links_body(node)


def _links_body(node: Node) -> str:
    if not node.links:
        return ""
    items = "".join(
        f"<li>{macros.web_link(url, macros.esc(label))}</li>" for label, url in node.links
    )
    return f"<ul>{items}</ul>"
