"""Front matter: the YAML block at the top of a page, validated key by key.

A page written for MkDocs carries keys that MkDocs, the Material theme and common plugins
define; those are accepted (the ones with a Confluence counterpart are used: ``tags`` become
labels, ``description`` the page excerpt). A key close to a known one is a typo and an error
(``wieght``); any other key is reported as a warning, or as an error under
``strict_front_matter``. A problem never drops the page: the keys that are fine still apply, so
the page keeps its place in the nav and its body is still checked.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from confluence_sync.errors import Problem
from confluence_sync.source.rules import label_problem, normal_label

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it
OPENING = re.compile(r"\A---[ \t]*\r?\n")
CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)

# Keys that MkDocs, Material for MkDocs and common plugins (blog, macros, social, git dates)
# define; they mean nothing in Confluence and are accepted without a word.
FOREIGN_KEYS = frozenset(
    {
        "template", "hide", "status", "icon", "subtitle", "authors", "author", "date",
        "search", "comments", "render_macros", "ignore_macros", "cover", "image", "social",
        "categories", "links", "readtime", "slug", "pin", "robots", "keywords", "nav_title",
        "canonical_url", "updated", "created", "summary", "locale", "git_revision_date",
    }
)  # fmt: skip


class PageMeta(BaseModel):
    """The front-matter keys that change what is published. Frozen: every page without front
    matter shares ``NO_META`` (a large site would otherwise hold thousands of equal copies)."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    title: str | None = Field(default=None, min_length=1)
    labels: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)  # MkDocs Material: become labels
    description: str | None = None  # MkDocs: becomes the page excerpt
    weight: int = 0
    toc: bool = False
    draft: bool = False

    def all_labels(self) -> tuple[str, ...]:
        """Labels and tags, lowercased as Confluence stores them, without repeats."""
        return tuple(dict.fromkeys(normal_label(x) for x in (*self.labels, *self.tags)))


KNOWN_KEYS = frozenset(PageMeta.model_fields) | FOREIGN_KEYS
NO_META = PageMeta()


@dataclass(frozen=True)
class FrontMatter:
    meta: PageMeta
    body: str  # the text after the block
    offset: int  # lines the block took, so body lines map back to the file
    problems: tuple[Problem, ...]


def split_front_matter(text: str, rel: str, *, strict: bool = False) -> FrontMatter:
    """Separate and validate the front matter; problems are returned, never raised."""
    opening = OPENING.match(text)
    if not opening:
        return FrontMatter(NO_META, text, 0, ())
    closing = CLOSING.search(text, opening.end())
    if closing is None:
        message = "front matter opened here is never closed (add a line with --- after it)"
        return FrontMatter(PageMeta(), text[opening.end() :], 1, (Problem(rel, message, 1),))
    block = text[opening.end() : closing.start()]
    end = closing.end() + 1 if text[closing.end() : closing.end() + 1] == "\n" else closing.end()
    offset = text[:end].count("\n")
    meta, problems = _parse(block, rel, strict)
    return FrontMatter(meta, text[end:], offset, tuple(problems))


def _parse(block: str, rel: str, strict: bool) -> tuple[PageMeta, list[Problem]]:
    try:
        data = yaml.load(block, Loader=YAML_LOADER) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        return PageMeta(), [Problem(rel, f"invalid front matter: {problem}", line)]
    if not isinstance(data, dict):
        return PageMeta(), [Problem(rel, "front matter must be a mapping of keys", 2)]
    problems = [p for key in data if (p := _key_problem(str(key), rel, block, strict))]
    meta, invalid = _validate(data, rel, block)
    problems.extend(invalid)
    problems.extend(_label_problems(meta, rel, block))
    return meta, problems


def _key_problem(key: str, rel: str, block: str, strict: bool) -> Problem | None:
    """A typo of a known key is an error; a key nobody defined is a warning (or an error when
    the project asks for strictness)."""
    if key in KNOWN_KEYS:
        return None
    line = key_line(block, key)
    close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.8)
    if close:
        message = f"front matter: unknown key '{key}' (did you mean '{close[0]}'?)"
        return Problem(rel, message, line)
    if strict:
        return Problem(rel, f"front matter: unknown key '{key}' (strict_front_matter)", line)
    message = f"front matter: key '{key}' is not used by confluence-sync and is ignored"
    return Problem(rel, message, line, "warning")


def _validate(data: dict[Any, Any], rel: str, block: str) -> tuple[PageMeta, list[Problem]]:
    """Validate the keys we use; a key with a bad value is reported and left at its default, so
    the rest of the page still publishes as written."""
    ours = {k: v for k, v in data.items() if k in PageMeta.model_fields}
    try:
        return PageMeta.model_validate(ours), []
    except ValidationError as exc:
        problems, bad = [], set()
        for error in exc.errors():
            key = ".".join(str(p) for p in error["loc"])
            top = str(error["loc"][0]) if error["loc"] else ""
            bad.add(top)
            message = f"front matter: {key}: {error['msg']}"
            problems.append(Problem(rel, message, key_line(block, top)))
        good = {k: v for k, v in ours.items() if k not in bad}
        return PageMeta.model_validate(good), problems


def _label_problems(meta: PageMeta, rel: str, block: str) -> list[Problem]:
    problems = []
    for key, values in (("labels", meta.labels), ("tags", meta.tags)):
        for value in values:
            if reason := label_problem(normal_label(value)):
                problems.append(
                    Problem(rel, f"front matter: {key}: {reason}", key_line(block, key))
                )
    return problems


def key_line(block: str, key: str) -> int:
    """The file line of a top-level key (the block starts on line 2, after the opening ---)."""
    for number, line in enumerate(block.splitlines(), start=2):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return number
    return 1
