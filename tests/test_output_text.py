"""The one function every printed title, name and path goes through: whatever the wiki's
editors type, the printed text stays on one line and carries no terminal or runner control."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from confluence_sync.output_text import printable


@given(st.text())
def test_printed_text_is_one_line_without_control_characters(text: str) -> None:
    shown = printable(text)
    assert len(shown.splitlines()) <= 1
    assert not [c for c in shown if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]


@given(st.text(alphabet=st.characters(categories=("L", "N", "P", "S", "Zs"))))
def test_ordinary_text_is_printed_as_it_is(text: str) -> None:
    assert printable(text) == text


def test_escapes_read_as_python_writes_them() -> None:
    assert printable("a\nb\r::error\x1b[2K\u202e") == "a\\nb\\r::error\\x1b[2K\\u202e"
    assert printable("col\tumn", tabs=True) == "col\tumn"


def test_a_log_record_holding_wiki_text_stays_one_line() -> None:
    """The CLI's log handler filter: a title in a log message cannot start a runner command."""
    import logging

    from confluence_sync.cli import _redact_record

    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "skipping %s: no table", ("Owned\n::error ::x",), None
    )
    assert _redact_record(record)
    assert record.getMessage() == "skipping Owned\\n::error ::x: no table"
