"""`incident new` and the Postmortems index, end to end through atlassian-python-api to the local wiki."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from lxml import etree
from publish_helpers import ApiWiki, writes_to

from confluence_sync.cli import cli
from confluence_sync.convert.canonical import NAMESPACES
from confluence_sync.localwiki import LocalWiki

REPO = Path(__file__).resolve().parents[1]
AC = NAMESPACES["ac"]
PROPERTY_KEYS = [
    "Date",
    "Severity",
    "Status",
    "Owner",
    "Incident Commander",
    "Services",
    "Time to Detect",
    "Time to Acknowledge",
    "Time to Mitigate",
    "Time to Resolve",
    "Meeting Deadline",
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api_wiki: ApiWiki) -> Path:
    """This repository's guide and template in a scratch folder, targeting a fresh local wiki."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    monkeypatch.chdir(root)
    monkeypatch.setenv("CONFLUENCE_URL", api_wiki.base_url)
    monkeypatch.setenv("CONFLUENCE_USER", "admin")
    monkeypatch.setenv("CONFLUENCE_TOKEN", "admin")
    monkeypatch.setenv("CONFLUENCE_API", api_wiki.api)
    monkeypatch.delenv("CONFLUENCE_SPACE", raising=False)
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def page_by_title(wiki: LocalWiki, title: str) -> dict:
    response = requests.get(
        f"{wiki.base_url}/rest/api/content",
        params={
            "spaceKey": "DEV",
            "title": title,
            "expand": "ancestors,metadata.labels,body.storage,version",
        },
        auth=("admin", "admin"),
        timeout=10,
    )
    response.raise_for_status()
    results = response.json()["results"]
    assert len(results) == 1, f"{title}: {len(results)} pages"
    return results[0]


def labels_of(page: dict) -> set[str]:
    return {label["name"] for label in page["metadata"]["labels"]["results"]}


def _root(storage: str) -> etree._Element:
    wrapped = f'<root xmlns:ac="{AC}" xmlns:ri="{NAMESPACES["ri"]}">{storage}</root>'
    return etree.fromstring(wrapped.replace("&nbsp;", "&#160;").encode())


def _text(element: etree._Element) -> str:
    """A cell as a reader sees it: a ``status`` lozenge by its title, whitespace collapsed."""
    macro = element.find(f".//{{{AC}}}structured-macro")
    if macro is not None and macro.get(f"{{{AC}}}name") == "status":
        return "status:" + (macro.findtext(f"{{{AC}}}parameter[@{{{AC}}}name='title']") or "")
    return " ".join("".join(element.itertext()).split())


def details(storage: str) -> dict[str, str]:
    """Key → value of the stored page's page-properties (``details``) macro, in order."""
    (macro,) = [
        m
        for m in _root(storage).iter(f"{{{AC}}}structured-macro")
        if m.get(f"{{{AC}}}name") == "details"
    ]
    return {_text(tr[0]): _text(tr[1]) for tr in macro.iter("tr")}


def test_incident_new_creates_the_dated_page_under_postmortems(
    project: Path, api_wiki: ApiWiki
) -> None:
    args = [
        "incident",
        "new",
        "--title",
        "Checkout API outage",
        "--date",
        "2026-11-27",
        "--severity",
        "SEV-2",
        "--owner",
        "Alex Kim",
    ]
    code, out = run(*args)
    assert code == 0, out
    assert "created: 2026-11-27 Checkout API outage (under Postmortems)" in out
    page = page_by_title(api_wiki, "2026-11-27 Checkout API outage")
    url = out.split("url: ", 1)[1].strip()
    assert url.startswith(f"{api_wiki.base_url}/spaces/DEV/pages/{page['id']}/"), out
    assert "Checkout API outage" in requests.get(url, timeout=10).text  # the URL opens the page
    assert [a["title"] for a in page["ancestors"]] == ["DEV Home", "Postmortems"]
    assert labels_of(page) == {"postmortem", "sev-2", "2026"}
    props = details(page["body"]["storage"]["value"])
    assert list(props) == PROPERTY_KEYS
    assert (props["Date"], props["Severity"], props["Status"], props["Owner"]) == (
        "2026-11-27",
        "status:SEV-2",
        "status:Draft",
        "Alex Kim",
    )
    assert props["Meeting Deadline"] == "2026-12-04"  # one week, the default policy

    api_wiki.clear_log()
    code, out = run(*args[:-4], "--owner", "Alex Kim")
    assert code == 2, out
    assert "already exists" in out and "--update" in out
    assert not writes_to(api_wiki)


