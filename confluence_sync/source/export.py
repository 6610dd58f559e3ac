"""Write a converted site to disk (``render --out``), for review or for other tools."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path

from confluence_sync.source.site import Site

MAX_SLUG = 80  # file systems cap names at 255 bytes; long titles keep a readable prefix


def slugify(title: str) -> str:
    """A file-name-safe, readable slug: ``2026-11-27 Checkout API outage`` →
    ``2026-11-27-checkout-api-outage``. A long title is cut and given a short hash of the whole
    title, so two long titles with the same start still get different files."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-") or "page"
    if len(slug) <= MAX_SLUG:
        return slug
    digest = hashlib.sha256(title.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{slug[:MAX_SLUG].rstrip('-')}-{digest}"


def export_site(site: Site, out: Path) -> list[dict[str, object]]:
    """One ``<slug>.xml`` per page and a ``pages.json`` index; returns the index."""
    out.mkdir(parents=True, exist_ok=True)
    titles = {page.key: page.title for page in site.pages}
    index: list[dict[str, object]] = []
    used: set[str] = set()
    for page in site.pages:
        slug = base = slugify(page.title)
        counter = 2
        while slug in used:
            slug, counter = f"{base}-{counter}", counter + 1
        used.add(slug)
        (out / f"{slug}.xml").write_text(page.body + "\n", encoding="utf-8")
        index.append(
            {
                "title": page.title,
                "parent": titles.get(page.parent) if page.parent else None,
                "source": page.key,
                "file": f"{slug}.xml",
                "labels": list(page.labels),
                "attachments": [
                    {"filename": a.filename, "path": str(a.path), "sha256": a.sha256}
                    for a in page.attachments
                ],
            }
        )
    (out / "pages.json").write_text(
        json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return index
