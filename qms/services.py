"""Operations of the core that change records (HackSoft style: keyword-only, `<entity>_<action>`)."""

from __future__ import annotations

from qms.audit import record
from qms.models import StaffProfile, Unit


def staff_profile_set(*, user, unit: Unit, title: str = "", by) -> StaffProfile:
    """Create or update `user`'s staff profile (unit and job title) and log it as done by `by`."""
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is None:
        profile = StaffProfile.objects.create(user=user, unit=unit, title=title)
        record(profile, "wagtail.create", user=by)
        return profile
    if (profile.unit_id, profile.title) != (unit.pk, title) or not profile.is_active:
        profile.unit, profile.title, profile.is_active = unit, title, True
        profile.save()
        record(profile, "wagtail.edit", user=by)
    return profile
