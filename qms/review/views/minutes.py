"""The minutes PDF (`review:minutes_pdf`, /admin/review/<pk>/minutes.pdf); the meetings screens link to it.

Whoever may view reviews (`rules.may_view`) prints approved minutes, and the draft of minutes
awaiting the chair's approval (the chair reads what they approve). The draft of a review still in
preparation, with figures compiled live, is the management representative's working copy: only
`rules.may_manage`. Refusals are returned as 403 (Wagtail's admin turns a raised PermissionDenied
into a redirect to the dashboard); a review that does not exist is 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.defaults import permission_denied

from qms.pdf import pdf_response
from qms.review import rules
from qms.review.models import Review, ReviewState
from qms.review.pdf import minutes_filename, minutes_pdf


@require_GET
def minutes_pdf_view(request, pk: int):
    if not rules.may_view(request.user):
        return permission_denied(request, PermissionDenied(_("Management review minutes are for the management "
                                                             "representative, top management and internal auditors.")))
    review = get_object_or_404(Review.objects.select_related("submitted_by"), pk=pk)
    if review.state == ReviewState.PREPARATION and not rules.may_manage(request.user):
        return permission_denied(request, PermissionDenied(_("The draft minutes of a review in preparation are the "
                                                             "management representative's working copy.")))
    return pdf_response(minutes_pdf(review, user=request.user), minutes_filename(review))


urlpatterns = [
    path("<int:pk>/minutes.pdf", minutes_pdf_view, name="minutes_pdf"),
]
