"""THE table of roles and what each may do.

Every role is a Django group. `CAPABILITIES` names what a person can do in words a quality team
uses, and which Django permissions that takes; `ROLES` says which capabilities each role has.
`sync_roles()` (run after every `migrate`) makes the groups' permissions exactly match this table,
so the table is the single source of truth: a permission added to a group by hand in the admin
is removed at the next deploy. docs/roles.md and the README's table are generated from here
(`manage.py roles_table`) and a test keeps them in step.

Modules add their capabilities to `CAPABILITIES` and to the roles below; object-level rules
(a unit's own records, confidential evaluations) build on `unit_scope()` and django-guardian.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    MANAGEMENT_REPRESENTATIVE = "management_representative"
    TOP_MANAGEMENT = "top_management"
    INTERNAL_AUDITOR = "internal_auditor"
    TRAINING_COORDINATOR = "training_coordinator"
    QA_EVALUATOR = "qa_evaluator"
    AGENT = "agent"
    QA_LEAD = "qa_lead"
    TEAM_LEAD = "team_lead"
    UNIT_MANAGER = "unit_manager"
    STAFF = "staff"


@dataclass(frozen=True)
class RoleSpec:
    group_name: str  # the Group row's name: Turkish, as staff know the role; stable, never translated
    label_en: str
    description: object
    capabilities: tuple[str, ...]
    sees_all_units: bool = False  # False: records are limited to the person's own unit (subtree for managers)


@dataclass(frozen=True)
class Capability:
    label: object
    permissions: tuple[str, ...] = ()
    # Wagtail page permissions on the portal's root page ("add", "change", "publish", ...).
    page_permissions: tuple[str, ...] = ()
    # Wagtail image / document permissions, granted on the root collection (Wagtail checks these
    # per collection, not as plain group permissions).
    collection_permissions: tuple[str, ...] = ()


CAPABILITIES: dict[str, Capability] = {
    "admin.access": Capability(_("Sign in to the admin"), ("wagtailadmin.access_admin",)),
    "organisation.view": Capability(_("See the unit tree"), ("qms.view_unit",)),
    "staff.view": Capability(_("See the staff list (within unit scope)"), ("qms.view_staffprofile",)),
    "organisation.manage": Capability(
        _("Manage units and staff"),
        (
            # No delete: units and staff are deactivated, so their records keep their history.
            "qms.add_unit",
            "qms.change_unit",
            "qms.add_staffprofile",
            "qms.change_staffprofile",
        ),
    ),
    "users.manage": Capability(
        _("Manage users and their roles"),
        ("auth.add_user", "auth.change_user", "auth.view_user", "auth.view_group"),  # deactivate, never delete
    ),
    "settings.manage": Capability(_("Edit the organisation details"), ("qms.change_organisationsettings",)),
    "portal.edit": Capability(
        _("Edit portal pages and files"),
        page_permissions=("add", "change", "publish"),
        collection_permissions=(
            "wagtailimages.add_image",
            "wagtailimages.change_image",
            "wagtailimages.choose_image",
            "wagtaildocs.add_document",
            "wagtaildocs.change_document",
            "wagtaildocs.choose_document",
        ),
    ),
    "audit.view": Capability(_("See the audit trail (site history)"), ("qms.view_audit_trail",)),
    "documents.author": Capability(
        _("Write controlled documents of own units and record their periodic reviews"),
        (
            "documents.add_document",
            "documents.change_document",
            "documents.view_document",
            "documents.lock_document",
            "documents.unlock_document",
            "documents.review_document",
        ),
    ),
    "documents.oversee": Capability(
        _("See all documents with their drafts, old revisions and read confirmations (within unit scope)"),
        ("documents.view_document",),
    ),
    "documents.manage": Capability(
        _("Withdraw documents, import the register, set document types and approval workflows"),
        (
            "documents.withdraw_document",
            "documents.import_document",
            "documents.view_documenttype",
            "documents.change_documenttype",
            # No delete: a workflow or step that is no longer used is disabled, so history keeps it.
            "wagtailcore.add_workflow",
            "wagtailcore.change_workflow",
            "wagtailcore.add_task",
            "wagtailcore.change_task",
        ),
    ),
    "audits.plan": Capability(
        _("Plan the audit programme and its audits, keep checklists and the clause catalogue; close audits"),
        (
            "audits.add_auditprogramme",
            "audits.change_auditprogramme",
            "audits.view_auditprogramme",
            "audits.add_audit",
            "audits.change_audit",
            "audits.view_audit",
            "audits.add_checklisttemplate",
            "audits.change_checklisttemplate",
            "audits.view_checklisttemplate",
            "qms.add_clause",
            "qms.change_clause",
            "qms.view_clause",
        ),
    ),
    "audits.oversee": Capability(
        _("See every audit, its findings and reports"),
        ("audits.view_auditprogramme", "audits.view_audit", "qms.view_clause"),
    ),
    "audits.perform": Capability(
        _("Perform the audits assigned to them: checklists, findings, report sign-off"),
        (
            "audits.view_auditprogramme",
            "audits.perform_audit",
            "audits.add_checklisttemplate",
            "audits.change_checklisttemplate",
            "audits.view_checklisttemplate",
            "qms.view_clause",
        ),
    ),
    "audits.follow": Capability(
        _("Follow the audits of own units and receive their reports"),
        ("audits.view_auditprogramme", "audits.follow_audit", "qms.view_clause"),
    ),
    "nonconformities.raise": Capability(
        _("Raise a corrective-action form (DÖF) and follow the ones they raised"),
        ("audits.add_nonconformity",),
    ),
    "nonconformities.answer": Capability(
        _("Answer the DÖFs of own units: root cause, actions, evidence (granted per DÖF)"),
    ),
    "nonconformities.oversee": Capability(
        _("See every DÖF"),
        ("audits.view_nonconformity",),
    ),
    "nonconformities.verify": Capability(
        _("Verify the effectiveness of corrective actions"),
        ("audits.verify_nonconformity",),
    ),
    "nonconformities.manage": Capability(
        _("Triage, follow and close every DÖF"),
        ("audits.change_nonconformity", "audits.triage_nonconformity", "audits.close_nonconformity"),
    ),
    "training.request": Capability(
        _("Request a training (Eğitim Talep Formu) and follow own requests"),
        ("training.add_trainingrequest",),
    ),
    "training.coordinate": Capability(
        _("Keep the course catalogue and the annual plan, run sessions, record attendance, decide requests"),
        (
            "training.add_course",
            "training.change_course",
            "training.view_course",
            "training.add_trainingplan",
            "training.change_trainingplan",
            "training.view_trainingplan",
            "training.add_session",
            "training.change_session",
            "training.view_session",
            "training.record_attendance",
            "training.view_trainingrequest",
            "training.decide_trainingrequest",
            "training.view_training_records",
        ),
    ),
    "training.approve": Capability(
        _("Approve the annual training plan"),
        ("training.approve_trainingplan", "training.view_trainingplan"),
    ),
    "training.oversee": Capability(
        _("See the training plan, sessions, requests, evaluation results and every training record"),
        (
            "training.view_course",
            "training.view_trainingplan",
            "training.view_session",
            "training.view_trainingrequest",
            "training.view_training_records",
        ),
    ),
    "training.follow": Capability(
        _("See the training records and competence of own units; evaluate their trainings' effectiveness"),
        ("training.view_course", "training.view_trainingplan", "training.view_training_records"),
    ),
    "kpi.view": Capability(
        _("See the citizen-request KPIs, scorecards and the requests behind them (within unit scope)"),
        ("kpi.view_kpi", "kpi.view_request", "kpi.view_kpitarget"),
    ),
    "kpi.import": Capability(
        _("Import citizen requests and units from the exports of the case system"),
        ("kpi.import_request", "kpi.view_importrun"),
    ),
    "kpi.targets": Capability(
        _("Set the KPI targets (department defaults and unit overrides)"),
        ("kpi.add_kpitarget", "kpi.change_kpitarget", "kpi.delete_kpitarget", "kpi.view_kpitarget"),
    ),
    "callqa.kpis": Capability(
        _("See the contact-centre KPIs by line, queue, agent and hour"),
        ("callqa.view_callkpi", "callqa.view_line", "callqa.view_queue"),
    ),
    "callqa.import": Capability(
        _("Import call records from the exports of the telephony system"),
        ("callqa.import_call", "callqa.view_callimportrun"),
    ),
    "callqa.evaluate": Capability(
        _("Score the calls assigned to them and take part in calibration sessions"),
        ("callqa.evaluate_call", "callqa.view_scorecard"),
    ),
    "callqa.feedback": Capability(
        _("See own call evaluations and acknowledge or dispute them"),
        ("callqa.receive_evaluation",),
    ),
    "callqa.team": Capability(
        _("See the call evaluations, reports and coaching tasks of own team"),
        ("callqa.lead_team", "callqa.view_scorecard"),
    ),
    "callqa.manage": Capability(
        _("Run call QA: scorecards, sampling, disputes, calibration, coaching; see every evaluation"),
        (
            "callqa.manage_callqa",
            "callqa.view_evaluation",
            "callqa.add_scorecard",
            "callqa.change_scorecard",
            "callqa.view_scorecard",
            "callqa.view_agent",
            "callqa.add_agent",
            "callqa.change_agent",
            "callqa.add_team",
            "callqa.change_team",
            "callqa.view_team",
        ),
    ),
    "review.manage": Capability(
        _("Prepare management reviews, record their decisions and actions, keep the risk and stakeholder registers"),
        (
            "review.add_review",
            "review.change_review",
            "review.view_review",
            "review.add_risk",
            "review.change_risk",
            "review.view_risk",
            "review.add_stakeholder",
            "review.change_stakeholder",
            "review.view_stakeholder",
        ),
    ),
    "review.chair": Capability(
        _("Chair management reviews: read the input pack, approve the minutes"),
        ("review.view_review", "review.approve_review", "review.view_risk", "review.view_stakeholder"),
    ),
    "review.oversee": Capability(
        _("Read management reviews, their minutes and the risk and stakeholder registers"),
        ("review.view_review", "review.view_risk", "review.view_stakeholder"),
    ),
    "retention.manage": Capability(
        _("See the retention of personal data (KVKK) and its runs; place and release legal holds"),
        # No delete: a hold is released, never deleted, so the trail of holds stays.
        ("operations.view_legalhold", "operations.add_legalhold", "operations.change_legalhold",
         "operations.view_retentionrun"),
    ),
    "api.tokens": Capability(
        _("Manage own API tokens"),
        ("wagtailcore.add_apitoken", "wagtailcore.change_apitoken", "wagtailcore.delete_apitoken"),
    ),
}

_EVERYONE = ("admin.access", "organisation.view", "api.tokens", "nonconformities.raise", "training.request")

ROLES: dict[Role, RoleSpec] = {
    Role.MANAGEMENT_REPRESENTATIVE: RoleSpec(
        "Yönetim Temsilcisi",
        "Management Representative",
        _(
            "Owns the quality management system; receives corrective-action forms, runs the management review, "
            "sees everything."
        ),
        _EVERYONE
        + ("staff.view", "organisation.manage", "users.manage", "settings.manage", "portal.edit")
        + ("audit.view", "documents.author", "documents.manage")
        + ("audits.plan", "nonconformities.oversee", "nonconformities.verify", "nonconformities.manage")
        + ("training.coordinate", "training.approve")
        + ("kpi.view", "kpi.import", "kpi.targets")
        + ("callqa.kpis", "callqa.import", "callqa.manage", "review.manage", "retention.manage"),
        sees_all_units=True,
    ),
    Role.TOP_MANAGEMENT: RoleSpec(
        "Üst Yönetim",
        "Top Management",
        _("Head of department and branch manager: chairs the management review, approves plans and minutes."),
        _EVERYONE + ("staff.view", "audit.view", "documents.oversee", "audits.oversee", "nonconformities.oversee")
        + ("training.oversee", "kpi.view", "callqa.kpis", "review.chair"),
        sees_all_units=True,
    ),
    Role.INTERNAL_AUDITOR: RoleSpec(
        "İç Tetkikçi",
        "Internal Auditor",
        _("Plans and performs internal audits, records findings, verifies corrective actions."),
        _EVERYONE + ("staff.view", "audit.view", "documents.oversee")
        + ("audits.perform", "nonconformities.oversee", "nonconformities.verify", "training.oversee", "kpi.view")
        + ("review.oversee",),
        sees_all_units=True,
    ),
    Role.TRAINING_COORDINATOR: RoleSpec(
        "Eğitim Koordinatörü",
        "Training Coordinator",
        _("Prepares the annual training plan, runs sessions, records attendance, collects evaluation forms."),
        _EVERYONE + ("staff.view", "documents.author", "training.coordinate"),
        sees_all_units=True,
    ),
    Role.QA_EVALUATOR: RoleSpec(
        "Kalite Değerlendirici",
        "QA Evaluator",
        _("Scores recorded calls against quality criteria, prepares monthly agent reports and feedback."),
        _EVERYONE + ("staff.view", "callqa.evaluate"),
    ),
    Role.AGENT: RoleSpec(
        "Çağrı Merkezi Temsilcisi",
        "Contact-Centre Agent",
        _("Sees and acknowledges (or disputes) their own evaluations; sees their trainings and documents to read."),
        _EVERYONE + ("callqa.feedback",),
    ),
    Role.QA_LEAD: RoleSpec(
        "Çağrı Kalite Sorumlusu",
        "QA Lead",
        _(
            "Leads call QA: keeps the scorecards, draws the monthly samples, decides disputes, runs calibration, "
            "sees every evaluation and the contact-centre KPIs."
        ),
        _EVERYONE + ("staff.view", "callqa.kpis", "callqa.import", "callqa.evaluate", "callqa.manage"),
    ),
    Role.TEAM_LEAD: RoleSpec(
        "Takım Lideri",
        "Team Lead",
        _("Leads a team of agents: sees their evaluations and reports, follows their coaching."),
        _EVERYONE + ("staff.view", "callqa.team"),
    ),
    Role.UNIT_MANAGER: RoleSpec(
        "Birim Yöneticisi",
        "Unit Manager",
        _("Chief or unit lead: sees their unit's indicators, nonconformities, trainings and team."),
        _EVERYONE + ("staff.view", "documents.author", "audits.follow", "nonconformities.answer", "training.follow")
        + ("kpi.view",),
    ),
    Role.STAFF: RoleSpec(
        "Personel",
        "Staff",
        _("Reads controlled documents, raises corrective-action forms, requests training."),
        _EVERYONE,
    ),
}


def role_group_names() -> list[str]:
    return [spec.group_name for spec in ROLES.values()]


def roles_of(user) -> list[Role]:
    """The roles a user holds, in table order (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_qms_roles", None)
    if cached is None:
        names = {group.name for group in user.groups.all()}
        cached = [role for role, spec in ROLES.items() if spec.group_name in names]
        user._qms_roles = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    return any(role in roles for role in roles_of(user))


def sees_all_units(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(ROLES[role].sees_all_units for role in roles_of(user))


def unit_scope(user):
    """The units whose records this user may see: `None` for all, else a Unit queryset.

    Roles that see everything get `None`. A unit manager sees their unit and every unit under it;
    anyone else sees their own unit only; a user with no staff profile sees no unit. Lists,
    detail views (qms.permissions.UnitScopedPermissionPolicy), PDFs and the API all filter with
    this, so they follow one rule.
    """
    from qms.models import Unit

    if sees_all_units(user):
        return None
    profile = getattr(user, "staff_profile", None) if getattr(user, "is_authenticated", False) else None
    if profile is None or not profile.is_active:
        return Unit.objects.none()
    if has_role(user, Role.UNIT_MANAGER):
        return Unit.objects.subtree(profile.unit)
    return Unit.objects.filter(pk=profile.unit_id)


def permissions_for(role: Role) -> set[str]:
    perms: set[str] = set()
    for key in ROLES[role].capabilities:
        perms.update(CAPABILITIES[key].permissions)
    return perms


def page_permissions_for(role: Role) -> set[str]:
    perms: set[str] = set()
    for key in ROLES[role].capabilities:
        perms.update(CAPABILITIES[key].page_permissions)
    return perms


def collection_permissions_for(role: Role) -> set[str]:
    perms: set[str] = set()
    for key in ROLES[role].capabilities:
        perms.update(CAPABILITIES[key].collection_permissions)
    return perms


def sync_roles(*, verbosity: int = 0, stdout=None) -> None:
    """Create the role groups and set their permissions to exactly what the table says."""
    from django.contrib.auth.models import Group, Permission
    from django.db import transaction
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    with transaction.atomic():
        all_perms = {
            f"{p.content_type.app_label}.{p.codename}": p
            for p in Permission.objects.select_related("content_type")
        }
        root = Page.get_first_root_node()
        root_collection = Collection.get_first_root_node()
        for role, spec in ROLES.items():
            group, _created = Group.objects.get_or_create(name=spec.group_name)
            wanted = permissions_for(role)
            wanted_collection = collection_permissions_for(role)
            missing = (wanted | wanted_collection) - all_perms.keys()
            if missing:
                raise LookupError(f"qms.roles: unknown permissions for {role}: {sorted(missing)}")
            group.permissions.set([all_perms[name] for name in sorted(wanted)])
            if root is not None:
                page_perms = page_permissions_for(role)
                GroupPagePermission.objects.filter(group=group).exclude(
                    page=root, permission__codename__in=[f"{p}_page" for p in page_perms]
                ).delete()
                for codename in page_perms:
                    GroupPagePermission.objects.get_or_create(
                        group=group, page=root, permission=all_perms[f"wagtailcore.{codename}_page"]
                    )
            if root_collection is not None:
                wanted_ids = [all_perms[name].pk for name in wanted_collection]
                GroupCollectionPermission.objects.filter(group=group).exclude(
                    collection=root_collection, permission_id__in=wanted_ids
                ).delete()
                for permission_id in wanted_ids:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission_id=permission_id
                    )
        # Wagtail's starter groups mean nothing here; drop them while nobody uses them.
        Group.objects.filter(name__in=["Editors", "Moderators"], user__isnull=True).delete()
        if stdout is not None and verbosity:
            stdout.write(f"qms: {len(ROLES)} rol senkronize edildi.")


def capability_table(language: str = "tr") -> str:
    """The role-by-capability table as Markdown (for docs/roles.md and the README)."""
    from django.utils import translation

    roles = list(ROLES)
    with translation.override(language):
        names = [ROLES[r].group_name if language == "tr" else ROLES[r].label_en for r in roles]
        lines = ["| " + str(_("Capability")) + " | " + " | ".join(names) + " |", "|---" * (len(roles) + 1) + "|"]
        for key, cap in CAPABILITIES.items():
            cells = ["✓" if key in ROLES[r].capabilities else "" for r in roles]
            lines.append(f"| {cap.label} (`{key}`) | " + " | ".join(cells) + " |")
        scopes = {
            "all": str(_("all units")),
            "subtree": str(_("own unit and below")),
            "own": str(_("own unit")),
        }
        cells = [
            scopes["all"] if ROLES[r].sees_all_units else scopes["subtree"] if r == Role.UNIT_MANAGER else scopes["own"]
            for r in roles
        ]
        scope_label = str(_("Records visible"))
        lines.append(f"| {scope_label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
