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


def register_area_hooks(modules, menu_hook: str) -> None:
    """Register what each view module of an app's areas offers (kpi.callqa, qms.review): its
    `menu_items()` in the app's submenu hook, its `viewsets()` and its other `hooks()`."""
    from wagtail import hooks

    for module in modules:
        for item in getattr(module, "menu_items", list)():
            hooks.register(menu_hook, lambda item=item: item)
        for viewset in getattr(module, "viewsets", list)():
            hooks.register("register_admin_viewset", viewset)
        for hook_name, function in getattr(module, "hooks", list)():
            hooks.register(hook_name, function)
