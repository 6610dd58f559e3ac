"""Sync benchmark: N generated pages published to the local wiki with 20 ms latency per request.

For N = 10, 100, 1000 and each REST API (v1 and v2, side by side, both against the wiki in Cloud
mode) it prints requests, writes and seconds for (a) the first sync, (b) a sync with no change
and (c) a sync after one page changed, plus the peak memory (max RSS) of a process that ran all
three. Each N and API runs in its own process so the peaks do not mix.

    .venv/bin/python benchmarks/sync.py                     # all sizes, both APIs
    .venv/bin/python benchmarks/sync.py --sizes 100 1000 --apis v2
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from confluence_sync.commands.state import read_state
from confluence_sync.localwiki import Faults, LocalWiki
from confluence_sync.pages import AttachmentFile, DesiredPage, PageKey
from confluence_sync.plan.build import build_plan
from confluence_sync.publish.apply import ApplyOptions, apply_plan
from confluence_sync.publish.atlassian import AtlassianGateway
from confluence_sync.publish.gateway_v2 import V2Gateway
from confluence_sync.publish.retry import RetryPolicy

LABEL = "confluence-sync"
SECTION = 50  # pages per section page
LATENCY_MS = 20


def generate(n: int, workdir: Path) -> list[DesiredPage]:
    """A top page, sections of up to 50 pages, every tenth page with an image; n pages total."""
    image = workdir / "diagram.png"
    image.write_bytes(b"\x89PNG" + bytes(range(256)) * 8)
    files = (AttachmentFile("diagram.png", image, hashlib.sha256(image.read_bytes()).hexdigest()),)
    top = PageKey("content/index.md")
    pages = [DesiredPage(top, "Benchmark guide", "<p>Top.</p>")]
    section: PageKey = top
    for i in range(1, n):
        if (i - 1) % (SECTION + 1) == 0 and n > SECTION:
            section = PageKey(f"content/s{i}/")
            pages.append(DesiredPage(section, f"Section {i}", "<p>Section.</p>", top))
            continue
        body = "".join(
            f"<p>Paragraph {j} of page {i}: timeline, impact, actions.</p>" for j in range(20)
        )
        pages.append(
            DesiredPage(
                PageKey(f"content/p{i}.md"),
                f"Page {i}",
                body,
                section,
                attachments=files if i % 10 == 0 else (),
            )
        )
    return pages


GATEWAYS: dict[str, type[AtlassianGateway]] = {"v1": AtlassianGateway, "v2": V2Gateway}


def one_sync(wiki: LocalWiki, pages: list[DesiredPage], jobs: int, api: str) -> dict[str, float]:
    wiki.clear_log()
    started = time.perf_counter()
    gw = GATEWAYS[api](
        wiki.base_url, user=wiki.user, token=wiki.token, policy=RetryPolicy(retry_after_cap=1.0)
    )
    try:
        root = gw.home_page("DEV")  # what ``sync`` reads, in its order
        plan = build_plan(pages, read_state(gw, "DEV", LABEL, pages, root, jobs=jobs))
        outcomes = apply_plan(plan, gw, ApplyOptions(space="DEV", labels=(LABEL,), jobs=jobs))
    finally:
        gw.close()
    seconds = time.perf_counter() - started
    failed = [o.error for o in outcomes if o.error]
    if failed:
        raise SystemExit(f"sync failed: {failed[:3]}")
    log = wiki.requests
    return {
        "requests": len(log),
        # v2's POST /users-bulk is a lookup, not a write
        "writes": sum(r.method != "GET" and not r.path.endswith("users-bulk") for r in log),
        "seconds": round(seconds, 2),
    }


def measure(n: int, jobs: int, api: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        pages = generate(n, Path(tmp))
        with LocalWiki(Path(tmp) / "wiki") as wiki:
            wiki.faults = Faults(latency_ms=LATENCY_MS)
            first = one_sync(wiki, pages, jobs, api)
            unchanged = one_sync(wiki, pages, jobs, api)
            pages[-1] = replace(pages[-1], body=pages[-1].body + "<p>Changed.</p>", digest="")
            changed = one_sync(wiki, pages, jobs, api)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    attachments = sum(1 for p in pages if p.attachments)
    return {
        "n": n,
        "attachments": attachments,
        "first": first,
        "unchanged": unchanged,
        "changed": changed,
        "peak_mb": round(peak_mb, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--apis", nargs="+", choices=sorted(GATEWAYS), default=["v1", "v2"])
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api", default="v1", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.jobs, args.api)))
        return
    print(f"local wiki (Cloud mode), {LATENCY_MS} ms latency per request, {args.jobs} workers")
    header = (
        f"{'N':>5} | {'API':>3} | {'first sync: req/writes/s':>25} | "
        f"{'no change: req/writes/s':>24} | {'one changed: req/writes/s':>26} | "
        f"{'no-change budget':>16} | {'peak MB':>7}"
    )
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        attachments = 0
        for api in args.apis:
            text, attachments = row_text(n, api, args.jobs)
            print(text)
        print(f"      ({attachments} pages with an attachment)")


def row_text(n: int, api: str, jobs: int) -> tuple[str, int]:
    """One table row (and the attachment count) from a child process measuring ``n``."""
    done = subprocess.run(
        [sys.executable, __file__, "--one", str(n), "--jobs", str(jobs), "--api", api],
        capture_output=True,
        text=True,
        check=True,
    )
    row = json.loads(done.stdout.strip().splitlines()[-1])
    cells = [
        f"{r['requests']}/{r['writes']}/{r['seconds']:.2f}"
        for r in (row["first"], row["unchanged"], row["changed"])
    ]
    budget = math.ceil(n / 100) + 3
    text = (
        f"{n:>5} | {api:>3} | {cells[0]:>25} | {cells[1]:>24} | {cells[2]:>26} | "
        f"{'<= ' + str(budget):>16} | {row['peak_mb']:>7}"
    )
    return text, int(row["attachments"])


if __name__ == "__main__":
    main()
