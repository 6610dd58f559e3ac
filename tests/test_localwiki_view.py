"""The local wiki for people and across restarts: the HTML view, persistence, ``wiki serve``."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from atlassian import Confluence
from wiki_serve_helpers import start_serve

from confluence_sync.localwiki import LocalWiki

INCIDENT = """<h2>Summary</h2><ac:structured-macro ac:name="toc"/>
<ac:structured-macro ac:name="details"><ac:rich-text-body><table><tbody>
<tr><th>Status</th><td><ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">Resolved</ac:parameter></ac:structured-macro></td></tr>
<tr><th>Severity</th><td>{severity}</td></tr></tbody></table></ac:rich-text-body></ac:structured-macro>
<ac:structured-macro ac:name="warning"><ac:parameter ac:name="title">Blameless</ac:parameter><ac:rich-text-body><p>Focus on <b>systems</b></p></ac:rich-text-body></ac:structured-macro>
<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status><ac:task-body>Roll back</ac:task-body></ac:task>
<ac:task><ac:task-id>2</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>Add alert</ac:task-body></ac:task></ac:task-list>
<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[kubectl rollout undo deploy/api && echo "<done>"]]></ac:plain-text-body></ac:structured-macro>
<p>See <ac:link><ri:page ri:content-title="Postmortems" /><ac:plain-text-link-body><![CDATA[the index]]></ac:plain-text-link-body></ac:link> and <a href="javascript:alert(1)">this</a>.</p>
<ac:image ac:alt="timeline"><ri:attachment ri:filename="timeline.png" /></ac:image>"""

INDEX = """<ac:structured-macro ac:name="detailssummary"><ac:parameter ac:name="cql">label = "postmortem" and space = currentSpace()</ac:parameter><ac:parameter ac:name="headings">Severity,Status</ac:parameter><ac:parameter ac:name="firstcolumn">Incident</ac:parameter><ac:parameter ac:name="sortBy">Severity</ac:parameter></ac:structured-macro>"""


def _client(wiki: LocalWiki) -> Confluence:
    return Confluence(url=wiki.base_url, username="admin", password="admin", cloud=False)


def _incidents(wiki: LocalWiki) -> tuple[dict[str, Any], dict[str, Any]]:
    client = _client(wiki)
    index = client.create_page("DEV", "Postmortems", INDEX)
    made = []
    for title, severity in (
        ("2026-11-02 DNS outage", "SEV2"),
        ("2026-11-20 Checkout down", "SEV1"),
    ):
        page = client.create_page(
            "DEV", title, INCIDENT.format(severity=severity), parent_id=index["id"]
        )
        client.set_page_label(page["id"], "postmortem")
        made.append(page)
    requests.post(
        f"{wiki.base_url}/rest/api/content/{made[0]['id']}/child/attachment",
        auth=("admin", "admin"),
        headers={"X-Atlassian-Token": "no-check"},
        files={"file": ("timeline.png", b"\x89PNG-bytes", "image/png")},
    )
    return index, made[0]


@pytest.fixture(scope="module")
def incident_view(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalWiki, str]]:
    """A wiki holding the incident pages, and the HTML of the first incident's page view."""
    with LocalWiki(tmp_path_factory.mktemp("view")) as wiki:
        _, incident = _incidents(wiki)
        page = requests.get(wiki.base_url + incident["_links"]["webui"], timeout=5)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        yield wiki, page.text


@pytest.mark.parametrize(
    "shown",
    [
        '<div class="panel panel-warning"><div class="panel-title">Blameless</div>',
        '<span class="lozenge lozenge-green">RESOLVED</span>',
        '<li class="complete"><input type="checkbox" disabled checked>',
        '<li class="incomplete"><input type="checkbox" disabled>',
        'kubectl rollout undo deploy/api &amp;&amp; echo "&lt;done&gt;"',
        '/Postmortems">the index</a>',
        '<a href="#summary">Summary</a>',
        "<a>this</a>",
    ],
    ids=["panel", "status", "task-done", "task-open", "code", "page-link", "toc", "unsafe-link"],
)
def test_page_view_renders_storage_for_people(
    incident_view: tuple[LocalWiki, str], shown: str
) -> None:
    assert shown in incident_view[1]


@pytest.mark.parametrize("absent", ["<script", "javascript:", "<ac:", "<ri:"])
def test_page_view_carries_no_script_and_no_storage_markup(
    incident_view: tuple[LocalWiki, str], absent: str
) -> None:
    assert absent not in incident_view[1]


def test_page_view_images_load_from_the_attachment(incident_view: tuple[LocalWiki, str]) -> None:
    wiki, html = incident_view
    image = re.search(r'<img src="([^"]+)" alt="timeline">', html)
    assert image is not None
    origin = wiki.base_url.rsplit("/wiki", 1)[0]
    assert requests.get(origin + image.group(1).replace("&amp;", "&")).content == b"\x89PNG-bytes"


