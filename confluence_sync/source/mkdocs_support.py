"""What the default (markdown-it) renderer implements of an MkDocs site's setup, and what it
does not: ``check`` names each plugin, hook and Markdown extension it would ignore, so a team
learns before publishing that the pages would differ from the site, and that
``renderer = "mkdocs"`` (MkDocs building the pages) handles them.
"""

from __future__ import annotations

from confluence_sync.errors import Problem
from confluence_sync.source.mkdocs import MkDocsConfig

# Plugins whose effect on the published pages is nothing (search index, theme assets, dates
# shown by the theme) or what the default renderer does itself (the nav, excluded pages).
HARMLESS_PLUGINS = frozenset(
    {"search", "offline", "tags", "minify", "social", "privacy", "optimize", "info", "meta"}
    | {"git-revision-date-localized", "git-revision-date", "git-authors", "git-committers"}
    | {"redirects", "rss", "blog", "glightbox", "typeset", "group", "projects"}
)
# Markdown extensions the default renderer implements (convert/extensions/), by the names
# mkdocs.yml may give them; the ``markdown.extensions.`` prefix is optional in MkDocs.
IMPLEMENTED_EXTENSIONS = frozenset(
    {"toc", "tables", "admonition", "footnotes", "attr_list", "def_list", "abbr", "meta"}
    | {"md_in_html", "fenced_code", "codehilite", "sane_lists", "smarty", "nl2br", "extra"}
    | {"pymdownx.superfences", "pymdownx.highlight", "pymdownx.inlinehilite"}
    | {"pymdownx.details", "pymdownx.tabbed", "pymdownx.tasklist", "pymdownx.snippets"}
    | {"pymdownx.mark", "pymdownx.caret", "pymdownx.tilde", "pymdownx.keys", "pymdownx.emoji"}
    | {"pymdownx.betterem", "pymdownx.smartsymbols", "pymdownx.saneheaders"}
    | {"pymdownx.blocks.admonition", "pymdownx.blocks.details", "pymdownx.blocks.tab"}
    | {"pymdownx.escapeall", "pymdownx.striphtml", "material.extensions.emoji"}
)
ADVICE = 'the default renderer does not implement it; renderer = "mkdocs" builds the pages with it'


def unimplemented(config: MkDocsConfig, rel: str) -> list[Problem]:
    """A warning per plugin, hook and extension of ``config`` the default renderer ignores."""
    found = [f"plugin {name}" for name in config.plugins if name not in HARMLESS_PLUGINS]
    found += [f"hook {name}" for name in config.hooks]
    for name in config.extensions:
        short = name.removeprefix("markdown.extensions.")
        if short not in IMPLEMENTED_EXTENSIONS:
            found.append(f"Markdown extension {name}")
    return [Problem(rel, f"{what}: {ADVICE}", None, "warning") for what in found]
