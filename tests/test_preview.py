"""``preview``: a save shows in the served page, a broken file shows its problem on its page and
recovers, incidents and the index appear, and nothing reaches ``CONFLUENCE_URL``."""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from preview_helpers import (
    REPO,
    copy_guide,
    page_text,
    preview_process,
    preview_thread,
    tree_link,
    wait_for,
)
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from confluence_sync.localwiki import LocalWiki
from confluence_sync.localwiki.app import WikiApp
from confluence_sync.localwiki.live import Build, LiveReload, LiveState, Notice

GUIDE_PAGE = "content/blameless-culture.md"
TEMPLATE_TITLE = "Template YYYY-MM-DD Incident Title"


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    return copy_guide(tmp_path / "repo")


def test_a_saved_edit_shows_in_the_served_page_and_latest_points_at_it(guide: Path) -> None:
    with preview_thread(guide) as preview:
        home = preview.latest_url()
        assert "Postmortem Guide" in page_text(home)
        page = guide / GUIDE_PAGE
        page.write_text(page.read_text() + "\nA sentence written during the preview.\n")
        wait_for(lambda: "Blameless" in preview.latest_url(), "latest: the saved file's page")
        url = preview.latest_url()
        wait_for(lambda: "written during the preview" in page_text(url), "the edit")
        written = [preview.builds.get(timeout=5).written]
        while not preview.builds.empty():
            written.append(preview.builds.get().written)
        assert sum(written) == 1, written  # only the edited page went to the wiki again
        served = page_text(url)
        assert 'new EventSource("/preview/events")' in served  # the reload script, inline
        assert "<script src" not in served


def test_broken_front_matter_shows_on_its_page_and_the_fix_brings_it_back(guide: Path) -> None:
    page = guide / GUIDE_PAGE
    good = page.read_text()
    with preview_thread(guide) as preview:
        page.write_text(good + "\nFirst edit.\n")
        wait_for(lambda: "Blameless" in preview.latest_url(), "latest")
        url = preview.latest_url()
        page.write_text("---\ntitle: [unclosed\n---\n" + good.split("---", 2)[2])
        wait_for(lambda: 'id="preview-problems"' in page_text(url), "the problem")
        shown = page_text(url)
        assert re.search(rf"{GUIDE_PAGE}:[23]: invalid front matter", shown), shown[-900:]
        assert "First edit." not in shown  # not the stale page
        assert "Blameless Culture" in shown  # still in the wiki's layout, with its tree
        other = page_text(preview.address.home)
        assert 'id="preview-problems"' not in other  # other pages stay on the last good build
        page.write_text(good + "\nFixed.\n")
        wait_for(lambda: "Fixed." in page_text(url), "the page back")
        assert 'id="preview-problems"' not in page_text(url)


def test_a_new_page_appears_and_leaves_with_its_file(guide: Path) -> None:
    new = guide / "content" / "on-call.md"
    with preview_thread(guide) as preview:
        new.write_text("# On-call notes\n\nWritten during the preview.\n")
        wait_for(lambda: ">On-call notes</a>" in page_text(preview.address.home), "new page")
        wait_for(lambda: preview.latest_url().endswith("/On-call+notes"), "latest: the new page")
        new.unlink()
        wait_for(lambda: ">On-call notes</a>" not in page_text(preview.address.home), "gone")
        top = "/Postmortem+Guide"
        wait_for(lambda: preview.latest_url().endswith(top), "latest back on the top page")


def test_a_saved_image_is_uploaded_again(guide: Path) -> None:
    image = guide / "content" / "images" / "header.svg"
    with preview_thread(guide) as preview:
        top = page_text(preview.latest_url())
        src = re.search(r'src="([^"]*header\.svg[^"]*)"', top)
        assert src is not None
        image.write_text(image.read_text().replace("</svg>", "<!-- saved again --></svg>"))
        summary = preview.builds.get(timeout=15)
        assert summary.written == 1 and not summary.problems
        served = requests.get(preview.origin + src.group(1).replace("&amp;", "&"), timeout=5)
        assert "<!-- saved again -->" in served.text


def test_a_template_problem_shows_on_the_template_page(guide: Path) -> None:
    template = guide / "content" / "template" / "postmortem.yaml"
    with preview_thread(guide) as preview:
        url = preview.origin + tree_link(page_text(preview.address.home), TEMPLATE_TITLE)
        template.write_text(template.read_text() + "\nno_such_key: 1\n")
        wait_for(lambda: 'id="preview-problems"' in page_text(url), "the template's problem")
        assert "content/template/postmortem.yaml" in page_text(url)


def test_a_problem_in_a_new_file_is_shown_above_every_page(guide: Path) -> None:
    with preview_thread(guide) as preview:
        (guide / "content" / "draft.md").write_text("# Draft\n\nSee [nowhere](missing.md).\n")
        wait_for(lambda: 'id="preview-banner"' in page_text(preview.address.home), "banner")
        assert "content/draft.md:3: " in page_text(preview.address.home)


