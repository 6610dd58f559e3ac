"""Converter throughput: generate a site of Markdown pages and time converting them on one core.

Run: ``.venv/bin/python benchmarks/convert.py [--pages 300] [--repeat 3]``. Prints pages/s and MB/s
for the site-aware conversion (links and images resolved, attachments hashed). ``generate_site``
is importable so other benchmarks (e.g. a whole-process ``confluence-sync render``) can reuse the
same content.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from confluence_sync.convert import PageTarget, convert_markdown, heading_anchors
from confluence_sync.convert.parser import markdown_parser

WORDS = [
    "incident",
    "outage",
    "latency",
    "database",
    "customer",
    "alert",
    "pager",
    "rollback",
    "deploy",
    "timeline",
    "impact",
    "mitigation",
    "detection",
    "severity",
    "root",
    "cause",
    "action",
    "item",
    "owner",
    "review",
    "service",
    "region",
    "cache",
    "queue",
    "retry",
    "timeout",
    "capacity",
    "dashboard",
    "runbook",
    "escalation",
    "blameless",
    "learning",
]
LANGUAGES = ("python", "yaml", "bash", "sql", "json", "go")
ALERTS = ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION")


def _sentence(rng: random.Random, words: int = 12) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, page: int, pages: int) -> str:
    parts = [_sentence(rng) for _ in range(rng.randint(2, 4))]
    other = rng.randrange(pages)
    parts.insert(1, f"See [page {other}](page-{other:04d}.md#section-2) and **bold** `code`.")
    if rng.random() < 0.3:
        parts.append("More at <https://status.example.com/incidents> or ~~old~~ notes.")
    return " ".join(parts)


def _block(rng: random.Random, kind: int, page: int, pages: int) -> str:
    if kind == 0:
        return "\n".join(f"- {_sentence(rng, 6)}" for _ in range(rng.randint(3, 6)))
    if kind == 1:
        return (
            "\n".join(
                f"- [{'x' if rng.random() < 0.5 else ' '}] {_sentence(rng, 5)}" for _ in range(4)
            )
            + "\n  - [ ] nested follow-up"
        )
    if kind == 2:
        rows = "\n".join(
            f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} | *{rng.choice(WORDS)}* |"
            for _ in range(rng.randint(3, 6))
        )
        return "| Field | Count | Note |\n|:--|--:|:-:|\n" + rows
    if kind == 3:
        lines = "\n".join(f"value_{i} = compute({i}, '{rng.choice(WORDS)}')" for i in range(5))
        return f"```{rng.choice(LANGUAGES)}\n{lines}\n```"
    if kind == 4:
        return f"> [!{rng.choice(ALERTS)}]\n> {_sentence(rng)}"
    if kind == 5:
        return f'![Diagram {page}](images/diagram-{page % 7}.png "Figure {page}")'
    return "1. " + _sentence(rng, 6) + "\n2. " + _sentence(rng, 6) + "\n   1. nested step"


def page_text(rng: random.Random, page: int, pages: int, size: int) -> str:
    """One page of roughly ``size`` bytes with every feature the guide uses."""
    parts = [f"---\ntitle: Generated page {page}\n---\n# Generated page {page}\n"]
    section = 0
    while sum(len(p) for p in parts) < size:
        section += 1
        parts.append(f"## Section {section}\n")
        parts.append(_paragraph(rng, page, pages) + "\n")
        parts.append(_block(rng, section % 7, page, pages) + "\n")
    return "\n".join(parts)


def generate_site(directory: Path, n: int = 300, *, seed: int = 7) -> list[Path]:
    """Write ``n`` pages (1.5–5 KB each) and the images they show into ``directory``."""
    rng = random.Random(seed)
    images = directory / "images"
    images.mkdir(parents=True, exist_ok=True)
    for i in range(7):
        (images / f"diagram-{i}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([i]) * 2048)
    paths = []
    for page in range(n):
        path = directory / f"page-{page:04d}.md"
        path.write_text(page_text(rng, page, n, rng.randint(1500, 4800)), encoding="utf-8")
        paths.append(path)
    return paths


@dataclass(frozen=True)
class _SiteResolver:
    """Minimal resolver over the generated directory (pages by path, files by existence)."""

    directory: Path
    pages: dict[str, PageTarget]

    def resolve_page(self, href: str) -> PageTarget | None:
        return self.pages.get(href)

    def resolve_file(self, href: str) -> Path | str:
        path = self.directory / href
        return path if path.is_file() else f"file not found: {href}"


def _strip_front_matter(text: str) -> tuple[str, int]:
    if not text.startswith("---\n"):
        return text, 0
    end = text.index("\n---\n", 4) + 5
    return text[end:], text[:end].count("\n")


@dataclass(frozen=True)
class Timings:
    """Best-of-N wall times (seconds) for one pass over every page."""

    parse_only: float  # markdown-it parse with our parser: the floor for any renderer
    anchors: float  # heading_anchors on every page (the site model's first pass)
    convert: float  # convert_markdown with a resolver on every page
    size: int  # bytes of Markdown
    problems: int


def _best(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def time_conversion(paths: list[Path], repeat: int) -> Timings:
    texts = {p.name: _strip_front_matter(p.read_text(encoding="utf-8")) for p in paths}
    pages = {name: PageTarget(name, heading_anchors(body)) for name, (body, _) in texts.items()}
    resolver = _SiteResolver(paths[0].parent, pages)

    def convert_all() -> int:
        return sum(
            len(convert_markdown(body, source=name, line_offset=offset, resolver=resolver).problems)
            for name, (body, offset) in texts.items()
        )

    return Timings(
        parse_only=_best(repeat, lambda: [markdown_parser().parse(b) for b, _ in texts.values()]),
        anchors=_best(repeat, lambda: [heading_anchors(b) for b, _ in texts.values()]),
        convert=_best(repeat, convert_all),
        size=sum(len(body.encode("utf-8")) for body, _ in texts.values()),
        problems=convert_all(),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        paths = generate_site(Path(tmp), args.pages)
        timings = time_conversion(paths, args.repeat)
    n, mb = args.pages, timings.size / 1e6
    print(
        f"pages: {n}  size: {mb:.2f} MB  ({timings.size / n / 1e3:.1f} KB/page), one core, "
        f"best of {args.repeat}"
    )
    rows = [
        ("convert_markdown (site-aware)", timings.convert),
        ("heading_anchors pass", timings.anchors),
        ("both (what a render does)", timings.convert + timings.anchors),
        ("markdown-it parse only (floor)", timings.parse_only),
    ]
    for label, seconds in rows:
        print(f"{label:32} {seconds:7.3f} s  {n / seconds:6.0f} pages/s  {mb / seconds:5.2f} MB/s")
    print(f"problems: {timings.problems}")
    return 0 if timings.problems == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
