"""Page tree from an ``mkdocs.yml`` ``nav``: when a guide already has a MkDocs navigation, its
labels and order are what readers know, so they win over folder names and weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from confluence_sync.errors import Problem
from confluence_sync.pages import PageKey
from confluence_sync.source.page import SourcePage
from confluence_sync.source.tree import INDEX_NAMES, Node


class _IgnoreTags(yaml.SafeLoader):
    """mkdocs.yml files often carry ``!!python/name`` or ``!ENV`` tags; the nav never needs them."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)
_IgnoreTags.add_multi_constructor("!", lambda loader, suffix, node: None)


def read_nav(mkdocs_file: Path, rel: str) -> list[Any] | None:
    """The ``nav`` list, or None when the file has none (then folders decide)."""
    try:
        data = yaml.load(mkdocs_file.read_text(encoding="utf-8"), Loader=_IgnoreTags)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise NavError(
            [Problem(rel, f"invalid YAML: {exc}", mark.line + 1 if mark else None)]
        ) from None
    nav = data.get("nav") if isinstance(data, dict) else None
    if nav is not None and not isinstance(nav, list):
        raise NavError([Problem(rel, "nav: must be a list")])
    return nav


class NavError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def nav_tree(
    nav: list[Any], pages: list[SourcePage], content_dir: Path, root: Path, rel: str
) -> list[Node]:
    """Build the tree from nav entries; pages the nav leaves out hang under the top page."""
    by_path = {p.path.relative_to(content_dir).as_posix(): p for p in pages}
    builder = _NavBuilder(by_path, root, rel)
    nodes = builder.entries(nav, parent=None, trail="nav")
    links = [link for n in nodes if n.key.startswith("link:") for link in n.links]
    nodes = [n for n in nodes if not n.key.startswith("link:")]
    top = next(
        (
            n
            for n in nodes
            if n.page and n.page.path.name in INDEX_NAMES and n.page.path.parent == content_dir
        ),
        None,
    )
    if top is not None:
        rest = [n for n in nodes if n is not top]
        for node in rest:
            node.parent = top.key
        top.children.extend(rest)
        nodes = [top]
    if top is not None:
        top.links.extend(links)
    elif links:
        builder.problems.append(
            Problem(rel, "nav: external links need a top page (index.md) to sit on")
        )
    leftovers = [p for path, p in sorted(by_path.items()) if path not in builder.used]
    owner = top.key if top else None
    extra = [Node.of_page(p, owner) for p in leftovers]
    (top.children if top else nodes).extend(extra)
    if builder.problems:
        raise NavError(builder.problems)
    return nodes


class _NavBuilder:
    def __init__(self, by_path: dict[str, SourcePage], root: Path, rel: str) -> None:
        self.by_path, self.root, self.rel = by_path, root, rel
        self.used: set[str] = set()
        self.problems: list[Problem] = []

    def entries(self, items: list[Any], parent: PageKey | None, trail: str) -> list[Node]:
        nodes: list[Node] = []
        for position, item in enumerate(items):
            label, value = _entry(item)
            where = f"{trail}[{position}]"
            if isinstance(value, list):
                nodes.append(self.section(label or "Section", value, parent, where))
            elif isinstance(value, str) and "://" in value:
                nodes.append(
                    Node(
                        PageKey(f"link:{value}"),
                        label or value,
                        None,
                        parent,
                        links=[(label or value, value)],
                    )
                )
            elif isinstance(value, str):
                node = self.page(value, label, parent, where)
                if node:
                    nodes.append(node)
            else:
                self.problems.append(Problem(self.rel, f"{where}: not a page, link or section"))
        return nodes

    def page(self, path: str, label: str | None, parent: PageKey | None, where: str) -> Node | None:
        page = self.by_path.get(path)
        if page is None:
            self.problems.append(
                Problem(self.rel, f"{where}: no such page in the content dir: {path}")
            )
            return None
        self.used.add(path)
        return Node.of_page(page, parent, title=label, weight=len(self.used))

    def section(self, label: str, items: list[Any], parent: PageKey | None, where: str) -> Node:
        key = PageKey(f"nav:{label}")
        first = _entry(items[0])[1] if items else None
        index_page = (
            isinstance(first, str)
            and first.rsplit("/", 1)[-1] in INDEX_NAMES
            and first in self.by_path
        )
        if index_page:
            node = self.page(str(first), label, parent, f"{where}[0]") or Node(
                key, label, None, parent
            )
            items = items[1:]
        else:
            node = Node(key, label, None, parent)
        node.children = self.entries(items, node.key, where)
        links = [n for n in node.children if n.key.startswith("link:")]
        node.links.extend(link for n in links for link in n.links)
        node.children = [n for n in node.children if not n.key.startswith("link:")]
        return node


def _entry(item: Any) -> tuple[str | None, Any]:
    if isinstance(item, dict) and len(item) == 1:
        label, value = next(iter(item.items()))
        return str(label), value
    return None, item
