"""Where a cold ``confluence-sync render`` process spends its time, measured stage by stage.

``stage_run(root, out)`` starts a fresh interpreter on this file, which imports what ``render``
imports, then runs the real command in process with timers wrapped around the functions that
make up each stage (markdown-it's ``parse``, the renderer, the cache, the export...). A timer
counts its own time only: a stage called inside another is subtracted from the outer one. The
parent times the whole process, so start-up (spawn to the script's first line), exit (last line
to the process's end) and whatever no timer covers ("rest") are measured too, not estimated.

The wrappers cost about a microsecond per call and are called a few thousand times, so the
stages add up to the unwrapped process within noise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

STAGES = (
    ("start-up", "interpreter start (spawn to first line, site-packages)"),
    ("imports", "click, pydantic, markdown-it-py and our modules"),
    ("settings", "pyproject.toml read and validated"),
    ("read", "pages read: front matter, titles, tree"),
    ("parse", "markdown-it-py parse (block + inline)"),
    ("outline", "heading slugs and anchors per page"),
    ("tree", "syntax tree built and released"),
    ("rules", "our rules writing XHTML (links resolved, images hashed)"),
    ("cache", "conversion cache: fingerprints, lookups, entries written"),
    ("output", "render --out: one .xml per page + pages.json"),
    ("exit", "interpreter shutdown"),
)


class Timers:
    """Exclusive time per stage: nested timed calls are charged to their own stage only."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._inner: list[float] = []  # time of nested timed calls, per open frame

    def wrap(self, owner: Any, name: str, stage: str) -> None:
        original = getattr(owner, name)
        timers = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            timers._inner.append(0.0)
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                nested = timers._inner.pop()
                timers.spent[stage] = timers.spent.get(stage, 0.0) + elapsed - nested
                timers.calls[stage] = timers.calls.get(stage, 0) + 1
                if timers._inner:
                    timers._inner[-1] += elapsed

        setattr(owner, name, timed)


def _instrument(timers: Timers) -> None:
    """Put the timers in place; each target is looked up where its caller finds it."""
    import markdown_it

    from confluence_sync import config, convert
    from confluence_sync.convert import renderer
    from confluence_sync.source import conversion, convert_cache, export, site

    targets: list[tuple[Any, str, str]] = [
        (config, "load_settings", "settings"),
        (site, "read_tree", "read"),
        (markdown_it.MarkdownIt, "parse", "parse"),
        (convert, "page_outline", "outline"),
        (conversion, "heading_anchors", "outline"),
        (renderer, "syntax_tree", "tree"),
        (renderer, "release", "tree"),
        (renderer.StorageRenderer, "render", "rules"),
        (conversion, "code_fingerprint", "cache"),
        (conversion, "page_fingerprint", "cache"),
        (convert_cache.ConversionCache, "get", "cache"),
        (convert_cache.ConversionCache, "keep", "cache"),
        (convert_cache.ConversionCache, "save", "cache"),
        (export, "export_site", "output"),
    ]
    for owner, name, stage in targets:
        timers.wrap(owner, name, stage)


def child(out: str) -> None:
    """Run ``render --out out`` here, timed; print the stages as JSON on the last line. One
    core, as the benchmark's figures are: on more, pages convert in worker processes, which
    these timers do not see."""
    first = time.time()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    start = time.perf_counter()
    from confluence_sync import config, source  # noqa: F401  (what render imports lazily)
    from confluence_sync.cli import cli
    from confluence_sync.source import export  # noqa: F401

    imported = time.perf_counter()
    timers = Timers()
    _instrument(timers)
    modules = len(sys.modules)
    began = time.perf_counter()
    cli.main(["render", "--out", out], prog_name="confluence-sync", standalone_mode=False)
    done = time.perf_counter()
    timers.spent["imports"] = imported - start
    report = {
        "first": first,
        "run": done - began,
        "spent": timers.spent,
        "late_imports": len(sys.modules) - modules,
        "last": time.time(),
    }
    print(json.dumps(report))


def stage_run(root: Path, out: Path) -> dict[str, Any]:
    """One timed ``render`` process on this file: its total and the seconds of each stage."""
    spawned = time.time()
    done = subprocess.run(
        [sys.executable, __file__, str(out)], cwd=root, check=True, capture_output=True
    )
    ended = time.time()
    report = json.loads(done.stdout.decode().strip().splitlines()[-1])
    spent = report["spent"]
    spent["start-up"] = report["first"] - spawned
    spent["exit"] = ended - report["last"]
    return {"total": ended - spawned, "spent": spent, "late_imports": report["late_imports"]}


def print_breakdown(result: dict[str, Any]) -> None:
    """One compact line per stage, largest share of the process visible at a glance."""
    total, spent = result["total"], result["spent"]
    print(f"  where a cold render process goes ({total:.3f} s, fastest run, timed stages):")
    for stage, meaning in STAGES:
        seconds = spent.get(stage, 0.0)
        print(f"    {stage:9} {seconds:6.3f} s {100 * seconds / total:4.0f} %  {meaning}")
    rest = total - sum(spent.get(stage, 0.0) for stage, _ in STAGES)
    print(f"    {'rest':9} {rest:6.3f} s {100 * rest / total:4.0f} %  site assembly, CLI, timers")
    if result["late_imports"]:
        print(f"    ({result['late_imports']} modules imported during the run, in their stage)")


if __name__ == "__main__":
    child(sys.argv[1])
