"""The RISKS and STAKEHOLDERS items of the input pack: the register's rows with links, headline
figures, and the change since the last approved review, read from the pack that review stored
(new, score up or down, closed, influence moved, unchanged, gone), as a column and as counts."""

# ruff: noqa: F811 (the register fixtures are imported from registers_data and named as arguments)

import datetime as dt

import pytest
from django.urls import reverse

from qms.review import services
from qms.review.models import AgendaItemKind, Influence, RegisterStatus, Risk, RiskKind, StakeholderKind
from qms.review.pack import compile_item, figure, table
from qms.review.sections.registers import RISK_COLUMNS, STAKEHOLDER_COLUMNS, previous_review

from .conftest import make_ready
from .registers_data import english, make_risk, make_stakeholder  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NEXT_PERIOD = (dt.date(2026, 11, 1), dt.date(2027, 10, 31))
NEXT_PLANNED = dt.date(2027, 11, 20)


@pytest.fixture
def registers_at_last_review(make_risk, make_stakeholder):
    """The registers as the fixture review (approved_review) is shown them."""
    return {
        "raised": make_risk(2, 3),                                      # R-001, score 6
        "closing": make_risk(4, 4),
        "gone": make_risk(1, 1, description="Santral arızası"),         # R-003, deleted later
        "steady": make_risk(1, 2),
        "opportunity": make_risk(3, 3, kind=RiskKind.OPPORTUNITY),      # F-001
        "citizens": make_stakeholder(name="Vatandaşlar", influence=Influence.MEDIUM),  # P-001
        "cimer": make_stakeholder(name="CİMER"),                        # P-002
        "units": make_stakeholder(name="Hizmet birimleri", kind=StakeholderKind.INTERNAL),  # P-003
    }


def _by_code(register_table, column):
    return {row[0]: row[column] for row in register_table["rows"]}


def test_the_first_review_has_nothing_to_compare_with(make_risk, make_stakeholder, review):
    make_risk()
    make_stakeholder()
    for kind in (AgendaItemKind.RISKS, AgendaItemKind.STAKEHOLDERS):
        pack = compile_item(review, kind)
        assert any("No previous review to compare with" in note for note in pack["notes"])
        register = table(pack, "register")
        assert register["rows"][0][-1] == "—"
        assert figure(pack, "change_new") is None


def test_the_change_since_the_last_review_is_reported_row_by_row(registers_at_last_review, approved_review,
                                                                 make_review, make_risk, make_stakeholder):
    r = registers_at_last_review
    stored = table(approved_review.items.get(kind=AgendaItemKind.RISKS).pack, "register")
    assert [row[0] for row in stored["rows"]] == ["R-002", "R-001", "R-004", "R-003", "F-001"]

    r["raised"].likelihood = 4          # 2 x 3 = 6  ->  4 x 3 = 12
    r["raised"].save()
    r["closing"].status = RegisterStatus.CLOSED
    r["closing"].save()
    Risk.objects.filter(pk=r["gone"].pk).delete()
    make_risk(2, 2, description="Yeni kanal: WhatsApp hattı")
    following = make_review(period=NEXT_PERIOD, planned=NEXT_PLANNED)

    pack = compile_item(following, AgendaItemKind.RISKS)
    change = _by_code(table(pack, "register"), RISK_COLUMNS["change"])
    assert change["R-001"].startswith("Score 6 → 12 (up)")
    assert "Level: Medium → High" in change["R-001"]
    assert change["R-002"] == "Closed"
    assert change["R-004"] == "Unchanged"
    assert change["F-001"] == "Unchanged"
    assert change["R-005"] == "New since the last review"
    assert "R-003" not in change
    removed = table(pack, "removed")
    assert removed["rows"] == [["R-003", "Santral arızası", "No longer in the register"]]
    counts = {name: figure(pack, f"change_{name}")["raw"] for name in ("new", "changed", "closed", "unchanged",
                                                                      "removed")}
    assert counts == {"new": 1, "changed": 1, "closed": 1, "unchanged": 2, "removed": 1}
    assert any(approved_review.label in note for note in pack["notes"])


def test_a_lower_score_and_a_same_score_move_are_named(registers_at_last_review, approved_review, make_review):
    r = registers_at_last_review
    r["closing"].impact = 2                 # 4 x 4 = 16 -> 4 x 2 = 8
    r["closing"].save()
    r["raised"].likelihood, r["raised"].impact = 3, 2   # 2 x 3 -> 3 x 2: the same score
    r["raised"].treatment = "Vardiya planı yenilendi."
    r["raised"].save()
    pack = compile_item(make_review(period=NEXT_PERIOD, planned=NEXT_PLANNED), AgendaItemKind.RISKS)
    change = _by_code(table(pack, "register"), RISK_COLUMNS["change"])
    assert change["R-002"].startswith("Score 16 → 8 (down)")
    assert change["R-001"] == "Likelihood: 2 → 3; Impact: 3 → 2; Treatment actions updated"


