"""The diagram renderers, run for real: ``mmdc`` (with the system Chromium) and ``plantuml``.

Skipped with a reason where a renderer is not installed; ``.ci/run`` installs both, so CI runs
them. What a user notices: a PNG comes out, the same source gives the same attachment name and
is not drawn twice, a changed source gets a new name, and a broken diagram or a missing
renderer is an error naming the page's file and line (and the renderer's own message)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from confluence_sync.errors import InputError
from confluence_sync.renderers import diagrams
from confluence_sync.renderers.diagrams import missing_renderer, render_diagram

SOURCES = {
    "mermaid": ("graph TD\n  A[Alert] --> B[Rollback]\n", "graph TD\n  A --> \n"),
    "plantuml": (
        "@startuml\nAlice -> Bob: page\n@enduml\n",
        "@startuml\nclass {{{ broken\n@enduml\n",
    ),
}


def needs_renderer(kind: str) -> None:
    """Skip without the renderer, unless CI said it installed them (``.ci/run`` sets
    ``CONFLUENCE_SYNC_RENDERERS=required``): there a missing renderer fails the test."""
    missing = missing_renderer(kind)
    if missing is None:
        return
    if os.environ.get("CONFLUENCE_SYNC_RENDERERS") == "required":
        pytest.fail(f"CI installs the renderers, yet: {missing}")
    pytest.skip(missing)


@pytest.mark.parametrize("kind", diagrams.KINDS)
def test_a_diagram_is_drawn_once_and_named_by_its_source(kind: str, tmp_path: Path) -> None:
    needs_renderer(kind)
    good, _ = SOURCES[kind]
    first = render_diagram(kind, good, tmp_path, path="docs/a.md", line=3)
    assert first.path.read_bytes().startswith(b"\x89PNG")
    assert first.filename.startswith(f"{kind}-") and first.filename.endswith(".png")
    stamp = first.path.stat().st_mtime_ns
    again = render_diagram(kind, good, tmp_path, path="docs/b.md", line=9)
    assert again == first and again.path.stat().st_mtime_ns == stamp  # not drawn again
    changed = render_diagram(
        kind,
        good + "\n%% edited\n" if kind == "mermaid" else good.replace("page", "page again"),
        tmp_path,
        path="docs/a.md",
        line=3,
    )
    assert changed.filename != first.filename


@pytest.mark.parametrize("kind", diagrams.KINDS)
def test_a_broken_diagram_names_file_line_and_the_renderers_message(
    kind: str, tmp_path: Path
) -> None:
    needs_renderer(kind)
    _, broken = SOURCES[kind]
    with pytest.raises(InputError) as caught:
        render_diagram(kind, broken, tmp_path, path="docs/a.md", line=12)
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == ("docs/a.md", 12)
    assert problem.message.startswith(f"{kind} could not draw the diagram: ")
    expected = "Parse error" if kind == "mermaid" else "Syntax Error"
    assert expected in problem.message
    assert list(tmp_path.iterdir()) == []  # nothing half-written is cached


def test_the_jvms_own_log_lines_never_stand_for_plantumls_message() -> None:
    """What PlantUML printed on a fresh CI machine: the JVM first logged that it created its
    preferences folder, and that record (not PlantUML's error) became the message."""
    stderr = (
        "Dec 08, 2026 2:13:36 AM java.util.prefs.FileSystemPreferences$1 run\n"
        "INFO: Created user preferences directory.\n"
        "Picked up JAVA_TOOL_OPTIONS: -Xmx512m\n"
        "ERROR\n12\nSyntax Error?\n"
    )
    assert diagrams._without_java_logging(stderr) == "ERROR\n12\nSyntax Error?"


@pytest.mark.parametrize("kind", diagrams.KINDS)
def test_a_missing_renderer_names_what_to_install(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with neither program
    assert missing_renderer(kind) == diagrams.INSTALL[kind]
    with pytest.raises(InputError) as caught:
        render_diagram(kind, "x", tmp_path, path="docs/a.md", line=4)
    assert str(caught.value) == f"docs/a.md:4: {diagrams.INSTALL[kind]}"
