"""Opt-in smoke test on a real MkDocs site: the documentation that ships in the
pymdown-extensions source distribution (about 55 pages, Material theme, heavy extension use).

Downloads the sdist with pip into a temporary folder (nothing is kept or vendored), sets the
site up the way a migrating team would (``content_dir`` = the ``docs_dir``, ``mkdocs`` =
``mkdocs.yml``), runs ``confluence-sync check``, and with ``--sync`` publishes it to an embedded
local wiki. Prints the problems by kind and the exit codes.

    python benchmarks/mkdocs_smoke.py [--version 10.16.1] [--sync] [--keep DIR]
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PYPROJECT = '[tool.confluence-sync]\ncontent_dir = "{docs}"\nmkdocs = "mkdocs.yml"\n'
# The sdist leaves out this image, which the Caption page shows; a stand-in keeps the smoke test
# about our tool rather than about the archive's contents.
MISSING_IN_SDIST = ("images/placeholder.jpeg", b"\xff\xd8\xff\xe0" + bytes(16))
ROOT_FILES = ("LICENSE.md", "SECURITY.md")


def fetch(version: str, into: Path) -> Path:
    """Download and unpack the sdist; returns the unpacked folder."""
    pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
    subprocess.run([*pip, f"pymdown-extensions=={version}", "-d", str(into)], check=True)
    archive = next(into.glob("pymdown_extensions-*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return next(p for p in into.iterdir() if p.is_dir())


def prepare(unpacked: Path, site: Path) -> None:
    """Copy the MkDocs site and add the configuration a user would add."""
    shutil.copy(unpacked / "mkdocs.yml", site / "mkdocs.yml")
    shutil.copytree(unpacked / "docs", site / "docs")
    for name in ROOT_FILES:  # the repository files mkdocs.yml's snippets base_path names
        if (unpacked / name).is_file():
            shutil.copy(unpacked / name, site / name)
        else:
            print(f"note: {name} is not in the sdist; a stand-in is written for its snippet")
            (site / name).write_text(f"# {name}\n\n(not in the source distribution)\n")
    docs = re.search(r"^docs_dir:\s*(\S+)", (site / "mkdocs.yml").read_text(), re.MULTILINE)
    docs_dir = docs.group(1) if docs else "docs"
    (site / "pyproject.toml").write_text(PYPROJECT.format(docs=docs_dir), encoding="utf-8")
    missing = site / docs_dir / MISSING_IN_SDIST[0]
    if not missing.exists():
        missing.parent.mkdir(parents=True, exist_ok=True)
        missing.write_bytes(MISSING_IN_SDIST[1])


QUOTED = re.compile(r"['\"].*")  # group messages by their text before any quoted name


def run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "confluence_sync", *args]
    return subprocess.run(command, cwd=site, capture_output=True, text=True, check=False)


def summarise(stdout: str) -> None:
    kinds: collections.Counter[str] = collections.Counter()
    for line in stdout.splitlines():
        match = re.match(r"^.*?: (error|warning): (.*)$", line)
        if match:
            message = QUOTED.sub("…", match.group(2))[:70]
            kinds[f"{match.group(1)}: {message}"] += 1
    for kind, count in kinds.most_common():
        print(f"{count:5d}  {kind}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="10.16.1")
    parser.add_argument("--sync", action="store_true", help="also publish to a local wiki")
    parser.add_argument("--keep", type=Path, help="build the site here and keep it")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = options.keep or Path(tmp) / "site"
        site.mkdir(parents=True, exist_ok=True)
        prepare(fetch(options.version, Path(tmp)), site)
        check = run(site, "check")
        summarise(check.stdout)
        print(f"check: exit {check.returncode}; {check.stderr.strip()}")
        if options.sync and check.returncode == 0:
            sync = run(site, "sync", "--local")
            print(f"sync: exit {sync.returncode}; {sync.stdout.strip().splitlines()[-1:]}")
            return sync.returncode
        return check.returncode


if __name__ == "__main__":
    raise SystemExit(main())
