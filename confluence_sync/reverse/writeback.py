"""Writing pulled Markdown back into a source file: body replacement and three-way merges.

``pull`` owns the decisions (which pages, which base); these are the two pure-ish steps it needs.
``replace_body`` swaps only the Markdown body, so front matter (and an H1 the page takes its title
from) stays byte for byte as the author wrote it. ``merge_three_way`` runs ``git merge-file`` on
three strings, the same merge git itself would make, with conflict markers where both sides
changed the same lines.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from confluence_sync.errors import ConfluenceSyncError
from confluence_sync.source.h1 import first_h1

# The page reader's rules (``source/``): a front matter block opens on the first line and closes
# with ``---`` or ``...``; a page without a title there takes its first H1 (``source.h1``).
_FRONT_MATTER = re.compile(
    r"\A---[ \t]*\n.*?^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL | re.MULTILINE
)
_BOM = "\ufeff"


@dataclass(frozen=True)
class MergeResult:
    """The merged text; ``conflicts`` counts the regions left with conflict markers."""

    text: str
    conflicts: int


def replace_body(source_text: str, markdown: str, *, title_from_h1: bool = False) -> str:
    """``source_text`` with its Markdown body replaced by ``markdown``.

    The front matter block and the blank lines after it are kept byte for byte. With
    ``title_from_h1`` (the page has no ``title`` in front matter, so its title is its first H1,
    which the published body leaves out), that H1 line is kept above the new body.
    """
    crlf = "\r\n" in source_text
    text = source_text.replace("\r\n", "\n")
    bom = _BOM if text.startswith(_BOM) else ""
    text = text.removeprefix(_BOM)
    match = _FRONT_MATTER.match(text)
    head, body = (bom + text[: match.end()], text[match.end() :]) if match else (bom, text)
    stripped = body.lstrip("\n")
    head += body[: len(body) - len(stripped)]
    if title_from_h1:
        h1 = _h1_line(stripped)
        if h1 is not None:
            head += h1 + "\n\n"
    result = head + markdown
    return result.replace("\n", "\r\n") if crlf else result


def h1_title(source_text: str) -> str | None:
    """The ``# H1`` line a page without a front-matter title takes its title from, or None."""
    text = source_text.replace("\r\n", "\n").removeprefix(_BOM)
    match = _FRONT_MATTER.match(text)
    return _h1_line(text[match.end() :] if match else text)


def _h1_line(body: str) -> str | None:
    """The lines of the H1 ``read_page`` takes the title from (ATX or setext), as written."""
    heading = first_h1(body)
    if heading is None:
        return None
    return "\n".join(body.split("\n")[heading.start : heading.end]).rstrip("\n")


def merge_three_way(
    base: str,
    ours: str,
    theirs: str,
    *,
    labels: tuple[str, str, str] = (
        "working file",
        "last published",
        "wiki",
    ),
    prefer_theirs: bool = False,
) -> MergeResult:
    """Merge the changes base→theirs into ours, as ``git merge-file`` does.

    ``labels`` name ours, base and theirs in the conflict markers; ``prefer_theirs`` resolves
    overlapping changes to theirs (for a side whose changes are known to be formatting only). Raises
    ``ConfluenceSyncError`` when git is not installed or the merge cannot run.
    """
    git = shutil.which("git")
    if git is None:
        raise ConfluenceSyncError("git is needed to merge wiki edits; install git")
    with tempfile.TemporaryDirectory(prefix="confluence-sync-merge-") as folder:
        paths = []
        for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(folder) / name
            path.write_text(content, encoding="utf-8", newline="")
            paths.append(str(path))
        command = [git, "merge-file", "-p", *(["--theirs"] if prefer_theirs else [])]
        for label in labels:
            command += ["-L", label]
        done = subprocess.run([*command, *paths], capture_output=True, check=False, timeout=60)
    if done.returncode < 0 or done.returncode > 127:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise ConfluenceSyncError(f"git merge-file failed: {message}")
    return MergeResult(done.stdout.decode("utf-8"), done.returncode)
