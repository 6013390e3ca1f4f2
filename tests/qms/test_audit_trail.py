"""Changes to records land in Wagtail's audit log, readable in the site-history report."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from qms.audit import record, record_transition
from qms.roles import Role


def test_admin_edit_of_a_unit_is_logged_with_who_and_what(role_client, org):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="KSB")
    unit = org["ALO153"]
    url = reverse("wagtailsnippets_qms_unit:edit", args=[unit.pk])
    response = client.post(url, {"code": "ALO153", "kind": "unit", "name": "ALO 153 Çağrı Merkezi",
                                 "parent": org["ÇMŞ"].pk, "is_active": "on"})
    assert response.status_code == 302, response.content[:2000]
    entry = ModelLogEntry.objects.filter(object_id=str(unit.pk), action="wagtail.edit").latest("timestamp")
    assert entry.user == client.user
    assert entry.label == "ALO 153 Çağrı Merkezi"


def test_transition_entry_reads_from_and_to_in_site_history(role_client, org):
    client = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="KSB")
    record_transition(org["FEN"], user=client.user, from_state="open", to_state="closed",
                      from_label="Açık", to_label="Kapandı", note="Doğrulandı")
    response = client.get(reverse("wagtailadmin_reports:site_history"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Açık" in text and "Kapandı" in text


def test_unregistered_action_is_refused(org):
    with pytest.raises(ValueError, match="Unregistered"):
        record(org["FEN"], "qms.no_such_action")


def test_site_history_hides_entries_of_records_the_user_may_not_view(role_client, org, make_user):
    author = make_user(Role.MANAGEMENT_REPRESENTATIVE)
    person = make_user(Role.STAFF, first_name="Gizli", last_name="Kişioğlu")
    record(person.staff_profile, "wagtail.edit", user=author)
    url = reverse("wagtailadmin_reports:site_history")
    agent = role_client(Role.AGENT, unit="ALO153")  # agents may not view staff profiles
    assert "Kişioğlu" not in agent.get(url).content.decode()
    agent.force_login(author)
    assert "Kişioğlu" in agent.get(url).content.decode()
