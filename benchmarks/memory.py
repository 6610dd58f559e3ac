"""Memory benchmark: peak RSS of ``confluence-sync render`` on one 10 MB page and on a
5,000-page site, without and with the conversion cache, and of ``sync`` of the 10 MB page to the
local wiki (first, then nothing changed), against the bound of the performance issue (10 times
the largest page plus 100 MB). ``benchmarks/sync.py`` measures sync on many pages.

    .venv/bin/python benchmarks/memory.py                  # both sites
    .venv/bin/python benchmarks/memory.py --pages 1000 --big-mb 2
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from convert import page_text  # benchmarks/convert.py: the same page generator
from sync import generate, one_sync, run_command  # benchmarks/sync.py: site, syncs, measuring

from confluence_sync.localwiki import LocalWiki

IMAGE = re.compile(r"!\[[^\]]*\]\(images/[^)]*\)")


def big_site(root: Path, megabytes: float) -> None:
    """One page of ``megabytes`` MB with every construct the generator knows."""
    (root / "content").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.confluence-sync]\nspace = "DEV"\nsite = "bench/big"\n', encoding="utf-8"
    )
    text = page_text(random.Random(3), 1, 1, int(megabytes * 1_000_000))
    text = IMAGE.sub("image", text.replace("](page-", "](https://example.com/page-"))
    (root / "content" / "big.md").write_text(text, encoding="utf-8")


def render(root: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one ``render`` process."""
    return run_command(["render", "--out", str(root / "out")], root, dict(os.environ))


def report(label: str, root: Path) -> None:
    largest = max(p.stat().st_size for p in (root / "content").rglob("*.md")) / 1e6
    bound = 10 * largest + 100
    shutil.rmtree(root / ".confluence-sync", ignore_errors=True)
    cold = render(root)
    warm = render(root)
    print(
        f"{label:20} largest page {largest * 1000:8.1f} KB "
        f"| no cache {cold[0]:6.2f} s {cold[1]:6.0f} MB "
        f"| cache warm {warm[0]:5.2f} s {warm[1]:5.0f} MB | bound {bound:4.0f} MB",
        flush=True,
    )


def report_sync(label: str, root: Path) -> None:
    shutil.rmtree(root / ".confluence-sync", ignore_errors=True)  # the first sync converts
    with tempfile.TemporaryDirectory() as tmp, LocalWiki(Path(tmp) / "wiki") as wiki:
        first = one_sync(wiki, root, 4, "v1")
        again = one_sync(wiki, root, 4, "v1")
    print(
        f"{label:20} sync, first (no cache) {first['seconds']:6.2f} s {first['peak_mb']:6.0f} MB "
        f"| nothing changed {again['seconds']:5.2f} s {again['peak_mb']:5.0f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--big-mb", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big"
        big_site(big, args.big_mb)
        report(f"one {args.big_mb:g} MB page", big)
        report_sync(f"one {args.big_mb:g} MB page", big)
        site = Path(tmp) / "site"
        generate(site, args.pages)
        report(f"{args.pages} pages", site)


if __name__ == "__main__":
    main()
