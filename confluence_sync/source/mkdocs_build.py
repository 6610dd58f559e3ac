"""Building an MkDocs site with MkDocs itself, in-process, up to each page's content HTML.

For ``renderer = "mkdocs"``: the site's own config, plugins, hooks and Markdown extensions run
exactly as in ``mkdocs build`` (startup, config, pre-build, files, nav, then each page's
markdown → render → content events), but no theme is rendered and nothing is written: for each
page the tool keeps the content HTML, its toc, meta and title, and the nav MkDocs computed.

MkDocs reports broken links and anchors through its log, at the levels the site's
``validation:`` settings choose; those records become problems here (warnings, errors under
``--strict``, as ``mkdocs build --strict`` aborts on warnings). MkDocs is an optional
dependency (``confluence-sync[mkdocs]``), imported only when this renderer is used.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confluence_sync.errors import Level, Problem

# Where a plugin or extension MkDocs cannot load comes from, when its name does not say it.
PACKAGE_OF = {
    "pymdownx": "pymdown-extensions",
    "material": "mkdocs-material",
    "callouts": "markdown-callouts",
    "markdown_callouts": "markdown-callouts",
    "github-callouts": "markdown-callouts",
    "mkdocstrings": "mkdocstrings[python]",
    "literate-nav": "mkdocs-literate-nav",
    "gen-files": "mkdocs-gen-files",
    "section-index": "mkdocs-section-index",
    "macros": "mkdocs-macros-plugin",
    "awesome-pages": "mkdocs-awesome-pages-plugin",
}
_NOT_INSTALLED = re.compile(r'The "(?P<name>[^"]+)" plugin is not installed')
_NO_EXTENSION = re.compile(r"No module named '(?P<name>[^'.]+)")
# "Doc file 'a.md' contains …": MkDocs names the page a link problem is on
_DOC_FILE = re.compile(r"Doc file '(?P<src>[^']+)'")
# Template-only plugin messages (themes, search index) say nothing about content.
_IGNORED_LOGGERS = ("mkdocs.commands.build",)


@dataclass(frozen=True)
class BuiltPage:
    """One page as MkDocs rendered it (before the theme)."""

    src: str  # docs-relative path (MkDocs's src_uri)
    path: Path  # the Markdown file
    title: str  # MkDocs's title: the nav's, else meta's, else the first heading's
    url: str  # site-relative URL ("" for the home page; "dir/page/" with directory URLs)
    html: str
    toc: tuple[str, ...]  # heading ids, in order
    meta: dict[str, Any] = field(default_factory=dict)
    generated: bool = False  # content not its Markdown's own (plugins, hooks, includes)


@dataclass(frozen=True)
class NavItem:
    """One entry of MkDocs's nav: a page (``src``), a section (children) or an external link."""

    title: str
    src: str | None = None
    url: str | None = None
    children: tuple[NavItem, ...] = ()


@dataclass(frozen=True)
class MkDocsBuild:
    pages: tuple[BuiltPage, ...]
    nav: tuple[NavItem, ...]
    problems: tuple[Problem, ...]
    docs_dir: Path


class _Records(logging.Handler):
    """MkDocs's warnings and errors while building, with the page being rendered."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[Path | None, logging.LogRecord]] = []
        self.page: str | None = None  # the page being rendered (docs-relative)
        self.file: Path | None = None  # and its file

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(_IGNORED_LOGGERS) or record.levelno >= logging.ERROR:
            self.records.append((self.file, record))


@contextmanager
def _captured() -> Iterator[_Records]:
    """MkDocs's log records go to the problems, not to the terminal twice."""
    logger = logging.getLogger("mkdocs")
    handler = _Records()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


