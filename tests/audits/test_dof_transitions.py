"""The DÖF state machine (audits.models.nonconformities.TRANSITIONS): every allowed step succeeds
through its service when its guard is met; every guard that fails refuses with its message and
changes nothing; every pair outside the table is refused, also when `state` is set and saved
directly (and by a stale copy); every state change is in the audit log."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import ModelLogEntry

from audits import services
from audits.models import (
    TRANSITIONS,
    ActionState,
    CorrectiveAction,
    EffectivenessCheck,
    NCState,
    Nonconformity,
    Source,
)
from qms.audit import TRANSITION
from qms.roles import Role

pytestmark = pytest.mark.django_db

LABEL = {
    NCState.OPEN: "Açık",
    NCState.CAUSE_ANALYSED: "Kök neden belirlendi",
    NCState.ACTIONS_PLANNED: "Faaliyetler planlandı",
    NCState.ACTIONS_DONE: "Faaliyetler tamamlandı",
    NCState.VERIFIED: "Etkinliği doğrulandı",
    NCState.CLOSED: "Kapatıldı",
    NCState.REJECTED: "Reddedildi",
}
NOT_TRIAGED = "Yönetim temsilcisi bu DÖF'ü henüz ön değerlendirmeden geçirmedi."
FIRST_WHY = "En az ilk “neden?” sorusunu yanıtlayın."
WHYS_IN_ORDER = "“Neden?” sorularını atlamadan sırayla yanıtlayın."
ROOT_CAUSE = "Kök nedeni yazın."
PLAN_ACTION = "En az bir düzeltici faaliyet planlayın."
SET_CHECK_DATE = "Etkinliğin doğrulanacağı en erken tarihi belirleyin."
CHECK_AFTER_LAST_DUE = "Etkinlik doğrulaması son faaliyetin termininden önce olamaz."
NOT_ALL_DONE = "Bazı düzeltici faaliyetler henüz tamamlanmadı."
ONE_DONE = "En az bir düzeltici faaliyet tamamlanmış olmalıdır."
EFFECTIVE_NEEDED = "Bir etkinlik doğrulaması faaliyetleri etkin bulmalıdır."
INEFFECTIVE_NEEDED = "Bir DÖF yalnızca faaliyetleri etkisiz bulan bir etkinlik doğrulamasıyla yeniden açılır."
REJECT_REASON = "Ret gerekçesini yazın."
ACTION_FINAL = "Tamamlanan ya da iptal edilen faaliyet kesinleşmiştir."
DOER_MAY_NOT_VERIFY = "Düzeltici faaliyetleri yapan kişi bunların etkinliğini doğrulayamaz."


def not_allowed(frm: str, to: str) -> str:
    return f"Bir DÖF “{LABEL[frm]}” durumundan “{LABEL[to]}” durumuna geçemez."


def stored(nc) -> dict:
    """Everything the database holds about a DÖF: its row, actions, checks, grants and log."""
    return {
        "nc": Nonconformity.objects.filter(pk=nc.pk).values().get(),
        "actions": list(CorrectiveAction.objects.filter(nonconformity_id=nc.pk).order_by("pk").values()),
        "checks": list(EffectivenessCheck.objects.filter(nonconformity_id=nc.pk).order_by("pk").values()),
        "log": list(ModelLogEntry.objects.for_instance(nc).values_list("pk", flat=True)),
    }


def transitions_logged(nc) -> list[tuple[str, str]]:
    entries = ModelLogEntry.objects.for_instance(nc).filter(action=TRANSITION).order_by("timestamp", "pk")
    return [(entry.data["from"], entry.data["to"]) for entry in entries]


def messages_of(excinfo) -> list[str]:
    return list(excinfo.value.messages)


# --- the allowed steps, each through its service ------------------------------------------------


def _analyse(nc, cast, today):
    return services.nonconformity_analyse(nonconformity=nc, user=cast["manager"], whys=["Liste yok"],
                                          root_cause="Talimat yok")


def _reject(nc, cast, today):
    return services.nonconformity_triage(nonconformity=nc, user=cast["mr"], accept=False, reason="Mükerrer kayıt")


def _plan(nc, cast, today):
    services.action_add(nonconformity=nc, user=cast["manager"], description="Talimat yazılacak", owner=cast["agent"],
                        due_date=today + dt.timedelta(days=5))
    return services.nonconformity_plan(nonconformity=nc, user=cast["manager"],
                                       effectiveness_due=today + dt.timedelta(days=5))


def _complete(nc, cast, today):
    services.action_complete(action=nc.actions.get(), user=cast["agent"], evidence="Talimat yayımlandı")


def _verify(nc, cast, today):
    services.effectiveness_check_record(nonconformity=nc, user=cast["auditor2"], effective=True, note="Etkin")


def _close(nc, cast, today):
    services.nonconformity_close(nonconformity=nc, user=cast["mr"], note="Kapatıldı")


def _found_ineffective(nc, cast, today):
    services.effectiveness_check_record(nonconformity=nc, user=cast["auditor2"], effective=False,
                                        note="Geri dönüşler hâlâ yapılmıyor")


ALLOWED = {
    (NCState.OPEN, NCState.CAUSE_ANALYSED): _analyse,
    (NCState.OPEN, NCState.REJECTED): _reject,
    (NCState.CAUSE_ANALYSED, NCState.ACTIONS_PLANNED): _plan,
    (NCState.ACTIONS_PLANNED, NCState.ACTIONS_DONE): _complete,
    (NCState.ACTIONS_DONE, NCState.VERIFIED): _verify,
    (NCState.VERIFIED, NCState.CLOSED): _close,
    (NCState.ACTIONS_DONE, NCState.CAUSE_ANALYSED): _found_ineffective,
    (NCState.VERIFIED, NCState.CAUSE_ANALYSED): _found_ineffective,
    (NCState.CLOSED, NCState.CAUSE_ANALYSED): _found_ineffective,
}
REFUSED = [pair for pair in itertools.permutations(NCState.values, 2) if pair not in TRANSITIONS]


def test_every_transition_of_the_table_has_its_service_step():
    assert set(ALLOWED) == set(TRANSITIONS)
    assert len(REFUSED) == 7 * 6 - len(TRANSITIONS)


@pytest.mark.parametrize(("frm", "to"), list(ALLOWED), ids=lambda s: str(s))
def test_an_allowed_transition_succeeds_through_its_service_and_is_logged(nonconformity, cast, today, frm, to):
    nc = nonconformity(frm)
    before = transitions_logged(nc)
    ALLOWED[(frm, to)](nc, cast, today)
    nc.refresh_from_db()
    assert nc.state == to
    assert transitions_logged(nc) == [*before, (frm, to)]
    entry = ModelLogEntry.objects.for_instance(nc).filter(action=TRANSITION).latest("timestamp", "pk")
    assert entry.user_id is not None
    assert entry.data["from_label"] == LABEL[frm] and entry.data["to_label"] == LABEL[to]


@pytest.mark.parametrize(("frm", "to"), REFUSED, ids=lambda s: str(s))
def test_a_pair_outside_the_table_is_refused_even_when_the_state_is_set_directly(nonconformity, frm, to):
    nc = nonconformity(frm)
    before = stored(nc)
    nc.state = to
    with pytest.raises(ValidationError) as excinfo:
        nc.save()
    assert messages_of(excinfo) == [not_allowed(frm, to)]
    assert stored(nc) == before


def _add_action_directly(nc, owner, due):
    # Bypasses the services and the model's checks on purpose: a broken record to test a guard.
    return CorrectiveAction.objects.bulk_create([
        CorrectiveAction(nonconformity=nc, cycle=nc.cycle, description="Gizli faaliyet", owner=owner, due_date=due)
    ])[0]


GUARD_FAILURES = {
    # case: (starting state, target, how the data is left, expected messages)
    "analyse-untriaged-no-whys": (NCState.OPEN, NCState.CAUSE_ANALYSED, "untriaged",
                                  [NOT_TRIAGED, FIRST_WHY, ROOT_CAUSE]),
    "analyse-no-whys": (NCState.OPEN, NCState.CAUSE_ANALYSED, None, [FIRST_WHY, ROOT_CAUSE]),
    "reject-no-reason": (NCState.OPEN, NCState.REJECTED, None, [REJECT_REASON]),
    "plan-nothing": (NCState.CAUSE_ANALYSED, NCState.ACTIONS_PLANNED, None, [PLAN_ACTION, SET_CHECK_DATE]),
    "done-action-open": (NCState.ACTIONS_PLANNED, NCState.ACTIONS_DONE, None, [NOT_ALL_DONE]),
    "done-all-cancelled": (NCState.ACTIONS_PLANNED, NCState.ACTIONS_DONE, "cancel", [ONE_DONE]),
    "verify-no-check": (NCState.ACTIONS_DONE, NCState.VERIFIED, None, [EFFECTIVE_NEEDED]),
    "reopen-no-check": (NCState.ACTIONS_DONE, NCState.CAUSE_ANALYSED, None, [INEFFECTIVE_NEEDED]),
    "reopen-verified-effective": (NCState.VERIFIED, NCState.CAUSE_ANALYSED, None, [INEFFECTIVE_NEEDED]),
    "reopen-closed-effective": (NCState.CLOSED, NCState.CAUSE_ANALYSED, None, [INEFFECTIVE_NEEDED]),
}


@pytest.mark.parametrize("case", list(GUARD_FAILURES))
def test_an_allowed_pair_set_directly_is_refused_while_its_guard_fails(nonconformity, cast, case):
    frm, to, setup, expected = GUARD_FAILURES[case]
    nc = nonconformity(frm, triaged=setup != "untriaged")
    if setup == "cancel":
        services.action_cancel(action=nc.actions.get(), user=cast["manager"], reason="Gerek kalmadı")
        nc.refresh_from_db()
        assert nc.state == NCState.ACTIONS_PLANNED
    before = stored(nc)
    nc.state = to
    with pytest.raises(ValidationError) as excinfo:
        nc.save()
    assert messages_of(excinfo) == expected
    assert stored(nc) == before


def test_an_allowed_pair_set_directly_with_its_guard_met_is_saved(nonconformity):
    """The model enforces the table, whatever path saves (the services add who and the log)."""
    nc = nonconformity(NCState.OPEN)
    nc.why_1, nc.root_cause = "Liste yok", "Talimat yok"
    nc.state = NCState.CAUSE_ANALYSED
    nc.save()
    assert Nonconformity.objects.get(pk=nc.pk).state == NCState.CAUSE_ANALYSED


def test_a_stale_copy_cannot_write_back_an_older_state(nonconformity, cast):
    nc = nonconformity(NCState.OPEN)
    stale = Nonconformity.objects.get(pk=nc.pk)
    services.nonconformity_analyse(nonconformity=nc, user=cast["manager"], whys=["Liste yok"],
                                   root_cause="Talimat yok")
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        stale.save()
    assert messages_of(excinfo) == [not_allowed(NCState.CAUSE_ANALYSED, NCState.OPEN)]
    assert stored(nc) == before


def test_a_stale_copy_of_a_planned_dof_cannot_undo_the_actions_done(nonconformity, cast):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    stale = Nonconformity.objects.get(pk=nc.pk)
    services.action_complete(action=nc.actions.get(), user=cast["agent"], evidence="Yayımlandı")
    stale.title = "Değiştirilmiş başlık"
    with pytest.raises(ValidationError) as excinfo:
        stale.save()
    assert messages_of(excinfo) == [not_allowed(NCState.ACTIONS_DONE, NCState.ACTIONS_PLANNED)]
    assert Nonconformity.objects.get(pk=nc.pk).title == "Geri dönüşler yapılmıyor"


def test_a_new_dof_starts_open(cast, org):
    nc = Nonconformity(code="DÖF-1999-001", source=Source.STAFF_SUGGESTION, title="x", description="y",
                       unit=org["ÇMŞ"], raised_by=cast["clerk"], state=NCState.CAUSE_ANALYSED)
    with pytest.raises(ValidationError) as excinfo:
        nc.save()
    assert messages_of(excinfo) == ["Yeni bir DÖF açık durumda başlar."]
    assert not Nonconformity.objects.filter(code="DÖF-1999-001").exists()


# --- triage -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["top", "auditor", "manager", "clerk"])
def test_only_the_management_representative_triages(nonconformity, cast, org, who):
    nc = nonconformity(NCState.OPEN, triaged=False)
    before = stored(nc)
    for kwargs in ({"accept": True, "unit": org["ÇÖZM"]}, {"accept": False, "reason": "Mükerrer"}):
        with pytest.raises(PermissionDenied) as excinfo:
            services.nonconformity_triage(nonconformity=nc, user=cast[who], **kwargs)
        assert str(excinfo.value) == "DÖF'lerin ön değerlendirmesini yalnızca yönetim temsilcisi yapar."
    assert stored(nc) == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_needs_a_reason(nonconformity, cast, reason):
    nc = nonconformity(NCState.OPEN, triaged=False)
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.nonconformity_triage(nonconformity=nc, user=cast["mr"], accept=False, reason=reason)
    assert messages_of(excinfo) == [REJECT_REASON]
    assert stored(nc) == before


@pytest.mark.parametrize("state", [NCState.CAUSE_ANALYSED, NCState.ACTIONS_PLANNED, NCState.REJECTED,
                                   NCState.CLOSED])
def test_only_an_open_dof_is_rejected_or_triaged(nonconformity, cast, org, state):
    nc = nonconformity(state)
    before = stored(nc)
    for kwargs in ({"accept": False, "reason": "Mükerrer"}, {"accept": True, "unit": org["ÇÖZM"]}):
        with pytest.raises(ValidationError) as excinfo:
            services.nonconformity_triage(nonconformity=nc, user=cast["mr"], **kwargs)
        assert messages_of(excinfo) == ["Yalnızca açık bir DÖF ön değerlendirmeden geçer."]
    assert stored(nc) == before


# --- the root cause (5 whys) ----------------------------------------------------------------------


@pytest.mark.parametrize(("whys", "root_cause", "expected"), [
    (["Liste yok", "", "Talimat yok"], "Talimat yok", [WHYS_IN_ORDER]),
    (["", "Talimat yok"], "Talimat yok", [FIRST_WHY, WHYS_IN_ORDER]),
    ([], "Talimat yok", [FIRST_WHY]),
    (["Liste yok"], "", [ROOT_CAUSE]),
    (["Liste yok"], "   ", [ROOT_CAUSE]),
], ids=["why-2-missing", "why-1-missing", "no-whys", "no-root-cause", "blank-root-cause"])
@pytest.mark.parametrize("state", [NCState.OPEN, NCState.CAUSE_ANALYSED])
def test_the_five_whys_are_contiguous_and_the_root_cause_is_stated(nonconformity, cast, state, whys, root_cause,
                                                                    expected):
    nc = nonconformity(state)
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.nonconformity_analyse(nonconformity=nc, user=cast["manager"], whys=whys, root_cause=root_cause)
    assert messages_of(excinfo) == expected
    assert stored(nc) == before


def test_more_than_five_whys_are_refused(nonconformity, cast):
    nc = nonconformity(NCState.OPEN)
    with pytest.raises(ValidationError) as excinfo:
        services.nonconformity_analyse(nonconformity=nc, user=cast["manager"], whys=["a"] * 6, root_cause="r")
    assert messages_of(excinfo) == ["En fazla beş “neden?” yanıtı."]


def test_the_analysis_is_refused_before_triage(nonconformity, cast):
    nc = nonconformity(NCState.OPEN, triaged=False)
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        _analyse(nc, cast, None)
    assert messages_of(excinfo) == [NOT_TRIAGED]
    assert stored(nc) == before


def test_all_five_whys_are_kept_and_the_analysis_may_be_corrected_before_planning(nonconformity, cast):
    nc = nonconformity(NCState.OPEN)
    whys = ["Bir", "İki", "Üç", "Dört", "Beş"]
    services.nonconformity_analyse(nonconformity=nc, user=cast["manager"], whys=whys, root_cause="Kök")
    nc.refresh_from_db()
    assert nc.whys == whys and nc.cause_analysed_by == cast["manager"]
    services.nonconformity_analyse(nonconformity=nc, user=cast["manager"], whys=["Tek"], root_cause="Yeni kök")
    nc.refresh_from_db()
    assert nc.whys == ["Tek"] and nc.root_cause == "Yeni kök" and nc.state == NCState.CAUSE_ANALYSED
    assert transitions_logged(nc) == [(NCState.OPEN, NCState.CAUSE_ANALYSED)]


@pytest.mark.parametrize("state", [NCState.ACTIONS_PLANNED, NCState.ACTIONS_DONE, NCState.CLOSED])
def test_the_root_cause_is_not_rewritten_after_the_plan(nonconformity, cast, state):
    nc = nonconformity(state)
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        _analyse(nc, cast, None)
    assert messages_of(excinfo) == [
        f"Kök neden faaliyetler planlanmadan önce kaydedilir; bu DÖF “{LABEL[state]}” durumunda."
    ]
    assert stored(nc) == before


@pytest.mark.parametrize("who", ["desk_manager", "clerk", "agent", "auditor", "top"])
def test_only_the_units_managers_answer_a_dof(nonconformity, cast, today, who):
    nc = nonconformity(NCState.OPEN)
    before = stored(nc)
    expected = "Bu DÖF'ü yalnızca Çağrı Merkezi Şefliği yöneticileri ya da yönetim temsilcisi yanıtlar."
    with pytest.raises(PermissionDenied) as excinfo:
        services.nonconformity_analyse(nonconformity=nc, user=cast[who], whys=["a"], root_cause="r")
    assert str(excinfo.value) == expected
    analysed = nonconformity(NCState.CAUSE_ANALYSED)
    with pytest.raises(PermissionDenied):
        services.action_add(nonconformity=analysed, user=cast[who], description="x", owner=cast["agent"],
                            due_date=today)
    with pytest.raises(PermissionDenied):
        services.nonconformity_plan(nonconformity=analysed, user=cast[who], effectiveness_due=today)
    assert stored(nc) == before
    assert not analysed.actions.exists()


# --- corrective actions ----------------------------------------------------------------------------


def test_an_action_cannot_be_due_before_the_dof_was_opened(nonconformity, cast, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.action_add(nonconformity=nc, user=cast["manager"], description="Talimat", owner=cast["agent"],
                            due_date=today - dt.timedelta(days=1))
    assert excinfo.value.message_dict == {
        "due_date": [f"Bir faaliyetin termini DÖF'ün açıldığı tarihten ({today:%d.%m.%Y}) önce olamaz."]
    }
    assert stored(nc) == before


@pytest.mark.parametrize("state", [NCState.OPEN, NCState.ACTIONS_DONE, NCState.VERIFIED, NCState.CLOSED,
                                   NCState.REJECTED])
def test_an_action_is_added_only_between_the_analysis_and_the_end_of_the_plan(nonconformity, cast, today, state):
    nc = nonconformity(state)
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.action_add(nonconformity=nc, user=cast["mr"], description="Talimat", owner=cast["agent"],
                            due_date=today)
    assert messages_of(excinfo) == [
        "Faaliyetler kök neden kaydedildikten sonra ve hepsi tamamlanmadan önce planlanır; "
        f"bu DÖF “{LABEL[state]}” durumunda."
    ]
    assert stored(nc) == before


def test_an_action_needs_a_description_and_an_active_owner(nonconformity, cast, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    with pytest.raises(ValidationError) as excinfo:
        services.action_add(nonconformity=nc, user=cast["manager"], description="  ", owner=cast["agent"],
                            due_date=today)
    assert excinfo.value.message_dict == {"description": ["Faaliyeti açıklayın."]}
    cast["agent"].is_active = False
    cast["agent"].save()
    with pytest.raises(ValidationError) as excinfo:
        services.action_add(nonconformity=nc, user=cast["manager"], description="Talimat", owner=cast["agent"],
                            due_date=today)
    assert excinfo.value.message_dict == {"owner": ["Sorumlunun hesabı etkin değil."]}
    assert not nc.actions.exists()


def test_an_action_added_to_a_confirmed_plan_cannot_fall_after_its_effectiveness_date(nonconformity, cast, today):
    nc = nonconformity(NCState.ACTIONS_PLANNED)  # effectiveness from today + 10, the action due today + 10
    with pytest.raises(ValidationError) as excinfo:
        services.action_add(nonconformity=nc, user=cast["manager"], description="Eğitim", owner=cast["agent"],
                            due_date=today + dt.timedelta(days=11))
    assert excinfo.value.message_dict == {"due_date": [CHECK_AFTER_LAST_DUE]}
    action = services.action_add(nonconformity=nc, user=cast["manager"], description="Eğitim", owner=cast["agent"],
                                 due_date=today + dt.timedelta(days=10))
    assert action.cycle == 1 and nc.actions.count() == 2


def test_a_done_action_cannot_be_edited_undone_or_done_again(nonconformity, cast):
    nc = nonconformity(NCState.ACTIONS_DONE)
    action = nc.actions.get()
    before = stored(nc)
    for field, value in (("description", "Başka"), ("evidence", "Başka kanıt"), ("owner", cast["clerk"]),
                         ("completed_by", cast["mr"])):
        edited = CorrectiveAction.objects.get(pk=action.pk)
        setattr(edited, field, value)
        with pytest.raises(ValidationError) as excinfo:
            edited.save()
        assert messages_of(excinfo) == [ACTION_FINAL]
    undone = CorrectiveAction.objects.get(pk=action.pk)
    undone.state = ActionState.PLANNED
    with pytest.raises(ValidationError) as excinfo:
        undone.save()
    assert messages_of(excinfo) == [ACTION_FINAL]
    with pytest.raises(ValidationError) as excinfo:
        services.action_cancel(action=action, user=cast["manager"], reason="Vazgeçildi")
    assert messages_of(excinfo) == [ACTION_FINAL]
    assert stored(nc) == before


def test_completing_an_action_twice_is_refused(nonconformity, cast, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    first = services.action_add(nonconformity=nc, user=cast["manager"], description="Bir", owner=cast["agent"],
                                due_date=today)
    services.action_add(nonconformity=nc, user=cast["manager"], description="İki", owner=cast["agent"],
                        due_date=today)
    services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=today)
    services.action_complete(action=first, user=cast["agent"], evidence="Yapıldı")
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.action_complete(action=first, user=cast["manager"], evidence="Yapıldı")
    assert messages_of(excinfo) == [ACTION_FINAL]
    assert stored(nc) == before


def test_a_cancelled_action_is_final(nonconformity, cast, today):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    extra = services.action_add(nonconformity=nc, user=cast["manager"], description="Ek", owner=cast["agent"],
                                due_date=today)
    services.action_cancel(action=extra, user=cast["manager"], reason="Gerek kalmadı")
    extra.refresh_from_db()
    assert extra.state == ActionState.CANCELLED
    with pytest.raises(ValidationError) as excinfo:
        services.action_complete(action=extra, user=cast["agent"], evidence="Yapıldı")
    assert messages_of(excinfo) == [ACTION_FINAL]
    extra.state = ActionState.PLANNED
    with pytest.raises(ValidationError):
        extra.save()


@pytest.mark.parametrize("reason", ["", "  "])
def test_cancelling_an_action_needs_a_reason(nonconformity, cast, reason):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.action_cancel(action=nc.actions.get(), user=cast["manager"], reason=reason)
    assert excinfo.value.message_dict == {"cancel_reason": ["Faaliyetin iptal gerekçesini yazın."]}
    assert stored(nc) == before


def test_cancelling_the_last_open_action_after_a_done_one_moves_to_actions_done(nonconformity, cast, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    first = services.action_add(nonconformity=nc, user=cast["manager"], description="Bir", owner=cast["agent"],
                                due_date=today)
    second = services.action_add(nonconformity=nc, user=cast["manager"], description="İki", owner=cast["agent"],
                                 due_date=today)
    services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=today)
    services.action_complete(action=first, user=cast["agent"], evidence="Yapıldı")
    nc.refresh_from_db()
    assert nc.state == NCState.ACTIONS_PLANNED
    services.action_cancel(action=second, user=cast["manager"], reason="Birincisi yeterli")
    nc.refresh_from_db()
    assert nc.state == NCState.ACTIONS_DONE
    logged = ModelLogEntry.objects.for_instance(second).filter(action=TRANSITION).get()
    assert logged.data["to"] == ActionState.CANCELLED and logged.data["note"] == "Birincisi yeterli"


def test_completing_needs_evidence_and_the_owner_or_a_manager(nonconformity, cast):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    action = nc.actions.get()
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.action_complete(action=action, user=cast["agent"], evidence=" ")
    assert excinfo.value.message_dict == {"evidence": ["Faaliyetin yapıldığını gösteren kanıtı yazın."]}
    for who in ("clerk", "desk_manager", "auditor"):
        with pytest.raises(PermissionDenied) as excinfo:
            services.action_complete(action=action, user=cast[who], evidence="Yapıldı")
        assert str(excinfo.value) == (
            "Faaliyeti yalnızca sorumlusu ya da birimin yöneticileri tamamlandı olarak kaydeder."
        )
    assert stored(nc) == before
    services.action_complete(action=action, user=cast["manager"], evidence="Yapıldı")
    action.refresh_from_db()
    assert action.completed_by == cast["manager"] and action.state == ActionState.DONE


def test_actions_are_done_only_after_the_plan_is_confirmed(nonconformity, cast, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    action = services.action_add(nonconformity=nc, user=cast["manager"], description="Bir", owner=cast["agent"],
                                 due_date=today)
    with pytest.raises(ValidationError) as excinfo:
        services.action_complete(action=action, user=cast["agent"], evidence="Yapıldı")
    assert messages_of(excinfo) == [
        "Faaliyetler plan onaylandıktan sonra tamamlanır; bu DÖF “Kök neden belirlendi” durumunda."
    ]
    action.refresh_from_db()
    assert action.state == ActionState.PLANNED


# --- the plan -------------------------------------------------------------------------------------


def test_the_plan_needs_an_action_and_a_check_date_not_before_the_last_due_date(nonconformity, cast, today):
    nc = nonconformity(NCState.CAUSE_ANALYSED)
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=today)
    assert messages_of(excinfo) == [PLAN_ACTION]
    assert stored(nc) == before
    services.action_add(nonconformity=nc, user=cast["manager"], description="Bir", owner=cast["agent"],
                        due_date=today + dt.timedelta(days=7))
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=today)
    assert messages_of(excinfo) == [CHECK_AFTER_LAST_DUE]
    with pytest.raises(ValidationError) as excinfo:
        services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=None)
    assert messages_of(excinfo) == [SET_CHECK_DATE]
    assert stored(nc) == before
    services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=today + dt.timedelta(days=7))
    nc.refresh_from_db()
    assert nc.state == NCState.ACTIONS_PLANNED and nc.effectiveness_due == today + dt.timedelta(days=7)


def test_confirming_the_plan_twice_is_refused(nonconformity, cast, today):
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=today)
    assert messages_of(excinfo) == [not_allowed(NCState.ACTIONS_PLANNED, NCState.ACTIONS_PLANNED)]
    assert stored(nc) == before


# --- effectiveness ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "desk_manager", "clerk", "agent", "top"])
@pytest.mark.parametrize("effective", [True, False])
def test_only_an_auditor_or_the_management_representative_verifies(nonconformity, cast, who, effective):
    nc = nonconformity(NCState.ACTIONS_DONE)
    before = stored(nc)
    with pytest.raises(PermissionDenied) as excinfo:
        services.effectiveness_check_record(nonconformity=nc, user=cast[who], effective=effective, note="Baktım")
    assert str(excinfo.value) == "Etkinliği yalnızca bir iç tetkikçi ya da yönetim temsilcisi doğrular."
    assert stored(nc) == before


@pytest.fixture
def planned_for(nonconformity, cast, today):
    """planned_for(owner) -> a DÖF whose one action (due today) is owned by `owner`, plan confirmed."""

    def factory(owner):
        nc = nonconformity(NCState.CAUSE_ANALYSED)
        services.action_add(nonconformity=nc, user=cast["manager"], description="Talimat", owner=owner,
                            due_date=today)
        return services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=today)

    return factory


@pytest.mark.parametrize("effective", [True, False])
def test_the_action_owner_may_not_verify_the_effectiveness(planned_for, cast, effective):
    nc = planned_for(cast["auditor2"])  # an internal auditor who owns (and does) the action
    services.action_complete(action=nc.actions.get(), user=cast["auditor2"], evidence="Yapıldı")
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.effectiveness_check_record(nonconformity=nc, user=cast["auditor2"], effective=effective, note="x")
    assert messages_of(excinfo) == [DOER_MAY_NOT_VERIFY]
    assert stored(nc) == before
    services.effectiveness_check_record(nonconformity=nc, user=cast["auditor"], effective=effective, note="Baktım")


def test_whoever_completed_an_action_may_not_verify_the_effectiveness(planned_for, cast):
    nc = planned_for(cast["agent"])
    services.action_complete(action=nc.actions.get(), user=cast["mr"], evidence="Yapıldı")  # for the agent
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.effectiveness_check_record(nonconformity=nc, user=cast["mr"], effective=True, note="Etkin")
    assert messages_of(excinfo) == [DOER_MAY_NOT_VERIFY]
    assert stored(nc) == before


@pytest.mark.parametrize("effective", [True, False])
def test_the_effectiveness_is_not_judged_before_its_date(nonconformity, cast, today, effective):
    nc = nonconformity(NCState.ACTIONS_DONE)
    later = today + dt.timedelta(days=1)
    Nonconformity.objects.filter(pk=nc.pk).update(effectiveness_due=later)
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.effectiveness_check_record(nonconformity=nc, user=cast["auditor2"], effective=effective, note="x")
    assert messages_of(excinfo) == [f"Etkinlik en erken {later:%d.%m.%Y} tarihinde doğrulanabilir."]
    assert stored(nc) == before


def test_a_check_describes_what_was_checked_and_comes_after_the_actions(nonconformity, cast):
    nc = nonconformity(NCState.ACTIONS_DONE)
    with pytest.raises(ValidationError) as excinfo:
        services.effectiveness_check_record(nonconformity=nc, user=cast["auditor2"], effective=True, note=" ")
    assert messages_of(excinfo) == ["Neyin kontrol edildiğini yazın."]
    planned = nonconformity(NCState.ACTIONS_PLANNED)
    before = stored(planned)
    with pytest.raises(ValidationError) as excinfo:
        services.effectiveness_check_record(nonconformity=planned, user=cast["auditor2"], effective=True, note="x")
    not_yet = f"Etkinlik en erken {planned.effectiveness_due:%d.%m.%Y} tarihinde doğrulanabilir."
    assert messages_of(excinfo) == ["Etkinlik, tüm faaliyetler tamamlandıktan sonra doğrulanır.", not_yet]
    with pytest.raises(ValidationError) as excinfo:
        services.effectiveness_check_record(nonconformity=planned, user=cast["auditor2"], effective=False, note="x")
    assert messages_of(excinfo) == ["Bir DÖF ancak faaliyetleri tamamlandıktan sonra etkisiz bulunabilir.", not_yet]
    assert stored(planned) == before


def test_a_verified_dof_is_not_verified_again(nonconformity, cast):
    nc = nonconformity(NCState.VERIFIED)
    with pytest.raises(ValidationError) as excinfo:
        services.effectiveness_check_record(nonconformity=nc, user=cast["auditor"], effective=True, note="x")
    assert messages_of(excinfo) == ["Etkinlik, tüm faaliyetler tamamlandıktan sonra doğrulanır."]


@pytest.mark.parametrize("state", [NCState.ACTIONS_DONE, NCState.VERIFIED, NCState.CLOSED])
def test_an_ineffective_check_reopens_the_dof_for_a_new_cycle(nonconformity, cast, today, state):
    nc = nonconformity(state)
    old_action = nc.actions.get()
    services.effectiveness_check_record(nonconformity=nc, user=cast["auditor"], effective=False,
                                        note="Geri dönüşler hâlâ yapılmıyor")
    nc.refresh_from_db()
    assert nc.state == NCState.CAUSE_ANALYSED
    assert nc.cycle == 2 and nc.is_reopened
    assert nc.effectiveness_due is None
    assert nc.closed_by is None and nc.closed_at is None
    assert list(nc.actions.values_list("pk", "cycle", "state")) == [(old_action.pk, 1, ActionState.DONE)]
    assert not nc.current_actions().exists()
    assert nc.checks.latest("pk").cycle == 1
    entry = ModelLogEntry.objects.for_instance(nc).filter(action=TRANSITION).latest("timestamp", "pk")
    assert (entry.data["from"], entry.data["to"]) == (state, NCState.CAUSE_ANALYSED)
    assert entry.data["note"] == "Geri dönüşler hâlâ yapılmıyor"
    # The old (done) actions do not count for the new plan: a new action is needed.
    with pytest.raises(ValidationError) as excinfo:
        services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=today)
    assert messages_of(excinfo) == [PLAN_ACTION]
    new = services.action_add(nonconformity=nc, user=cast["manager"], description="Yeni faaliyet",
                              owner=cast["agent"], due_date=today)
    assert new.cycle == 2
    services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=today)
    nc.refresh_from_db()
    assert nc.state == NCState.ACTIONS_PLANNED


def test_the_root_cause_may_be_revised_after_reopening(nonconformity, cast):
    nc = nonconformity(NCState.ACTIONS_DONE)
    _found_ineffective(nc, cast, None)
    services.nonconformity_analyse(nonconformity=nc, user=cast["manager"], whys=["Yeni neden"],
                                   root_cause="Asıl kök neden")
    nc.refresh_from_db()
    assert nc.root_cause == "Asıl kök neden" and nc.cycle == 2


def test_the_second_cycle_runs_to_closure(nonconformity, cast, today):
    nc = nonconformity(NCState.ACTIONS_DONE)
    _found_ineffective(nc, cast, today)
    nc.refresh_from_db()
    new = services.action_add(nonconformity=nc, user=cast["manager"], description="Yeni", owner=cast["clerk"],
                              due_date=today)
    services.nonconformity_plan(nonconformity=nc, user=cast["manager"], effectiveness_due=today)
    services.action_complete(action=new, user=cast["clerk"], evidence="Yapıldı")
    services.effectiveness_check_record(nonconformity=nc, user=cast["auditor"], effective=True, note="Etkin")
    services.nonconformity_close(nonconformity=nc, user=cast["mr"])
    nc.refresh_from_db()
    assert nc.state == NCState.CLOSED and nc.cycle == 2


# --- closing --------------------------------------------------------------------------------------


def _without_root_cause(nc, cast, today):
    Nonconformity.objects.filter(pk=nc.pk).update(root_cause="", why_1="")


def _with_open_action(nc, cast, today):
    _add_action_directly(nc, cast["agent"], today)


def _without_effective_check(nc, cast, today):
    EffectivenessCheck.objects.filter(nonconformity=nc).update(effective=False)


@pytest.mark.parametrize(("breakage", "reasons"), [
    (_without_root_cause, "Kök neden analizi yok."),
    (_with_open_action, NOT_ALL_DONE),
    (_without_effective_check, EFFECTIVE_NEEDED),
], ids=["no-root-cause", "action-not-done", "no-effective-check"])
def test_closing_is_refused_unless_the_dof_is_complete(nonconformity, cast, today, breakage, reasons):
    nc = nonconformity(NCState.VERIFIED)
    breakage(nc, cast, today)
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.nonconformity_close(nonconformity=nc, user=cast["mr"])
    assert messages_of(excinfo) == [f"Kapatılamaz: {reasons}"]
    assert stored(nc) == before


def test_closing_lists_every_missing_part(nonconformity, cast, today):
    nc = nonconformity(NCState.VERIFIED)
    Nonconformity.objects.filter(pk=nc.pk).update(root_cause="")
    CorrectiveAction.objects.filter(nonconformity=nc).update(state=ActionState.CANCELLED, cancel_reason="x")
    _without_effective_check(nc, cast, today)
    with pytest.raises(ValidationError) as excinfo:
        services.nonconformity_close(nonconformity=nc, user=cast["mr"])
    assert messages_of(excinfo) == [
        f"Kapatılamaz: Kök neden analizi yok. Hiçbir düzeltici faaliyet tamamlanmadı. {EFFECTIVE_NEEDED}"
    ]


@pytest.mark.parametrize("state", [NCState.OPEN, NCState.CAUSE_ANALYSED, NCState.ACTIONS_PLANNED,
                                   NCState.ACTIONS_DONE, NCState.REJECTED, NCState.CLOSED])
def test_only_a_verified_dof_is_closed(nonconformity, cast, state):
    nc = nonconformity(state)
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        services.nonconformity_close(nonconformity=nc, user=cast["mr"])
    assert messages_of(excinfo) == [not_allowed(state, NCState.CLOSED)]
    assert stored(nc) == before


@pytest.mark.parametrize("who", ["auditor", "top", "manager", "clerk"])
def test_only_the_management_representative_closes(nonconformity, cast, who):
    nc = nonconformity(NCState.VERIFIED)
    before = stored(nc)
    with pytest.raises(PermissionDenied) as excinfo:
        services.nonconformity_close(nonconformity=nc, user=cast[who])
    assert str(excinfo.value) == "DÖF'leri yalnızca yönetim temsilcisi kapatır."
    assert stored(nc) == before


def test_closing_records_who_and_when(nonconformity, cast):
    nc = nonconformity(NCState.CLOSED)
    nc.refresh_from_db()
    assert nc.closed_by == cast["mr"] and nc.closed_at is not None
    assert not nc.is_open


# --- deletes ---------------------------------------------------------------------------------------


def test_a_dof_its_actions_and_checks_are_never_deleted(nonconformity):
    nc = nonconformity(NCState.VERIFIED)
    action, check = nc.actions.get(), nc.checks.get()
    before = stored(nc)
    with pytest.raises(ValidationError) as excinfo:
        nc.delete()
    assert messages_of(excinfo) == ["DÖF hiçbir zaman silinmez; bunun yerine yönetim temsilcisi reddeder."]
    with pytest.raises(ValidationError) as excinfo:
        action.delete()
    assert messages_of(excinfo) == ["Düzeltici faaliyetler saklanır; silmek yerine gerekçesiyle iptal edin."]
    with pytest.raises(ValidationError) as excinfo:
        check.delete()
    assert messages_of(excinfo) == ["Etkinlik doğrulaması kaydedildiği gibi saklanır."]
    for queryset in (Nonconformity.objects.filter(pk=nc.pk), CorrectiveAction.objects.filter(pk=action.pk),
                     EffectivenessCheck.objects.filter(pk=check.pk), nc.actions.all(), nc.checks.all()):
        with pytest.raises(ValidationError):
            queryset.delete()
    assert stored(nc) == before


def test_a_check_is_kept_as_recorded(nonconformity):
    nc = nonconformity(NCState.VERIFIED)
    check = nc.checks.get()
    check.note = "Değiştirildi"
    with pytest.raises(ValidationError) as excinfo:
        check.save()
    assert messages_of(excinfo) == ["Etkinlik doğrulaması kaydedildiği gibi saklanır."]
    assert nc.checks.get().note == "Son iki ayda geri dönüşler yapılmış."


# --- the audit trail ------------------------------------------------------------------------------


def test_every_state_change_of_a_life_is_in_the_audit_log(nonconformity, cast, today):
    nc = nonconformity(NCState.CLOSED)
    _found_ineffective(nc, cast, today)
    assert transitions_logged(nc) == [
        (NCState.OPEN, NCState.CAUSE_ANALYSED),
        (NCState.CAUSE_ANALYSED, NCState.ACTIONS_PLANNED),
        (NCState.ACTIONS_PLANNED, NCState.ACTIONS_DONE),
        (NCState.ACTIONS_DONE, NCState.VERIFIED),
        (NCState.VERIFIED, NCState.CLOSED),
        (NCState.CLOSED, NCState.CAUSE_ANALYSED),
    ]
    users = list(ModelLogEntry.objects.for_instance(nc).filter(action=TRANSITION).order_by("timestamp", "pk")
                 .values_list("user_id", flat=True))
    assert users == [cast[w].pk for w in ("manager", "manager", "agent", "auditor2", "mr", "auditor2")]
    action = nc.actions.get()
    entry = ModelLogEntry.objects.for_instance(action).filter(action=TRANSITION).get()
    assert (entry.data["from"], entry.data["to"], entry.user_id) == (ActionState.PLANNED, ActionState.DONE,
                                                                      cast["agent"].pk)
    assert ModelLogEntry.objects.for_instance(nc).filter(action="audits.check").count() == 2


def test_a_rejection_is_logged_with_its_reason(nonconformity, cast):
    nc = nonconformity(NCState.REJECTED, triaged=False)
    entry = ModelLogEntry.objects.for_instance(nc).filter(action=TRANSITION).get()
    assert entry.data["to"] == NCState.REJECTED and entry.data["note"] == "Mükerrer kayıt"
    assert entry.user_id == cast["mr"].pk
    nc.refresh_from_db()
    assert nc.rejection_reason == "Mükerrer kayıt" and nc.triaged_by == cast["mr"] and not nc.is_open


def test_a_staff_member_without_roles_cannot_act_on_any_step(nonconformity, make_user, today):
    nobody = make_user(Role.STAFF, unit="FEN")
    nc = nonconformity(NCState.ACTIONS_DONE)
    with pytest.raises(PermissionDenied):
        services.nonconformity_triage(nonconformity=nonconformity(NCState.OPEN), user=nobody)
    with pytest.raises(PermissionDenied):
        services.effectiveness_check_record(nonconformity=nc, user=nobody, effective=True, note="x")
    with pytest.raises(PermissionDenied):
        services.nonconformity_close(nonconformity=nc, user=nobody)
    with pytest.raises(PermissionDenied):
        services.nonconformity_update_effectiveness_due(nonconformity=nc, user=nobody, effectiveness_due=today)


# --- moving the effectiveness date -----------------------------------------------------------------


def test_the_effectiveness_date_moves_only_with_a_plan_and_not_before_the_last_due_date(nonconformity, cast, today):
    nc = nonconformity(NCState.ACTIONS_PLANNED)  # its action is due today + 10
    with pytest.raises(ValidationError) as excinfo:
        services.nonconformity_update_effectiveness_due(nonconformity=nc, user=cast["manager"],
                                                        effectiveness_due=today + dt.timedelta(days=9))
    assert messages_of(excinfo) == [CHECK_AFTER_LAST_DUE]
    services.nonconformity_update_effectiveness_due(nonconformity=nc, user=cast["auditor"],
                                                    effectiveness_due=today + dt.timedelta(days=30))
    nc.refresh_from_db()
    assert nc.effectiveness_due == today + dt.timedelta(days=30)
    analysed = nonconformity(NCState.CAUSE_ANALYSED)
    with pytest.raises(ValidationError) as excinfo:
        services.nonconformity_update_effectiveness_due(nonconformity=analysed, user=cast["mr"],
                                                        effectiveness_due=today)
    assert messages_of(excinfo) == ["Doğrulama tarihi faaliyet planıyla belirlenir."]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_services_run_in_their_own_transaction_outside_a_request(nonconformity, cast, today):
    """Called from a script in autocommit mode, each service still locks its DÖF (select_for_update
    needs a transaction)."""
    nc = nonconformity(NCState.ACTIONS_PLANNED)
    services.nonconformity_update_effectiveness_due(nonconformity=nc, user=cast["mr"],
                                                    effectiveness_due=today + dt.timedelta(days=20))
    services.action_complete(action=nc.actions.get(), user=cast["agent"], evidence="Yapıldı")
    nc.refresh_from_db()
    assert nc.state == NCState.ACTIONS_DONE and nc.effectiveness_due == today + dt.timedelta(days=20)
