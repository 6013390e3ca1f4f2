"""The sign-in form when directory sign-in is on (WAGTAILADMIN_USER_LOGIN_FORM).

Wagtail's form with one more refusal: when the directory could not be asked (down, unreachable,
or refusing the portal's own bind), the page says so, instead of the "user name and password did
not match" that would send people to reset a password that is fine.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm

from qms.directory.backend import directory_was_unavailable


class DirectoryLoginForm(LoginForm):
    """Wagtail's LoginForm that tells "directory unavailable" apart from "wrong password"."""

    error_messages = {
        **LoginForm.error_messages,
        "directory_unavailable": _(
            "The directory server (LDAP / Active Directory) is not answering, so your password could "
            "not be checked. Please try again in a few minutes; if it persists, tell the IT department."
        ),
    }

    def get_invalid_login_error(self) -> forms.ValidationError:
        """The refusal shown on the page: the directory's outage when that is why, else Wagtail's message."""
        if directory_was_unavailable(self.request):
            return forms.ValidationError(self.error_messages["directory_unavailable"], code="directory_unavailable")
        return super().get_invalid_login_error()
