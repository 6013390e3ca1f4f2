"""POST data of the admin forms the tests submit, built from a saved record."""

from qms.models import StaffProfile


def staff_form(profile: StaffProfile, **changes) -> dict:
    """The staff-profile edit form as the admin would post it unchanged, plus `changes`."""
    data = {
        "user": profile.user_id,
        "unit": profile.unit_id,
        "title": profile.title,
        "registry_no": profile.registry_no,
        "hire_date": "",
        "is_active": "on" if profile.is_active else "",
    }
    data.update(changes)
    return data