def test_incident_new_from_file_fills_details_labels_and_tickets(
    project: Path, api_wiki: ApiWiki
) -> None:
    code, out = run("incident", "new", "--from", "content/incidents/example.yaml")
    assert code == 0, out
    assert "created: 2026-11-20 Checkout API outage (under Postmortems)" in out
    page = page_by_title(api_wiki, "2026-11-20 Checkout API outage")
    assert f"/pages/{page['id']}" in out.split("url: ", 1)[1]
    assert labels_of(page) == {
        "postmortem",
        "sev-2",
        "2026",
        "checkout-api",
        "payments-gateway",
    }
    storage = page["body"]["storage"]["value"]
    assert details(storage) == {
        "Date": "2026-11-20",
        "Severity": "status:SEV-2",
        "Status": "status:In Review",
        "Owner": "Alex Kim",
        "Incident Commander": "Priya Raman",
        "Services": "checkout-api, payments-gateway",
        "Time to Detect": "7m",
        "Time to Acknowledge": "2m",
        "Time to Mitigate": "46m",
        "Time to Resolve": "2h 03m",
        "Meeting Deadline": "2026-11-27 (meeting 2026-11-24 15:00 UTC)",
    }
    actions = next(
        t for t in _root(storage).iter("table") if "Ticket" in [_text(c) for c in t.iter("th")]
    )
    jira = [
        m.findtext(f"{{{AC}}}parameter[@{{{AC}}}name='key']")
        for m in actions.iter(f"{{{AC}}}structured-macro")
        if m.get(f"{{{AC}}}name") == "jira"
    ]
    assert jira == ["OPS-4121", "OPS-4122", "OPS-4123"]


def _tasks(storage: str) -> list[tuple[str, str]]:
    """(status, text) of every native task on a stored page, in order."""
    return [
        (
            task.findtext(f"{{{AC}}}task-status") or "",
            " ".join("".join(task.find(f"{{{AC}}}task-body").itertext()).split()),
        )
        for task in _root(storage).iter(f"{{{AC}}}task")
    ]


def test_new_pages_carry_the_checklist_and_the_index_shows_its_progress(
    project: Path, api_wiki: ApiWiki
) -> None:
    """`incident new` puts the template's checklist on the page as open tasks; a reader ticks
    some in the wiki; the next `sync` shows done/total next to the status on the Postmortems page,
    while the guide's Checklist page stays a plain reference list."""
    from confluence_sync.template import load_template

    template = load_template(project / "content" / "template" / "postmortem.yaml")
    expected = [item for phase in template.checklist for item in phase.items]
    assert run("sync")[0] == 0
    args = ["incident", "new", "--title", "Disk full", "--date", "2026-11-27", "--owner", "Kai"]
    code, out = run(*args)
    assert code == 0, out
    page = page_by_title(api_wiki, "2026-11-27 Disk full")
    storage = page["body"]["storage"]["value"]
    tasks = _tasks(storage)
    assert [status for status, _ in tasks] == ["incomplete"] * len(expected)
    assert [text for _, text in tasks] == [
        " ".join(item.replace("**", "").replace("`", "").split()) for item in expected
    ]
    marker = "<ac:task-status>incomplete</ac:task-status>"
    ticked = storage.replace(marker, "<ac:task-status>complete</ac:task-status>", 5)
    api_wiki.edit_page(page["id"], ticked, by="kai")

    code, out = run("sync")
    assert code == 0, out
    index = page_by_title(api_wiki, "Postmortems")["body"]["storage"]["value"]
    progress = index[index.index("<h3>Progress</h3>") : index.index("<h2>Metrics</h2>")]
    assert f"<td>Draft</td><td>5/{len(expected)}</td>" in progress
    reference = page_by_title(api_wiki, "Checklist")["body"]["storage"]["value"]
    assert "<ac:task" not in reference, "the shared Checklist page is a reference, not tasks"
    assert "Name one owner" in reference
    blank = page_by_title(api_wiki, "Template YYYY-MM-DD Incident Title")["body"]["storage"]
    assert "<ac:task" not in blank["value"] and "Name one owner" in blank["value"]


def test_update_rewrites_only_our_unedited_page(project: Path, api_wiki: ApiWiki) -> None:
    args = (
        "incident",
        "new",
        "--title",
        "Queue backlog",
        "--date",
        "2026-11-02",
        "--owner",
        "Sam Lee",
    )
    assert run(*args)[0] == 0
    assert run(*args, "--severity", "SEV-1", "--update")[0] == 0
    page = page_by_title(api_wiki, "2026-11-02 Queue backlog")
    assert "SEV-1" in page["body"]["storage"]["value"]
    api_wiki.edit_page(page["id"], "<p>Rewritten by a person.</p>", by="jane.doe")
    code, out = run(*args, "--update")
    assert code == 1, out
    assert "edited in the wiki" in out
    assert (
        "Rewritten by a person."
        in page_by_title(api_wiki, "2026-11-02 Queue backlog")["body"]["storage"]["value"]
    )
    assert run(*args, "--update", "--force")[0] == 0


