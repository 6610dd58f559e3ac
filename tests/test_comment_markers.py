"""Inline comment markers: not content when bodies are compared, and put back around the same
text when a new body replaces one that carried them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from confluence_sync.convert import markdown_to_storage
from confluence_sync.convert.canonical import NAMESPACES, same_content
from confluence_sync.convert.comment_markers import Marker, keep_markers, markers_in, place_markers
from confluence_sync.convert.macros import esc

WRAP = " ".join(f'xmlns:{p}="{u}"' for p, u in NAMESPACES.items())


def marked(ref: str, text: str) -> str:
    return f'<ac:inline-comment-marker ac:ref="{ref}">{text}</ac:inline-comment-marker>'


def parses(body: str) -> etree._Element:
    """Strict: a body that is not well-formed storage raises."""
    return etree.fromstring(f"<root {WRAP}>{body}</root>".encode())


def test_a_body_that_differs_only_by_markers_has_the_same_content() -> None:
    sent = "<p>Write the timeline first.</p>"
    commented = f"<p>Write {marked('c1', 'the timeline')} first.</p>"
    assert same_content(sent, commented)
    assert not same_content(sent, commented.replace("first", "last"))


def test_a_marker_comes_back_around_its_text_when_a_neighbour_changed() -> None:
    wiki = f"<p>Write {marked('c1', 'the timeline')} first.</p><p>Old neighbour.</p>"
    placed = keep_markers(wiki, "<p>Write the timeline first.</p><p>New neighbour.</p>")
    assert placed.body == f"<p>Write {marked('c1', 'the timeline')} first.</p><p>New neighbour.</p>"
    assert placed.lost == ()


def test_the_nearest_of_two_occurrences_is_marked() -> None:
    wiki = f"<p>impact</p><p>more</p><p>{marked('c2', 'impact')}</p>"
    placed = keep_markers(wiki, "<p>impact</p><p>more text</p><p>impact</p>")
    assert placed.body == f"<p>impact</p><p>more text</p><p>{marked('c2', 'impact')}</p>"


def test_text_in_code_bodies_parameters_and_attributes_is_never_marked() -> None:
    wiki = f"<p>{marked('c3', 'rollback')}</p>"
    new = (
        '<p title="rollback">no</p><ac:structured-macro ac:name="code">'
        '<ac:parameter ac:name="title">rollback</ac:parameter>'
        "<ac:plain-text-body><![CDATA[rollback]]></ac:plain-text-body></ac:structured-macro>"
    )
    placed = keep_markers(wiki, new)
    assert placed.body == new
    assert placed.lost == (Marker("c3", "rollback", 0),)
    assert "c3" in placed.lost[0].describe() and "rollback" in placed.lost[0].describe()


def test_a_marker_across_formatting_is_kept_piece_by_piece() -> None:
    wiki = f"<p>{marked('c4', 'Ask ')}<strong>{marked('c4', 'why')}</strong> twice.</p>"
    placed = keep_markers(wiki, "<p>Ask <strong>why</strong> five times.</p>")
    assert (
        placed.body
        == f"<p>{marked('c4', 'Ask')} <strong>{marked('c4', 'why')}</strong> five times.</p>"
    )


def test_two_comments_on_one_selection_stay_nested() -> None:
    wiki = f"<p>Ask {marked('outer', marked('inner', 'why'))} twice.</p>"
    assert [m.ref for m in markers_in(wiki)] == ["outer", "inner"]
    placed = keep_markers(wiki, "<p>Ask why five times.</p>")
    assert placed.body == f"<p>Ask {marked('outer', marked('inner', 'why'))} five times.</p>"
    parses(placed.body)


def test_entities_and_whitespace_in_marked_text_match() -> None:
    text = "R&amp;D  owns\nit"
    wiki = f"<p>{marked('c5', text)}</p>"
    placed = keep_markers(wiki, "<p>Then R&amp;D owns it.</p>")
    assert placed.body == f"<p>Then {marked('c5', 'R&amp;D owns it')}.</p>"


def test_a_marker_around_nothing_selectable_is_reported_not_forgotten() -> None:
    wiki = '<p>x<ac:inline-comment-marker ac:ref="c6"/></p>'
    assert markers_in(wiki) == (Marker("c6", "", 0),)
    assert keep_markers(wiki, "<p>x</p>").lost == (Marker("c6", "", 0),)


def test_markers_on_a_converted_guide_survive_and_keep_it_well_formed() -> None:
    body = markdown_to_storage(
        "# Guide\n\nAsk **why** five times.\n\n| a | b |\n|---|---|\n| impact | owner |\n\n"
        "- [ ] follow up\n\n```\nimpact\n```\n"
    )
    markers = (Marker("t1", "impact", 0), Marker("t2", "five times", 0))
    placed = place_markers(body, markers)
    assert placed.lost == ()
    root = parses(placed.body)
    ac = NAMESPACES["ac"]
    refs = root.findall(f".//{{{ac}}}inline-comment-marker")
    assert [(m.get(f"{{{ac}}}ref"), m.text) for m in refs] == [
        ("t2", "five times"),
        ("t1", "impact"),
    ]


WORDS = st.sampled_from(["impact", "why", "R&amp;D", "<b>x</b>", "a &lt; b", "timeline", " "])
BLOCK = st.lists(WORDS, min_size=1, max_size=6).map(lambda ws: " ".join(ws))
ELEMENT = st.sampled_from(
    [
        "<p>{}</p>",
        "<p><strong>{}</strong> tail</p>",
        "<table><tbody><tr><td>{}</td></tr></tbody></table>",
        '<ac:structured-macro ac:name="info"><ac:parameter ac:name="title">{}</ac:parameter>'
        "<ac:rich-text-body><p>{}</p></ac:rich-text-body></ac:structured-macro>",
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[{}]]>'
        "</ac:plain-text-body></ac:structured-macro>",
        '<p><a href="#impact" title="why a &lt; b">{}</a></p>',
    ]
)
BODY = st.lists(st.tuples(ELEMENT, BLOCK), min_size=1, max_size=5).map(
    lambda parts: "".join(e.replace("{}", t) for e, t in parts)
)
MARKED = st.lists(
    st.tuples(
        st.sampled_from(["impact", "why", "R&D", "timeline", "a < b", "x"]), st.integers(0, 400)
    ),
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(BODY, MARKED)
def test_markers_placed_on_any_body_keep_well_formed_storage(
    body: str, wanted: list[tuple[str, int]]
) -> None:
    """Property: wherever the marked text survives, the marker goes back, the body stays
    well-formed storage XML, and its content is unchanged but for the markers."""
    markers = [Marker(f"r{n}", text, offset) for n, (text, offset) in enumerate(wanted)]
    placed = place_markers(body, markers)
    parses(placed.body)
    assert same_content(body, placed.body)
    kept = {m.ref for m in markers} - {m.ref for m in placed.lost}
    assert {m.ref for m in markers_in(placed.body)} == kept
    for marker in markers_in(placed.body):
        assert marker.text == next(m.text for m in markers if m.ref == marker.ref)


@settings(max_examples=100, deadline=None)
@given(BODY, st.sampled_from(["impact", "why", "R&D", "timeline", "a < b"]), st.integers(0, 400))
def test_a_marker_whose_text_survives_in_page_text_is_always_placed(
    body: str, text: str, offset: int
) -> None:
    """Property: one marker is lost only when its text is nowhere in the page's text (code
    bodies, macro parameters and attribute values do not count)."""
    page = body + f"<p>and {esc(text)} here</p>"
    placed = place_markers(page, [Marker("only", text, offset)])
    assert placed.lost == ()
    assert [(m.ref, m.text) for m in markers_in(placed.body)] == [("only", text)]
    parses(placed.body)
