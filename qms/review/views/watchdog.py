"""The "Management review" dashboard panel, for whoever may view reviews (`rules.may_view`): the last
approved review, the next planned one, the watchdog's warnings in words (no review within the
interval; actions of approved reviews overdue, with a link to the open actions) and the open
action counts. Everything comes from `qms.review.watchdog.watch`, the same findings the
management representative is reminded of, in three queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from qms.dashboard import ModulePanel, panels_shown_to
from qms.review import rules, watchdog


class ReviewWatchdogPanel(ModulePanel):
    name = "review_watchdog"
    template_name = "review/panels/watchdog.html"
    order = 90

    @staticmethod
    def is_shown_to(user) -> bool:
        return rules.may_view(user)

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        return {
            "watch": watchdog.watch(timezone.localdate()),
            "list_url": watchdog.review_list_url(),
            "actions_url": watchdog.open_actions_url(),
            "overdue_url": watchdog.overdue_actions_url(),
        }


def homepage_panels(request, panels):
    panels.extend(panels_shown_to((ReviewWatchdogPanel,), request.user))


urlpatterns = []


def hooks():
    return [("construct_homepage_panels", homepage_panels)]
