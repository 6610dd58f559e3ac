"""`check` refuses what Confluence would reject, and hostile input stays contained (issue 12):
titles, labels, nav loops and repeats, symlinks, files that are not what they claim, size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from confluence_sync.cli import cli
from confluence_sync.config import load_settings
from confluence_sync.errors import InputError
from confluence_sync.localwiki import LocalWiki
from confluence_sync.source import build_site

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def site(root: Path, files: dict[str, str | bytes], table: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(f"[tool.confluence-sync]\n{table}", encoding="utf-8")
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def check(root: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(root)
    return CliRunner().invoke(cli, ["check"])


def problems_of(root: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        build_site(load_settings(cwd=root, env={}), env={})
    return [p.display() for p in caught.value.problems]


# 1. titles ---------------------------------------------------------------------------------------
def test_title_longer_than_255_characters_is_an_error_at_its_line(tmp_path: Path) -> None:
    site(tmp_path, {"content/index.md": "# Home\n", "content/long.md": "\n# " + "x" * 300 + "\n"})
    found = problems_of(tmp_path)
    assert any(
        line.startswith("content/long.md:2: error: title is 300 characters; Confluence allows at")
        for line in found
    ), found


def test_render_writes_a_page_whose_title_is_255_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = "Incident review " + "y" * 239
    site(tmp_path, {"content/index.md": "# Home\n", "content/long.md": f"# {title}\nBody.\n"})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "--out", "out"])
    assert result.exit_code == 0, result.output
    index = json.loads((tmp_path / "out" / "pages.json").read_text())
    entry = next(e for e in index if e["title"] == title)
    assert len(entry["file"]) < 100 and (tmp_path / "out" / entry["file"]).is_file()


def test_control_character_in_a_title_is_an_error(tmp_path: Path) -> None:
    site(tmp_path, {"content/index.md": '---\ntitle: "Bad\\x01title"\n---\nText.\n'})
    assert problems_of(tmp_path) == [
        "content/index.md:2: error: title contains the control character U+0001: 'Bad\\x01title'"
    ]


def test_a_byte_order_mark_does_not_hide_the_first_heading(tmp_path: Path) -> None:
    site(tmp_path, {"content/notes.md": b"\xef\xbb\xbf# Real title\n\nBody.\n"})
    pages = build_site(load_settings(cwd=tmp_path, env={}), env={}).pages
    assert [p.title for p in pages] == ["Real title"]
    assert "Real title" not in pages[0].body


# 2. labels ---------------------------------------------------------------------------------------
def test_labels_confluence_refuses_are_errors_at_the_labels_line(tmp_path: Path) -> None:
    meta = '---\ntitle: Home\nlabels: ["two words", "x(y)", ""]\n---\nText.\n'
    site(tmp_path, {"content/index.md": meta})
    assert problems_of(tmp_path) == [
        "content/index.md:3: error: front matter: labels: label 'two words' contains whitespace; "
        "Confluence labels are single words (use -)",
        "content/index.md:3: error: front matter: labels: label 'x(y)' contains ( ), "
        "which Confluence does not allow",
        "content/index.md:3: error: front matter: labels: label is empty",
    ]


def test_labels_are_lowercased_and_tags_become_labels(tmp_path: Path) -> None:
    meta = "---\ntitle: Home\nlabels: [Guide]\ntags: [SRE, guide]\n---\nText.\n"
    site(tmp_path, {"content/index.md": meta}, table='labels = ["Postmortem"]\n')
    (page,) = build_site(load_settings(cwd=tmp_path, env={}), env={}).pages
    assert page.labels == ("postmortem", "guide", "sre")


def test_configured_labels_follow_the_same_rules(tmp_path: Path) -> None:
    site(tmp_path, {"content/index.md": "# Home\n"}, table='labels = ["a:b"]\n')
    assert problems_of(tmp_path) == [
        "pyproject.toml: error: [tool.confluence-sync] labels: label 'a:b' contains :, "
        "which Confluence does not allow"
    ]


# 3. nav ------------------------------------------------------------------------------------------
def test_a_nav_that_refers_to_itself_is_an_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nav = "nav: &loop\n  - Home: index.md\n  - Again: *loop\n"
    site(tmp_path, {"content/index.md": "# Home\n", "mkdocs.yml": nav})
    result = check(tmp_path, monkeypatch)
    assert result.exit_code == 2, result.output
    assert "mkdocs.yml: error: nav[1]: the nav refers to itself" in result.stdout
    assert "RecursionError" not in result.output


def test_the_same_file_twice_in_the_nav_names_both_entries(tmp_path: Path) -> None:
    nav = "nav:\n  - Home: index.md\n  - A: a.md\n  - Also A: a.md\n"
    site(tmp_path, {"content/index.md": "# Home\n", "content/a.md": "# A\n", "mkdocs.yml": nav})
    assert problems_of(tmp_path) == [
        "mkdocs.yml: error: nav[2]: a.md is already listed at nav[1]; a page can appear only once"
    ]


# 4. symlinks -------------------------------------------------------------------------------------
def test_a_page_symlinked_to_a_file_outside_the_repository_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere" / "secret.md"
    secret.parent.mkdir()
    secret.write_text("# Secret\nPrivate.\n", encoding="utf-8")
    repo = site(tmp_path / "repo", {"content/index.md": "# Home\n"})
    (repo / "content" / "leak.md").symlink_to(secret)
    assert problems_of(repo) == [
        "content/leak.md: error: a symlink to a file outside the repository; it is not published"
    ]


def test_a_symlinked_page_inside_the_repository_keeps_its_own_relative_key(
    tmp_path: Path,
) -> None:
    site(tmp_path, {"content/index.md": "# Home\n", "elsewhere/faq.md": "# FAQ\nAnswers.\n"})
    (tmp_path / "content" / "faq.md").symlink_to(tmp_path / "elsewhere" / "faq.md")
    keys = [p.key for p in build_site(load_settings(cwd=tmp_path, env={}), env={}).pages]
    assert keys == ["content/index.md", "content/faq.md"]


# 5. files that are not what they claim -----------------------------------------------------------
def test_unclosed_front_matter_is_an_error_at_line_1(tmp_path: Path) -> None:
    site(tmp_path, {"content/index.md": "---\ntitle: Home\n\nBody that never ends.\n"})
    assert problems_of(tmp_path) == [
        "content/index.md:1: error: front matter opened here is never closed "
        "(add a line with --- after it)"
    ]


def test_binary_and_non_utf8_markdown_files_are_errors(tmp_path: Path) -> None:
    site(
        tmp_path,
        {
            "content/index.md": "# Home\n",
            "content/nul.md": b"\x00" * 64,
            "content/latin1.md": "# Caf\xe9\nline two \xff\n".encode("latin-1"),
        },
    )
    assert problems_of(tmp_path) == [
        "content/latin1.md:1: error: not valid UTF-8 (byte 0xe9)",
        "content/nul.md: error: not a text file (it contains NUL bytes); is it really Markdown?",
    ]


@pytest.mark.parametrize(
    ("name", "data", "ok"),
    [
        ("logo.png", b"just some text\n", False),
        ("logo.png", PNG, True),
        ("photo.jpg", PNG, False),
        ("photo.jpeg", b"\xff\xd8\xff\xe0rest", True),
        ("anim.gif", b"GIF89a....", True),
        ("pic.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", True),
        ("pic.webp", b"RIFF\x10\x00\x00\x00WAVE", False),
        ("draw.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', True),
        ("draw.svg", b"<html>not svg</html>", False),
        ("old.bmp", b"BM\x00\x00", True),
        ("favicon.ico", b"\x00\x00\x01\x00\x01\x00", True),
        ("favicon.ico", b"<svg/>", False),
    ],
)
def test_an_image_must_be_of_its_extensions_type(
    tmp_path: Path, name: str, data: bytes, ok: bool
) -> None:
    page = f"# Home\n\n![pic](img/{name})\n"
    site(tmp_path, {"content/index.md": page, f"content/img/{name}": data})
    if ok:
        build_site(load_settings(cwd=tmp_path, env={}), env={})
        return
    (problem,) = problems_of(tmp_path)
    kind = name.rsplit(".", 1)[1].upper()
    assert problem.startswith("content/index.md:3: error:")
    assert f"img/{name}: the file is not a {kind} image" in problem


def test_an_empty_page_is_a_warning_and_check_still_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site(tmp_path, {"content/index.md": "# Home\n", "content/empty.md": ""})
    result = check(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "content/empty.md: warning: page is empty; it is published as an empty page\n"
    )
    assert "ok: 2 pages checked (1 warning)" in result.stderr


# 6. size -----------------------------------------------------------------------------------------
def test_a_page_above_one_megabyte_is_a_warning(tmp_path: Path) -> None:
    big = "# Big\n\n" + ("A line of a very long incident log. " * 40 + "\n\n") * 800
    site(tmp_path, {"content/index.md": big})
    built = build_site(load_settings(cwd=tmp_path, env={}), env={})
    assert [w.display() for w in built.warnings] == [
        "content/index.md: warning: page is 1.1 MB; Confluence pages that large load slowly"
    ]


# all at once -------------------------------------------------------------------------------------
EVERY_BAD_INPUT: dict[str, str | bytes] = {
    "content/index.md": "# Home\n\n![logo](logo.png)\n",
    "content/logo.png": b"not an image\n",
    "content/long.md": "# " + "t" * 256 + "\n",
    "content/control.md": '---\ntitle: "a\\x07b"\n---\n',
    "content/labels.md": '---\nlabels: ["two words"]\n---\n# Labels\n',
    "content/a.md": "# A\n",
    "content/unclosed.md": "---\ntitle: Open\n",
    "content/nul.md": b"\x00\x00",
    "content/empty.md": "",
    "content/typo.md": "---\ntitel: Typo\n---\n# Typo\n",
    "mkdocs.yml": "nav:\n  - Home: index.md\n  - A: a.md\n  - A again: a.md\n",
}


def test_check_prints_every_problem_in_one_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = site(tmp_path / "repo", EVERY_BAD_INPUT)
    outside = tmp_path / "outside.md"
    outside.write_text("# Outside\n", encoding="utf-8")
    (repo / "content" / "link.md").symlink_to(outside)
    result = check(repo, monkeypatch)
    assert result.exit_code == 2, result.output
    lines = result.stdout.splitlines()
    expected = [
        "content/control.md:2: error: title contains the control character U+0007",
        "content/empty.md: warning: page is empty",
        "content/index.md:3: error: logo.png: the file is not a PNG image",
        "content/labels.md:2: error: front matter: labels: label 'two words' contains whitespace",
        "content/link.md: error: a symlink to a file outside the repository",
        "content/long.md:1: error: title is 256 characters",
        "content/nul.md: error: not a text file",
        "content/typo.md:2: error: front matter: unknown key 'titel' (did you mean 'title'?)",
        "content/unclosed.md:1: error: front matter opened here is never closed",
        "mkdocs.yml: error: nav[2]: a.md is already listed at nav[1]",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert "RecursionError" not in result.output and "Traceback" not in result.output
    assert result.stderr.startswith("config: pyproject.toml\nError: 9 errors, ")
    assert "nothing was written" in result.stderr


def test_sync_of_a_site_with_bad_input_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_wiki: LocalWiki
) -> None:
    repo = site(tmp_path / "repo", EVERY_BAD_INPUT)
    monkeypatch.chdir(repo)
    env = {
        "CONFLUENCE_URL": local_wiki.base_url,
        "CONFLUENCE_USER": local_wiki.user,
        "CONFLUENCE_TOKEN": local_wiki.token,
    }
    result = CliRunner().invoke(cli, ["sync"], env=env)
    assert result.exit_code == 2, result.output
    assert "nothing was written" in result.output
    assert local_wiki.requests == []  # not one request reached the wiki


def test_template_and_managed_labels_follow_confluences_rules(tmp_path: Path) -> None:
    template = "template_page:\n  title: Blank postmortem\n  labels: [pm.template]\n"
    site(
        tmp_path,
        {"content/index.md": "# Home\n", "content/template/postmortem.yaml": template},
        table='managed_label = "synced?"\n',
    )
    assert problems_of(tmp_path) == [
        "content/template/postmortem.yaml: error: template_page.labels: label 'pm.template' "
        "contains ., which Confluence does not allow",
        "pyproject.toml: error: [tool.confluence-sync] managed_label: label 'synced?' contains ?, "
        "which Confluence does not allow",
    ]


def test_a_nav_repeating_a_section_through_aliases_stays_fast_and_is_an_error(
    tmp_path: Path,
) -> None:
    levels = ["nav:\n  - Home: index.md\n  - L0: &l0\n    - A: a.md\n"]
    for n in range(1, 40):  # each level lists the previous one twice: 2**40 entries if expanded
        levels.append(f"  - L{n}: &l{n}\n    - X: *l{n - 1}\n    - Y: *l{n - 1}\n")
    site(
        tmp_path,
        {"content/index.md": "# Home\n", "content/a.md": "# A\n", "mkdocs.yml": "".join(levels)},
    )
    found = problems_of(tmp_path)
    assert (
        "mkdocs.yml: error: nav[2][0]: the nav repeats an earlier section (a YAML alias)" in found
    )
    repeats = [line for line in found if "repeats an earlier section" in line]
    assert len(repeats) == 2 * 39  # once per repeated reference, never per expanded entry
