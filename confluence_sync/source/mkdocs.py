"""Reading ``mkdocs.yml``: the settings that decide which pages a MkDocs site has and where.

Real files carry tags meant for MkDocs' own loader: ``!!python/name:…`` (a Python object to
import) and ``!ENV`` (an environment variable). Nothing is imported or executed here: ``!ENV`` is
looked up in the environment given, and every other tag is read as an opaque value, which is
enough because none of the settings used here is ever written with one.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from confluence_sync.errors import Problem


@dataclass(frozen=True)
class Opaque:
    """A value under a tag we do not interpret (``!!python/name:material.emoji.to_svg``)."""

    tag: str


@dataclass(frozen=True)
class MkDocsConfig:
    """The parts of ``mkdocs.yml`` that shape the published tree."""

    nav: list[Any] | None = None
    docs_dir: str | None = None
    site_name: str | None = None
    not_in_nav: tuple[str, ...] = ()  # gitignore-style patterns, relative to docs_dir
    exclude_docs: tuple[str, ...] = ()
    draft_docs: tuple[str, ...] = ()
    snippet_paths: tuple[str, ...] = ()  # pymdownx.snippets base_path, relative to mkdocs.yml
    plugins: tuple[str, ...] = ()  # names under ``plugins:``
    extensions: tuple[str, ...] = ()  # names under ``markdown_extensions:``
    hooks: tuple[str, ...] = ()
    problems: list[Problem] = field(default_factory=list)


def _loader(env: Mapping[str, str]) -> type[yaml.SafeLoader]:
    """A safe loader that knows ``!ENV`` (from ``env``) and keeps any other tag opaque."""

    class Loader(yaml.SafeLoader):
        pass

    def env_value(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            names, default = [loader.construct_scalar(node)], None
        else:
            items = loader.construct_sequence(node)  # type: ignore[arg-type]
            names, default = items[:-1], items[-1] if len(items) > 1 else None
        found = (env.get(str(name)) for name in names if name is not None)
        return next((value for value in found if value is not None), default)

    def opaque(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Opaque:
        return Opaque(f"{node.tag}")

    Loader.add_constructor("!ENV", env_value)
    Loader.add_multi_constructor("", opaque)
    Loader.add_multi_constructor("!", opaque)
    return Loader


def read_mkdocs(mkdocs_file: Path, rel: str, env: Mapping[str, str]) -> MkDocsConfig:
    """Read the file; problems (bad YAML, a setting of the wrong type) are on the result."""
    try:
        text = mkdocs_file.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=_loader(env))
    except UnicodeDecodeError:
        return MkDocsConfig(problems=[Problem(rel, "not valid UTF-8")])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        return MkDocsConfig(problems=[Problem(rel, f"invalid YAML: {exc}", line)])
    if not isinstance(data, dict):
        return MkDocsConfig(problems=[Problem(rel, "must be a mapping of settings")])
    problems: list[Problem] = []
    nav = data.get("nav")
    if nav is not None and not isinstance(nav, list):
        problems.append(Problem(rel, "nav: must be a list"))
        nav = None
    return MkDocsConfig(
        nav=nav,
        docs_dir=_text(data, "docs_dir", rel, problems),
        site_name=_text(data, "site_name", rel, problems),
        not_in_nav=_patterns(data, "not_in_nav", rel, problems),
        exclude_docs=_patterns(data, "exclude_docs", rel, problems),
        draft_docs=_patterns(data, "draft_docs", rel, problems),
        snippet_paths=_snippet_paths(data.get("markdown_extensions")),
        plugins=_names(data.get("plugins")),
        extensions=_names(data.get("markdown_extensions")),
        hooks=_names(data.get("hooks")),
        problems=problems,
    )


def _names(entries: Any) -> tuple[str, ...]:
    """The names of a plugins or extensions list (``- name`` or ``- name: {options}``)."""
    if isinstance(entries, dict):
        return tuple(str(k) for k in entries)
    if not isinstance(entries, list):
        return ()
    names = (next(iter(e), None) if isinstance(e, dict) else e for e in entries)
    return tuple(str(n) for n in names if isinstance(n, str))


def _snippet_paths(extensions: Any) -> tuple[str, ...]:
    """``base_path`` of ``pymdownx.snippets``: where the site's snippets are looked up (a
    string or a list; an entry may be a file, included by its name)."""
    entries = extensions if isinstance(extensions, list) else []
    for entry in entries:
        if isinstance(entry, dict) and "pymdownx.snippets" in entry:
            options = entry["pymdownx.snippets"]
            base = options.get("base_path") if isinstance(options, dict) else None
            values = [base] if isinstance(base, str) else base if isinstance(base, list) else []
            return tuple(str(v) for v in values if isinstance(v, str))
    return ()


def _text(data: dict[Any, Any], key: str, rel: str, problems: list[Problem]) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    problems.append(Problem(rel, f"{key}: must be a string"))
    return None


def _patterns(data: dict[Any, Any], key: str, rel: str, problems: list[Problem]) -> tuple[str, ...]:
    """A gitignore-style block (one pattern a line, ``#`` comments) as a tuple of patterns."""
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, str):
        problems.append(Problem(rel, f"{key}: must be a block of patterns, one a line"))
        return ()
    lines = (line.strip() for line in value.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def matches(patterns: tuple[str, ...], path: str) -> bool:
    """Whether a docs-relative POSIX path is selected by gitignore-style patterns: the last
    matching pattern wins, ``!`` negates, a leading ``/`` anchors at the docs root, a trailing
    ``/`` means a folder, and a pattern without ``/`` matches a name at any depth."""
    selected = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        if _match_one(pattern[1:] if negate else pattern, path):
            selected = not negate
    return selected


def _match_one(pattern: str, path: str) -> bool:
    folder = pattern.endswith("/")
    anchored = "/" in pattern.rstrip("/")  # a leading or inner slash ties it to the docs root
    core = pattern.strip("/")
    parts = path.split("/")
    if not anchored:
        names = parts[:-1] if folder else parts
        return any(fnmatch.fnmatchcase(name, core) for name in names)
    depth = len(parts) - 1 if folder else len(parts)
    prefixes = ["/".join(parts[:n]) for n in range(1, depth + 1)]
    cores = {core, core.replace("**/", "")}
    return any(fnmatch.fnmatchcase(p, c) for p in prefixes for c in cores)