def test_space_view_shows_tree_and_properties_report(local_wiki: LocalWiki) -> None:
    index, _ = _incidents(local_wiki)
    unlabelled = INCIDENT.format(severity="SEV3")  # has details, but the report's CQL skips it
    _client(local_wiki).create_page("DEV", "Draft notes", unlabelled, parent_id=index["id"])
    space = requests.get(local_wiki.base_url + "/spaces/DEV")
    assert space.status_code == 200 and "DEV Home" in space.text  # redirected to the home page
    html = requests.get(local_wiki.base_url + index["_links"]["webui"]).text
    tree = html.split("<nav>", 1)[1].split("</nav>", 1)[0]
    assert tree.index("Postmortems") < tree.index("2026-11-02 DNS outage")
    table = html.split('<table class="report">', 1)[1].split("</table>", 1)[0]
    assert "<th>Incident</th><th>Severity</th><th>Status</th>" in table
    rows = re.findall(r"<tr><td><a [^>]*>([^<]+)</a></td><td>(SEV\d)</td>", table)
    assert rows == [("2026-11-20 Checkout down", "SEV1"), ("2026-11-02 DNS outage", "SEV2")]
    assert "RESOLVED" in table


def test_view_is_not_faulted_or_logged(local_wiki: LocalWiki) -> None:
    from confluence_sync.localwiki import Faults

    local_wiki.faults = Faults(rate_limit_every=1)
    local_wiki.clear_log()
    assert requests.get(local_wiki.base_url + "/spaces/DEV").status_code == 200
    assert local_wiki.requests == []


def test_pages_survive_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "wiki"
    with LocalWiki(data, mode="server") as first:
        page = _client(first).create_page("DEV", "Kept", "<p>still here</p>")
        _client(first).set_page_property(page["id"], {"key": "confluence-sync", "value": {"v": 1}})
        _client(first).set_page_label(page["id"], "postmortem")
    with LocalWiki(data, mode="server") as second:
        client = _client(second)
        got = client.get_page_by_id(page["id"], expand="body.storage,version")
        assert got["body"]["storage"]["value"] == "<p>still here</p>"
        assert client.get_page_property(page["id"], "confluence-sync")["value"] == {"v": 1}
        labels = client.get_page_labels(page["id"])["results"]
        assert [label["name"] for label in labels] == ["postmortem"]
        spaces = requests.get(f"{second.base_url}/rest/api/space", auth=("admin", "admin")).json()
        assert [s["key"] for s in spaces["results"]] == ["DEV"]  # not created twice
        assert client.create_page("DEV", "Fresh", "<p/>")["id"] != page["id"]


def test_wiki_serve_prints_how_to_connect_applies_faults_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    proc, url, lines, auth = start_serve(
        tmp_path, "--space", "OPS", "--rate-limit-every", "2", "--retry-after", "0"
    )
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/wiki")
        assert any(f"{url}/spaces/OPS" in line for line in lines)
        html = requests.get(url + "/spaces/OPS", timeout=5).text
        assert "OPS Home" in html
        space = url + "/rest/api/space/OPS"
        answers = [requests.get(space, auth=auth, timeout=5) for _ in range(2)]
        assert [a.status_code for a in answers] == [200, 429]  # the fault flags reach the API
        assert answers[1].headers["Retry-After"] == "0"
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=10)
        assert "Stopped." in out
    finally:
        if proc.poll() is None:
            proc.kill()


def test_wiki_serve_fault_flags_for_bursts_errors_lost_write_answers_and_uploads(
    tmp_path: Path,
) -> None:
    proc, url, _, auth = start_serve(
        tmp_path,
        "--rate-limit-burst",
        "2",
        "--retry-after",
        "0",
        "--fail-after-write",
        "1",
        "--upload-error-status",
        "503",
    )
    try:
        space = url + "/rest/api/space/DEV"
        assert [requests.get(space, auth=auth, timeout=5).status_code for _ in range(3)] == [
            429,
            429,
            200,
        ]
        page = {
            "type": "page",
            "title": "Kept",
            "space": {"key": "DEV"},
            "body": {"storage": {"value": "<p>x</p>", "representation": "storage"}},
        }
        created = requests.post(url + "/rest/api/content", json=page, auth=auth, timeout=5)
        assert created.status_code == 500  # the write was committed, the answer lost
        found = requests.get(
            url + "/rest/api/content",
            auth=auth,
            timeout=5,
            params={"spaceKey": "DEV", "title": "Kept"},
        )
        assert found.json()["size"] == 1
        page_id = found.json()["results"][0]["id"]
        upload = requests.post(
            f"{url}/rest/api/content/{page_id}/child/attachment",
            auth=auth,
            timeout=5,
            headers={"X-Atlassian-Token": "nocheck"},
            files={"file": ("a.png", b"png", "image/png")},
        )
        assert upload.status_code == 503  # --upload-error-status reaches the uploads
    finally:
        proc.kill()
        proc.communicate(timeout=10)
    bad = subprocess.run(
        [sys.executable, "-m", "confluence_sync", "wiki", "serve", "--error-rate", "1.5"],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode == 2 and "--error-rate" in bad.stderr


def test_toc_lists_heading_text_without_anchor_parameters(local_wiki: LocalWiki) -> None:
    body = (
        '<ac:structured-macro ac:name="toc"/><h2><ac:structured-macro ac:name="anchor">'
        '<ac:parameter ac:name="">step-1</ac:parameter></ac:structured-macro>Step 1: Start</h2>'
        '<p><ac:link ac:anchor="step-1"><ac:plain-text-link-body><![CDATA[back]]>'
        "</ac:plain-text-link-body></ac:link></p>"
    )
    page = _client(local_wiki).create_page("DEV", "Anchors", body)
    html = requests.get(local_wiki.base_url + page["_links"]["webui"]).text
    assert '<a href="#step-1-start">Step 1: Start</a>' in html
    assert '<h2 id="step-1-start"><a id="step-1"></a>Step 1: Start</h2>' in html
    assert '<a href="#step-1">back</a>' in html