def test_incident_pages_and_the_postmortems_index_appear(guide: Path) -> None:
    with preview_thread(guide) as preview:
        home = page_text(preview.address.home)
        assert "2026-11-20 Checkout API outage" in home  # in the page tree
        assert "Template YYYY-MM-DD Incident Title" in home
        link = tree_link(home, "Postmortems")
        assert "Checkout API outage" in page_text(preview.origin + link)


def test_the_view_is_the_wiki_serve_renderer_plus_the_inline_script(tmp_path: Path) -> None:
    apps: list[WikiApp] = []
    live = LiveState()

    def wrap(app: WikiApp) -> LiveReload:
        apps.append(app)
        return LiveReload(app, live)

    with LocalWiki(tmp_path / "w", middleware=wrap) as wiki:
        wrapped = requests.get(wiki.base_url + "/spaces/DEV", timeout=5)
        plain = apps[0].respond(_request("/wiki/spaces/DEV", wiki.base_url))
        script = wrapped.text[wrapped.text.index("<script>") : wrapped.text.index("</script>") + 9]
        assert wrapped.text.replace(script, "") == plain.get_data(as_text=True)


def _request(path: str, base: str) -> Request:
    host = base.split("//", 1)[1].split("/", 1)[0]
    return Request(EnvironBuilder(path=path, headers={"Host": host}).get_environ())


def test_events_carry_each_build_and_the_latest_page(tmp_path: Path) -> None:
    live = LiveState()
    with LocalWiki(tmp_path / "w", middleware=lambda app: LiveReload(app, live)) as wiki:
        origin = wiki.base_url.rsplit("/wiki", 1)[0]
        with requests.get(origin + "/preview/events", stream=True, timeout=5) as stream:
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            lines = stream.iter_lines(decode_unicode=True)
            assert _next_data(lines)["generation"] == 0
            notice = Notice("content/x.md", "broken", 3)
            live.publish(Build(1, {}, (notice,), "/wiki/spaces/DEV/pages/1/X"))
            event = _next_data(lines)
            assert event == {"generation": 1, "latest": "/wiki/spaces/DEV/pages/1/X", "ok": False}
        live.close()


def _next_data(lines: Iterator[str]) -> dict[str, object]:
    for line in lines:
        if line.startswith("data: "):
            loaded: dict[str, object] = json.loads(line[6:])
            return loaded
    raise AssertionError("the stream ended")


def test_preview_routes_refuse_a_foreign_host_name(tmp_path: Path) -> None:
    live = LiveState()
    with LocalWiki(tmp_path / "w", middleware=lambda app: LiveReload(app, live)) as wiki:
        origin = wiki.base_url.rsplit("/wiki", 1)[0]
        answer = requests.get(
            origin + "/preview/latest", headers={"Host": "attacker.example"}, timeout=5
        )
        assert answer.status_code == 421
        live.close()


class _Recorder:
    """A TCP port that counts the connections made to it (and answers none)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


def test_the_command_serves_the_guide_and_never_contacts_confluence_url(
    guide: Path, tmp_path: Path
) -> None:
    recorder = _Recorder()
    opened = tmp_path / "opened.txt"
    browser = f"{sys.executable} -c \"import sys; open({str(opened)!r}, 'w').write(sys.argv[1])\""
    env = {
        "CONFLUENCE_URL": f"http://127.0.0.1:{recorder.port}/wiki",
        "CONFLUENCE_USER": "someone@example.com",
        "CONFLUENCE_TOKEN": "a-secret-token-value",
        "CI": "true",  # the embedded-wiki refusal of sync does not apply: nothing is published
        "BROWSER": browser + " %s",  # what webbrowser runs for --open
    }
    try:
        with preview_process(guide, env, "--open") as (latest, lines):
            assert "nothing is sent to CONFLUENCE_URL" in lines[0]
            # the stub creates the file before it writes the address: wait for the address
            wait_for(lambda: opened.is_file() and opened.read_text() != "", "--open's browser")
            assert opened.read_text() == latest  # on the page saved last (the top page)
            page = guide / "content" / "index.md"
            page.write_text(page.read_text() + "\nSaved while previewing.\n")

            def shows_edit() -> bool:
                return "Saved while previewing." in page_text(latest)

            wait_for(shows_edit, "the edit through /preview/latest")
        assert not any("a-secret-token-value" in line for line in lines)
    finally:
        recorder.close()
    assert recorder.connections == 0


def test_ci_installs_chromium_when_missing_and_keeps_the_screenshots() -> None:
    ci_run = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "command -v chromium" in ci_run and "apt-get install -y -q chromium" in ci_run
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "tests.yml").read_text())
    steps = workflow["jobs"]["pytest"]["steps"]
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "tests-artifacts/" and upload["if"] == "always()"
