"""The admin menu item every module's submenu uses: shown to whoever holds one of its permissions
(or passes `check(user)`)."""

from __future__ import annotations

from collections.abc import Callable

from wagtail.admin.menu import MenuItem


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permissions: tuple[str, ...] = (), check: Callable | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.permissions = permissions
        self.check = check

    def is_shown(self, request):
        user = request.user
        if self.check is not None and self.check(user):
            return True
        return any(user.has_perm(perm) for perm in self.permissions)
