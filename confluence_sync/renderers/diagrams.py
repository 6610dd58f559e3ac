"""Render a Mermaid or PlantUML diagram to a PNG file, once per source and renderer version.

``render_diagram`` is the one entry point (for the converter's diagram fences and for MkDocs
pages whose HTML carries Mermaid blocks): it names the image from a hash of the kind, the
renderer's version and the source, so an unchanged diagram maps to the same attachment name and
is neither drawn nor uploaded again, and a renderer upgrade redraws everything. Images live in a
cache folder the caller chooses (beside the conversion cache).

Mermaid is drawn by ``mmdc`` (npm ``@mermaid-js/mermaid-cli``) driving the system's Chromium
(``/usr/bin/chromium`` unless ``PUPPETEER_EXECUTABLE_PATH`` says otherwise), so installing it
needs no browser download. PlantUML is Debian's ``plantuml`` (Java), fed on stdin. A renderer
that is not installed, or that refuses the source, is an ``InputError`` naming the page's file
and line and, for a refusal, the renderer's own message.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from confluence_sync.errors import InputError, Problem

KINDS = ("mermaid", "plantuml")
INSTALL = {
    "mermaid": "Mermaid diagrams need mmdc: PUPPETEER_SKIP_DOWNLOAD=1 npm install -g "
    "@mermaid-js/mermaid-cli (and Chromium: apt-get install chromium)",
    "plantuml": "PlantUML diagrams need plantuml: apt-get install plantuml",
}
_PROGRAM = {"mermaid": "mmdc", "plantuml": "plantuml"}
TIMEOUT = 120.0  # seconds; a first Chromium start on a loaded machine takes a while


@dataclass(frozen=True)
class RenderedDiagram:
    """A drawn diagram: the attachment name it is published as, and the file holding it."""

    kind: str
    filename: str
    path: Path


def missing_renderer(kind: str) -> str | None:
    """What to install to draw ``kind`` diagrams, or None when its renderer is on PATH."""
    if shutil.which(_PROGRAM[kind]) is None:
        return INSTALL[kind]
    if kind == "mermaid" and _chromium() is None:
        return INSTALL[kind]
    return None


def attachment_name(kind: str, source: str, version: str) -> str:
    """``mermaid-<hash>.png``: the same for the same source drawn by the same renderer."""
    digest = hashlib.sha256(f"{kind}\0{version}\0{source}".encode()).hexdigest()[:20]
    return f"{kind}-{digest}.png"


def render_diagram(
    kind: str, source: str, cache_dir: Path, *, path: str = "", line: int | None = None
) -> RenderedDiagram:
    """The image of ``source``: from ``cache_dir`` when drawn before, else drawn now. ``path``
    and ``line`` locate the diagram in the page for error messages."""
    missing = missing_renderer(kind)
    if missing is not None:
        raise InputError([Problem(path, missing, line)])
    name = attachment_name(kind, source, renderer_version(kind))
    target = cache_dir / name
    if not target.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        image = _draw(kind, source, path, line)
        partial = target.with_suffix(".part")
        partial.write_bytes(image)
        partial.replace(target)  # never a half-written image under the final name
    return RenderedDiagram(kind, name, target)


@cache
def renderer_version(kind: str) -> str:
    """The renderer's version line (part of every image's name)."""
    args = ["mmdc", "--version"] if kind == "mermaid" else ["plantuml", "-version"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def _draw(kind: str, source: str, path: str, line: int | None) -> bytes:
    try:
        return _mermaid(source) if kind == "mermaid" else _plantuml(source)
    except subprocess.TimeoutExpired:
        message = f"{kind} did not finish drawing the diagram in {TIMEOUT:.0f} s"
    except _Refused as exc:
        message = f"{kind} could not draw the diagram: {exc}"
    raise InputError([Problem(path, message, line)])


class _Refused(Exception):
    """The renderer exited with an error; the message is its own."""


def _mermaid(source: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="confluence-sync-mermaid-") as folder:
        work = Path(folder)
        (work / "in.mmd").write_text(source, encoding="utf-8")
        config = {"executablePath": _chromium(), "args": ["--no-sandbox"]}
        (work / "puppeteer.json").write_text(json.dumps(config), encoding="utf-8")
        args = ["mmdc", "-q", "-i", "in.mmd", "-o", "out.png", "-p", "puppeteer.json"]
        args += ["-b", "white"]
        done = subprocess.run(
            args, cwd=work, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
        out = work / "out.png"
        if done.returncode != 0 or not out.is_file():
            raise _Refused(_first_lines(done.stderr or done.stdout))
        return out.read_bytes()


def _plantuml(source: str) -> bytes:
    done = subprocess.run(
        ["plantuml", "-tpng", "-pipe", "-failfast2", "-nometadata"],
        input=source.encode(),
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        said = _without_java_logging(done.stderr.decode(errors="replace"))
        raise _Refused(_first_lines(said) or "no image produced")
    return done.stdout


# java.util.logging's two-line records (``Dec 08, 2026 2:13:36 AM java.util.prefs…`` then
# ``INFO: Created user preferences directory.``): the JVM's own chatter, e.g. on a fresh home
# folder, which would otherwise stand where PlantUML's message belongs
_JAVA_LOG_HEAD = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M \S+")
_JAVA_LOG_BODY = re.compile(r"^(SEVERE|WARNING|INFO|CONFIG|FINE|FINER|FINEST): ")
_JAVA_OPTIONS_NOTE = re.compile(r"^Picked up (JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS): ")


def _without_java_logging(text: str) -> str:
    kept, after_head = [], False
    for line in text.splitlines():
        if _JAVA_LOG_HEAD.match(line):
            after_head = True
            continue
        if (after_head and _JAVA_LOG_BODY.match(line)) or _JAVA_OPTIONS_NOTE.match(line):
            after_head = False
            continue
        after_head = False
        kept.append(line)
    return "\n".join(kept)


def _chromium() -> str | None:
    configured = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _first_lines(text: str, count: int = 3) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " / ".join(lines[:count])
