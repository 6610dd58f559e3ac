"""Writing pulled Markdown into a source file keeps what the author owns, and three-way merges
behave like git's."""

from __future__ import annotations

from confluence_sync.reverse.writeback import merge_three_way, replace_body

SOURCE = """---
title: Checklist   # shown in the tree
labels: [checklist]
---

Old body.
"""


def test_front_matter_and_the_gap_after_it_are_kept_byte_for_byte() -> None:
    assert replace_body(SOURCE, "New body.\n") == SOURCE.replace("Old body.", "New body.")


def test_a_file_without_front_matter_is_all_body() -> None:
    assert replace_body("Old.\n", "New.\n") == "New.\n"


def test_windows_line_endings_are_kept() -> None:
    source = SOURCE.replace("\n", "\r\n")
    assert replace_body(source, "A\nB\n") == SOURCE.replace("Old body.", "A\nB").replace(
        "\n", "\r\n"
    )


def test_the_h1_a_page_takes_its_title_from_stays() -> None:
    source = "```\n# not this\n```\n# Real Title\n\nOld.\n"
    assert replace_body(source, "New.\n", title_from_h1=True) == "# Real Title\n\nNew.\n"


BASE = "# Title\n\nFirst paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n"


def test_edits_to_different_paragraphs_merge_cleanly() -> None:
    ours = BASE.replace("First paragraph.", "First paragraph, edited in the repository.")
    theirs = BASE.replace("Third paragraph.", "Third paragraph, edited in the wiki.")
    merged = merge_three_way(BASE, ours, theirs)
    assert merged.conflicts == 0
    assert merged.text == BASE.replace(
        "First paragraph.", "First paragraph, edited in the repository."
    ).replace("Third paragraph.", "Third paragraph, edited in the wiki.")


def test_edits_to_the_same_paragraph_conflict_with_markers() -> None:
    ours = BASE.replace("Second paragraph.", "Second, repository version.")
    theirs = BASE.replace("Second paragraph.", "Second, wiki version.")
    merged = merge_three_way(BASE, ours, theirs)
    assert merged.conflicts == 1
    assert (
        "<<<<<<< working file\nSecond, repository version.\n=======\n"
        "Second, wiki version.\n>>>>>>> wiki\n"
    ) in merged.text


def test_a_byte_order_mark_and_an_unusual_closing_line_are_kept() -> None:
    source = "\ufeff---\ntitle: T\n...\nOld.\n"
    assert replace_body(source, "New.\n") == "\ufeff---\ntitle: T\n...\nNew.\n"
