"""Golden tests: every ``tests/fixtures/convert/<feature>/<case>.md`` against its ``.xml``.

Expected files hold the canonical form (see ``convert/canonical.py``), so they stay readable and
a failure shows a line diff. The raw output must also parse strictly as XML on its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from convert_helpers import assert_storage_xml

from confluence_sync.convert import markdown_to_storage
from confluence_sync.convert.canonical import canonical_xhtml

FIXTURES = Path(__file__).parent / "fixtures" / "convert"
CASES = sorted(FIXTURES.glob("*/*.md"))


def test_there_are_many_cases_per_feature() -> None:
    features = {case.parent.name for case in CASES}
    assert len(features) >= 10
    for feature in features:
        assert len(list((FIXTURES / feature).glob("*.md"))) >= 4, feature


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture(case: Path) -> None:
    actual = markdown_to_storage(case.read_text(encoding="utf-8"))
    assert_storage_xml(actual)
    expected = case.with_suffix(".xml").read_text(encoding="utf-8")
    assert canonical_xhtml(actual) == canonical_xhtml(expected)
