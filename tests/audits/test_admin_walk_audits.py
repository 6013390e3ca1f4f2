"""Every audits and DÖF screen walked as every role: served exactly when the role table says so.

The audit is of the call-centre chiefdom (ÇMŞ), led by an auditor from another unit; the DÖF is
the call centre's, raised by a desk clerk. Each role's walker sits in ÇMŞ, so a unit manager
walks as the audited unit's manager (object grants) and everyone else as a member of the unit
who did not raise the DÖF. A refusal is 403 or 404 (or the admin's redirect to the dashboard).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.models import NCState
from qms.roles import ROLES, Role

pytestmark = pytest.mark.django_db

HOME = reverse("wagtailadmin_home")


def can(role: Role, *capabilities: str) -> bool:
    return any(capability in ROLES[role].capabilities for capability in capabilities)


def refused(response) -> bool:
    return response.status_code in (403, 404) or (response.status_code == 302 and response.url == HOME)


@pytest.mark.parametrize("role", list(Role))
def test_audit_and_dof_screens_per_role(role, role_client, audit_in_progress, nonconformity, today):
    audit = audit_in_progress
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    client = role_client(role, unit="ÇMŞ")
    sees_audits = can(role, "audits.plan", "audits.oversee") or role == Role.UNIT_MANAGER
    sees_dof = can(role, "nonconformities.oversee") or role == Role.UNIT_MANAGER
    screens = {
        "programme": (reverse("audits:programme_year", args=[today.year]),
                      can(role, "audits.plan", "audits.oversee", "audits.perform", "audits.follow")),
        "programme pdf": (reverse("audits:programme_pdf", args=[today.year]),
                          can(role, "audits.plan", "audits.oversee", "audits.perform", "audits.follow")),
        "programme ical": (reverse("audits:programme_ical", args=[today.year]),
                           can(role, "audits.plan", "audits.oversee", "audits.perform", "audits.follow")),
        "audit list": (reverse("audits:audit_list"),
                       can(role, "audits.plan", "audits.oversee", "audits.perform", "audits.follow")),
        # An auditor who is not on this audit does not see it.
        "audit file": (reverse("audits:audit", args=[audit.pk]), sees_audits),
        "report preview": (reverse("audits:report_preview", args=[audit.pk]), sees_audits),
        "checklist": (reverse("audits:audit_checklist", args=[audit.pk]), sees_audits),
        "finding add": (reverse("audits:finding_add", args=[audit.pk]), False),
        "sign-off": (reverse("audits:audit_sign_off", args=[audit.pk]), False),
        "plan list": (reverse("wagtailsnippets_audits_audit:list"), can(role, "audits.plan", "audits.oversee")),
        "plan add": (reverse("wagtailsnippets_audits_audit:add"), can(role, "audits.plan")),
        "plan edit": (reverse("wagtailsnippets_audits_audit:edit", args=[audit.pk]), False),  # started
        "checklists": (reverse("wagtailsnippets_audits_checklisttemplate:list"),
                       can(role, "audits.plan", "audits.perform")),
        "clauses": (reverse("wagtailsnippets_qms_clause:list"),
                    can(role, "audits.plan", "audits.oversee", "audits.perform", "audits.follow")),
        "coverage": (reverse("audits:clause_coverage"), can(role, "audits.plan", "audits.oversee", "audits.perform")),
        "DÖF list": (reverse("audits:nonconformities"), True),
        "DÖF export": (reverse("audits:nonconformities_export") + "?format=csv", True),
        "raise": (reverse("audits:nonconformity_raise"), True),
        "DÖF": (reverse("audits:nonconformity", args=[nc.pk]), sees_dof),
        "DÖF pdf": (reverse("audits:nonconformity_pdf", args=[nc.pk]), sees_dof),
    }
    for name, (url, allowed) in screens.items():
        response = client.get(url)
        if allowed:
            assert response.status_code == 200, f"{role}: {name} should be served ({response.status_code})"
        else:
            assert refused(response), f"{role}: {name} must be refused ({response.status_code})"


@pytest.mark.parametrize("role", list(Role))
def test_dof_steps_refused_to_roles_that_do_not_own_them(role, role_client, nonconformity, cast):
    """Posting a step's form without the right answers 403 (or 404 when the DÖF is not visible)
    and changes nothing; the owning roles are proved in test_nonconformity_views."""
    nc = nonconformity(NCState.VERIFIED)
    client = role_client(role, unit="ÇMŞ")
    response = client.post(reverse("audits:nonconformity_close", args=[nc.pk]), {"note": "Kapatıldı"})
    nc.refresh_from_db()
    if can(role, "nonconformities.manage"):
        assert nc.state == NCState.CLOSED
    else:
        assert refused(response), f"{role}: close must be refused ({response.status_code})"
        assert nc.state == NCState.VERIFIED
