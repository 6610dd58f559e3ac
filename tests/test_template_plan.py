"""The space template's plan (pure) and the local wiki's template rules over HTTP."""

from __future__ import annotations

import requests
from hypothesis import given
from hypothesis import strategies as st

from confluence_sync.localwiki import LocalWiki
from confluence_sync.plan.actions import ActionKind
from confluence_sync.plan.template_plan import (
    DESCRIPTION_MAX,
    DesiredTemplate,
    RemoteTemplate,
    plan_template,
    stamp_of,
)

BODY = "<h2>Summary</h2><p>What happened.</p>"


def desired(body: str = BODY, source: str = "content/template/postmortem.yaml") -> DesiredTemplate:
    return DesiredTemplate("Postmortem", body, source, ())


def as_written(template: DesiredTemplate, body: str | None = None) -> RemoteTemplate:
    return RemoteTemplate("7", template.name, template.description, body or template.body)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300))
def test_the_stamp_fits_an_update_and_reads_back_for_any_source(source: str) -> None:
    template = desired(source=source)
    assert len(template.description) <= DESCRIPTION_MAX
    stamp = stamp_of(template.description)
    assert stamp is not None and stamp[0] == template.digest


def test_unchanged_changed_edited_and_foreign_templates() -> None:
    ours = desired()
    assert plan_template(ours, [], force=False).action.kind is ActionKind.CREATE
    assert plan_template(ours, [as_written(ours)], force=False).action.kind is ActionKind.SKIP
    # a save that only changes what Confluence rewrites is no edit
    resaved = as_written(ours, BODY.replace("<p>", '<p local-id="a1">'))
    assert plan_template(ours, [resaved], force=False).action.kind is ActionKind.SKIP
    newer = desired(BODY + "<p>More.</p>")
    assert plan_template(newer, [as_written(ours)], force=False).action.kind is ActionKind.UPDATE
    edited = as_written(ours, "<p>Ours now</p>")
    assert plan_template(newer, [edited], force=False).action.kind is ActionKind.CONFLICT
    assert plan_template(newer, [edited], force=True).action.kind is ActionKind.UPDATE
    foreign = RemoteTemplate("8", "Postmortem", "Our team's own", BODY)
    assert plan_template(ours, [foreign], force=False).action.kind is ActionKind.CONFLICT


def _post(wiki: LocalWiki, method: str, data: dict[str, object]) -> requests.Response:
    return requests.request(
        method, f"{wiki.base_url}/rest/api/template", json=data, auth=("admin", "admin"), timeout=10
    )


def test_the_local_wiki_refuses_what_confluence_refuses(local_wiki: LocalWiki) -> None:
    good = {
        "name": "Postmortem",
        "templateType": "page",
        "space": {"key": "DEV"},
        "body": {"storage": {"value": BODY, "representation": "storage"}},
    }
    created = _post(local_wiki, "POST", good)
    assert created.status_code == 200, created.text
    template_id = created.json()["templateId"]
    assert _post(local_wiki, "POST", good).status_code == 400  # the name is taken in DEV
    assert (
        _post(local_wiki, "POST", {**good, "name": "B", "templateType": "blog"}).status_code == 400
    )
    assert _post(local_wiki, "POST", {**good, "name": "C", "body": {}}).status_code == 400
    long_update = {**good, "templateId": template_id, "description": "x" * 101}
    assert _post(local_wiki, "PUT", long_update).status_code == 400  # 100 on update
    missing = _post(local_wiki, "PUT", {**good, "templateId": "999"})
    assert missing.status_code == 404
    read = requests.get(
        f"{local_wiki.base_url}/rest/api/template/{template_id}",
        auth=("admin", "admin"),
        timeout=10,
    ).json()
    assert read["body"]["storage"]["value"] == BODY and read["space"]["key"] == "DEV"
    listed = requests.get(
        f"{local_wiki.base_url}/rest/api/template/page",
        params={"spaceKey": "DEV"},
        auth=("admin", "admin"),
        timeout=10,
    ).json()
    assert [t["name"] for t in listed["results"]] == ["Postmortem"]
    assert "body" not in listed["results"][0]  # only with expand=body


def test_template_and_restriction_answers_match_atlassians_schemas(local_wiki: LocalWiki) -> None:
    """The vendored v1 schemas (``tests/fixtures/specs``) accept what the wiki answers."""
    from test_localwiki_contract import NEW, assert_valid

    base, auth = f"{local_wiki.base_url}/rest/api", ("admin", "admin")
    created = requests.post(
        f"{base}/template",
        json={
            "name": "Postmortem",
            "templateType": "page",
            "description": "confluence-sync",
            "space": {"key": "DEV"},
            "body": {"storage": {"value": BODY, "representation": "storage"}},
            "labels": [{"prefix": "global", "name": "postmortem"}],
        },
        auth=auth,
        timeout=10,
    ).json()
    assert_valid(NEW, "ContentTemplate", created)
    listed = requests.get(
        f"{base}/template/page", params={"spaceKey": "DEV", "expand": "body"}, auth=auth, timeout=10
    ).json()
    assert_valid(NEW, "ContentTemplateArray", listed)
    page = requests.get(f"{base}/content", params={"spaceKey": "DEV"}, auth=auth, timeout=10)
    page_id = page.json()["results"][0]["id"]
    restricted = requests.post(
        f"{base}/content/{page_id}/restriction",
        json=[
            {
                "operation": "read",
                "restrictions": {"group": [{"type": "group", "name": "confluence-users"}]},
            }
        ],
        auth=auth,
        timeout=10,
    ).json()
    assert_valid(NEW, "ContentRestrictionArray", restricted)
    one = requests.get(
        f"{base}/content/{page_id}/restriction/byOperation/read", auth=auth, timeout=10
    ).json()
    assert_valid(NEW, "ContentRestriction", one)
