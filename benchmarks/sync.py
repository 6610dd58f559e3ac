"""Sync benchmark: a generated Markdown site of N pages published to the local wiki.

For each N and latency it runs the real command (``python -m confluence_sync sync``, a process
of its own, so interpreter start, imports, conversion and the conversion cache all count) three
times against one wiki: (a) the first sync with no cache, (b) a sync with nothing changed and
(c) a sync after one page's text changed. It prints requests, writes, seconds and the peak memory
(max RSS) of each sync process. The local wiki runs in this process, with the latency added to
every request.

    .venv/bin/python benchmarks/sync.py                       # 300 and 1000 pages, 20 ms
    .venv/bin/python benchmarks/sync.py --sizes 5000 --latency 20 150
    .venv/bin/python benchmarks/sync.py --profile-wiki        # where the local wiki's time goes
    .venv/bin/python benchmarks/sync.py --sizes 100 1000 --apis v1 v2   # REST v1 beside v2
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import pstats
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from convert import page_text  # benchmarks/convert.py: the same page generator

from confluence_sync.localwiki import Faults, LocalWiki

SECTION = 50  # pages per folder
IMAGE_EVERY = 10


def generate(root: Path, n: int) -> Path:
    """``n`` pages: an index, folders of up to 50 pages linking to each other, an image on every
    tenth page; returns the page that the "one change" run edits (one without an image)."""
    content = root / "content"
    (content / "images").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.confluence-sync]\nspace = "DEV"\ncontent_dir = "content"\nsite = "bench/site"\n',
        encoding="utf-8",
    )
    (content / "index.md").write_text("# Benchmark guide\n\nThe top page.\n", encoding="utf-8")
    rng = random.Random(11)
    last = content / "index.md"
    for i in range(1, n):
        text = IMAGE.sub("A diagram would go here.", page_text(rng, i, n, rng.randint(1200, 2000)))
        text = LINK.sub(lambda m: f"]({_page_path(max(1, int(m.group(1))), n)}#", text)
        if i % IMAGE_EVERY == 0:
            image = content / "images" / f"diagram-{i}.png"
            image.write_bytes(b"\x89PNG\r\n\x1a\n" + i.to_bytes(4, "big") * 256)
            text += f"\n![Diagram {i}](../images/diagram-{i}.png)\n"
        path = content / _page_path(i, n).removeprefix("../")
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if i % IMAGE_EVERY:
            last = path
    return last


IMAGE = re.compile(r"!\[[^\]]*\]\(images/[^)]*\)")
LINK = re.compile(r"\]\(page-(\d+)\.md#")


def _page_path(i: int, n: int) -> str:
    """Where page ``i`` (1 or more) lives, relative to any section folder."""
    return f"../section-{(i - 1) // SECTION:03d}/page-{i:05d}.md"


def one_sync(wiki: LocalWiki, root: Path, jobs: int, api: str) -> dict[str, float]:
    wiki.clear_log()
    env = {
        **os.environ,
        "CONFLUENCE_API": api,
        "CONFLUENCE_URL": wiki.base_url,
        "CONFLUENCE_USER": wiki.user,
        "CONFLUENCE_TOKEN": wiki.token or "",
        "CI": "",
        "GITHUB_SHA": "bench000",
    }
    seconds, peak_mb = run_command(["sync", "--jobs", str(jobs)], root, env)
    log = wiki.requests
    return {
        "requests": len(log),
        "writes": sum(r.method != "GET" for r in log),
        "seconds": seconds,
        "peak_mb": peak_mb,
    }


# Runs the command and writes its peak RSS (KB) to $PEAK_FILE: the process's own high-water
# mark (VmHWM) or a worker's, whichever is larger. Not ru_maxrss from wait4: Linux counts in it
# the RSS of the process that spawned the child (here the benchmark, with the local wiki), so a
# small command would report the benchmark's size.
PEAK_PROBE = """
import os, resource, runpy, sys
sys.argv = ["confluence-sync", *sys.argv[1:]]
try:
    runpy.run_module("confluence_sync", run_name="__main__")
finally:
    with open("/proc/self/status") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(os.environ["PEAK_FILE"], "w") as out:
        out.write(str(max(own, workers)))
"""


def run_command(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of ``confluence-sync ARGS`` run in ``cwd`` (Linux)."""
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        command = [sys.executable, "-c", PEAK_PROBE, *args]
        started = time.perf_counter()
        done = subprocess.run(
            command,
            cwd=cwd,
            env={**env, "PEAK_FILE": str(peak)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            message = done.stderr.decode()[-2000:]
            raise SystemExit(f"{args[0]} failed ({done.returncode}): {message}")
        return seconds, int(peak.read_text()) / 1024


def memory_bound(root: Path) -> float:
    """The performance issue's bound on peak memory, in MB: 10 times the largest page plus
    100 MB."""
    largest = max(p.stat().st_size for p in (root / "content").rglob("*.md"))
    return 10 * largest / 1e6 + 100  # as benchmarks/memory.py reckons it


def measure(
    n: int, latency: int, jobs: int, profile: bool, api: str
) -> tuple[dict[str, dict[str, float]], float]:
    """The three runs, and the memory bound of the site."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        changed = generate(root, n)
        bound = memory_bound(root)
        with LocalWiki(Path(tmp) / "wiki") as wiki:
            wiki.faults = Faults(latency_ms=latency)
            shutil.rmtree(root / ".confluence-sync" / "cache", ignore_errors=True)
            profiler = cProfile.Profile() if profile else None
            if profiler:
                profiler.enable()
            first = one_sync(wiki, root, jobs, api)
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
            unchanged = one_sync(wiki, root, jobs, api)
            changed.write_text(changed.read_text() + "\nOne more line.\n", encoding="utf-8")
            one = one_sync(wiki, root, jobs, api)
    return {"first": first, "unchanged": unchanged, "changed": one}, bound


def cell(run: dict[str, float]) -> str:
    return f"{run['requests']}/{run['writes']}/{run['seconds']:.2f}/{run['peak_mb']:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--latency", type=int, nargs="+", default=[20])
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--profile-wiki", action="store_true")
    parser.add_argument("--apis", nargs="+", default=["v1"], choices=["v1", "v2"])
    args = parser.parse_args()
    print(f"{args.jobs} workers; cells: requests/writes/seconds/peak MB of the sync process")
    header = (
        f"{'API':>3} {'N':>5} {'ms':>4} | {'first sync':>24} | {'no change':>20} | "
        f"{'one changed':>20} | {'no-change budget':>16} | {'memory bound':>12}"
    )
    print(header)
    print("-" * len(header))
    for api in args.apis:
        for latency in args.latency:
            for n in args.sizes:
                row, bound = measure(n, latency, args.jobs, args.profile_wiki, api)
                budget = math.ceil(n / 100) + 3
                print(
                    f"{api:>3} {n:>5} {latency:>4} | {cell(row['first']):>24} | "
                    f"{cell(row['unchanged']):>20} | {cell(row['changed']):>20} | "
                    f"{'<= ' + str(budget) + ' requests':>16} | "
                    f"{bound:>9.0f} MB",
                    flush=True,
                )
    lower = "lower bound of a first sync: writes / workers x latency"
    memory = "memory bound: 10 x the largest page + 100 MB"
    print(f"({n // IMAGE_EVERY} of every {n} pages carry an image; {lower}; {memory})")


if __name__ == "__main__":
    main()
