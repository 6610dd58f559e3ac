"""``links = "warn"``: a migrating site publishes with its broken links and anchors reported as
warnings (file and line) and shown as their text, instead of the whole site being refused."""

from __future__ import annotations

from pathlib import Path

from atlassian import Confluence
from click.testing import CliRunner, Result

from confluence_sync.cli import cli
from confluence_sync.localwiki import LocalWiki

BROKEN = (
    "# The meeting\n\n"
    "See [the agenda](#agenda), [old page](gone.md) and [writing](writing.md#no-such).\n\n"
    "![diagram](../images/missing.png)\n"
)


def _run(args: list[str], wiki: LocalWiki) -> Result:
    env = {
        "CONFLUENCE_URL": wiki.base_url,
        "CONFLUENCE_USER": "admin",
        "CONFLUENCE_TOKEN": "admin",
        "CONFLUENCE_API": "v1",
        "CONFLUENCE_RETRY_MAX_WAIT": "0",
        "CI": "",
    }
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def test_by_default_a_broken_anchor_refuses_the_site(project: Path, local_wiki: LocalWiki) -> None:
    (project / "content" / "guides" / "meeting.md").write_text(BROKEN)
    result = _run(["sync"], local_wiki)
    assert result.exit_code == 2
    assert "content/guides/meeting.md:3: error: no heading #agenda on this page" in result.stderr
    assert local_wiki.requests == []


def test_links_warn_publishes_broken_links_as_text_with_warnings(
    project: Path, local_wiki: LocalWiki
) -> None:
    (project / "content" / "guides" / "meeting.md").write_text(BROKEN)
    config = project / "pyproject.toml"
    config.write_text(config.read_text() + 'links = "warn"\n')
    checked = _run(["check"], local_wiki)
    assert checked.exit_code == 0, checked.output
    where = "content/guides/meeting.md"
    for line, message in (
        (3, "no heading #agenda on this page"),
        (3, "link to missing page gone.md"),
        (3, "no heading #no-such in writing.md"),
        (5, "file not found: ../images/missing.png"),
    ):
        assert f"{where}:{line}: warning: {message}; published as text" in checked.stdout
    result = _run(["sync"], local_wiki)
    assert result.exit_code == 0, result.output
    client = Confluence(local_wiki.base_url, username="admin", password="admin", cloud=False)
    found = client.get_page_by_title("DEV", "The meeting", expand="body.storage")
    body = found["results"][0]["body"]["storage"]["value"]  # this call returns the result list
    assert "the agenda" in body and "old page" in body and "writing" in body
    assert "<ac:link" not in body and "<a " not in body


def test_links_warn_still_refuses_a_path_leaving_the_repository(
    project: Path, local_wiki: LocalWiki
) -> None:
    (project / "content" / "guides" / "meeting.md").write_text(
        "# M\n\n![x](../../../../etc/x.png)\n"
    )
    config = project / "pyproject.toml"
    config.write_text(config.read_text() + 'links = "warn"\n')
    result = _run(["sync"], local_wiki)
    assert result.exit_code == 2
    assert "leaves the repository" in result.stderr
