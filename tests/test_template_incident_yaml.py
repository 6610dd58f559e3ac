"""Merging fields read from an incident page into the incident file: only what changed moves,
comments, blank lines and key order stay, and the result still validates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from confluence_sync.convert import markdown_to_storage
from confluence_sync.convert.canonical import same_content
from confluence_sync.template import PostmortemTemplate, load_incident
from confluence_sync.template.incident_yaml import changed_fields, dump_fields, rewrite_yaml
from confluence_sync.template.load import IncidentLoader

TEMPLATE = PostmortemTemplate()
FILE = """\
# Our incident; keep this comment.
title: Disk full
date: 2026-01-02
severity: SEV-3
owner: Sam   # the owner
services: [api, db]

went_well:
  # a comment inside a field that does not change
  - Alerts fired.

got_lucky:
  - It was a Sunday.

action_items:
  - title: Add disk alerts
    owner: Sam
    priority: P1
"""


def merge(tmp_path: Path, page: dict[str, Any]) -> str:
    path = tmp_path / "incident.yaml"
    path.write_text(FILE)
    old = load_incident(path, TEMPLATE)
    raw = yaml.load(FILE, Loader=IncidentLoader)
    text = rewrite_yaml(FILE, changed_fields(TEMPLATE, old, raw, page))
    path.write_text(text)
    load_incident(path, TEMPLATE)  # still a valid incident file
    return text


def test_values_that_mean_the_same_leave_the_file_as_written(tmp_path: Path) -> None:
    page = {
        "title": "Disk full",
        "severity": "SEV-3",
        "owner": "Sam",
        "services": ["api", "db"],
        "went_well": ["Alerts fired."],
        "action_items": [  # due and status as the page shows them: the policy's defaults
            {
                "title": "Add disk alerts",
                "owner": "Sam",
                "type": "other",
                "priority": "P1",
                "due": "2026-01-16",
                "status": "open",
            }
        ],
    }
    assert merge(tmp_path, page) == FILE


def test_only_changed_fields_move_and_comments_elsewhere_stay(tmp_path: Path) -> None:
    page = {
        "owner": "Alex",
        "incident_commander": "Priya",  # not in the file: added after owner
        "got_lucky": [],  # emptied on the page: removed from the file
        "trigger": "A log rotation job stopped.",  # added after the field before it
        "action_items": [
            {
                "title": "Add disk alerts",
                "owner": "Sam",
                "type": "other",
                "priority": "P1",
                "due": "2026-01-16",
                "status": "done",
            }
        ],
    }
    text = merge(tmp_path, page)
    assert text == FILE.replace(
        "severity: SEV-3\nowner: Sam   # the owner\n",
        "severity: SEV-3\nowner: Alex\nincident_commander: Priya\n",
    ).replace("got_lucky:\n  - It was a Sunday.\n\n", "").replace(
        "services: [api, db]\n", "services: [api, db]\ntrigger: A log rotation job stopped.\n"
    ).replace("    priority: P1\n", "    priority: P1\n    status: done\n")


WORD = st.text(
    alphabet=st.sampled_from("abcxyz0123456789.,;:!?()'\"-+*_`#&>[]|=~\\"), min_size=1, max_size=12
)
PARAGRAPH = st.lists(WORD, min_size=1, max_size=40).map(" ".join).map(lambda p: "w " + p)


@settings(max_examples=200, deadline=None)
@given(st.lists(PARAGRAPH, min_size=1, max_size=3).map("\n\n".join))
def test_prose_is_wrapped_only_where_markdown_reads_it_the_same(text: str) -> None:
    dumped = dump_fields({"summary": text})
    loaded = yaml.load(dumped, Loader=IncidentLoader)["summary"]
    assert same_content(markdown_to_storage(loaded), markdown_to_storage(text))


def test_paragraphs_are_written_as_people_write_them() -> None:
    one = "The pool ran out of connections " * 8
    dumped = dump_fields({"summary": f"{one.strip()}\n\n{one.strip()}", "trigger": one.strip()})
    lines = dumped.splitlines()
    assert lines[0] == "summary: |-" and lines[1].startswith("  The pool")
    assert "" in lines[:8]  # one blank line between the paragraphs
    assert "trigger: >-" in lines  # one paragraph: folded
    assert max(len(line) for line in lines) <= 100