def test_update_replaces_the_labels_we_own_and_keeps_those_people_added(
    project: Path, api_wiki: ApiWiki
) -> None:
    args = ("incident", "new", "--title", "Queue backlog", "--date", "2026-11-02")
    assert run(*args, "--owner", "Sam Lee", "--severity", "SEV-2")[0] == 0
    page = page_by_title(api_wiki, "2026-11-02 Queue backlog")
    assert "sev-2" in labels_of(page)
    requests.post(
        f"{api_wiki.base_url}/rest/api/content/{page['id']}/label",
        json=[{"prefix": "global", "name": "customer-facing"}],
        auth=("admin", "admin"),
        timeout=10,
    ).raise_for_status()
    code, out = run(*args, "--owner", "Sam Lee", "--severity", "SEV-1", "--update")
    assert code == 0, out
    labels = labels_of(page_by_title(api_wiki, "2026-11-02 Queue backlog"))
    assert {"sev-1", "customer-facing", "postmortem"} <= labels and "sev-2" not in labels


def test_update_after_a_failed_stamp_write_finishes_instead_of_refusing(
    project: Path, api_wiki: ApiWiki
) -> None:
    from confluence_sync.localwiki import Faults

    args = ("incident", "new", "--title", "Queue backlog", "--date", "2026-11-02")
    assert run(*args, "--owner", "Sam Lee")[0] == 0
    api_wiki.faults = Faults(property_error_status=500)
    # a new severity changes the labels, which the stamp records: the property must be written
    code, out = run(*args, "--owner", "Ana Ruiz", "--severity", "SEV-1", "--update")
    assert code == 3, out
    api_wiki.faults = Faults()
    code, out = run(*args, "--owner", "Ana Ruiz", "--severity", "SEV-1", "--update")
    assert code == 0, out  # our own unstamped version is not someone's edit
    assert (
        "Ana Ruiz"
        in page_by_title(api_wiki, "2026-11-02 Queue backlog")["body"]["storage"]["value"]
    )


def test_update_refuses_a_page_someone_else_created(project: Path, api_wiki: ApiWiki) -> None:
    response = requests.post(
        f"{api_wiki.base_url}/rest/api/content",
        json={
            "type": "page",
            "title": "2026-11-02 Queue backlog",
            "space": {"key": "DEV"},
            "body": {"storage": {"value": "<p>Hand-made.</p>", "representation": "storage"}},
        },
        auth=("admin", "admin"),
        timeout=10,
    )
    response.raise_for_status()
    api_wiki.clear_log()
    code, out = run(
        "incident",
        "new",
        "--title",
        "Queue backlog",
        "--date",
        "2026-11-02",
        "--owner",
        "Sam Lee",
        "--update",
        "--force",
    )
    assert code == 2, out
    assert "'2026-11-02 Queue backlog' was not created by confluence-sync" in out
    assert not writes_to(api_wiki)


