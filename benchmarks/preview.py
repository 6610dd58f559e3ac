"""Save-to-screen latency of ``preview``: how long after a Markdown file is saved the served
page shows the edit.

Run: ``.venv/bin/python benchmarks/preview.py [--saves 20]``. Copies this repository's guide
into a temporary folder, starts the preview there (the use case, in a thread, on a free port),
times the first build, then saves one guide page ``--saves`` times, each time with a new
sentence, and polls the page's URL every 10 ms until the sentence is served. Prints the first
build's seconds and the median, 90th percentile and worst save-to-visible time. The browser's
own reload (an EventSource event, then a page load from loopback) comes on top: a few
milliseconds in headless Chromium.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests

from confluence_sync.config import load_settings
from confluence_sync.preview.rebuild import BuildSummary
from confluence_sync.preview.session import (
    PreviewAddress,
    PreviewHooks,
    PreviewOptions,
    run_preview,
)

REPO = Path(__file__).resolve().parent.parent
PAGE = "content/blameless-culture.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="preview-bench-") as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        shutil.copytree(REPO / "content", root / "content")
        shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
        measure(root, args.saves)


def measure(root: Path, saves: int) -> None:
    settings = load_settings(cwd=root, env={})
    ready = threading.Event()
    found: list[PreviewAddress] = []
    stop = threading.Event()

    def on_ready(address: PreviewAddress, first: BuildSummary) -> None:
        found.append(address)
        ready.set()

    started = time.perf_counter()
    thread = threading.Thread(
        target=run_preview,
        args=(settings, PreviewOptions(port=0), PreviewHooks(on_ready=on_ready), stop),
        daemon=True,
    )
    thread.start()
    try:
        if not ready.wait(120):
            raise SystemExit("the preview did not start")
        print(f"first build and serve: {time.perf_counter() - started:.2f} s")
        latest = found[0].latest
        page = root / PAGE
        original = page.read_text(encoding="utf-8")
        page.write_text(original + "\nwarm-up\n", encoding="utf-8")
        url = _page_url(latest, "warm-up")
        times = [_one_save(page, original, url, n) for n in range(saves)]
    finally:
        stop.set()
        thread.join(30)
    times.sort()
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
    print(
        f"save to served page, {saves} saves of {PAGE}: median {statistics.median(times):.3f} s,"
        f" p90 {p90:.3f} s, worst {times[-1]:.3f} s"
    )


def _page_url(latest: str, sentence: str) -> str:
    """The saved page's URL, once ``/preview/latest`` points at it and it shows ``sentence``."""
    origin = latest.rsplit("/preview/", 1)[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = requests.get(latest, allow_redirects=False, timeout=5)
        url = origin + answer.headers.get("Location", "")
        if "Blameless" in url and sentence in requests.get(url, timeout=5).text:
            return url
        time.sleep(0.05)
    raise SystemExit("the first save never showed")


def _one_save(page: Path, original: str, url: str, n: int) -> float:
    sentence = f"Benchmark sentence number {n}."
    start = time.perf_counter()
    page.write_text(original + f"\n{sentence}\n", encoding="utf-8")
    while sentence not in requests.get(url, timeout=5).text:
        if time.perf_counter() - start > 30:
            raise SystemExit(f"save {n} never showed")
        time.sleep(0.01)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
