"""Page tree from an ``mkdocs.yml`` ``nav``: when a guide already has a MkDocs navigation, its
labels and order are what readers know, so they win over folder names and weights.

Nothing in the nav vanishes silently: an external link is listed on the page of its section, a
page the nav leaves out hangs under its folder's section (with a warning, unless ``not_in_nav``
says it is meant to be left out), and a nav that lists one file twice or loops back on itself
through a YAML alias is an error naming the entries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from confluence_sync.errors import Problem
from confluence_sync.pages import PageKey
from confluence_sync.source.mkdocs import MkDocsConfig, matches
from confluence_sync.source.page import SourcePage
from confluence_sync.source.page_tree import INDEX_NAMES, Node


def nav_tree(
    config: MkDocsConfig, pages: list[SourcePage], docs_dir: Path, rel: str, skipped: set[str]
) -> tuple[list[Node], list[Problem]]:
    """Build the tree from nav entries. ``skipped``: docs-relative paths of pages that exist but
    are not published (drafts, excluded), which the nav may name without an error."""
    by_path = {p.path.relative_to(docs_dir).as_posix(): p for p in pages}
    builder = _NavBuilder(by_path, rel, skipped)
    nodes = builder.entries(config.nav or [], parent=None, trail="nav", path=())
    links = [link for n in nodes if n.key.startswith("link:") for link in n.links]
    nodes = [n for n in nodes if not n.key.startswith("link:")]
    top = next((n for n in nodes if _is_top(n, docs_dir)), None)
    if top is not None:
        if config.site_name and top.title.casefold() == "home":
            top.title = config.site_name
        rest = [n for n in nodes if n is not top]
        for node in rest:
            node.parent = top.key
        top.children.extend(rest)
        top.links.extend(links)
        nodes = [top]
    elif links:
        message = "nav: external links at the top level need a top page (index.md) to sit on"
        builder.problems.append(Problem(rel, message))
    _place_leftovers(config, builder, nodes, top, docs_dir)
    return nodes, builder.problems


def _is_top(node: Node, docs_dir: Path) -> bool:
    page = node.page
    return page is not None and page.path.name in INDEX_NAMES and page.path.parent == docs_dir


def _place_leftovers(
    config: MkDocsConfig, builder: _NavBuilder, nodes: list[Node], top: Node | None, docs: Path
) -> None:
    """Pages the nav does not name go under the section of their folder (or of the nearest
    folder above it that has one), the way they sit in the repository."""
    sections = _folder_sections(nodes)
    for path, page in sorted(builder.by_path.items()):
        if path in builder.used:
            continue
        folder = page.path.parent
        owner = next((sections[f] for f in (folder, *folder.parents) if f in sections), top)
        if owner is None:
            nodes.append(Node.of_page(page, None, weight=10_000))
        else:
            owner.children.append(Node.of_page(page, owner.key, weight=10_000))
        if not matches(config.not_in_nav, path):
            where = f"under '{owner.title}'" if owner else "at the top"
            message = f"page is not in the mkdocs.yml nav; it is published {where}"
            builder.problems.append(Problem(page.rel, message, None, "warning"))


def _folder_sections(nodes: list[Node]) -> dict[Path, Node]:
    """Folder → the nav node standing for it: its index page, or a section whose pages all sit
    in that one folder."""
    found: dict[Path, Node] = {}
    stack = list(nodes)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.page is not None and node.page.path.name in INDEX_NAMES:
            found[node.page.path.parent] = node
        elif node.page is None:
            folders = {c.page.path.parent for c in node.children if c.page is not None}
            if len(folders) == 1:
                found.setdefault(folders.pop(), node)
    return found


class _NavBuilder:
    def __init__(self, by_path: dict[str, SourcePage], rel: str, skipped: set[str]) -> None:
        self.by_path, self.rel, self.skipped = by_path, rel, skipped
        self.used: dict[str, str] = {}  # path → the nav entry that lists it
        self.lists: set[int] = set()  # ids of the nav lists walked so far
        self.problems: list[Problem] = []

    def entries(
        self,
        items: list[Any],
        parent: PageKey | None,
        trail: str,
        path: tuple[int, ...],
        start: int = 0,
    ) -> list[Node]:
        """``path``: ids of the enclosing lists, so an alias that loops back is caught. The
        lists are the nav's own (never copies), so their ids stay unique while it is walked;
        ``start`` skips a section's index page without copying its list."""
        if id(items) in path or id(items) in self.lists:
            why = "refers to itself" if id(items) in path else "repeats an earlier section"
            self.problems.append(Problem(self.rel, f"{trail}: the nav {why} (a YAML alias)"))
            return []
        self.lists.add(id(items))  # a list reached twice is walked once: no alias blow-up
        path = (*path, id(items))
        nodes: list[Node] = []
        for position, item in enumerate(items[start:], start):
            label, value = _entry(item)
            where = f"{trail}[{position}]"
            if isinstance(value, list):
                nodes.append(self.section(label or "Section", value, parent, where, path))
            elif isinstance(value, str) and "://" in value:
                link = Node(PageKey(f"link:{value}"), label or value, None, parent)
                link.links.append((label or value, value))
                nodes.append(link)
            elif isinstance(value, str):
                node = self.page(value, label, parent, where)
                if node:
                    nodes.append(node)
            else:
                self.problems.append(Problem(self.rel, f"{where}: not a page, link or section"))
        return nodes

    def page(self, path: str, label: str | None, parent: PageKey | None, where: str) -> Node | None:
        path = path.lstrip("/")
        page = self.by_path.get(path)
        if page is None:
            if path not in self.skipped:
                message = f"{where}: no such page in the content dir: {path}"
                self.problems.append(Problem(self.rel, message))
            return None
        if path in self.used:
            first = self.used[path]
            message = f"{where}: {path} is already listed at {first}; a page can appear only once"
            self.problems.append(Problem(self.rel, message))
            return None
        self.used[path] = where
        node = Node.of_page(page, parent, title=label, weight=len(self.used))
        node.nav_title = label is not None
        return node

    def section(
        self,
        label: str,
        items: list[Any],
        parent: PageKey | None,
        where: str,
        path: tuple[int, ...],
    ) -> Node:
        key = PageKey(f"nav:{label}")
        first = _entry(items[0])[1] if items else None
        is_index = isinstance(first, str) and first.rsplit("/", 1)[-1] in INDEX_NAMES
        node = None
        if is_index and str(first).lstrip("/") in self.by_path:
            node = self.page(str(first), label, parent, f"{where}[0]")
        skip = 1 if node is not None else 0
        if node is None:
            node = Node(key, label, None, parent, nav_title=True)
        children = self.entries(items, node.key, where, path, skip)
        node.links.extend(link for n in children if n.key.startswith("link:") for link in n.links)
        node.children = [n for n in children if not n.key.startswith("link:")]
        return node


def _entry(item: Any) -> tuple[str | None, Any]:
    if isinstance(item, dict) and len(item) == 1:
        label, value = next(iter(item.items()))
        return str(label), value
    return None, item
