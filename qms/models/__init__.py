from .clauses import Clause, Standard
from .global_permissions import PortalPermission
from .organisation import StaffProfile, Unit, UnitKind
from .pages import HomePage, StandardPage
from .reminders import ReminderDigest
from .site_settings import OrganisationSettings

__all__ = [
    "Clause",
    "HomePage",
    "OrganisationSettings",
    "PortalPermission",
    "ReminderDigest",
    "Standard",
    "StaffProfile",
    "StandardPage",
    "Unit",
    "UnitKind",
]
