"""`audits.services.raise_nonconformity`, the one entry point other modules (KPI breaches, call QA,
management review) open DÖFs with: the origin link, the checks, gap-free yearly numbering and the
e-mails after the commit."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from audits import services
from audits.models import NCState, Nonconformity, NonconformitySequence, Severity, Source
from qms.models import Standard
from qms.roles import Role

pytestmark = pytest.mark.django_db


def raise_(cast, org, *, unit="ÇMŞ", title="Geri dönüş yapılmıyor", **kwargs):
    kwargs.setdefault("source", Source.KPI_BREACH)
    kwargs.setdefault("description", "Geri arama oranı hedefin altında.")
    kwargs.setdefault("raised_by", cast["clerk"])
    return services.raise_nonconformity(title=title, unit=org[unit], **kwargs)


def codes() -> list[str]:
    return list(Nonconformity.objects.order_by("pk").values_list("code", flat=True))


# --- the origin -----------------------------------------------------------------------------------


def test_a_dof_keeps_its_origin_record_and_its_admin_link(cast, org):
    origin = org["ALO153"]  # a stand-in for a KPI breach: any model instance
    nc = raise_(cast, org, origin=origin)
    nc.refresh_from_db()
    assert nc.origin_type == ContentType.objects.get_for_model(origin)
    assert nc.origin_id == str(origin.pk) and nc.origin == origin
    assert nc.origin_label == str(origin) == "Çağrı Merkezi Birimi"
    assert nc.origin_url == reverse("wagtailsnippets_qms_unit:edit", args=[origin.pk])
    assert nc.source == Source.KPI_BREACH and nc.state == NCState.OPEN
    assert nc.raised_by == cast["clerk"] and nc.triaged_at is None
    entry = ModelLogEntry.objects.for_instance(nc).get(action="wagtail.create")
    assert entry.user_id == cast["clerk"].pk and entry.data == {"source": Source.KPI_BREACH}


def test_a_user_as_origin_links_to_the_user_admin(cast, org):
    nc = raise_(cast, org, origin=cast["agent"], source=Source.CALL_QA)
    assert nc.origin == cast["agent"]
    assert nc.origin_url == reverse("wagtailusers_users:edit", args=[cast["agent"].pk])


def test_an_origin_without_an_admin_page_has_no_link(cast, org):
    standard = Standard.objects.get(code="ISO 10002")
    nc = raise_(cast, org, origin=standard, source=Source.EXTERNAL_AUDIT)
    assert nc.origin == standard and nc.origin_url == "" and nc.origin_label == "ISO 10002:2018"


def test_the_caller_may_name_the_origin_and_its_link(cast, org):
    nc = raise_(cast, org, origin=org["FEN"], origin_label="Ekim 2026 gösterge sapması " + "x" * 300,
                origin_url="/admin/kpi/breach/7/")
    assert nc.origin_label.startswith("Ekim 2026 gösterge sapması") and len(nc.origin_label) == 255
    assert nc.origin_url == "/admin/kpi/breach/7/"


def test_a_dof_without_origin_is_a_persons(cast, org):
    nc = raise_(cast, org, source=Source.STAFF_SUGGESTION)
    assert nc.origin_type is None and nc.origin_id == "" and nc.origin_url == ""


def test_the_caller_may_set_severity_and_clause(cast, org, clause):
    nc = raise_(cast, org, severity=Severity.MAJOR, clause=clause)
    assert nc.severity == Severity.MAJOR and nc.clause == clause


# --- refusals ---------------------------------------------------------------------------------------


def test_an_unknown_source_is_refused(cast, org):
    with pytest.raises(ValidationError) as excinfo:
        raise_(cast, org, source="rumour")
    assert excinfo.value.message_dict == {"source": ["Bilinmeyen kaynak “rumour”."]}
    assert not Nonconformity.objects.exists() and not NonconformitySequence.objects.exists()


@pytest.mark.parametrize(("title", "description"), [("", "x"), ("   ", "x"), ("Başlık", ""), ("Başlık", " \n")])
def test_a_title_and_a_description_are_required(cast, org, title, description):
    with pytest.raises(ValidationError) as excinfo:
        raise_(cast, org, title=title, description=description)
    assert excinfo.value.messages == ["DÖF'ün bir başlığı ve açıklaması olmalıdır."]
    assert not Nonconformity.objects.exists()


def test_a_long_title_is_cut_to_the_field(cast, org):
    nc = raise_(cast, org, title="Ç" * 250)
    assert nc.title == "Ç" * 200


def test_a_bad_severity_is_refused_without_using_a_number(cast, org):
    raise_(cast, org)
    with pytest.raises(ValidationError) as excinfo:
        raise_(cast, org, severity="catastrophic")
    assert "severity" in excinfo.value.message_dict
    nc = raise_(cast, org)
    year = timezone.localdate().year
    assert codes() == [f"DÖF-{year}-001", f"DÖF-{year}-002"] and nc.code == f"DÖF-{year}-002"


# --- numbering ----------------------------------------------------------------------------------------


def test_numbers_run_on_within_the_year_without_gaps(cast, org):
    year = timezone.localdate().year
    for i in range(12):
        raise_(cast, org, title=f"Sorun {i}")
        if i % 4 == 0:  # a refused call between them takes no number
            with pytest.raises(ValidationError):
                raise_(cast, org, title="")
            with pytest.raises(ValidationError):
                raise_(cast, org, source="unknown")
    assert codes() == [f"DÖF-{year}-{n:03d}" for n in range(1, 13)]
    assert NonconformitySequence.objects.get(year=year).last == 12


def test_a_call_rolled_back_by_its_caller_gives_its_number_back(cast, org):
    year = timezone.localdate().year
    raise_(cast, org)
    with pytest.raises(RuntimeError), transaction.atomic():
        raise_(cast, org)
        raise RuntimeError("the caller's own step failed")
    raise_(cast, org)
    assert codes() == [f"DÖF-{year}-001", f"DÖF-{year}-002"]


def test_numbers_start_again_each_year_and_continue_the_old_year(cast, org, monkeypatch):
    year = timezone.localdate().year
    last_year = dt.datetime(year - 1, 12, 31, 20, 0, tzinfo=dt.UTC)  # 23:00 in Istanbul
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: last_year)
    for _ in range(3):
        raise_(cast, org)
    monkeypatch.setattr(timezone, "now", real_now)
    raise_(cast, org)
    raise_(cast, org)
    monkeypatch.setattr(timezone, "now", lambda: last_year)
    raise_(cast, org)  # a late entry in the old year continues its own series
    assert codes() == [f"DÖF-{year - 1}-001", f"DÖF-{year - 1}-002", f"DÖF-{year - 1}-003",
                       f"DÖF-{year}-001", f"DÖF-{year}-002", f"DÖF-{year - 1}-004"]


def test_the_year_is_the_local_one(cast, org, monkeypatch):
    year = timezone.localdate().year
    # 22:30 UTC on 31 December is already 1 January in Istanbul (UTC+3).
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(year - 1, 12, 31, 22, 30, tzinfo=dt.UTC))
    assert raise_(cast, org).code == f"DÖF-{year}-001"


# --- e-mails ----------------------------------------------------------------------------------------


def test_an_untriaged_dof_is_mailed_to_the_management_representative(cast, org, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        nc = raise_(cast, org)
    assert [message.to for message in mailoutbox] == [[cast["mr"].email]]
    message = mailoutbox[0]
    assert message.subject == f"{nc.code}: Geri dönüş yapılmıyor"
    assert message.body.startswith("Yeni bir DÖF açıldı ve ön değerlendirme bekliyor.")
    assert reverse("audits:nonconformity", args=[nc.pk]) in message.body


def test_a_triaged_dof_is_mailed_to_the_units_managers(cast, org, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        raise_(cast, org, triaged_by=cast["auditor"], source=Source.INTERNAL_AUDIT)
    assert [message.to for message in mailoutbox] == [[cast["manager"].email]]
    assert mailoutbox[0].body.startswith("Biriminiz için bir DÖF açıldı.")


def test_a_unit_without_managers_is_told_through_the_nearest_above(cast, org, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        raise_(cast, org, unit="ALO153", triaged_by=cast["mr"])
    assert [message.to for message in mailoutbox] == [[cast["manager"].email]]


def test_the_units_managers_hear_when_the_dof_is_accepted(cast, org, mailoutbox, django_capture_on_commit_callbacks):
    nc = raise_(cast, org)
    with django_capture_on_commit_callbacks(execute=True):
        services.nonconformity_triage(nonconformity=nc, user=cast["mr"])
    assert [message.to for message in mailoutbox] == [[cast["manager"].email]]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.nonconformity_triage(nonconformity=nc, user=cast["mr"], severity=Severity.MAJOR)
    assert mailoutbox == []  # accepted again, same unit: nobody new to tell
    with django_capture_on_commit_callbacks(execute=True):
        services.nonconformity_triage(nonconformity=nc, user=cast["mr"], unit=org["KSB"])
    assert [message.to for message in mailoutbox] == [[cast["desk_manager"].email]]


def test_no_mail_for_a_dof_whose_transaction_is_rolled_back(cast, org, mailoutbox,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            raise_(cast, org)
            raise RuntimeError("caller failed")
    assert mailoutbox == [] and not Nonconformity.objects.exists()


def test_a_mail_failure_does_not_undo_the_dof(cast, org, mailoutbox, monkeypatch, caplog,
                                              django_capture_on_commit_callbacks):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("the mail server went away")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        nc = raise_(cast, org)
    assert Nonconformity.objects.filter(pk=nc.pk).exists()
    assert "the mail server went away" in caplog.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_mail_failure_after_the_commit_keeps_the_dof(cast, org, monkeypatch, caplog):
    """Committed for real: the e-mail runs after the commit, robustly."""

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("the mail server went away")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with caplog.at_level(logging.ERROR):
        nc = raise_(cast, org)
    assert Nonconformity.objects.get(pk=nc.pk).code == nc.code
    assert "the mail server went away" in caplog.text


def test_an_inactive_or_mailless_representative_gets_no_mail(cast, org, make_user, mailoutbox,
                                                             django_capture_on_commit_callbacks):
    make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM", email="")
    gone = make_user(Role.MANAGEMENT_REPRESENTATIVE, unit="HİŞM")
    gone.is_active = False
    gone.save()
    with django_capture_on_commit_callbacks(execute=True):
        raise_(cast, org)
    assert [message.to for message in mailoutbox] == [[cast["mr"].email]]


def test_an_outside_system_links_its_own_record(cast, org):
    nc = services.raise_nonconformity(
        source=Source.CITIZEN_COMPLAINT, title="Tekrarlayan şikâyet", description="Aynı konuda üç şikâyet.",
        unit=org["ÇMŞ"], raised_by=cast["clerk"], origin_label="HİM 2026/123456",
        origin_url="https://him.example.org/basvuru/123456", immediate_correction="Vatandaş arandı.",
    )
    nc.refresh_from_db()
    assert (nc.origin_label, nc.origin_url, nc.immediate_correction) == (
        "HİM 2026/123456", "https://him.example.org/basvuru/123456", "Vatandaş arandı.")


def test_a_link_that_is_not_http_is_refused(cast, org):
    with pytest.raises(ValidationError) as error:
        services.raise_nonconformity(
            source=Source.CITIZEN_COMPLAINT, title="Şikâyet", description="Açıklama", unit=org["ÇMŞ"],
            raised_by=cast["clerk"], origin_label="x", origin_url="javascript:alert(1)",
        )
    assert "origin_url" in error.value.message_dict
    assert not Nonconformity.objects.exists()
