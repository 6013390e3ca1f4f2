"""Who may do what with management reviews (the role table grants the permissions; the rules
here add the per-record part: only a review's own chair approves it, an action's owner updates it).
Views hide buttons with these and the services refuse with them, so both follow one rule."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

MANAGE = "review.change_review"
VIEW = "review.view_review"
APPROVE = "review.approve_review"
MANAGE_REGISTERS = "review.change_risk"
VIEW_REGISTERS = "review.view_risk"


def may_manage(user) -> bool:
    """Prepare reviews, record decisions and actions, keep the registers (the management representative)."""
    return bool(user and user.is_authenticated and user.has_perm(MANAGE))


def check_may_manage(user) -> None:
    if not may_manage(user):
        raise PermissionDenied(_("Only the management representative prepares management reviews."))


def may_view(user) -> bool:
    """See reviews, their packs and minutes (the management representative, top management,
    internal auditors)."""
    return bool(user and user.is_authenticated and (user.has_perm(VIEW) or user.has_perm(MANAGE)))


def may_approve(user, review) -> bool:
    """Only the review's own chair, holding the approval permission."""
    return bool(
        user and user.is_authenticated and user.pk == review.chair_id and user.has_perm(APPROVE)
    )


def may_update_action(user, action) -> bool:
    return bool(user and user.is_authenticated and (action.owner_id == user.pk or may_manage(user)))


def may_see_registers(user) -> bool:
    return bool(user and user.is_authenticated and (user.has_perm(VIEW_REGISTERS) or may_manage(user)))


def may_manage_registers(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(MANAGE_REGISTERS))