def test_invalid_incident_writes_nothing(project: Path, api_wiki: ApiWiki, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: Broken\ndate: 2026-11-27\nseverity: SEV-9\n", encoding="utf-8")
    api_wiki.clear_log()
    code, out = run("incident", "new", "--from", str(bad))
    assert code == 2, out
    assert "severity" in out and "owner" in out
    assert not writes_to(api_wiki)
    assert not api_wiki.requests  # validation happens before connecting


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--owner", "Kai"], "--title: required (or give --from FILE)"),
        (
            ["--title", "Disk full", "--owner", "Kai", "--severity", "sev2"],
            "--severity: unknown severity 'sev2'",
        ),
        (["--title", "Disk full"], "--owner: required"),
        (["--title", "Disk full", "--owner", "Kai", "--date", "27/11/2026"], "'--date'"),
    ],
)
def test_bad_flags_name_the_flag_and_touch_nothing(
    project: Path,
    api_wiki: ApiWiki,
    flags: list[str],
    needle: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")  # no user.name to default --owner to
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    api_wiki.clear_log()
    code, out = run("incident", "new", *flags)
    assert code == 2, out
    assert needle in out
    assert not api_wiki.requests  # refused before connecting


def test_url_on_the_embedded_wiki_points_at_wiki_serve(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedded wiki's port dies with the command: print the page's path and the command
    that opens it, not a URL that only works while some server happens to listen there."""
    for name in ("CONFLUENCE_URL", "CONFLUENCE_USER", "CONFLUENCE_TOKEN", "CI"):
        monkeypatch.delenv(name, raising=False)
    code, out = run(
        "incident",
        "new",
        "--title",
        "Disk full",
        "--owner",
        "Kai",
        "--date",
        "2026-11-27",
        "--local",
    )
    assert code == 0, out
    assert "created: 2026-11-27 Disk full (under Postmortems)" in out
    assert "page: http://127.0.0.1:8090/wiki/spaces/DEV/pages/" in out
    assert "(embedded wiki: opens while `confluence-sync wiki serve` runs)" in out


def test_dry_run_writes_nothing(project: Path, api_wiki: ApiWiki) -> None:
    api_wiki.clear_log()
    code, out = run("incident", "new", "--title", "Disk full", "--owner", "Kai", "--dry-run")
    assert code == 0, out
    assert "would create:" in out
    assert not writes_to(api_wiki)


def test_sync_keeps_the_index_and_template_page(project: Path, api_wiki: ApiWiki) -> None:
    assert run("sync")[0] == 0
    for title, date in (("Checkout API outage", "2026-11-20"), ("Search latency", "2026-10-03")):
        code, out = run("incident", "new", "--title", title, "--date", date, "--owner", "Alex Kim")
        assert code == 0, out
    template_page = page_by_title(api_wiki, "Template YYYY-MM-DD Incident Title")
    assert template_page["ancestors"][-1]["title"] == "Resources"
    assert "postmortem" not in labels_of(template_page)  # kept out of the index report
    assert details(template_page["body"]["storage"]["value"])["Date"] == "YYYY-MM-DD"
    code, out = run("sync")
    assert code == 0, out
    # incident new already brought the index up to date: sync has nothing to do, diff agrees
    assert "0 created, 0 updated, 12 unchanged, 0 conflicts" in out, out
    code, out = run("diff")
    assert code == 0 and "in sync" in out and "repo changed" not in out, out
    postmortems = page_by_title(api_wiki, "Postmortems")
    index = postmortems["body"]["storage"]["value"]
    assert (
        '<ac:parameter ac:name="cql">label = "postmortem" and space = "DEV"</ac:parameter>' in index
    )
    assert '<ac:parameter ac:name="sortBy">Date</ac:parameter>' in index
    assert "Computed by confluence-sync from 2 incident page(s)." in index
    view = requests.get(
        f"{api_wiki.base_url}/spaces/DEV/pages/{postmortems['id']}", timeout=10
    ).text
    report = view[view.index("Incidents</h2>") : view.index("Metrics</h2>")]
    newest, oldest = "2026-11-20 Checkout API outage", "2026-10-03 Search latency"
    assert "<table" in report and report.index(newest) < report.index(oldest)
    assert "Template YYYY-MM-DD Incident Title" not in report

    code, out = run("sync")
    assert code == 0 and "0 updated" in out, out
    again = page_by_title(api_wiki, "Template YYYY-MM-DD Incident Title")
    assert again["version"]["number"] == template_page["version"]["number"]
    assert again["body"]["storage"]["value"] == template_page["body"]["storage"]["value"]


def test_first_sync_lists_guide_pages_in_weight_order(project: Path, api_wiki: ApiWiki) -> None:
    """Confluence lists children in creation order; the guide's order is by weight, not title."""
    assert run("sync", "--jobs", "4")[0] == 0
    guide = page_by_title(api_wiki, "Postmortem Guide")
    response = requests.get(
        f"{api_wiki.base_url}/rest/api/content/{guide['id']}/child/page",
        params={"limit": 50},
        auth=("admin", "admin"),
        timeout=10,
    )
    titles = [page["title"] for page in response.json()["results"]]
    assert titles == [
        "What Is a Postmortem",
        "Blameless Culture",
        "How to Write a Postmortem",
        "The Postmortem Meeting",
        "Resources",
    ]


def test_owner_defaults_to_git_user_name(
    project: Path, api_wiki: ApiWiki, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "config", "user.name", "Riley Quinn"], cwd=project, check=True)
    code, out = run("incident", "new", "--title", "Disk full", "--date", "2026-11-27")
    assert code == 0, out
    page = page_by_title(api_wiki, "2026-11-27 Disk full")
    assert details(page["body"]["storage"]["value"])["Owner"] == "Riley Quinn"
    subprocess.run(["git", "config", "--unset", "user.name"], cwd=project, check=True)
    code, out = run("incident", "new", "--title", "Other", "--date", "2026-11-27")
    assert code == 2
    assert "--owner: required (pass --owner NAME, or set git's user.name)" in out
