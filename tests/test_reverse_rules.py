"""Behaviour of single reverse rules that the fixtures do not pin down on their own."""

from __future__ import annotations

from confluence_sync.convert import convert_markdown, markdown_to_storage
from confluence_sync.convert.canonical import canonical_xhtml
from confluence_sync.reverse import LinkTable, storage_to_markdown


def md(storage: str, **kwargs: object) -> str:
    return storage_to_markdown(storage, **kwargs).markdown  # type: ignore[arg-type]


def test_link_to_a_page_the_repository_does_not_have_keeps_its_text_and_warns() -> None:
    storage = '<p>See <ac:link><ri:page ri:content-title="Elsewhere"/></ac:link>.</p>'
    result = storage_to_markdown(storage, links=LinkTable("content/a.md"), source="a.md")
    assert result.markdown == "See Elsewhere.\n"
    assert [w.message for w in result.warnings] == [
        "link to page 'Elsewhere' has no file in the repository; only its text is kept"
    ]


def test_link_table_paths_are_relative_to_the_page_and_titles_fold_case() -> None:
    links = LinkTable(
        "content/guide/a.md",
        {"Checklist": "content/resources/checklist.md"},
        {"x y.png": "content/guide/images/x y.png"},
        "DEV",
    )
    assert links.page_path("checklist", None) == "../resources/checklist.md"
    assert links.page_path("Checklist", "OTHER") is None
    assert links.attachment_path("x y.png") == "images/x y.png"
    storage = '<p><ac:image><ri:attachment ri:filename="x y.png"/></ac:image></p>'
    assert md(storage, links=links) == "![](<images/x y.png>)\n"


def test_a_path_with_percent_or_hash_survives_the_converter() -> None:
    links = LinkTable("a.md", {}, {"50%#1.png": "50%#1.png"})
    pulled = md('<p><ac:image><ri:attachment ri:filename="50%#1.png"/></ac:image></p>', links=links)
    assert pulled == "![](50%25%231.png)\n"
    assert 'ri:filename="50%#1.png"' in markdown_to_storage(pulled)


def test_toc_that_front_matter_asks_for_is_not_repeated_in_the_body() -> None:
    storage = '<ac:structured-macro ac:name="toc"/><p>Body.</p>'
    assert md(storage) == "[TOC]\n\nBody.\n"
    assert md(storage, toc_in_front_matter=True) == "Body.\n"


def test_adjacent_lists_stay_two_lists() -> None:
    storage = "<ul><li>a</li></ul><ul><li>b</li></ul><ol><li>c</li></ol><ol><li>d</li></ol>"
    pulled = md(storage)
    assert pulled == "- a\n\n* b\n\n1. c\n\n1) d\n"
    assert canonical_xhtml(markdown_to_storage(pulled)) == canonical_xhtml(storage)


def test_layout_no_break_spaces_go_and_meaningful_ones_stay() -> None:
    assert md("<p>a&nbsp; b&nbsp;</p><p>&nbsp;</p><p>10&#160;ms</p>") == "a b\n\n10&nbsp;ms\n"


def test_empty_task_keeps_its_box() -> None:
    storage = (
        "<ac:task-list><ac:task><ac:task-status>complete</ac:task-status>"
        "<ac:task-body></ac:task-body></ac:task></ac:task-list>"
    )
    assert md(storage) == "- [x] \n"
    assert "<ac:task-status>complete</ac:task-status>" in markdown_to_storage(md(storage))


def test_table_without_a_header_row_is_kept_verbatim_and_republished_unchanged() -> None:
    storage = "<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>"
    pulled = md(storage)
    assert pulled.startswith("```confluence\n<table>")
    assert canonical_xhtml(markdown_to_storage(pulled)) == canonical_xhtml(storage)


def test_code_with_backtick_fences_inside_gets_a_longer_fence() -> None:
    code = "```md\nx\n```"
    storage = (
        '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">text'
        f"</ac:parameter><ac:plain-text-body><![CDATA[{code}]]></ac:plain-text-body>"
        "</ac:structured-macro>"
    )
    pulled = md(storage)
    assert pulled == f"````text\n{code}\n````\n"
    assert canonical_xhtml(markdown_to_storage(pulled)) == canonical_xhtml(storage)


def test_text_that_looks_like_markdown_stays_text() -> None:
    text = "1. # *not* [a](link) <b> &amp; | ~~x~~ www.example.com a@b.co https://x.example"
    storage = f"<p>{text.replace('&', '&amp;').replace('<', '&lt;')}</p>"
    pulled = md(storage)
    assert canonical_xhtml(markdown_to_storage(pulled)) == canonical_xhtml(storage)


def test_editor_paragraphs_inside_a_task_become_line_breaks() -> None:
    storage = (
        "<ac:task-list><ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>"
        "<p>first</p><p>second</p></ac:task-body></ac:task></ac:task-list>"
    )
    assert md(storage) == "- [ ] first\\\n      second\n"
    assert "first<br/>second" in convert_markdown(md(storage)).xhtml


def test_image_alt_with_markdown_characters_round_trips() -> None:
    storage = '<p><ac:image ac:alt="a [b] *c*"><ri:url ri:value="https://x.example/i.png"/></ac:image></p>'
    pulled = md(storage)
    assert pulled == "![a \\[b\\] \\*c\\*](https://x.example/i.png)\n"
    assert canonical_xhtml(markdown_to_storage(pulled)) == canonical_xhtml(storage)


def test_cloud_editor_lists_can_come_back_tight() -> None:
    storage = "<ul><li><p>a</p><ul><li><p>b</p></li></ul></li><li><p>c</p></li></ul>"
    assert md(storage) == "- a\n\n  - b\n\n- c\n"
    assert md(storage, tight_lists=True) == "- a\n  - b\n- c\n"
    two = "<ul><li><p>a</p><p>more</p></li></ul>"
    assert md(two, tight_lists=True) == "- a\n\n  more\n"


def test_editor_emoji_become_their_character_and_old_emoticons_stay_verbatim() -> None:
    emoji = '<p>Done <ac:emoticon ac:name="blue-star" ac:emoji-fallback="\u2705"/></p>'
    result = storage_to_markdown(emoji)
    assert result.markdown == "Done \u2705\n"
    assert [w.message for w in result.warnings] == ["emoticon \u2705 is written as its character"]
    assert md('<p>ok <ac:emoticon ac:name="tick"/></p>').startswith("```confluence\n<p>ok")


def test_a_code_language_the_converter_does_not_publish_is_kept_and_reported() -> None:
    storage = (
        '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">go</ac:parameter>'
        "<ac:plain-text-body><![CDATA[package main]]></ac:plain-text-body></ac:structured-macro>"
    )
    result = storage_to_markdown(storage)
    assert result.markdown == "```go\npackage main\n```\n"
    assert [w.message for w in result.warnings] == [
        "code language 'go' is published as 'plain code'"
    ]