def test_the_stakeholder_change_since_the_last_review(registers_at_last_review, approved_review, make_review,
                                                      make_stakeholder):
    r = registers_at_last_review
    r["citizens"].influence = Influence.HIGH
    r["citizens"].save()
    r["cimer"].status = RegisterStatus.CLOSED
    r["cimer"].save()
    make_stakeholder(name="Muhtarlar")      # P-004
    pack = compile_item(make_review(period=NEXT_PERIOD, planned=NEXT_PLANNED), AgendaItemKind.STAKEHOLDERS)
    change = _by_code(table(pack, "register"), STAKEHOLDER_COLUMNS["change"])
    assert change == {
        "P-001": "Influence: Medium → High",
        "P-002": "Closed",
        "P-003": "Unchanged",
        "P-004": "New since the last review",
    }
    counts = {name: figure(pack, f"change_{name}")["raw"] for name in ("new", "changed", "closed", "unchanged",
                                                                      "removed")}
    assert counts == {"new": 1, "changed": 1, "closed": 1, "unchanged": 1, "removed": 0}


def test_a_reopened_item_is_named(registers_at_last_review, approved_review, make_review):
    r = registers_at_last_review
    r["closing"].status = RegisterStatus.CLOSED
    r["closing"].save()
    second = make_review(period=NEXT_PERIOD, planned=NEXT_PLANNED)
    _approve(second)
    r["closing"].status = RegisterStatus.ACTIVE
    r["closing"].save()
    third = services.create_review(title="YGG", planned_date=dt.date(2028, 11, 20), period_start=dt.date(2027, 11, 1),
                                   period_end=dt.date(2028, 10, 31), chair=second.chair, created_by=second.created_by)
    change = _by_code(table(compile_item(third, AgendaItemKind.RISKS), "register"), RISK_COLUMNS["change"])
    assert change["R-002"] == "Reopened"
    assert change["R-001"] == "Unchanged"


def _approve(review):
    make_ready(review, held_on=review.planned_date)
    services.submit(review, user=review.created_by)
    services.approve(review, user=review.chair)
    review.refresh_from_db()
    return review


def test_the_comparison_is_with_the_latest_approved_review_before_this_one(approved_review, make_review, mr):
    in_preparation = make_review(period=NEXT_PERIOD, planned=dt.date(2027, 6, 1))
    following = make_review(period=NEXT_PERIOD, planned=NEXT_PLANNED)
    assert previous_review(following) == approved_review  # the one in preparation does not count
    assert previous_review(approved_review) is None
    _approve(in_preparation)
    assert previous_review(following) == in_preparation
    correction = services.start_correction(in_preparation, user=mr, reason="Katılımcı listesi eksik.")
    assert previous_review(correction) == approved_review  # never the version it corrects


def test_headline_figures_and_links(make_risk, make_stakeholder, review):
    make_risk(5, 5)
    make_risk(4, 4, review_date=dt.date(2020, 1, 1))
    make_risk(3, 3)
    make_risk(1, 1, status=RegisterStatus.CLOSED, review_date=dt.date(2020, 1, 1))
    opportunity = make_risk(2, 5, kind=RiskKind.OPPORTUNITY)
    pack = compile_item(review, AgendaItemKind.RISKS)
    raw = {key: figure(pack, key)["raw"] for key in ("active_risks", "risks_very_high", "risks_high", "risks_medium",
                                                      "risks_low", "active_opportunities", "reviews_overdue")}
    assert raw == {"active_risks": 3, "risks_very_high": 1, "risks_high": 1, "risks_medium": 1, "risks_low": 0,
                   "active_opportunities": 1, "reviews_overdue": 1}
    register = table(pack, "register")
    assert register["columns"][:8] == ["Number", "Kind", "Description", "Process", "Likelihood (L)", "Impact (I)",
                                       "Score (L×I)", "Level"]
    row = next(row for row in register["rows"] if row[0] == opportunity.code)
    assert row[4:8] == ["2", "5", "10", "High"]
    assert register["links"][register["rows"].index(row)] == reverse("review_risks:inspect", args=[opportunity.pk])
    overdue_row = next(row for row in register["rows"] if row[0] == "R-002")
    assert overdue_row[RISK_COLUMNS["review_date"]] == "01.01.2020 (overdue)"
    heat = table(pack, "heat_map")
    assert heat["rows"][0][0] == "Likelihood 5" and heat["rows"][0][5] == "1 (Very high)"
    assert pack["links"][0]["url"] == reverse("review_risks:index")

    make_stakeholder(kind=StakeholderKind.INTERNAL, influence=Influence.LOW)
    make_stakeholder(influence=Influence.HIGH)
    make_stakeholder(influence=Influence.HIGH, status=RegisterStatus.CLOSED)
    pack = compile_item(review, AgendaItemKind.STAKEHOLDERS)
    raw = {key: figure(pack, key)["raw"] for key in ("active_stakeholders", "stakeholders_internal",
                                                      "stakeholders_external", "influence_high", "influence_medium",
                                                      "influence_low")}
    assert raw == {"active_stakeholders": 2, "stakeholders_internal": 1, "stakeholders_external": 1,
                   "influence_high": 1, "influence_medium": 0, "influence_low": 1}
    assert table(pack, "by_kind_influence")["rows"] == [
        ["Internal", "0", "0", "1", "1"],
        ["External", "1", "0", "0", "1"],
    ]
