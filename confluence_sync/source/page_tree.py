"""The guide's page tree from the folder layout: where each page hangs and in which order.

Folder rules mirror what static-site generators do, so a guide written for one publishes
the same way here: ``index.md`` (or ``README.md``) is its folder's page, a folder without one
gets a container page, and siblings are ordered by ``weight`` then title.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from confluence_sync.pages import AttachmentFile, PageKey
from confluence_sync.source.page import SourcePage, title_from_name

INDEX_NAMES = ("index.md", "README.md")


@dataclass
class Node:
    """A page of the tree: a Markdown page, or a container standing in for a folder."""

    key: PageKey
    title: str
    page: SourcePage | None
    parent: PageKey | None = None
    weight: int = 0
    links: list[tuple[str, str]] = field(default_factory=list)  # external (label, url) entries
    body: str | None = None  # storage body of a generated page (template, postmortems index)
    labels: tuple[str, ...] = ()  # labels of its own (front matter, or a generated page's)
    nav_title: bool = False  # the title is a label from the mkdocs.yml nav
    children: list[Node] = field(default_factory=list)
    files: tuple[AttachmentFile, ...] = ()  # attachments of a page given as ``body``
    generated: bool = False  # its content is not its Markdown's own (MkDocs plugins, includes)

    @classmethod
    def of_page(
        cls,
        page: SourcePage,
        parent: PageKey | None,
        *,
        title: str | None = None,
        weight: int | None = None,
    ) -> Node:
        """The node of a Markdown page; a nav may rename it and fix its position."""
        weight = page.meta.weight if weight is None else weight
        labels = page.meta.all_labels()
        return cls(PageKey(page.rel), title or page.title, page, parent, weight, labels=labels)


def discover(content_dir: Path) -> list[Path]:
    """Every Markdown file under the content dir, in a stable order on every machine."""
    files = (p for p in content_dir.rglob("*.md") if p.is_file())
    visible = (
        p
        for p in files
        if not any(part.startswith(".") for part in p.relative_to(content_dir).parts)
    )
    return sorted(visible, key=lambda p: p.relative_to(content_dir).as_posix())


def folder_tree(pages: list[SourcePage], content_dir: Path, root: Path) -> list[Node]:
    """Arrange pages by folder; returns the top-level nodes (their parent is the configured
    root)."""
    by_dir: dict[Path, list[SourcePage]] = {}
    for page in pages:
        by_dir.setdefault(page.path.parent, []).append(page)
    return _folder_nodes(content_dir, by_dir, root, parent=None, is_root=True)


def _folder_nodes(
    folder: Path,
    by_dir: dict[Path, list[SourcePage]],
    root: Path,
    parent: PageKey | None,
    is_root: bool,
) -> list[Node]:
    here = by_dir.get(folder, [])
    index = next((p for name in INDEX_NAMES for p in here if p.path.name == name), None)
    direct_subdirs = sorted({_child_of(d, folder) for d in by_dir if folder in d.parents}, key=str)
    if index is None and is_root:
        owner, top = parent, None
    else:
        top = _folder_node(folder, index, root, parent)
        owner = top.key
    children = [Node.of_page(p, owner) for p in here if p is not index]
    for sub in direct_subdirs:
        children.extend(_folder_nodes(sub, by_dir, root, owner, is_root=False))
    children.sort(key=lambda n: (n.weight, n.title.casefold()))
    if top is None:
        return children
    top.children = children
    return [top]


def _folder_node(
    folder: Path, index: SourcePage | None, root: Path, parent: PageKey | None
) -> Node:
    if index is not None:
        return Node.of_page(index, parent)
    key = PageKey(folder.relative_to(root).as_posix() + "/")
    return Node(key, title_from_name(folder.name), None, parent)


def _child_of(path: Path, folder: Path) -> Path:
    """The direct child of ``folder`` on the way down to ``path``."""
    return folder / path.relative_to(folder).parts[0]


def walk(nodes: list[Node]) -> list[Node]:
    """Parents before children, siblings in order: the order pages are created in."""
    ordered: list[Node] = []
    for node in nodes:
        ordered.append(node)
        ordered.extend(walk(node.children))
    return ordered
