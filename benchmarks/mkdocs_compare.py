"""A real MkDocs site published with ``renderer = "mkdocs"``, compared page by page with what
``mkdocs build`` shows: the pymdown-extensions documentation from its sdist (the sdist has its
docs, mkdocs.yml and the local ``tools`` extension modules).

For every page it counts code blocks, headings and admonitions in MkDocs's built HTML (the
theme's ``<article>``) and in the storage confluence-sync renders, and prints each page's ratio
(sum of min(ours, theirs) over sum of theirs) and the site's. It also times ``mkdocs build``,
and ``render`` with both renderers, cold (no conversion cache) and warm. The site's docs
requirements must be installed (mkdocs-material, mkdocs-git-revision-date-localized-plugin,
mkdocs-minify-plugin, mkdocs-pymdownx-material-extras), as its own CI installs them.

With ``--sync`` each renderer also publishes the site to a fresh local wiki twice: the first
sync's and the no-change sync's seconds, requests and writes.

    python benchmarks/mkdocs_compare.py [--version 10.16.1] [--keep DIR] [--sync]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import lxml.html
from mkdocs_smoke import fetch, prepare

from confluence_sync.localwiki import LocalWiki

# In the sdist's mkdocs.yml but not in the sdist: a code-collapsing extension of the theme.
NOT_IN_SDIST = re.compile(r"  - tools\.collapse_code:\n(?:      .*\n)*")
OURS = {
    "code": re.compile(r'ac:name="code"'),
    "headings": re.compile(r"<h[1-6][ >]"),
    "admonitions": re.compile(r'ac:name="(?:info|tip|note|warning|expand)"'),
}


def theirs(html_file: Path) -> dict[str, int]:
    """Counts in MkDocs's page (its content, inside the theme's article)."""
    tree = lxml.html.fromstring(html_file.read_bytes())
    article = next(iter(tree.xpath("//article")), tree)
    blocks = article.xpath(".//div[contains(@class,'highlight')] | .//pre")
    outer = [b for b in blocks if not b.xpath("ancestor::div[contains(@class,'highlight')]")]
    heads = article.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6")
    boxes = article.xpath(".//div[contains(concat(' ',@class,' '),' admonition ')] | .//details")
    return {"code": len(outer), "headings": len(heads), "admonitions": len(boxes)}


def ours(storage: str, their_counts: dict[str, int], had_h1: bool) -> dict[str, int]:
    counts = {name: len(rx.findall(storage)) for name, rx in OURS.items()}
    if had_h1 and "<h1" not in storage:  # the H1 that is the page title is Confluence's title
        counts["headings"] += 1
    return counts


def built_file(site_dir: Path, docs_rel: str) -> Path:
    """Where ``mkdocs build`` wrote a page (directory URLs)."""
    stem = docs_rel.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return site_dir / stem.removesuffix("index") / "index.html"
    return site_dir / stem / "index.html"


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        print(done.stdout[-2000:], done.stderr[-2000:], sep="\n")
        raise SystemExit(f"{' '.join(command)} failed with {done.returncode}")
    return time.perf_counter() - start


def two_syncs(site: Path, env: dict[str, str], data: Path) -> str:
    """A first sync and a no-change sync to a fresh local wiki: seconds/requests/writes."""
    cells = []
    with LocalWiki(data) as wiki:
        target = {
            **env,
            "CONFLUENCE_URL": wiki.base_url,
            "CONFLUENCE_USER": wiki.user,
            "CONFLUENCE_TOKEN": wiki.token or "",
            "CI": "",
        }
        for _ in range(2):
            wiki.clear_log()
            seconds = timed([sys.executable, "-m", "confluence_sync", "sync"], site, target)
            log = wiki.requests
            writes = sum(r.method != "GET" for r in log)
            cells.append(f"{seconds:.1f} s, {len(log)} requests, {writes} writes")
    return f"first sync {cells[0]}; no-change sync {cells[1]}"


def compare(site: Path, docs_dir: str, built: Path, out: Path) -> None:
    pages = json.loads((out / "pages.json").read_text())
    total_min = total = 0
    low = []
    for page in pages:
        source = page["source"]
        if not source.startswith(docs_dir + "/"):
            continue
        rel = source.removeprefix(docs_dir + "/")
        html_file = built_file(built, rel)
        if not html_file.is_file():
            continue
        want = theirs(html_file)
        had_h1 = "<h1" in html_file.read_text(encoding="utf-8")
        got = ours((out / page["file"]).read_text(encoding="utf-8"), want, had_h1)
        matched = sum(min(got[k], want[k]) for k in want)
        expected = sum(want.values())
        total_min, total = total_min + matched, total + expected
        ratio = matched / expected if expected else 1.0
        print(f"{ratio:7.1%}  {rel}  theirs={want} ours={got}")
        if ratio < 0.98:
            low.append(rel)
    print(f"\nsite: {total_min}/{total} = {total_min / max(total, 1):.2%}; pages below 98%: {low}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="10.16.1")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--sync", action="store_true", help="also time two syncs per renderer")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="mkdocs-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    unpacked = fetch(args.version, work / "sdist")
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir()
    prepare(unpacked, site)
    shutil.copytree(unpacked / "tools", site / "tools")
    config = site / "mkdocs.yml"
    config.write_text(NOT_IN_SDIST.sub("", config.read_text()))
    docs_dir = re.search(r'content_dir = "([^"]+)"', (site / "pyproject.toml").read_text())
    assert docs_dir is not None
    env = {**os.environ, "PYTHONPATH": str(site), "DISABLE_MKDOCS_2_WARNING": "true"}
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(command, cwd=site, check=True)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run([*git, "commit", "-qm", "site"], cwd=site, check=True)
    built = work / "built"
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(built)]
    print(f"mkdocs build: {timed(mkdocs, site, env):.1f} s")
    tool = [sys.executable, "-m", "confluence_sync", "render", "--out"]
    for renderer in ("markdown", "mkdocs"):
        table = (site / "pyproject.toml").read_text().split("renderer")[0].rstrip("\n")
        (site / "pyproject.toml").write_text(f'{table}\nrenderer = "{renderer}"\n')
        shutil.rmtree(site / ".confluence-sync", ignore_errors=True)
        out = work / f"out-{renderer}"
        cold = timed([*tool, str(out)], site, env)
        warm = timed([*tool, str(out)], site, env)
        print(f"render, renderer = {renderer}: cold {cold:.1f} s, warm (cache) {warm:.1f} s")
        if args.sync:
            print(f"  {two_syncs(site, env, work / f'wiki-{renderer}')}")
    compare(site, docs_dir.group(1), built, work / "out-mkdocs")


if __name__ == "__main__":
    main()
