"""Reading the repository side of a site: which Markdown files are pages, and how they are
arranged (folders, or an ``mkdocs.yml`` nav).

Every problem is collected, none stops the reading: a page with a problem keeps its place, so
the nav and the links that name it still resolve and each mistake is reported once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from confluence_sync.config import Settings
from confluence_sync.errors import Problem
from confluence_sync.source.mkdocs import MkDocsConfig, matches, read_mkdocs
from confluence_sync.source.mkdocs_support import unimplemented
from confluence_sync.source.nav import nav_tree
from confluence_sync.source.page import SourcePage, read_page
from confluence_sync.source.page_tree import Node, discover, folder_tree


@dataclass
class SourceTree:
    """The pages read and their tree; ``nav_file`` is where nav labels and sections come from."""

    nodes: list[Node]
    nav_file: str | None = None
    problems: list[Problem] = field(default_factory=list)
    snippet_dirs: tuple[Path, ...] = ()  # from mkdocs.yml, before the defaults


def read_tree(settings: Settings, env: Mapping[str, str]) -> SourceTree:
    """Read every page and arrange them; all problems are on the result."""
    problems: list[Problem] = []
    mkdocs, mkdocs_rel = _mkdocs(settings, env, problems)
    pages, skipped = _read_pages(settings, mkdocs or MkDocsConfig(), problems)
    snippet_dirs = _snippet_dirs(settings, mkdocs)
    if mkdocs is not None and mkdocs.nav:
        nodes, nav_problems = nav_tree(mkdocs, pages, settings.content_dir, mkdocs_rel, skipped)
        problems.extend(nav_problems)
        return SourceTree(nodes, mkdocs_rel, problems, snippet_dirs)
    tree = folder_tree(pages, settings.content_dir, settings.root)
    return SourceTree(tree, None, problems, snippet_dirs)


def _snippet_dirs(settings: Settings, mkdocs: MkDocsConfig | None) -> tuple[Path, ...]:
    """The site's snippet ``base_path`` entries, relative to the folder of mkdocs.yml (where
    ``mkdocs build`` runs)."""
    if mkdocs is None or not mkdocs.snippet_paths:
        return ()
    folder = (settings.mkdocs or settings.content_dir.parent / "mkdocs.yml").parent
    return tuple(folder / entry for entry in mkdocs.snippet_paths)


def source_key(settings: Settings, path: Path, repo: Path | None = None) -> str:
    """A page's identity: its repository-relative POSIX path, the same in every checkout. The
    file itself is not resolved, so a symlink keeps its own name. ``repo``: the root, resolved
    (once per site rather than once per page)."""
    try:
        return path.relative_to(repo or settings.root.resolve()).as_posix()
    except ValueError:
        return settings.relative(path)


def _mkdocs(
    settings: Settings, env: Mapping[str, str], problems: list[Problem]
) -> tuple[MkDocsConfig | None, str]:
    mkdocs_file = settings.mkdocs or settings.content_dir.parent / "mkdocs.yml"
    rel = settings.relative(mkdocs_file)
    if not mkdocs_file.is_file():
        if settings.mkdocs:
            problems.append(Problem(rel, "mkdocs file not found"))
        return None, rel
    config = read_mkdocs(mkdocs_file, rel, env)
    problems.extend(config.problems)
    problems.extend(unimplemented(config, rel))
    if config.docs_dir is not None:
        docs = (mkdocs_file.parent / config.docs_dir).resolve()
        if docs != settings.content_dir:
            shown = settings.relative(docs)
            message = (
                f"docs_dir is {config.docs_dir}, but content_dir is "
                f'{settings.relative(settings.content_dir)}; set content_dir = "{shown}" '
                "in [tool.confluence-sync]"
            )
            problems.append(Problem(rel, message))
    return config, rel


def _read_pages(
    settings: Settings, mkdocs: MkDocsConfig, problems: list[Problem]
) -> tuple[list[SourcePage], set[str]]:
    """The pages to publish, and the docs-relative paths of those left out on purpose (excluded,
    drafts), which a nav may still name."""
    pages: list[SourcePage] = []
    skipped: set[str] = set()
    repo = settings.root.resolve()
    for path in discover(settings.content_dir):
        docs_path = path.relative_to(settings.content_dir).as_posix()
        if matches(mkdocs.exclude_docs, docs_path) or matches(mkdocs.draft_docs, docs_path):
            skipped.add(docs_path)
            continue
        rel = source_key(settings, path, repo)
        real = path.resolve()
        if real != repo and repo not in real.parents:
            message = "a symlink to a file outside the repository; it is not published"
            problems.append(Problem(rel, message))
            skipped.add(docs_path)
            continue
        page = read_page(path, rel, strict=settings.strict_front_matter)
        problems.extend(page.problems)
        if page.meta.draft:
            skipped.add(docs_path)
        else:
            pages.append(page)
    return pages, skipped
