"""One fault on each write step of a sync, on v1 (Data Center and Cloud) and v2 (Cloud): the
run exits 3 and its first ``Error:`` line names the failed request, nothing it created is called
a stranger's page, and the next plain run converges (exit 0, then ``diff`` finds nothing).

The faults come from the local wiki's own injection (``FailRule``): a chosen request refused
with a 500 before anything is written, or carried out and its answer lost (``landed``), the
case a client must recover from by reading rather than resending.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from click.testing import Result
from publish_helpers import ApiWiki
from test_sync_cli import env_for, run
from wiki_serve_helpers import start_serve

from confluence_sync.localwiki import FailRule, Faults, LocalWiki

REPO = Path(__file__).resolve().parents[1]
ATTEMPTS = 2  # the retry policy's attempts in these runs: a retried step fails that often
STRANGER = "not written by confluence-sync"


@dataclass(frozen=True)
class Step:
    """A write step: in which run it happens, and the request that carries it per API."""

    name: str
    phase: str  # "create": the first sync; "update": a sync after an edit that adds a label
    v1: tuple[str, str]
    v2: tuple[str, str]
    retried: bool = False  # idempotent, so the policy retries it: it must fail every attempt

    def request(self, api: str) -> tuple[str, str]:
        return self.v2 if api == "v2" else self.v1


PAGE_V1, PAGE_V2 = r"/rest/api/content/\d+$", r"/api/v2/pages/\d+$"
STEPS = (
    Step("create page", "create", ("POST", r"/rest/api/content$"), ("POST", r"/api/v2/pages$")),
    Step("upload", "create", ("POST", r"/child/attachment$"), ("POST", r"/child/attachment$")),
    # v1 sends the first stamp with the create; the page with an image is stamped again after
    # its upload. v2 stamps every new page with a request of its own.
    Step("stamp", "create", ("PUT", r"/property/confluence-sync$"), ("POST", r"/properties$")),
    Step("update page", "update", ("PUT", PAGE_V1), ("PUT", PAGE_V2)),
    Step("label", "update", ("POST", r"/label$"), ("POST", r"/label$"), retried=True),
    Step("update stamp", "update", ("PUT", r"/property/"), ("PUT", r"/properties/")),
)
CASES = [
    (step, landed) for step in STEPS for landed in (False, True) if not (step.retried and landed)
]


def _edit(project: Path) -> None:
    """A body change and a new label on the home page: page, label and stamp writes."""
    (project / "content" / "index.md").write_text(
        "---\nlabels: [incident-review]\n---\n# Postmortem guide\n\nWelcome back.\n"
    )


def _first_error(result: Result) -> str:
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors, result.output
    return errors[0]


@pytest.mark.parametrize(
    ("step", "landed"), CASES, ids=[f"{s.name}-{'landed' if d else 'refused'}" for s, d in CASES]
)
def test_one_fault_on_a_write_step_exits_3_naming_it_and_the_next_run_converges(
    project: Path, api_wiki: ApiWiki, step: Step, landed: bool
) -> None:
    env = {**env_for(api_wiki), "CONFLUENCE_RETRY_ATTEMPTS": str(ATTEMPTS)}
    if step.phase == "update":
        assert run(["sync"], env).exit_code == 0
        _edit(project)
    method, path = step.request(api_wiki.api)
    times = ATTEMPTS if step.retried else 1
    api_wiki.faults = Faults(fail=(FailRule(method, path, times=times, landed=landed),))
    faulty = run(["sync"], env)
    assert faulty.exit_code == 3, faulty.output
    first = _first_error(faulty)
    assert f"HTTP 500 {method} " in first, first
    assert STRANGER not in faulty.output
    api_wiki.faults = Faults()
    again = run(["sync"], env)
    assert again.exit_code == 0, again.output
    assert STRANGER not in again.output
    assert run(["diff"], env).exit_code == 0
    assert run(["sync"], env).stdout.splitlines()[-1].startswith("0 created, 0 updated")


def test_a_stamp_that_keeps_failing_is_unfinished_and_a_failed_takeover_is_finished_later(
    project: Path, tmp_path: Path
) -> None:
    """v2: a create is page, labels, stamp. The stamp failing for a whole run leaves pages that
    the run reports as its own unfinished work (never a stranger's); the next run's takeover
    ``PUT`` failing once is recovered in that run; a plain run after it has nothing to do."""
    wiki = ApiWiki(tmp_path / "v2wiki", "v2-cloud")
    with wiki:
        env = {**env_for(wiki), "CONFLUENCE_RETRY_ATTEMPTS": str(ATTEMPTS)}
        wiki.faults = Faults(fail=(FailRule("POST", r"/properties$", times=999),))
        broken = run(["sync"], env)
        assert broken.exit_code == 3, broken.output
        first = _first_error(broken)
        assert "HTTP 500 POST api/v2/pages/" in first and "/properties" in first
        assert "left undone: 'Postmortem guide'" in first and "rerun to finish" in first
        assert "  blocked by it: 'Guides' (content/guides/)" in broken.output
        assert STRANGER not in broken.output
        wiki.faults = Faults(fail=(FailRule("PUT", PAGE_V2),))
        takeover = run(["sync"], env)
        assert takeover.exit_code == 3, takeover.output
        assert "HTTP 500 PUT api/v2/pages/" in _first_error(takeover)
        assert "finishes an interrupted create" in takeover.output
        assert STRANGER not in takeover.output
        wiki.faults = Faults()
        assert run(["sync"], env).exit_code == 0
        assert run(["diff"], env).exit_code == 0


def test_incident_new_recovering_from_a_lost_answer_still_exits_3_naming_it(
    project: Path, local_wiki: LocalWiki
) -> None:
    shutil.copytree(REPO / "content" / "template", project / "content" / "template")
    env = {**env_for(local_wiki), "CONFLUENCE_RETRY_ATTEMPTS": str(ATTEMPTS)}
    local_wiki.faults = Faults(fail=(FailRule("POST", r"/rest/api/content$", landed=True),))
    args = ["incident", "new", "--title", "Checkout outage", "--date", "2026-11-27", "--owner", "A"]
    result = run(args, env)
    assert result.exit_code == 3, result.output
    assert "HTTP 500 POST rest/api/content" in _first_error(result)
    assert "created: 2026-11-27 Checkout outage" in result.output
    local_wiki.faults = Faults()
    assert "already exists" in run(args, env).output  # one page, not two


def test_wiki_serve_fails_chosen_requests(tmp_path: Path) -> None:
    """``wiki serve --fail-request``: the same faults for a person reproducing a CI failure."""
    assert FailRule.parse("post /properties$") == FailRule("POST", "/properties$")
    assert FailRule.parse("PUT /pages/\\d+$ 503 2 landed") == FailRule(
        "PUT", r"/pages/\d+$", 503, 2, landed=True
    )
    with pytest.raises(ValueError, match="METHOD PATTERN"):
        FailRule.parse("POST")
    proc, base, _, auth = start_serve(tmp_path, "--fail-request", "GET /api/v2/spaces$ 502 2")
    try:
        answers = [requests.get(f"{base}/api/v2/spaces", auth=auth, timeout=10) for _ in range(3)]
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert [a.status_code for a in answers] == [502, 502, 200]
