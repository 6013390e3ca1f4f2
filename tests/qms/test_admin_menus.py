"""The admin menu shows each role exactly what the role table lets it use."""

import json
import re

import pytest

from qms.roles import ROLES, Role

# capability key -> names of the menu items (Wagtail's sidebar `name`s) it must show.
MENU_OF_CAPABILITY = {
    "organisation.view": {"organisation", "units"},
    "staff.view": {"staff"},
    "audit.view": {"site-history"},
    "portal.edit": {"explorer", "images", "documents"},
    "users.manage": {"users"},
    "settings.manage": {"organisation-details"},
    "api.tokens": {"api_tokens"},
    "admin.access": {"controlled-documents", "document-library"},
    "documents.manage": {"document-types", "workflows", "document-register-import"},
    "nonconformities.raise": {"audits", "nonconformities", "nonconformity-raise"},
    "training.request": {"training", "training-my", "training-request-add", "training-request-mine"},
    "kpi.view": {"kpi", "kpi-dashboard", "kpi-scorecards", "kpi-crisis", "kpi-yearly"},
    "kpi.import": {"kpi-import-requests"},
    "callqa.import": {"callqa-import-calls"},
    "callqa.evaluate": {"callqa-queue"},
    "callqa.feedback": {"callqa-my-evaluations"},
    "callqa.manage": {"callqa-disputes", "callqa-sampling"},
}

# Menu items several capabilities show: each must be shown exactly to the roles holding one of them.
MENU_OF_ANY_CAPABILITY = {
    "audit-programme": {"audits.plan", "audits.oversee", "audits.perform", "audits.follow"},
    "audit-list": {"audits.plan", "audits.oversee", "audits.perform", "audits.follow"},
    "clause-coverage": {"audits.plan", "audits.oversee", "audits.perform"},
    "audit-programmes": {"audits.plan", "audits.oversee", "audits.perform", "audits.follow"},
    "clauses": {"audits.plan", "audits.oversee", "audits.perform", "audits.follow"},
    "audit-checklists": {"audits.plan", "audits.perform"},
    "training-plan": {"training.coordinate", "training.approve", "training.oversee", "training.follow"},
    "training-courses": {"training.coordinate", "training.oversee", "training.follow"},
    "training-sessions": {"training.coordinate", "training.oversee"},
    "training-requests": {"training.coordinate", "training.oversee", "training.follow"},
    "training-request-evaluation": {"training.coordinate", "training.oversee"},
    "callqa": {"callqa.kpis", "callqa.import", "callqa.evaluate", "callqa.feedback", "callqa.team", "callqa.manage"},
    "callqa-dashboard": {"callqa.kpis", "callqa.team"},
    "callqa-evaluations": {"callqa.manage", "callqa.team"},
    "callqa-scorecards": {"callqa.evaluate", "callqa.team", "callqa.manage"},
    "callqa-calibration": {"callqa.evaluate", "callqa.manage"},
    "callqa-reports": {"callqa.feedback", "callqa.team", "callqa.manage"},
    "callqa-coaching": {"callqa.feedback", "callqa.team", "callqa.manage"},
    # A fresh user owns no review action, so "My review actions" shows only with a capability.
    **dict.fromkeys(
        ("review", "review-meetings", "review-actions", "review-risks", "review-stakeholders"),
        {"review.manage", "review.chair", "review.oversee"},
    ),
    **dict.fromkeys(
        ("training-effectiveness", "training-results", "training-certificates", "training-matrix",
         "training-orientation", "training-hours"),
        {"training.coordinate", "training.oversee", "training.follow"},
    ),
}


def menu_names(html: str) -> set[str]:
    match = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S)
    assert match, "sidebar props not found"
    names: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("name"), str):
                names.add(node["name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(match.group(1)))
    return names


@pytest.mark.parametrize("role", list(Role))
def test_menu_matches_the_role_table(role, role_client):
    client = role_client(role)
    response = client.get("/admin/")
    assert response.status_code == 200
    names = menu_names(response.content.decode())
    for capability, items in MENU_OF_CAPABILITY.items():
        if capability in ROLES[role].capabilities:
            assert items <= names, f"{role}: {capability} should show {items - names}"
        else:
            assert not (items & names), f"{role}: without {capability} must not see {items & names}"
    for item, capabilities in MENU_OF_ANY_CAPABILITY.items():
        assert (item in names) == bool(capabilities & set(ROLES[role].capabilities)), f"{role}: {item}"


def test_user_without_role_cannot_enter_the_admin(make_user, client):
    client.force_login(make_user())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def menu_labels(html: str) -> dict[str, str]:
    """Sidebar item name -> the label the person reads."""
    match = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S)
    assert match, "sidebar props not found"
    labels: dict[str, str] = {}

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("name"), str) and isinstance(node.get("label"), str):
                labels[node["name"]] = node["label"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(match.group(1)))
    return labels


def test_controlled_documents_and_wagtails_files_have_different_names(role_client):
    """Wagtail's own documents menu would also read "Dokümanlar" beside the controlled documents."""
    html = role_client(Role.MANAGEMENT_REPRESENTATIVE).get("/admin/", HTTP_ACCEPT_LANGUAGE="tr").content.decode()
    labels = menu_labels(html)
    assert labels["controlled-documents"] == "Dokümanlar"
    assert labels["documents"] == "Portal dosyaları"
    assert list(labels.values()).count("Dokümanlar") == 1
