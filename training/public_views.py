"""The public certificate verification page (/verify/ and /verify/<number>/), for anyone holding
a paper certificate: an employer, an auditor, the holder.

It says only whether the number belongs to a certificate and, if so, the holder's name, the course
and the date, and whether it is valid or was revoked (never why). Nothing else about the person,
the session or the trainer is disclosed: hours, unit, trainer and registry number stay in the
portal. Numbers carry 40 random bits (`training.models.new_certificate_number`), so they cannot
be guessed in a row; the pages are kept out of search engines.
"""

from __future__ import annotations

import re

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from training.models import Certificate

MAX_NUMBER_LENGTH = 40
_SPACES = re.compile(r"\s+")


def normalise_number(text: str) -> str:
    """What the person typed, as stored: spaces removed, upper case (Turkish dotted/dotless i folded)."""
    text = _SPACES.sub("", text or "")
    return text.replace("ı", "I").replace("i", "I").replace("İ", "I").upper()[:MAX_NUMBER_LENGTH]


def _private(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-cache"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def verify_form(request):
    """The form to type a number; `?number=` (the form's submission) goes to that number's page."""
    typed = request.GET.get("number")
    error = ""
    if typed is not None:
        number = normalise_number(typed)
        if number:
            return HttpResponseRedirect(reverse("training_public:certificate", args=[number]))
        error = "empty"
    return _private(render(request, "training/verify.html", {"mode": "form", "error": error, "typed": ""},
                           status=400 if error else 200))


@require_GET
def verify_certificate(request, number: str):
    normalised = normalise_number(number)
    certificate = (Certificate.objects.filter(number=normalised)
                   .only("number", "holder_name", "course_title", "completed_on", "revoked_at").first()
                   if normalised else None)
    if certificate is None:
        return _private(render(request, "training/verify.html", {"mode": "unknown", "typed": normalised},
                               status=404))
    return _private(render(request, "training/verify.html", {
        "mode": "valid" if certificate.is_valid else "revoked",
        "typed": normalised,
        "certificate": certificate,
    }))
