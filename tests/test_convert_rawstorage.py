"""```` ```confluence ```` fences publish their storage markup unchanged, and only well-formed
markup: anything else is an error on the offending line (``check`` exits 2) and shows as code."""

from __future__ import annotations

from convert_helpers import assert_storage_xml

from confluence_sync.convert import convert_markdown

STATUS = (
    '<ac:structured-macro ac:name="status">'
    '<ac:parameter ac:name="colour">Green</ac:parameter>'
    '<ac:parameter ac:name="title">Done</ac:parameter></ac:structured-macro>'
)


def test_fence_content_is_published_as_is() -> None:
    storage = f"<p>State: {STATUS}</p>\n<p>2 &lt; 3</p>"
    doc = convert_markdown(f"Before.\n\n```confluence\n{storage}\n```\n\nAfter.\n")
    assert doc.problems == ()
    assert doc.xhtml == f"<p>Before.</p>\n{storage}\n<p>After.</p>"
    assert_storage_xml(doc.xhtml)


def test_fence_inside_a_list_item_lands_in_the_item() -> None:
    doc = convert_markdown(f"- item\n\n  ```confluence\n  {STATUS}\n  ```\n")
    assert doc.xhtml == f"<ul><li><p>item</p>{STATUS}</li></ul>"


def test_malformed_markup_is_an_error_on_its_line_and_shown_as_code() -> None:
    text = "Intro.\n\n```confluence\n<p>fine</p>\n<p>open\n```\n"
    doc = convert_markdown(text, source="guide.md")
    assert [str(p) for p in doc.problems] == [
        "guide.md:5: confluence block is not well-formed storage markup: "
        "Opening and ending tag mismatch: p line 2 and confluence"
    ]
    assert '<ac:structured-macro ac:name="code">' in doc.xhtml
    assert_storage_xml(doc.xhtml)


def test_named_entities_and_unknown_prefixes_are_refused() -> None:
    for bad, reason in (
        ("<p>a&nbsp;b</p>", "Entity 'nbsp' not defined"),
        ('<at:var at:name="x"/>', "Namespace prefix at"),
    ):
        doc = convert_markdown(f"```confluence\n{bad}\n```\n", source="p.md")
        assert len(doc.problems) == 1
        assert doc.problems[0].line == 2
        assert reason in doc.problems[0].message
        assert_storage_xml(doc.xhtml)


def test_other_fences_are_still_code() -> None:
    doc = convert_markdown("```xml\n<p>x</p>\n```\n")
    assert doc.xhtml.startswith('<ac:structured-macro ac:name="code">')
