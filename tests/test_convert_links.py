"""Site-aware conversion: links and images resolved through a LinkResolver over a real directory."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from confluence_sync.convert import PageTarget, convert_markdown, heading_anchors
from confluence_sync.errors import Problem

PNG_A = b"\x89PNG first image"
PNG_B = b"\x89PNG second image, different bytes"


@dataclass
class DirResolver:
    """Resolves relative to one page's directory inside a repository root, like the site model."""

    root: Path
    page_dir: Path
    pages: dict[Path, PageTarget] = field(default_factory=dict)

    def resolve_page(self, href: str) -> PageTarget | None:
        return self.pages.get((self.page_dir / href).resolve())

    def resolve_file(self, href: str) -> Path | str:
        path = (self.page_dir / href).resolve()
        if not path.is_relative_to(self.root.resolve()):
            return f"path leaves the repository: {href}"
        if not path.is_file():
            return f"file not found: {href}"
        return path


@pytest.fixture()
def repo(tmp_path: Path) -> DirResolver:
    content = tmp_path / "content"
    (content / "resources").mkdir(parents=True)
    (content / "images").mkdir()
    (content / "other" / "images").mkdir(parents=True)
    (content / "images" / "graph.png").write_bytes(PNG_A)
    (content / "other" / "images" / "graph.png").write_bytes(PNG_B)
    (content / "images" / "copy-of-graph.png").write_bytes(PNG_A)
    (content / "resources" / "review.pdf").write_bytes(b"%PDF-1.4")
    checklist = "# Checklist\n\n## Before the meeting\n\n## Before the meeting\n"
    (content / "resources" / "checklist.md").write_text(checklist)
    target = PageTarget("Postmortem checklist", heading_anchors(checklist))
    return DirResolver(tmp_path, content, {(content / "resources/checklist.md").resolve(): target})


def convert(text: str, resolver: DirResolver, **kwargs: object) -> tuple[str, tuple[Problem, ...]]:
    doc = convert_markdown(text, source="content/guide.md", resolver=resolver, **kwargs)  # type: ignore[arg-type]
    return doc.xhtml, doc.problems


def test_page_link_uses_the_resolved_title(repo: DirResolver) -> None:
    xhtml, problems = convert("[list](resources/checklist.md)", repo)
    assert '<ri:page ri:content-title="Postmortem checklist"/>' in xhtml
    assert problems == ()


def test_page_link_fragment_becomes_the_heading_anchor(repo: DirResolver) -> None:
    xhtml, problems = convert("[prep](resources/checklist.md#before-the-meeting-1)", repo)
    assert '<ac:link ac:anchor="before-the-meeting-1">' in xhtml
    assert problems == ()


def test_page_link_fragment_matches_heading_text_case_insensitively(repo: DirResolver) -> None:
    xhtml, problems = convert("[prep](resources/checklist.md#Before-the-Meeting)", repo)
    assert 'ac:anchor="before-the-meeting"' in xhtml
    assert problems == ()


def test_unknown_fragment_on_other_page_is_a_problem_with_the_line(repo: DirResolver) -> None:
    _, problems = convert("intro\n\n[x](resources/checklist.md#nope)", repo)
    assert problems == (
        Problem("content/guide.md", "no heading #nope in resources/checklist.md", 3),
    )


def test_missing_page_is_a_problem_and_renders_text(repo: DirResolver) -> None:
    xhtml, problems = convert("a\nb [gone](missing.md) c", repo, line_offset=4)
    assert xhtml == "<p>a\nb gone c</p>"
    assert [str(p) for p in problems] == ["content/guide.md:6: link to missing page missing.md"]


def test_same_page_fragment_checked_against_headings(repo: DirResolver) -> None:
    text = "# Timeline\n\n[ok](#timeline) [bad](#impact)"
    xhtml, problems = convert(text, repo)
    assert '<ac:link ac:anchor="timeline">' in xhtml
    assert [p.message for p in problems] == ["no heading #impact on this page"]
    assert problems[0].line == 3


def test_linked_file_becomes_attachment_link_and_attachment(repo: DirResolver) -> None:
    doc = convert_markdown("[slides](resources/review.pdf)", resolver=repo)
    assert '<ri:attachment ri:filename="review.pdf"/>' in doc.xhtml
    (attachment,) = doc.attachments
    assert attachment.path == (repo.page_dir / "resources/review.pdf").resolve()
    assert attachment.sha256 == hashlib.sha256(b"%PDF-1.4").hexdigest()


