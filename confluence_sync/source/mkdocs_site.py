"""The page tree and page bodies of ``renderer = "mkdocs"``: MkDocs's nav and MkDocs's HTML.

Titles, sections and order are the nav MkDocs computed (so a literate-nav or a plugin's nav is
the site's nav); a section whose first entry is an index page is that page, as with the
default renderer. Each page's content HTML becomes storage through ``convert.html_storage``,
cached by the HTML itself and the titles its links can land on, so an unchanged page costs
nothing after the build.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from confluence_sync.config import Settings
from confluence_sync.convert.html_storage import HtmlResult, LinkTarget, Resolve, html_to_storage
from confluence_sync.errors import Problem
from confluence_sync.pages import AttachmentFile, PageKey
from confluence_sync.source.convert_cache import ConversionCache
from confluence_sync.source.mkdocs_build import BuiltPage, MkDocsBuild, NavItem, build_mkdocs
from confluence_sync.source.page import title_from_name
from confluence_sync.source.page_tree import INDEX_NAMES, Node
from confluence_sync.source.read import source_key

_BASE = "http://site.invalid/"  # resolves relative URLs as a browser does on the site


@dataclass
class MkDocsTree:
    nodes: list[Node]
    nav_file: str
    problems: list[Problem] = field(default_factory=list)
    snippet_dirs: tuple[Path, ...] = ()  # MkDocs expanded the snippets already


def mkdocs_tree(
    settings: Settings, cache: ConversionCache | None, *, strict: bool = False
) -> MkDocsTree:
    """Build the site with MkDocs and turn its nav and pages into nodes with storage bodies."""
    config_file = settings.mkdocs or settings.content_dir.parent / "mkdocs.yml"
    rel = settings.relative(config_file)
    if not config_file.is_file():
        message = 'renderer = "mkdocs" needs the site\'s mkdocs.yml: set mkdocs = "…"'
        return MkDocsTree([], rel, [Problem(rel, message)])
    build = build_mkdocs(config_file, settings.relative, strict=strict)
    site = _SiteIndex(settings, build)
    problems = list(build.problems)
    nodes = [n for item in build.nav for n in site.nodes_of(item, None, ())]
    listed = {n.key for n in _all(nodes)}
    for page in build.pages:  # pages the nav leaves out still publish, at the top (as built)
        if site.keys[page.src] not in listed:
            nodes.append(site.node(page, None, None))
    for node in _all(nodes):
        built = site.page_of.get(node.key)
        if built is not None:
            _fill(node, built, site, cache, problems)
    return MkDocsTree(nodes, rel, problems)


def _all(nodes: list[Node]) -> list[Node]:
    return [x for n in nodes for x in (n, *_all(n.children))]


class _SiteIndex:
    """The built pages by source, key and URL, and the title each is published under."""

    def __init__(self, settings: Settings, build: MkDocsBuild) -> None:
        repo = settings.root.resolve()
        self.docs_dir = build.docs_dir
        self.keys = {p.src: PageKey(source_key(settings, p.path, repo)) for p in build.pages}
        self.by_src = {p.src: p for p in build.pages}
        self.page_of = {self.keys[p.src]: p for p in build.pages}
        self.by_url = {p.url: p for p in build.pages}
        self.titles = {p.src: p.title for p in build.pages}
        self.weight = 0

    def nodes_of(self, item: NavItem, parent: PageKey | None, trail: tuple[str, ...]) -> list[Node]:
        if item.src is not None:
            page = self.by_src.get(item.src)
            return [self.node(page, parent, item.title)] if page is not None else []
        if item.url is not None:
            link = Node(PageKey(f"link:{item.url}"), item.title, None, parent)
            link.links.append((item.title, item.url))
            return [link]
        return [self.section(item, parent, trail)]

    def node(self, page: BuiltPage, parent: PageKey | None, nav_title: str | None) -> Node:
        self.weight += 1
        title = nav_title or page.title
        self.titles[page.src] = title
        node = Node(self.keys[page.src], title, None, parent, self.weight, nav_title=True)
        return node

    def section(self, item: NavItem, parent: PageKey | None, trail: tuple[str, ...]) -> Node:
        """A section; its first entry when that is an index page, else a container."""
        first = item.children[0] if item.children else None
        title = item.title or _untitled(item)
        trail = (*trail, title)
        children = list(item.children)
        node = None
        if first is not None and first.src and first.src.rsplit("/", 1)[-1] in INDEX_NAMES:
            index = self.by_src.get(first.src)
            node = self.node(index, parent, title) if index else None
            children = children[1:] if node else children
        if node is None:
            self.weight += 1
            key = PageKey("nav:" + " / ".join(trail))
            node = Node(key, title, None, parent, self.weight, nav_title=True)
        kids = [k for child in children for k in self.nodes_of(child, node.key, trail)]
        node.links.extend(link for k in kids if k.key.startswith("link:") for link in k.links)
        node.children = [k for k in kids if not k.key.startswith("link:")]
        return node

    def resolver(self, page: BuiltPage, files: dict[str, Path]) -> Resolve:
        """Links and images as MkDocs wrote them: relative to the page's URL."""

        def resolve(href: str) -> LinkTarget | str | None:
            parts = urlsplit(urljoin(_BASE + page.url, href))
            if not (_BASE + page.url).startswith(f"{parts.scheme}://{parts.netloc}/"):
                return None  # another site, mail, …
            path = unquote(parts.path).lstrip("/")
            anchor = unquote(parts.fragment) or None
            path = path.removesuffix("index.html")
            target = self.by_url.get(path) or self.by_url.get(path.removesuffix(".html") + "/")
            if target is not None:
                title = None if target.src == page.src else self.titles[target.src]
                return LinkTarget(title, anchor)
            file = self.docs_dir / path
            if path and file.is_file():
                files[file.name] = file
                return file.name
            return None

        return resolve


