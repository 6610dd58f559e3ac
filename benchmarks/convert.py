"""Converter throughput: generate a site of Markdown pages and time rendering it on one core.

Run: ``.venv/bin/python benchmarks/convert.py [--pages 300] [--repeat 3] [--dir DIR]``. Prints
pages/s and MB/s for (a) the whole-site build in process (read, front matter, tree, parse,
anchors, links and images resolved, attachments hashed), (b) the whole ``confluence-sync render``
process without and with the conversion cache, (c) the bare markdown-it parse as a floor, and
(d) markdown-to-confluence 0.6.5 converting the same site offline (``md2conf --local``, installed
into a throwaway virtual environment; if that fails it says so), for generated pages of 1.5-5 KB
and of guide size (~1.6 KB); then (e) where a cold ``render`` process spends its time, stage by
stage (``render_stages.py``).

Each measurement is the fastest of ``--repeat`` runs, the measurements taking turns. Every cold
process starts without cache or output (removed untimed before each run), and our package is
byte-compiled first, as an installed wheel would be.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from render_stages import print_breakdown, stage_run  # benchmarks/ is on the path as a script

import confluence_sync
from confluence_sync.config import load_settings
from confluence_sync.convert import collector_paused
from confluence_sync.convert.parser import markdown_parser
from confluence_sync.source import build_site

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


def generate_site(
    directory: Path, n: int = 300, *, seed: int = 7, sizes: tuple[int, int] = (1500, 4800)
) -> list[Path]:
    """Write ``n`` pages (``sizes`` bytes each) and the images they show into ``directory``."""
    rng = random.Random(seed)
    images = directory / "images"
    images.mkdir(parents=True, exist_ok=True)
    for i in range(7):
        (images / f"diagram-{i}.png").write_bytes(png(32, 24, i))
    paths = []
    for page in range(n):
        path = directory / f"page-{page:04d}.md"
        path.write_text(page_text(rng, page, n, rng.randint(*sizes)), encoding="utf-8")
        paths.append(path)
    return paths


def png(width: int, height: int, shade: int) -> bytes:
    """A small valid PNG (other converters read image headers and refuse broken files)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = b"".join(
        b"\x00" + bytes([(shade * 37 + x) % 256 for x in range(width)]) for _ in range(height)
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


Case = tuple[str, Callable[[], object], Callable[[], object]]  # label, timed run, untimed setup


def best_of(repeat: int, cases: list[Case]) -> list[float]:
    """The fastest of ``repeat`` timed runs of each case, the cases taking turns: on a shared
    machine a busy spell then slows every tool alike instead of the one measured during it."""
    best = [float("inf")] * len(cases)
    for _ in range(repeat):
        for index, (_, run, setup) in enumerate(cases):
            setup()
            start = time.perf_counter()
            run()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def parse_all(texts: list[str]) -> list[object]:
    """Every page parsed and kept, as ``render`` does it (the collector paused meanwhile)."""
    with collector_paused():
        return [markdown_parser().parse(text) for text in texts]


def measure(
    root: Path,
    n: int,
    sizes: tuple[int, int],
    repeat: int,
    m2c: Path | None,
    cores: set[int],
    *,
    stages: bool = True,
) -> None:
    """Print the timings for one generated site under ``root``."""
    paths = generate_site(root / "content", n, sizes=sizes)
    (root / "pyproject.toml").write_text("[tool.confluence-sync]\n", encoding="utf-8")
    size = sum(len(p.read_bytes()) for p in paths)
    settings = load_settings(cwd=root, env={})
    pages = len(build_site(settings, cache=False).pages)
    texts = [p.read_text(encoding="utf-8") for p in paths]
    out = root / "out"
    command = [sys.executable, "-m", "confluence_sync", "render", "--out", str(out)]

    def cold() -> None:  # no cache and no output yet, as on a fresh checkout
        shutil.rmtree(root / ".confluence-sync", ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)

    def render(cores: set[int] | None = None) -> None:
        unpin = (lambda: os.sched_setaffinity(0, cores)) if cores else None
        subprocess.run(command, cwd=root, check=True, capture_output=True, preexec_fn=unpin)

    cases: list[Case] = [
        ("whole site, in process, no cache", lambda: build_site(settings, cache=False), object),
        ("render process, no cache", render, cold),
        ("render process, cache warm", render, object),  # right after the cold run
        (f"render process, no cache, {len(cores)} cores", lambda: render(cores), cold),
        ("markdown-it parse only (floor)", lambda: parse_all(texts), object),
    ]
    if len(cores) < 2:
        del cases[3]
    if m2c is not None:
        copy = root / "m2c"
        label = "markdown-to-confluence 0.6.5 --local"
        cases.append((label, lambda: _m2c(m2c, copy), lambda: _fresh_copy(root, copy)))
    runs: list[dict[str, Any]] = []
    if stages:  # one stage-timed render process per round as well, the fastest one shown
        cases.append(("", lambda: runs.append(stage_run(root, out)), cold))
    timings = best_of(repeat, cases)
    rows = [
        (label, seconds) for (label, _, _), seconds in zip(cases, timings, strict=True) if label
    ]
    print(
        f"\n{pages} pages, {size / 1e6:.2f} MB ({size / n / 1e3:.1f} KB/page), "
        f"one core unless stated, best of {repeat}; creating a file here takes "
        f"{1000 * creation_cost(root):.2f} ms (both tools write one per page)"
    )
    print_rows(rows, n, size, compared=m2c is not None, cores=len(cores))
    if runs:
        print_breakdown(min(runs, key=lambda run: run["total"]))


def print_rows(
    rows: list[tuple[str, float]], n: int, size: int, *, compared: bool, cores: int
) -> None:
    """One line per timing, then the ratios to markdown-to-confluence (the last row)."""
    mb = size / 1e6
    for label, seconds in rows:
        print(
            f"  {label:38} {seconds:6.3f} s  {n / seconds:5.0f} pages/s  {mb / seconds:5.2f} MB/s"
        )
    if compared:
        by_label = dict(rows)
        theirs = rows[-1][1]
        ratios = [
            f"no cache {theirs / by_label['render process, no cache']:.1f}x",
            f"cache warm {theirs / by_label['render process, cache warm']:.1f}x",
        ]
        if f"render process, no cache, {cores} cores" in by_label:
            both = by_label[f"render process, no cache, {cores} cores"]
            ratios.append(f"no cache on {cores} cores {theirs / both:.1f}x")
        print("  ratio to markdown-to-confluence: " + ", ".join(ratios))


def _fresh_copy(root: Path, copy: Path) -> None:
    """markdown-to-confluence writes ``.csf`` files next to the sources, so each of its runs
    gets a fresh copy of them, made untimed (like our ``render``, it starts without output)."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root / "content", copy)


def _m2c(python: Path, copy: Path) -> None:
    command = [str(python), "-m", "md2conf", "--local", "-d", "example.com", "-s", "DEV", str(copy)]
    subprocess.run(command, check=True, capture_output=True)


def install_m2c(folder: Path) -> Path | None:
    """markdown-to-confluence 0.6.5 in a throwaway virtual environment, or None (said why)."""
    venv = folder / "m2c-venv"
    python = venv / "bin" / "python"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "markdown-to-confluence==0.6.5"],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"markdown-to-confluence could not be installed ({exc}); our figures only")
        return None
    return python


def compile_bytecode() -> None:
    """Compile our package's bytecode, as installing a wheel does (pip compiled
    markdown-to-confluence's): an editable checkout run with ``PYTHONDONTWRITEBYTECODE`` set
    would otherwise compile every module again in each process (about 35 ms)."""
    package = Path(confluence_sync.__file__).parent
    if not compileall.compile_dir(package, quiet=1):
        print(f"could not compile {package}; start-up includes compiling it")


def creation_cost(root: Path, files: int = 200) -> float:
    """Seconds to create one small file under ``root``: on some file systems (this machine's
    /tmp) it is a millisecond, fifty times the usual, and then a large part of both tools'
    figures."""
    probe = root / "probe"
    probe.mkdir()
    start = time.perf_counter()
    for index in range(files):
        (probe / f"{index}.xml").write_bytes(b"<p/>")
    spent = time.perf_counter() - start
    shutil.rmtree(probe)
    return spent / files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-compare", action="store_true", help="skip markdown-to-confluence")
    parser.add_argument("--no-stages", action="store_true", help="skip the render breakdown")
    parser.add_argument(
        "--dir", type=Path, help="where to generate the sites (default: the temporary folder)"
    )
    args = parser.parse_args(argv)
    compile_bytecode()
    cores: set[int] = set()  # the machine's cores, before the script pins itself to one
    if hasattr(os, "sched_setaffinity"):  # one core, as the figures claim; children inherit it
        cores = set(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {min(cores)})
    with tempfile.TemporaryDirectory() as tools:
        m2c = None if args.no_compare else install_m2c(Path(tools))
        for sizes in ((1500, 4800), (1200, 2000)):
            with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
                measure(
                    Path(tmp), args.pages, sizes, args.repeat, m2c, cores, stages=not args.no_stages
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
