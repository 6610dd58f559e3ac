"""Reverse-renderer throughput: pull every page of this repository's guide, many times over.

Run: ``.venv/bin/python benchmarks/reverse.py [--repeat 20]``. Builds the guide's storage with the
site model once, then times ``storage_to_markdown`` over all of its pages (links and attachments
placed through a ``LinkTable``) and prints pages/s and KB/s of storage read, plus how many pulled
files differ from their source (an unedited page should pull back unchanged).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from confluence_sync.config import load_settings
from confluence_sync.reverse import LinkTable, storage_to_markdown
from confluence_sync.reverse.writeback import replace_body
from confluence_sync.source import build_site
from confluence_sync.source.page import read_page

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    settings = load_settings(cwd=ROOT, env={})
    site = build_site(settings)
    titles = {p.title: p.key for p in site.pages if not p.key.startswith("generated:")}
    jobs = []
    for page in site.pages:
        if not page.key.endswith(".md"):
            continue
        files = {a.filename: a.path.relative_to(ROOT).as_posix() for a in page.attachments}
        links = LinkTable(page.key, titles, files, settings.space)
        toc = read_page(ROOT / page.key, page.key).meta.toc
        jobs.append((page, links, toc))
    size = sum(len(page.body.encode()) for page, _, _ in jobs)
    start = time.perf_counter()
    for _ in range(args.repeat):
        results = [
            storage_to_markdown(page.body, links=links, toc_in_front_matter=toc)
            for page, links, toc in jobs
        ]
    elapsed = time.perf_counter() - start
    pages = len(jobs) * args.repeat
    changed = sum(
        replace_body(text, result.markdown) != text
        for (page, _, _), result in zip(jobs, results, strict=True)
        if (text := (ROOT / page.key).read_text(encoding="utf-8"))
    )
    print(f"{len(jobs)} guide pages, {size / 1024:.0f} KB of storage, x{args.repeat}")
    print(f"pull: {pages / elapsed:.0f} pages/s, {size * args.repeat / 1024 / elapsed:.0f} KB/s")
    print(f"pulled files that differ from their source: {changed} of {len(jobs)}")


if __name__ == "__main__":
    main()
