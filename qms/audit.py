"""THE audit trail: changes to quality records go to Wagtail's log (Raporlar → Site geçmişi).

Wagtail's admin views already log create / edit / delete / publish. Code that changes records
elsewhere (services, imports, the API, commands) calls `record()` with one of Wagtail's actions or
one registered here; state machines call `record_transition()`. An unregistered action name is a
programming error and raises, so a typo cannot silently drop an entry from the trail.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter, log, registry

TRANSITION = "qms.transition"
IMPORT = "qms.import"
EXPORT = "qms.export"
RETENTION = "qms.retention"  # a retention run (KVKK): counts per record type, never content
DIRECTORY_ROLES = "qms.directory_roles"  # a directory sign-in changed a person's roles (mapped groups)


def register_actions(actions) -> None:
    """Called by the `register_log_actions` hook in qms/wagtail_hooks.py."""

    @actions.register_action(TRANSITION)
    class TransitionFormatter(LogFormatter):
        label = _("Change state")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return _("State changed from “%(from)s” to “%(to)s”") % {
                "from": data.get("from_label") or data.get("from", "?"),
                "to": data.get("to_label") or data.get("to", "?"),
            }

        def format_comment(self, log_entry):
            return (log_entry.data or {}).get("note", "")

    @actions.register_action(IMPORT)
    class ImportFormatter(LogFormatter):
        label = _("Import")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return _("Imported %(rows)s rows from %(source)s") % {
                "rows": data.get("rows", "?"),
                "source": data.get("source", "?"),
            }

    actions.register_action(EXPORT, _("Export"), _("Exported"))

    @actions.register_action(DIRECTORY_ROLES)
    class DirectoryRolesFormatter(LogFormatter):
        label = _("Roles from the directory")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return _("Roles set from the directory: added %(added)s, removed %(removed)s") % {
                "added": ", ".join(data.get("added") or []) or "-",
                "removed": ", ".join(data.get("removed") or []) or "-",
            }

    @actions.register_action(RETENTION)
    class RetentionFormatter(LogFormatter):
        """A retention run (qms.operations.retention): what it deleted or anonymised, counts only."""

        label = _("Apply retention")

        def format_message(self, log_entry):
            counts = (log_entry.data or {}).get("counts") or {}
            parts = [
                _("%(type)s: %(applied)s done, %(held)s held") % {
                    "type": key,
                    "applied": line.get("deleted", line.get("anonymised", 0)),
                    "held": line.get("held", 0),
                }
                for key, line in counts.items()
            ]
            return _("Retention applied (%(counts)s)") % {"counts": "; ".join(str(part) for part in parts) or "-"}


def record(instance, action: str, *, user=None, **data: Any):
    """Write one audit-log entry for `instance` (who = `user`, what = `action` + `data`)."""
    if not registry.action_exists(action):
        raise ValueError(f"Unregistered audit-log action {action!r}; register it in qms.audit.")
    return log(instance, action, user=user, data=data or None)


def record_transition(instance, *, user, from_state: str, to_state: str, from_label: str = "",
                      to_label: str = "", note: str = ""):
    """Log a state change (e.g. a corrective action going from "open" to "verified")."""
    return record(
        instance,
        TRANSITION,
        user=user,
        **{"from": from_state, "to": to_state, "from_label": str(from_label or from_state),
           "to_label": str(to_label or to_state), "note": note},
    )