def test_missing_file_and_escaping_path_are_problems(repo: DirResolver) -> None:
    _, problems = convert("[a](nope.pdf)\n\n![b](../../etc/passwd)", repo)
    assert [(p.line, p.message) for p in problems] == [
        (1, "file not found: nope.pdf"),
        (3, "path leaves the repository: ../../etc/passwd"),
    ]


def test_local_image_is_attached_with_alt_and_title(repo: DirResolver) -> None:
    doc = convert_markdown('![Errors](images/graph.png "Error rate")', resolver=repo)
    assert (
        '<ac:image ac:alt="Errors" ac:title="Error rate">'
        '<ri:attachment ri:filename="graph.png"/></ac:image>'
    ) in doc.xhtml
    assert doc.attachments[0].sha256 == hashlib.sha256(PNG_A).hexdigest()


def test_two_different_files_with_one_name_are_disambiguated(repo: DirResolver) -> None:
    doc = convert_markdown("![a](images/graph.png) ![b](other/images/graph.png)", resolver=repo)
    assert [a.filename for a in doc.attachments] == ["graph.png", "graph-2.png"]
    assert 'ri:filename="graph-2.png"' in doc.xhtml
    assert doc.attachments[1].sha256 == hashlib.sha256(PNG_B).hexdigest()


def test_same_file_twice_is_one_attachment(repo: DirResolver) -> None:
    doc = convert_markdown(
        "![a](images/graph.png) ![b](./images/../images/graph.png)", resolver=repo
    )
    assert [a.filename for a in doc.attachments] == ["graph.png"]


def test_remote_image_is_a_url_and_recorded_as_external(repo: DirResolver) -> None:
    doc = convert_markdown(
        "![b](https://img.example.com/b.png) [s](https://status.example.com)", resolver=repo
    )
    assert '<ri:url ri:value="https://img.example.com/b.png"/>' in doc.xhtml
    assert doc.external_links == ("https://img.example.com/b.png", "https://status.example.com")
    assert doc.attachments == ()


def test_unsafe_schemes_are_never_links_even_with_a_resolver(repo: DirResolver) -> None:
    doc = convert_markdown(
        "[x](javascript:alert(1)) [y](JavaScript:alert(2)) [z](vbscript:x)", resolver=repo
    )
    assert doc.xhtml == "<p>x y z</p>"
    assert doc.problems == ()


def test_standalone_conversion_never_reports_problems() -> None:
    doc = convert_markdown("[a](nope.md#x) [b](#nowhere) ![c](no/such.png)")
    assert doc.problems == ()
    assert [(a.filename, a.sha256) for a in doc.attachments] == [("such.png", "")]
    assert '<ri:page ri:content-title="nope"/>' in doc.xhtml


def test_toc_flag_puts_toc_macro_first(repo: DirResolver) -> None:
    xhtml, _ = convert("# A", repo, toc=True)
    assert xhtml.startswith('<ac:structured-macro ac:name="toc">')


def test_problem_line_is_where_a_multi_line_link_starts(repo: DirResolver) -> None:
    _, problems = convert("first\n[a long\nlink text](gone.md) and\n[b](gone2.md)", repo)
    assert [(p.line, p.message) for p in problems] == [
        (2, "link to missing page gone.md"),
        (4, "link to missing page gone2.md"),
    ]


def test_anchors_inside_an_html_block_are_link_targets(repo: DirResolver) -> None:
    """Raw HTML is converted, so its ``<a name>`` and ``id`` anchors exist on the page."""
    text = (
        '<div id="box">\n<a name="inside"></a>\n</div>\n\n'
        '<a name="real"></a>\n\n[a](#inside) [b](#real) [c](#box) [d](#nowhere)'
    )
    xhtml, problems = convert(text, repo)
    assert xhtml.count('<ac:structured-macro ac:name="anchor">') == 3
    assert [(p.line, p.message) for p in problems] == [(7, "no heading #nowhere on this page")]
    assert heading_anchors(text) == {"box": "box", "inside": "inside", "real": "real"}