@contextmanager
def _in(folder: Path) -> Iterator[None]:
    """Run where ``mkdocs build`` runs, next to mkdocs.yml: extensions such as
    pymdownx.snippets resolve their relative paths against the working directory."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def build_mkdocs(
    config_file: Path, shown: Callable[[Path], str], *, strict: bool = False
) -> MkDocsBuild:
    """Build the site of ``config_file``; what MkDocs cannot do (a plugin it cannot load, an
    invalid config) is an error problem, and the build is empty. ``shown``: a path as users
    see it in messages."""
    rel = shown(config_file)
    try:
        from mkdocs.config import load_config
    except ImportError:
        message = 'renderer = "mkdocs" needs MkDocs: pip install "confluence-sync[mkdocs]"'
        return MkDocsBuild((), (), (Problem(rel, message),), config_file.parent)
    with _captured() as log, tempfile.TemporaryDirectory() as site_dir, _in(config_file.parent):
        try:
            config = load_config(str(config_file), site_dir=site_dir, strict=strict)
            _name_languages(config)
            pages, nav = _build(config, log)
            docs_dir = Path(config.docs_dir)
        except Exception as exc:  # a site's plugins and extensions may raise anything
            failed = [*_log_problems(log, rel, config_file.parent, shown, strict)]
            failed.append(_failure(shown(log.file) if log.file else rel, exc))
            return MkDocsBuild((), (), tuple(failed), config_file.parent)
    problems = tuple(_log_problems(log, rel, docs_dir, shown, strict))
    return MkDocsBuild(pages, nav, problems, docs_dir)


def _name_languages(config: Any) -> None:
    """pymdownx.highlight names a block's language in the HTML only with
    ``pygments_lang_class``; the code macro needs it, and the option changes nothing else."""
    if "pymdownx.highlight" in config.markdown_extensions:
        config.mdx_configs.setdefault("pymdownx.highlight", {})["pygments_lang_class"] = True


def _failure(where: str, exc: BaseException) -> Problem:
    """What stopped the build; a page's own error names the page and the exception."""
    if isinstance(exc, exceptions_module().MkDocsException):
        return Problem(where, f"MkDocs could not build the site: {exc}")
    return Problem(where, f"MkDocs could not build the site: {type(exc).__name__}: {exc}")


def exceptions_module() -> Any:
    from mkdocs import exceptions

    return exceptions


def _build(config: Any, log: _Records) -> tuple[tuple[BuiltPage, ...], tuple[NavItem, ...]]:
    """MkDocs's build, minus the theme and the writing (mkdocs/commands/build.py, 1.6)."""
    from mkdocs.commands.build import _populate_page
    from mkdocs.structure.files import InclusionLevel, get_files, set_exclusions
    from mkdocs.structure.nav import get_navigation
    from mkdocs.structure.pages import Page

    config.plugins.on_startup(command="build", dirty=False)
    try:
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        pages = files.documentation_pages(inclusion=InclusionLevel.is_included)
        sources = {}
        for file in pages:
            log.page, log.file = file.src_uri, Path(file.abs_src_path)
            sources[file.src_uri] = Path(file.abs_src_path).read_text(encoding="utf-8-sig")
            if file.page is None:  # a page the nav leaves out
                Page(None, file, config)
            _populate_page(file.page, config, files, dirty=False)
        log.page, log.file = None, None
        # on_env is where plugins finish pages (mkdocs-autorefs resolves cross-references)
        config.plugins.on_env(env, config=config, files=files)
        for file in pages:  # at the level the site's validation.links.anchors sets
            file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        built = tuple(_page(f, sources[f.src_uri]) for f in pages)
        return built, tuple(_nav_item(item) for item in nav.items)
    finally:
        config.plugins.on_shutdown()


_DIRECTIVES = re.compile(r"^\s*(:::|--8<--|;--8<--)|\{%|\{\*|^\s*-8<-", re.MULTILINE)


def _page(file: Any, source: str) -> BuiltPage:
    page = file.page
    toc = tuple(_toc_ids(page.toc))
    # generated: a plugin or hook changed the Markdown, or it includes or generates content
    body = source.split("\n---", 1)[-1] if source.startswith("---") else source
    generated = page.markdown.strip() not in body or bool(_DIRECTIVES.search(source))
    return BuiltPage(
        file.src_uri,
        Path(file.abs_src_path),
        str(page.title or file.name),
        str(page.url),
        str(page.content or ""),
        toc,
        dict(page.meta or {}),
        generated,
    )


def _toc_ids(items: Any) -> Iterator[str]:
    for item in items:
        yield str(item.id)
        yield from _toc_ids(item.children)


def _nav_item(item: Any) -> NavItem:
    if item.is_section:
        return NavItem(str(item.title), children=tuple(_nav_item(c) for c in item.children))
    if item.is_page:
        return NavItem(str(item.title or ""), src=item.file.src_uri)
    return NavItem(str(item.title), url=str(item.url))


def _log_problems(
    log: _Records, rel: str, docs_dir: Path, shown: Callable[[Path], str], strict: bool
) -> Iterator[Problem]:
    for file, record in log.records:
        message = record.getMessage().strip()
        level: Level = "error" if strict or record.levelno >= logging.ERROR else "warning"
        src = _DOC_FILE.search(message)
        named = docs_dir / src.group("src") if src else None
        target = file or named
        path = shown(target) if target else rel
        yield Problem(path, _with_package(message), None, level)


def _with_package(message: str) -> str:
    """A plugin or extension MkDocs cannot import: say which package to install."""
    found = _NOT_INSTALLED.search(message) or _NO_EXTENSION.search(message)
    if found is None:
        return message
    name = found.group("name")
    package = PACKAGE_OF.get(name, name if name.startswith("mkdocs") else f"mkdocs-{name}")
    return f"{message} (install the package that provides it, e.g. pip install {package})"
