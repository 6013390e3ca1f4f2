"""GET /api/v1/risks and /api/v1/stakeholders: the registers for those who may see them (the
management representative, top management, internal auditors), 403 for anyone else, 401 without
credentials; filters by kind, status and level (influence for stakeholders), 400 for an unknown
value; paginated like the other lists."""

# ruff: noqa: F811 (the register fixtures are imported from registers_data and named as arguments)

import datetime as dt

import pytest
from django.urls import reverse

from qms.review.models import Influence, RegisterStatus, RiskKind, StakeholderKind
from qms.roles import Role

from .registers_data import english, make_risk, make_stakeholder  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

RISKS = "/api/v1/risks"
STAKEHOLDERS = "/api/v1/stakeholders"


@pytest.fixture
def register(make_risk, make_stakeholder):
    return {
        "low": make_risk(1, 3),
        "very_high": make_risk(5, 4, review_date=dt.date(2020, 5, 1)),
        "opportunity": make_risk(3, 4, kind=RiskKind.OPPORTUNITY),
        "closed": make_risk(3, 3, status=RegisterStatus.CLOSED),
        "citizens": make_stakeholder(name="Vatandaşlar"),
        "units": make_stakeholder(name="Hizmet birimleri", kind=StakeholderKind.INTERNAL, influence=Influence.MEDIUM,
                                  owner=None),
    }


def codes(response):
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


@pytest.mark.parametrize("role", [Role.MANAGEMENT_REPRESENTATIVE, Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR])
def test_those_who_see_the_registers_read_them(role_client, register, role):
    client = role_client(role, unit="HİŞM")
    assert codes(client.get(RISKS)) == ["R-002", "F-001", "R-003", "R-001"]
    assert codes(client.get(STAKEHOLDERS)) == ["P-001", "P-002"]
    assert client.get(f"{RISKS}/{register['low'].pk}").status_code == 200
    assert client.get(f"{STAKEHOLDERS}/{register['units'].pk}").status_code == 200


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.UNIT_MANAGER, Role.TRAINING_COORDINATOR])
def test_everyone_else_is_refused(role_client, register, role):
    client = role_client(role, unit="KSB")
    for url in (RISKS, f"{RISKS}/{register['low'].pk}", STAKEHOLDERS, f"{STAKEHOLDERS}/{register['units'].pk}"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "registers" in response.json()["detail"]


def test_no_credentials_is_401(client, register):
    assert client.get(RISKS).status_code == 401
    assert client.get(STAKEHOLDERS).status_code == 401


@pytest.mark.parametrize(("query", "expected"), [
    ({"kind": "opportunity"}, ["F-001"]),
    ({"kind": "risk", "status": "active"}, ["R-002", "R-001"]),
    ({"status": "closed"}, ["R-003"]),
    ({"level": "very_high"}, ["R-002"]),
    ({"level": "high"}, ["F-001"]),
    ({"level": "medium"}, ["R-003"]),
    ({"level": "low"}, ["R-001"]),
])
def test_risk_filters(role_client, register, query, expected):
    client = role_client(Role.INTERNAL_AUDITOR, unit="HİŞM")
    assert codes(client.get(RISKS, query)) == expected


@pytest.mark.parametrize(("query", "expected"), [
    ({"kind": "internal"}, ["P-002"]),
    ({"influence": "high"}, ["P-001"]),
    ({"status": "closed"}, []),
])
def test_stakeholder_filters(role_client, register, query, expected):
    client = role_client(Role.TOP_MANAGEMENT, unit="HİŞM")
    assert codes(client.get(STAKEHOLDERS, query)) == expected


@pytest.mark.parametrize(("url", "query"), [
    (RISKS, {"level": "critical"}), (RISKS, {"kind": "threat"}), (RISKS, {"status": "open"}),
    (STAKEHOLDERS, {"influence": "huge"}),
])
def test_an_unknown_filter_value_is_400_naming_the_allowed_ones(role_client, register, url, query):
    response = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM").get(url, query)
    assert response.status_code == 400
    assert "use one of" in response.json()["detail"]


def test_a_risk_in_full(role_client, register, mr):
    risk = register["very_high"]
    body = role_client(Role.INTERNAL_AUDITOR, unit="HİŞM").get(f"{RISKS}/{risk.pk}").json()
    assert body["code"] == "R-002"
    assert body["kind"] == {"key": "risk", "label": "Risk"}
    assert (body["likelihood"], body["impact"], body["score"]) == (5, 4, 20)
    assert body["level"] == {"key": "very_high", "label": "Very high"}
    assert body["review_date"] == "2020-05-01" and body["review_overdue"] is True
    assert body["status"]["key"] == "active"
    assert body["owner"]["username"] == mr.username
    assert body["admin_url"] == reverse("review_risks:inspect", args=[risk.pk])


def test_a_stakeholder_in_full(role_client, register):
    units = register["units"]
    body = role_client(Role.INTERNAL_AUDITOR, unit="HİŞM").get(f"{STAKEHOLDERS}/{units.pk}").json()
    assert body["name"] == "Hizmet birimleri"
    assert body["kind"]["key"] == "internal" and body["influence"] == {"key": "medium", "label": "Medium"}
    assert body["owner"] is None
    assert body["admin_url"] == reverse("review_stakeholders:inspect", args=[units.pk])


def test_an_unknown_id_is_404(role_client, register):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    assert client.get(f"{RISKS}/999999").status_code == 404
    assert client.get(f"{STAKEHOLDERS}/999999").status_code == 404


def test_lists_are_paginated(role_client, register):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    body = client.get(RISKS, {"limit": 2, "offset": 1}).json()
    assert body["count"] == 4
    assert [item["code"] for item in body["items"]] == ["F-001", "R-003"]
