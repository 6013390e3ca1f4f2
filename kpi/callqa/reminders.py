"""Call-QA reminders, found by the `qms.reminders` registry (it imports each app's `reminders`
module). Each call-QA area keeps its rules in its own module and imports it here."""

from kpi.callqa.coaching_reminders import coaching_due  # noqa: F401
from kpi.callqa.evaluation_reminders import evaluation_response, open_disputes  # noqa: F401
