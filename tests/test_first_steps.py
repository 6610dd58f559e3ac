"""The small things a new user trips over: running from a subfolder, links that outlive the
embedded wiki, dates and timestamps, help examples that work here, title clashes explained."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from publish_helpers import write_project

from confluence_sync.cli import cli

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CI", "GITHUB_SHA", "CONFLUENCE_SPACE", "CONFLUENCE_USER", "CONFLUENCE_URL"):
        monkeypatch.delenv(name, raising=False)
    return write_project(tmp_path / "repo")


def test_run_from_a_subfolder_finds_the_project_and_says_which_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / "content" / "guides")
    checked = CliRunner().invoke(cli, ["check"])
    assert checked.exit_code == 0, checked.output
    assert checked.stderr.startswith("config: ../../pyproject.toml\n")
    synced = CliRunner().invoke(cli, ["sync", "--local"])
    assert synced.exit_code == 0, synced.output
    assert "config ../../pyproject.toml" in synced.output.splitlines()[0]


def test_no_project_anywhere_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 2
    assert "no pyproject.toml with [tool.confluence-sync] here or above" in result.stderr
    assert "content directory not found" in result.output


def test_embedded_wiki_reports_wiki_serve_links_not_dead_urls(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["sync", "--local", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["target"]["url"] is None  # the command's own server is gone
    urls = [a["url"] for a in document["actions"]]
    assert urls and all(u.startswith("http://127.0.0.1:8090/wiki/spaces/DEV/pages/") for u in urls)
    summary = CliRunner().invoke(cli, ["github", "summary", "-"], input=result.stdout)
    assert "127.0.0.1" not in summary.output and "](/spaces" not in summary.output


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "2026-02-30 does not exist"),
        ("2026-2-3", "'2026-2-3' is not a date in the form YYYY-MM-DD"),
    ],
)
def test_incident_dates_that_do_not_exist_are_named(
    project: Path, monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    monkeypatch.chdir(project)
    args = ["incident", "new", "--title", "X", "--owner", "A", "--date", value, "--local"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and message in result.output


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("started_at: 1700000000", "started_at: must be an ISO 8601 date and time"),
        ("started_at: 2026-10-01T09:00:00Z", "is not on the incident's date 2026-11-27"),
    ],
)
def test_incident_timestamps_must_be_iso_and_near_the_incident_date(
    tmp_path: Path, line: str, message: str
) -> None:
    example = (REPO / "content" / "incidents" / "example.yaml").read_text()
    text = re.sub(r"(?m)^started_at:.*$", line, example)
    text = re.sub(r"(?m)^date:.*$", "date: 2026-11-27", text)
    for name in ("detected_at", "acknowledged_at", "mitigated_at", "resolved_at"):
        text = re.sub(rf"(?m)^{name}:.*\n", "", text)
    path = tmp_path / "incident.yaml"
    path.write_text(text)
    result = CliRunner().invoke(cli, ["incident", "validate", str(path)])
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize("command", [["diff"], ["incident", "validate"]])
def test_help_examples_name_paths_that_exist_in_this_repository(command: list[str]) -> None:
    text = CliRunner().invoke(cli, [*command, "--help"]).output
    paths = re.findall(r"\b(content/[\w./-]+)", text)
    assert paths, text
    assert all((REPO / path).exists() for path in paths), paths


def test_titles_that_differ_only_in_case_are_explained(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "content" / "guides" / "other.md").write_text("# the MEETING\n\nDuplicate.\n")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 2
    assert "differs from 'The meeting'" in result.output and "only in case" in result.output


def test_incident_new_builds_the_index_page_exactly_as_the_site_does(tmp_path: Path) -> None:
    """incident new writes the Postmortems page without building the guide; sync then must
    find it unchanged, so both must lay it out the same (title, parent, labels, body)."""
    import datetime as dt

    from confluence_sync.commands.desired import postmortems_page
    from confluence_sync.config import load_settings
    from confluence_sync.source import build_site
    from confluence_sync.source.site import POSTMORTEMS_KEY
    from confluence_sync.template import load_template

    root = tmp_path / "copy"
    shutil.copytree(REPO / "content", root / "content")
    (root / "pyproject.toml").write_text(
        '[tool.confluence-sync]\nspace = "DEV"\nlabels = ["Postmortem-Guide", "sre"]\n'
    )
    settings = load_settings(cwd=root, env={})
    site = build_site(settings)
    assert settings.template is not None
    today = dt.datetime.now(dt.timezone.utc).date()
    built = postmortems_page(settings, load_template(settings.template), [], today=today)
    assert built == site.page(POSTMORTEMS_KEY) and built.digest == site.page(POSTMORTEMS_KEY).digest
