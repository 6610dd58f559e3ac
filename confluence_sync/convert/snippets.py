"""Snippets (``--8<-- "file"``, pymdown-extensions): other files inlined before parsing.

As in MkDocs, a snippet is replaced by the file's lines (indented like the marker), before any
Markdown is parsed, so a snippet may hold anything a page can. A path is looked up in the given
directories in order (MkDocs' ``base_path``) and must stay inside the repository; a missing file,
a path leaving the repository or a remote URL is an error on the marker's line. Snippets may
include snippets; a file including itself is an error, not a loop. ``;--8<--`` is the escaped
form and shows the marker as written. Forms: one file per marker line, or a block of file names
between two bare ``--8<--`` lines; ``file.md:3:8`` takes lines 3 to 8.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

_MARKER = "--8<--"
_MAX_DEPTH = 8


@dataclass(frozen=True)
class Snippets:
    """Where snippet paths are looked up, and the repository they must stay in."""

    repo: Path
    dirs: tuple[Path, ...]


@dataclass
class Expanded:
    """Text with its snippets inlined; ``origin[i]`` is the page line (0-based) that expanded
    line ``i`` came from (a snippet's lines all come from its marker line)."""

    text: str
    origin: list[int] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (page line, 1-based; message)


def expand_snippets(text: str, snippets: Snippets) -> Expanded:
    """Inline every snippet of a page."""
    if _MARKER not in text:
        return Expanded(text)
    result = Expanded("")
    lines = _expand(text.split("\n"), snippets, result, (), None)
    result.text = "\n".join(line for line, _ in lines)
    result.origin = [origin for _, origin in lines]
    return result


def _expand(
    lines: list[str],
    snippets: Snippets,
    result: Expanded,
    chain: tuple[Path, ...],
    origin: int | None,
) -> list[tuple[str, int]]:
    """Lines with snippets inlined, each with its page line; ``origin`` is fixed inside a
    snippet (its marker's line on the page)."""
    out: list[tuple[str, int]] = []
    block: list[str] | None = None  # file names of an open ``--8<--`` block
    for number, line in enumerate(lines):
        where = number if origin is None else origin
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if stripped == _MARKER:
            if block is not None:
                for name in block:
                    out.extend(_include(name, indent, snippets, result, chain, where))
            block = [] if block is None else None
            continue
        if block is not None:
            if stripped and not stripped.startswith(";"):
                block.append(stripped)
            continue
        if stripped.startswith(";" + _MARKER):
            out.append((line.replace(";" + _MARKER, _MARKER, 1), where))
        elif stripped.startswith(_MARKER + " "):
            name = stripped[len(_MARKER) :].strip().strip("\"'")
            out.extend(_include(name, indent, snippets, result, chain, where))
        else:
            out.append((line, where))
    return out


def _include(
    spec: str,
    indent: str,
    snippets: Snippets,
    result: Expanded,
    chain: tuple[Path, ...],
    where: int,
) -> list[tuple[str, int]]:
    name, selection = _split_lines(spec)
    found = _find(name, snippets)
    if isinstance(found, str):
        result.errors.append((where + 1, found))
        return []
    if found in chain or len(chain) >= _MAX_DEPTH:
        result.errors.append((where + 1, f"snippet includes itself: {name}"))
        return []
    try:
        lines = found.read_text(encoding="utf-8").removesuffix("\n").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        result.errors.append((where + 1, f"cannot read snippet {name}: {exc}"))
        return []
    if selection is not None:
        lines = lines[selection[0] - 1 : selection[1]]
    inner = _expand(lines, snippets, result, (*chain, found), where)
    return [(indent + line if line else line, origin) for line, origin in inner]


def _split_lines(spec: str) -> tuple[str, tuple[int, int] | None]:
    """``file.md:3:8`` → ("file.md", (3, 8)); without a valid range the spec is the path."""
    head, sep, end = spec.rpartition(":")
    name, sep2, start = head.rpartition(":")
    if sep and sep2 and start.isdigit() and end.isdigit():
        return name, (max(int(start), 1), int(end))
    if sep and end.isdigit() and head:
        return head, (max(int(end), 1), int(end))
    return spec, None


def _find(name: str, snippets: Snippets) -> Path | str:
    """The snippet's file, or why there is none."""
    if "://" in name:
        return f"remote snippets are not fetched: {name}"
    repo = snippets.repo.resolve()
    outside = False
    for folder in snippets.dirs:
        if folder.is_file():  # a file listed in base_path is included by its name
            if folder.name != name:
                continue
            real = folder.resolve()
        else:
            real = Path(os.path.normpath(folder / name)).resolve()
        if real != repo and repo not in real.parents:
            outside = True
        elif real.is_file():
            return real
    if outside:
        return f"snippet path leaves the repository: {name}"
    return f"snippet not found: {name}"
