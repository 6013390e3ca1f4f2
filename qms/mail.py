"""E-mail to people of the portal: in each recipient's language, with links that work outside it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation


def absolute_url(path: str) -> str:
    """An admin path as a link that works from a mail client (WAGTAILADMIN_BASE_URL + path)."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/" + path.lstrip("/")


def preferred_language(user) -> str:
    """The user's admin language (Wagtail profile), else the site default."""
    profile = getattr(user, "wagtail_userprofile", None)
    language = None
    if profile is not None:
        # Without a stored preference Wagtail falls back to the active language: pin that to
        # the site default, so the result does not depend on what ran before.
        with translation.override(settings.LANGUAGE_CODE):
            language = profile.get_preferred_language()
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    return language


def send_each(users: Iterable, compose: Callable[[object], tuple[str, str]],
              attachments: Callable[[], list[tuple[str, bytes, str]]] | None = None) -> int:
    """Send one message per user with an e-mail address, composed in that user's language by
    `compose(user) -> (subject, body)`; `attachments()` is rendered in the same language.
    Returns the number sent."""
    sent = 0
    for user in users:
        if not user.email or not user.is_active:
            continue
        with translation.override(preferred_language(user)):
            subject, body = compose(user)
            message = EmailMessage(subject=subject, body=body, to=[user.email],
                                   headers={"Content-Language": translation.get_language()})
            for name, content, mimetype in attachments() if attachments else ():
                message.attach(name, content, mimetype)
        sent += message.send()
    return sent


@contextmanager
def no_mail_on_commit():
    """Drop the e-mails (on-commit callbacks) services queue inside this block: for demo seeds, whose
    people are at example.org. Needs an open transaction (outside one, nothing is queued)."""
    from django.db import connection

    pending = len(connection.run_on_commit) if connection.in_atomic_block else None
    try:
        yield
    finally:
        if pending is not None:
            del connection.run_on_commit[pending:]
