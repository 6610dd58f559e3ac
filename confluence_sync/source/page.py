"""One Markdown file of the guide: its front matter, title and body.

Front matter is validated by a Pydantic model so a typo such as ``wieght`` is an error naming
the file and the key, instead of a silently ignored setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from confluence_sync.errors import Problem

FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*\r?$\n?", re.DOTALL | re.MULTILINE
)
H1 = re.compile(r"^# +(?P<text>.+?)(?: +#+)?[ \t]*$")
YAML_LOADER = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)  # libyaml when built with it: 10x faster
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


class PageMeta(BaseModel):
    """The front-matter keys a page may set."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: str | None = Field(default=None, min_length=1)
    labels: list[str] = Field(default_factory=list)
    weight: int = 0
    toc: bool = False
    draft: bool = False


@dataclass(frozen=True)
class SourcePage:
    """A guide page read from disk, before conversion."""

    path: Path  # absolute
    rel: str  # repo-relative, posix
    meta: PageMeta
    title: str
    body: str  # Markdown without front matter (an H1 used as title is blanked out)
    line_offset: int  # lines removed above ``body``, so reported lines match the file


class PageReadError(Exception):
    """A page that cannot be read; carries every problem found in it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def read_page(path: Path, rel: str) -> SourcePage:
    """Read one page; raises ``PageReadError`` listing every front-matter problem."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    meta, body, offset = _split_front_matter(text, rel)
    title = meta.title
    if title is None:
        title, body = _take_h1(body)
    if title is None:
        title = title_from_name(
            path.stem if path.stem.lower() not in ("index", "readme") else path.parent.name
        )
    return SourcePage(path, rel, meta, title, body, offset)


def title_from_name(name: str) -> str:
    """``incident-response_101`` → ``Incident response 101``: what a person would type."""
    words = re.sub(r"[-_]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else name


def _split_front_matter(text: str, rel: str) -> tuple[PageMeta, str, int]:
    match = FRONT_MATTER.match(text)
    if not match:
        return PageMeta(), text, 0
    offset = text[: match.end()].count("\n")
    try:
        data = yaml.load(match.group(1), Loader=YAML_LOADER) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise PageReadError([Problem(rel, f"invalid front matter: {problem}", line)]) from None
    if not isinstance(data, dict):
        raise PageReadError([Problem(rel, "front matter must be a mapping of keys", 2)])
    try:
        meta = PageMeta.model_validate(data)
    except ValidationError as exc:
        raise PageReadError(_meta_problems(exc, rel, match.group(1))) from None
    return meta, text[match.end() :], offset


def _meta_problems(exc: ValidationError, rel: str, block: str) -> list[Problem]:
    problems = []
    for error in exc.errors():
        key = ".".join(str(p) for p in error["loc"])
        top = str(error["loc"][0]) if error["loc"] else ""
        line = _key_line(block, top)
        if error["type"] == "extra_forbidden":
            known = ", ".join(PageMeta.model_fields)
            message = f"front matter: unknown key '{key}' (known: {known})"
        else:
            message = f"front matter: {key}: {error['msg']}"
        problems.append(Problem(rel, message, line))
    return problems


def _key_line(block: str, key: str) -> int:
    for number, line in enumerate(block.splitlines(), start=2):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return number
    return 1


def _take_h1(body: str) -> tuple[str | None, str]:
    """Use the first ``# H1`` outside code fences as the title and blank its line."""
    lines = body.split("\n")
    fence: str | None = None
    for index, line in enumerate(lines):
        marker = FENCE.match(line)
        if marker:
            char = marker.group(1)[0]
            fence = None if fence == char else (fence or char)
            continue
        if fence is None and (match := H1.match(line)):
            lines[index] = ""
            return match.group("text").strip(), "\n".join(lines)
    return None, body
