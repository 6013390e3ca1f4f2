"""Serve every page in the signed-in person's chosen language (Wagtail account setting)."""

from django.utils import translation


class UserLanguageMiddleware:
    """After authentication: a signed-in user's preferred language wins over the browser's.

    Wagtail already does this inside /admin/; this makes the portal pages, PDFs and e-mails
    rendered during a request follow the same choice. Anonymous visitors get Turkish unless
    their browser asks for English (LocaleMiddleware).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "wagtail_userprofile", None)
            language = profile.get_preferred_language() if profile is not None else None
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