def _untitled(item: NavItem) -> str:
    """A section the nav leaves untitled (literate-nav ``* [](folder/)``): Confluence needs a
    title, so it is named after the folder its pages share, as MkDocs's own folder nav does."""
    sources = [c.src for c in _nav_pages(item) if c.src]
    folder = posixpath.commonpath(sources) if sources else ""
    if folder in sources:  # one page: its folder
        folder = posixpath.dirname(folder)
    return title_from_name(posixpath.basename(folder)) if folder else "Pages"


def _nav_pages(item: NavItem) -> list[NavItem]:
    return [p for c in item.children for p in ([c] if c.src else _nav_pages(c))]


def _fill(
    node: Node,
    page: BuiltPage,
    site: _SiteIndex,
    cache: ConversionCache | None,
    problems: list[Problem],
) -> None:
    """The node's storage body and attachments, from the cache when the HTML is unchanged."""
    files: dict[str, Path] = {}
    resolve = site.resolver(page, files)
    source = json.dumps([page.html, page.url, node.title, sorted(site.titles.items())]).encode()

    def compute() -> str:
        result = html_to_storage(page.html, resolve, title=node.title)
        return json.dumps(_entry(result, files))

    raw = cache.text(f"mkdocs:{node.key}", source, compute) if cache else compute()
    entry = json.loads(raw)
    node.body = entry["xhtml"]
    node.files = tuple(
        AttachmentFile(name, Path(path), _sha256(Path(path))) for name, path in entry["files"]
    )
    node.generated = page.generated
    for construct, count in entry["unmapped"]:
        times = f" ({count} times)" if count > 1 else ""
        problems.append(Problem(node.key, f"{construct}{times}", None, "warning"))


def _entry(result: HtmlResult, files: dict[str, Path]) -> dict[str, object]:
    return {
        "xhtml": result.xhtml,
        "unmapped": [list(item) for item in result.unmapped],
        "files": sorted([name, str(path)] for name, path in files.items()),
    }


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""
