"""Request plumbing of the portal: the person's language, and the client's real address."""

from django.conf import settings
from django.utils import translation


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with PROXY_COUNT trusted proxies in front, the
    address the outermost of them saw (X-Forwarded-For is appended to by each proxy, so only
    the last PROXY_COUNT entries can be trusted; anything before them is client-supplied)."""
    count = getattr(settings, "PROXY_COUNT", 0)
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


class UserLanguageMiddleware:
    """Turkish for everyone, English for those who chose it in their account settings.

    The browser's Accept-Language is deliberately ignored (no LocaleMiddleware): the department
    works in Turkish whatever a PC's browser is set to. Wagtail applies the same choice inside
    /admin/; this makes the portal pages, PDFs and e-mails rendered in a request follow it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = settings.LANGUAGE_CODE
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "wagtail_userprofile", None)
            language = (profile.get_preferred_language() if profile is not None else None) or language
        # Activated for this request only: a thread must not carry one person's language over to
        # the next person's request.
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
        finally:
            translation.deactivate()
        return response
