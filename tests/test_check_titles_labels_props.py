"""Property: what ``check`` accepts as a title or label, the wiki accepts; what the wiki (or
Confluence's documented rules) refuses, ``check`` refused first. Titles and labels are arbitrary
Unicode with control characters and lengths around Confluence's 255-character limit; each
accepted one is published over HTTP through atlassian-python-api to the local wiki."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import requests
from atlassian import Confluence
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from confluence_sync.config import load_settings
from confluence_sync.errors import InputError
from confluence_sync.localwiki import LocalWiki
from confluence_sync.source import build_site
from confluence_sync.source.rules import confluence_accepts_label, confluence_accepts_title

SPECIAL = st.sampled_from(list(" \t\n\x00\x01\x07\x1f\x7f\x85\u00a0\u2028!#&()*,.:;<>?@[]^-_"))
CHARS = st.one_of(st.characters(codec="utf-8"), SPECIAL)
TEXT = st.one_of(
    st.text(CHARS, max_size=12),
    st.text(CHARS, min_size=250, max_size=260),
    st.integers(250, 260).map(lambda n: "t" * n),
)


def checked(title: str, label: str) -> tuple[str, tuple[str, ...]] | None:
    """Run the site check on one page with this title and label; the published title and labels,
    or None when check refuses them."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pyproject.toml").write_text("[tool.confluence-sync]\n", encoding="utf-8")
        (root / "content").mkdir()
        front = f"---\ntitle: {json.dumps(title)}\nlabels: [{json.dumps(label)}]\n---\nBody.\n"
        (root / "content" / "index.md").write_text(front, encoding="utf-8")
        try:
            site = build_site(load_settings(cwd=root, env={}), env={})
        except InputError:
            return None
        (page,) = site.pages
        return page.title, page.labels


def wiki_accepts(client: Confluence, title: str, labels: tuple[str, ...]) -> bool:
    """Create the page and its labels in the local wiki (then remove it, trash included, so the
    title is free again); False on a 4xx refusal."""
    try:
        page = client.create_page("DEV", title, "<p>Body.</p>", representation="storage")
    except requests.HTTPError as exc:
        return _refused(exc)
    try:
        for label in labels:
            client.set_page_label(page["id"], label)
    except requests.HTTPError as exc:
        return _refused(exc)
    finally:
        client.remove_page(page["id"])
        client.remove_page(page["id"], status="trashed")
    return True


def _refused(exc: requests.HTTPError) -> bool:
    status = exc.response.status_code if exc.response is not None else 0
    assert 400 <= status < 500, exc
    return False


def test_what_check_accepts_the_wiki_accepts_and_what_it_refuses_check_refused(
    tmp_path: Path,
) -> None:
    wiki = LocalWiki(tmp_path / "wiki")
    wiki.start()
    client = Confluence(wiki.base_url, username=wiki.user, password=wiki.token, cloud=False)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(title=TEXT, label=TEXT)
    @example(title="t" * 255, label="postmortem-guide")
    @example(title="t" * 256, label="ok")
    @example(title="Caf\u00e9 \u2014 r\u00e9sum\u00e9", label="\u00c9t\u00e9")
    def prop(title: str, label: str) -> None:
        result = checked(title, label)
        if not confluence_accepts_title(title.strip()) or not confluence_accepts_label(
            label.lower()
        ):
            assert result is None, (title, label)  # Confluence's documented rules: refused
        published_title = title.strip() if result is None else result[0]
        published_labels = (label.lower(),) if result is None else result[1]
        if not confluence_accepts_title(published_title):
            return  # the wiki would need a title to even try; check refused it already
        accepted = wiki_accepts(client, published_title, published_labels)
        if result is not None:
            published.append(published_title)
            assert accepted, (title, label)  # check accepts ⇒ the wiki accepts
        if not accepted:
            assert result is None, (title, label)  # the wiki refuses ⇒ check refused first

    published: list[str] = []
    try:
        prop()
        assert len(published) >= 5  # the property was tested on real publications
        assert "t" * 255 in published
    finally:
        client.close()
        wiki.stop()
