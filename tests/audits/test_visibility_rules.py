"""Who sees which audit, finding and DÖF (audits.queries): the one rule every list, page, PDF,
export and API endpoint filters with, per role."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits import services
from audits.models import Finding, FindingKind, Source
from audits.queries import audits_visible_to, findings_visible_to, nonconformities_visible_to
from qms.roles import Role

pytestmark = pytest.mark.django_db


def fresh(user):
    return get_user_model().objects.get(pk=user.pk) if user.pk else user


@pytest.fixture
def world(cast, org, make_user, planned_audit, today):
    """Three audits and four DÖFs, and everyone who might look at them."""
    people = dict(cast)
    people["member"] = make_user(Role.INTERNAL_AUDITOR, unit="FEN", username="ekip")
    people["idle_auditor"] = make_user(Role.INTERNAL_AUDITOR, unit="FEN", username="bosta")
    people["branch"] = make_user(Role.UNIT_MANAGER, unit="HİŞM", username="subemuduru")
    people["alo_manager"] = make_user(Role.UNIT_MANAGER, unit="ALO153", username="alosef")
    people["gone"] = make_user(Role.UNIT_MANAGER, unit="ÇMŞ", username="ayrilan")
    audits = {
        "cm": planned_audit(units=[org["ÇMŞ"]], lead_auditor=cast["auditor"], team=[people["member"]]),
        "fen": planned_audit(title="Fen", units=[org["FEN"]], lead_auditor=cast["auditor2"]),
        "alo": planned_audit(title="ALO", units=[org["ALO153"]], lead_auditor=cast["auditor"]),
    }

    def raise_(unit, by):
        return services.raise_nonconformity(source=Source.STAFF_SUGGESTION, title=f"{unit} sorunu",
                                            description="Açıklama", unit=org[unit], raised_by=people[by])

    ncs = {"cm": raise_("ÇMŞ", "clerk"), "alo": raise_("ALO153", "mr"), "ksb": raise_("KSB", "mr"),
           "fen": raise_("FEN", "mr")}
    ncs["cm"] = services.nonconformity_triage(nonconformity=ncs["cm"], user=cast["mr"])
    services.nonconformity_analyse(nonconformity=ncs["cm"], user=cast["manager"], whys=["a"], root_cause="r")
    services.action_add(nonconformity=ncs["cm"], user=cast["manager"], description="Talimat", owner=cast["agent"],
                        due_date=today)
    people["gone"].is_active = False
    people["gone"].save()
    people["anonymous"] = AnonymousUser()
    return {"people": people, "audits": audits, "ncs": ncs}


ALL = {"cm", "fen", "alo"}


@pytest.mark.parametrize(("who", "expected"), [
    ("mr", ALL),
    ("top", ALL),
    ("auditor", {"cm", "alo"}),     # lead auditor of two audits
    ("member", {"cm"}),             # on the team of one
    ("auditor2", {"fen"}),
    ("idle_auditor", set()),        # an internal auditor on no audit
    ("manager", {"cm", "alo"}),     # ÇMŞ chief: own unit and the unit below
    ("branch", {"cm", "alo"}),      # the branch above: its whole subtree (FEN is elsewhere)
    ("alo_manager", {"alo"}),       # a unit below: only its own unit's audit
    ("desk_manager", set()),        # a sibling chiefdom
    ("agent", set()),
    ("clerk", set()),
    ("gone", set()),                # an inactive user
    ("anonymous", set()),
])
def test_audits_visible_to(world, who, expected):
    names = {audit.pk: name for name, audit in world["audits"].items()}
    visible = {names[pk] for pk in audits_visible_to(fresh(world["people"][who])).values_list("pk", flat=True)}
    assert visible == expected


ALL_NCS = {"cm", "alo", "ksb", "fen"}


@pytest.mark.parametrize(("who", "expected"), [
    ("mr", ALL_NCS),
    ("top", ALL_NCS),
    ("auditor", ALL_NCS),           # internal auditors oversee every DÖF (they verify them)
    ("member", ALL_NCS),
    ("idle_auditor", ALL_NCS),
    ("manager", {"cm", "alo"}),     # own unit and below
    ("branch", {"cm", "alo", "ksb"}),
    ("alo_manager", {"alo"}),       # a unit below ÇMŞ sees only its own
    ("desk_manager", {"ksb"}),      # the sibling chiefdom: KSB under it, not ÇMŞ
    ("agent", {"cm"}),              # owns an action of it
    ("clerk", {"cm"}),              # raised it
    ("gone", set()),                # an inactive unit manager: nothing, grants or not
    ("anonymous", set()),
])
def test_nonconformities_visible_to(world, who, expected):
    names = {nc.pk: name for name, nc in world["ncs"].items()}
    visible = {names[pk] for pk in
               nonconformities_visible_to(fresh(world["people"][who])).values_list("pk", flat=True)}
    assert visible == expected


def test_a_given_queryset_is_narrowed_not_replaced(world):
    ncs, people = world["ncs"], world["people"]
    from audits.models import Nonconformity

    only_fen = Nonconformity.objects.filter(pk=ncs["fen"].pk)
    assert list(nonconformities_visible_to(fresh(people["manager"]), only_fen)) == []
    assert list(nonconformities_visible_to(fresh(people["mr"]), only_fen)) == [ncs["fen"]]
    assert list(nonconformities_visible_to(fresh(people["clerk"]), Nonconformity.objects.open())) == [ncs["cm"]]


def test_findings_follow_their_audit(world, cast, org):
    audit = world["audits"]["fen"]
    services.audit_start(audit=audit, user=cast["auditor2"])
    finding = services.finding_record(audit=audit, user=cast["auditor2"], kind=FindingKind.OBSERVATION,
                                      unit=org["FEN"], statement="Gözlem")
    people = world["people"]
    assert list(findings_visible_to(fresh(people["auditor2"]))) == [finding]
    assert list(findings_visible_to(fresh(people["top"]))) == [finding]
    for who in ("auditor", "manager", "agent", "gone", "anonymous"):
        assert not findings_visible_to(fresh(people[who])).exists(), who
    assert Finding.objects.count() == 1


def _count_queries(user, function) -> int:
    with CaptureQueriesContext(connection) as queries:
        list(function(fresh(user)))
    return len(queries)


def _raise_many(cast, org, n):
    for i in range(n):
        services.raise_nonconformity(source=Source.CITIZEN_COMPLAINT, title=f"Şikâyet {i}", description="x",
                                     unit=org["ALO153"], raised_by=cast["clerk"])


@pytest.mark.parametrize("who", ["manager", "clerk", "mr"])
def test_the_dof_visibility_query_count_does_not_grow_with_the_rows(cast, org, who):
    _raise_many(cast, org, 10)
    at_10 = _count_queries(cast[who], nonconformities_visible_to)
    _raise_many(cast, org, 90)
    assert nonconformities_visible_to(fresh(cast[who])).count() == 100
    assert _count_queries(cast[who], nonconformities_visible_to) == at_10


@pytest.mark.parametrize("who", ["manager", "auditor", "top"])
def test_the_audit_visibility_query_count_does_not_grow_with_the_rows(cast, org, planned_audit, who):
    for i in range(10):
        planned_audit(title=f"Tetkik {i}")
    at_10 = _count_queries(cast[who], audits_visible_to)
    for i in range(90):
        planned_audit(title=f"Tetkik {i + 10}")
    assert audits_visible_to(fresh(cast[who])).count() == 100
    assert _count_queries(cast[who], audits_visible_to) == at_10
