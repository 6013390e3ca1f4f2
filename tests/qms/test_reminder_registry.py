"""The reminder registry: registering rules, isolating failures, ordering, limiting to users."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from qms import reminders as reminders_module
from qms.reminders import Reminder, ReminderRegistry, collect, register, registry, reminders_for, rules
from qms.roles import Role

TODAY = date(2026, 3, 2)
CORE_RULE = "qms.role_without_staff_profile"


@pytest.fixture
def temp_rule():
    """temp_rule(key, function, label=...) registers on the global registry; removed afterwards."""
    keys: list[str] = []

    def add(key, function, label="test rule"):
        register(key, label)(function)
        keys.append(key)
        return function

    yield add
    for key in keys:
        registry.unregister(key)


def test_a_registered_rule_is_listed_and_run(db, temp_rule, make_user):
    user = make_user(Role.STAFF)

    def rule(*, today, users):
        return [Reminder(user_id=user.pk, title="Read procedure P-01", url="/admin/", due=today)]

    temp_rule("tests.read_procedure", rule, label="Procedures to read")

    listed = {r.key: r for r in rules()}
    assert listed["tests.read_procedure"].label == "Procedures to read"
    assert CORE_RULE in listed
    items = collect(today=TODAY)[user.pk]
    assert [(i.title, i.due, i.rule) for i in items] == [("Read procedure P-01", TODAY, "tests.read_procedure")]


def test_a_duplicate_key_is_refused(temp_rule):
    temp_rule("tests.once", lambda *, today, users: [])
    with pytest.raises(ValueError, match="tests.once"):
        register("tests.once", "again")(lambda *, today, users: [])
    with pytest.raises(ValueError, match=CORE_RULE):
        register(CORE_RULE, "again")(lambda *, today, users: [])


def test_a_failing_rule_is_logged_and_reported_and_the_others_still_run(db, temp_rule, make_user, caplog):
    user = make_user(Role.STAFF)

    def broken(*, today, users):
        raise RuntimeError("database of the module is gone")

    def working(*, today, users):
        yield Reminder(user_id=user.pk, title="Still here", url="/admin/")

    temp_rule("tests.broken", broken, label="Broken rule")
    temp_rule("tests.working", working)

    with caplog.at_level(logging.ERROR, logger="qms.reminders"):
        collected = collect(today=TODAY)

    assert [i.title for i in collected[user.pk]] == ["Still here"]
    assert [(f.key, f.label) for f in collected.failures] == [("tests.broken", "Broken rule")]
    assert "database of the module is gone" in collected.failures[0].error
    assert any(r.name == "qms.reminders" and "tests.broken" in r.getMessage() for r in caplog.records)
    # The dashboard's path swallows it too.
    assert [i.title for i in reminders_for(user, today=TODAY)] == ["Still here"]


def test_items_are_sorted_overdue_first_then_by_due_date(db, temp_rule, make_user):
    user = make_user(Role.STAFF)
    made = [
        Reminder(user_id=user.pk, title="no date", url="/a/"),
        Reminder(user_id=user.pk, title="due 10th", url="/b/", due=date(2026, 3, 10)),
        Reminder(user_id=user.pk, title="overdue 1st", url="/c/", due=date(2026, 3, 1), overdue=True),
        Reminder(user_id=user.pk, title="due 5th", url="/d/", due=date(2026, 3, 5)),
        Reminder(user_id=user.pk, title="overdue 20 Feb", url="/e/", due=date(2026, 2, 20), overdue=True),
    ]
    temp_rule("tests.first_half", lambda *, today, users: made[:2])
    temp_rule("tests.second_half", lambda *, today, users: made[2:])

    titles = [i.title for i in reminders_for(user, today=TODAY)]
    assert titles == ["overdue 20 Feb", "overdue 1st", "due 5th", "due 10th", "no date"]


def test_rules_get_none_for_everybody_and_a_queryset_for_one_person(db, temp_rule, make_user):
    alice, bob = make_user(Role.STAFF), make_user(Role.STAFF)
    seen = []

    def per_user(*, today, users):
        seen.append(users)
        people = get_user_model().objects.all() if users is None else users
        return [Reminder(user_id=u.pk, title=f"for {u.username}", url="/admin/") for u in people]

    temp_rule("tests.per_user", per_user)

    everybody = collect(today=TODAY)
    assert seen[-1] is None
    assert {alice.pk, bob.pk} <= set(everybody)

    assert [i.title for i in reminders_for(bob, today=TODAY)] == [f"for {bob.username}"]
    assert list(seen[-1]) == [bob]

    only_alice = collect(today=TODAY, users=get_user_model().objects.filter(pk=alice.pk))
    assert set(only_alice) == {alice.pk}


def test_anonymous_users_have_no_reminders(db):
    from django.contrib.auth.models import AnonymousUser

    assert reminders_for(AnonymousUser()) == []


def test_one_apps_broken_reminders_module_does_not_stop_the_others(monkeypatch, caplog):
    fresh = ReminderRegistry()

    def fake_import(name):
        if name == "documents.reminders":
            fresh.register("documents.review_due", "Review due")(lambda *, today, users: [])
        elif name == "audits.reminders":
            fresh.register("audits.half_loaded", "Half")(lambda *, today, users: [])
            raise ImportError("syntax slip in audits/reminders.py")

    monkeypatch.setattr(reminders_module, "module_has_submodule", lambda module, name: True)
    monkeypatch.setattr(reminders_module, "import_module", fake_import)

    with caplog.at_level(logging.ERROR, logger="qms.reminders"):
        assert [r.key for r in fresh.rules()] == ["documents.review_due"]
        collected = fresh.collect(today=TODAY)
    assert [f.key for f in collected.failures] == ["audits.reminders"]
    # Loaded once: a second call neither imports again nor double-registers.
    monkeypatch.setattr(reminders_module, "import_module", lambda name: pytest.fail("imported twice"))
    assert [r.key for r in fresh.rules()] == ["documents.review_due"]


# --- The core rule: role holders without an active staff profile ------------------------------


def _core_items(user):
    return [i for i in reminders_for(user, today=TODAY) if i.rule == CORE_RULE]


def test_staff_managers_are_told_how_many_role_holders_lack_a_staff_profile(make_user):
    rep = make_user(Role.MANAGEMENT_REPRESENTATIVE)
    agent = make_user(Role.AGENT, unit="ALO153")
    make_user(Role.AGENT, unit=None)  # a role, no profile
    inactive_profile = make_user(Role.STAFF)
    inactive_profile.staff_profile.is_active = False
    inactive_profile.staff_profile.save()
    make_user(unit=None)  # no role: not a portal user to scope, not counted
    make_user(Role.STAFF, unit=None, is_active=False)  # left: not counted

    assert _core_items(agent) == []
    [item] = _core_items(rep)
    assert item.url == reverse("wagtailsnippets_qms_staffprofile:list")
    assert item.due is None and item.overdue is False
    with translation.override("en"):
        assert str(item.title) == "2 users have a role but no staff profile"


def test_the_core_rule_says_nothing_when_every_role_holder_has_a_profile(make_user):
    rep = make_user(Role.MANAGEMENT_REPRESENTATIVE)
    make_user(Role.AGENT, unit="ALO153")
    assert _core_items(rep) == []


def test_the_core_rule_title_is_translated_when_read_not_when_collected(make_user):
    rep = make_user(Role.MANAGEMENT_REPRESENTATIVE)
    make_user(Role.STAFF, unit=None)
    with translation.override("tr"):
        [item] = _core_items(rep)
    with translation.override("en"):
        assert str(item.title) == "1 user has a role but no staff profile"


def test_the_core_rule_runs_a_constant_number_of_queries(make_user, django_assert_num_queries):
    from qms.reminders import role_without_staff_profile

    for _ in range(3):
        make_user(Role.MANAGEMENT_REPRESENTATIVE)
    make_user(Role.AGENT, unit=None)
    with django_assert_num_queries(2):
        few = list(role_without_staff_profile(today=TODAY, users=None))
    for _ in range(10):
        make_user(Role.MANAGEMENT_REPRESENTATIVE)
        make_user(Role.AGENT, unit=None)
    with django_assert_num_queries(2):
        many = list(role_without_staff_profile(today=TODAY, users=None))
    assert len(few) == 3 and len(many) == 13
    with translation.override("en"):
        assert str(many[0].title) == "11 users have a role but no staff profile"
