"""THE registry of due/overdue rules.

A module (documents, audits, training, KPI, management review) adds a rule in its own
`reminders.py`; the registry imports every installed app's `reminders` module on first use, so
the file is all an app needs::

    # audits/reminders.py
    from django.utils.translation import gettext_lazy as _

    from qms.reminders import Reminder, register


    @register("audits.corrective_action_overdue", _("Corrective action overdue"))
    def corrective_action_overdue(*, today, users):
        actions = CorrectiveAction.objects.open().filter(due__lt=today)
        if users is not None:
            actions = actions.filter(owner__in=users)
        for action in actions.select_related("owner"):
            yield Reminder(
                user_id=action.owner_id,
                title=format_lazy(_("Corrective action {code} is overdue"), code=action.code),
                url=reverse("audits_correctiveaction:edit", args=[action.pk]),
                due=action.due,
                overdue=True,
            )

A rule is called with keyword arguments `today` (a `date`) and `users` (`None` for everybody, or
a user queryset it must limit itself to: the dashboard asks for one person's items). It should
run a fixed number of queries whatever the number of items, and give titles as lazy strings
(`gettext_lazy`, `format_lazy`, or `lazy(...)` for plurals) so that each recipient reads them in
their own language: `send_reminders` collects once and renders each digest in the recipient's
language.

`manage.py send_reminders` e-mails each person one digest a day; the admin dashboard shows the
same items in the "Your due and overdue items" panel (`qms.dashboard`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import import_module

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

logger = logging.getLogger("qms.reminders")

RuleFunction = Callable[..., Iterable["Reminder"]]


@dataclass(frozen=True)
class Reminder:
    """One thing one person has to do (or should have done) by a date."""

    user_id: int
    title: object  # a str or a lazy translation string
    url: str  # absolute path in the admin, e.g. "/admin/organisation/staff/"
    due: date | None = None
    overdue: bool = False
    rule: str = ""  # the key of the rule that made it; filled in by the registry when left empty


@dataclass(frozen=True)
class Rule:
    key: str
    label: object
    function: RuleFunction


@dataclass(frozen=True)
class RuleFailure:
    """A rule (or an app's `reminders` module) that raised; the other rules still ran."""

    key: str
    label: object
    error: str


class CollectedReminders(dict[int, list["Reminder"]]):
    """`{user_id: [Reminder, ...]}`, each list sorted, plus the rules that failed."""

    def __init__(self, *args, failures: list[RuleFailure] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.failures: list[RuleFailure] = failures or []


def sort_key(reminder: Reminder):
    """Overdue first, then by due date (items without a date last); ties keep rule order."""
    return (not reminder.overdue, reminder.due is None, reminder.due or date.min)


@dataclass
class ReminderRegistry:
    _registry: dict[str, Rule] = field(default_factory=dict)
    _discovered: bool = False
    _load_failures: list[RuleFailure] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def register(self, key: str, label) -> Callable[[RuleFunction], RuleFunction]:
        """Decorator: add `rule(*, today, users) -> Iterable[Reminder]` under a unique key."""

        def decorator(function: RuleFunction) -> RuleFunction:
            if key in self._registry:
                raise ValueError(f"qms.reminders: a rule with the key {key!r} is already registered")
            self._registry[key] = Rule(key=key, label=label, function=function)
            return function

        return decorator

    def unregister(self, key: str) -> None:
        """Remove a rule (tests use this to clean up after themselves)."""
        del self._registry[key]

    def autodiscover(self) -> None:
        """Import each installed app's `reminders` module, once.

        Like `django.utils.module_loading.autodiscover_modules("reminders")`, but one app whose
        module fails to import does not stop the others from loading: the failure is logged and
        reported by every `collect()`, the way a failing rule is.
        """
        if self._discovered:
            return
        with self._lock:
            if self._discovered:
                return
            from django.apps import apps

            for app_config in apps.get_app_configs():
                if not module_has_submodule(app_config.module, "reminders"):
                    continue
                module_name = f"{app_config.name}.reminders"
                before = dict(self._registry)
                try:
                    import_module(module_name)
                except Exception as exc:
                    # Forget the half-imported module's rules: none of them is trustworthy.
                    self._registry = before
                    logger.exception("Could not import %s", module_name)
                    self._load_failures.append(RuleFailure(module_name, module_name, repr(exc)))
            self._discovered = True

    def rules(self) -> list[Rule]:
        """Every registered rule, in registration order."""
        self.autodiscover()
        return list(self._registry.values())

    def collect(self, *, today: date, users: QuerySet | None = None) -> CollectedReminders:
        """Run every rule; `{user_id: reminders}` with each list sorted, plus `.failures`.

        A rule that raises is logged (logger "qms.reminders") and reported in `.failures`; the
        other rules' reminders are still returned.
        """
        rules = self.rules()
        result = CollectedReminders(failures=list(self._load_failures))
        for rule in rules:
            try:
                items = list(rule.function(today=today, users=users))
            except Exception as exc:
                logger.exception("Reminder rule %s failed", rule.key)
                result.failures.append(RuleFailure(rule.key, rule.label, repr(exc)))
                continue
            for item in items:
                if not item.rule:
                    item = replace(item, rule=rule.key)
                result.setdefault(item.user_id, []).append(item)
        for items in result.values():
            items.sort(key=sort_key)
        return result

    def reminders_for(self, user, *, today: date | None = None) -> list[Reminder]:
        """One person's reminders, overdue first, then by due date."""
        if not getattr(user, "is_authenticated", False) or user.pk is None:
            return []
        from django.contrib.auth import get_user_model

        users = get_user_model()._default_manager.filter(pk=user.pk)
        collected = self.collect(today=today or timezone.localdate(), users=users)
        return collected.get(user.pk, [])


registry = ReminderRegistry()
register = registry.register
rules = registry.rules
collect = registry.collect
reminders_for = registry.reminders_for


# --- The core's own rule ----------------------------------------------------------------------

STAFF_ADMIN_PERMISSION = "qms.change_staffprofile"


def _role_without_profile_title(count: int) -> str:
    return ngettext(
        "%(count)d user has a role but no staff profile",
        "%(count)d users have a role but no staff profile",
        count,
    ) % {"count": count}


_role_without_profile_title_lazy = lazy(_role_without_profile_title, str)


@register("qms.role_without_staff_profile", _("Users with a role but no staff profile"))
def role_without_staff_profile(*, today: date, users: QuerySet | None) -> Iterable[Reminder]:
    """Role holders without an active staff profile cannot be scoped to a unit: tell whoever
    manages staff. Two queries at most, whatever the number of people."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from qms.models import StaffProfile
    from qms.roles import role_group_names

    User = get_user_model()
    recipients = User._default_manager.with_perm(
        STAFF_ADMIN_PERMISSION, backend="django.contrib.auth.backends.ModelBackend"
    )
    if users is not None:
        recipients = recipients.filter(pk__in=users.values("pk"))
    recipient_ids = list(recipients.values_list("pk", flat=True))
    if not recipient_ids:
        return []
    count = (
        User._default_manager.filter(is_active=True, groups__name__in=role_group_names())
        .exclude(pk__in=StaffProfile.objects.filter(is_active=True).values("user_id"))
        .distinct()
        .count()
    )
    if not count:
        return []
    url = reverse("wagtailsnippets_qms_staffprofile:list")
    title = _role_without_profile_title_lazy(count)
    return [Reminder(user_id=pk, title=title, url=url) for pk in recipient_ids]
