"""The preview in a real browser: headless Chromium, driven over its DevTools protocol, shows a
saved edit in the page it has open without anyone reloading it, and the problem of a broken
file in its place. Screenshots of a guide page, the template page and the Postmortems index go
to ``tests-artifacts/``, which CI keeps. Skipped when Chromium is not installed (``.ci/run``
installs Debian's package)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cdp_client import chromium_binary, chromium_tab
from preview_helpers import REPO, copy_guide, page_text, preview_thread, tree_link, wait_for

ARTIFACTS = REPO / "tests-artifacts"
CHROMIUM = chromium_binary()

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"
)


def test_an_open_page_shows_a_saved_edit_by_itself(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    guide = copy_guide(tmp_path / "repo")
    page = guide / "content" / "blameless-culture.md"
    good = page.read_text()
    with preview_thread(guide) as preview, chromium_tab(CHROMIUM) as tab:
        home = page_text(preview.address.home)
        url = preview.origin + tree_link(home, "Blameless Culture")
        tab.navigate(url)
        assert "Blameless Culture" in tab.text()
        tab.evaluate("window.openedByTheTest = true")  # gone once the page reloads itself

        page.write_text(good + "\nThis sentence was saved while the page was open.\n")
        wait_for(
            lambda: "saved while the page was open" in tab.text(),
            "the edit in the open page",
        )
        assert tab.evaluate("window.openedByTheTest") is None
        tab.screenshot(ARTIFACTS / "preview-guide-page.png")

        page.write_text("---\ntitle: [unclosed\n---\n" + good.split("---", 2)[2])
        wait_for(
            lambda: "invalid front matter" in tab.text(),
            "the problem in the open page",
        )
        tab.screenshot(ARTIFACTS / "preview-problem.png")
        page.write_text(good)
        wait_for(
            lambda: "This page did not build" not in tab.text(),
            "the page back",
        )

        for title, name in (
            ("Template YYYY-MM-DD Incident Title", "preview-template-page.png"),
            ("Postmortems", "preview-postmortems-index.png"),
        ):
            tab.navigate(preview.origin + tree_link(home, title))
            assert title in tab.text()
            tab.screenshot(ARTIFACTS / name)
        assert "Checkout API outage" in tab.text()
    for name in ("preview-guide-page", "preview-template-page", "preview-postmortems-index"):
        assert (ARTIFACTS / f"{name}.png").read_bytes().startswith(b"\x89PNG")
