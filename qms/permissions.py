"""Object-level permission policies for the admin: the role table's rule applied per record.

Wagtail's generic admin views check model-level permissions only. `UnitScopedPermissionPolicy`
adds the unit scope from `qms.roles.unit_scope` (a unit manager sees their subtree, other scoped
roles their own unit), and `ScopedViewSetMixin` makes every view of a viewset use it: the index
lists only records in scope, and any object URL outside the scope answers 404, whatever the view
(edit, inspect, delete, history, usage, revisions ...). Modules reuse both for their own records.
"""

from __future__ import annotations

from django.http import Http404
from wagtail.permission_policies.base import ModelPermissionPolicy

from qms.roles import unit_scope


class UnitScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permission AND the record's unit inside the user's unit scope."""

    def __init__(self, model, *, unit_field: str = "unit", **kwargs):
        super().__init__(model, **kwargs)
        self.unit_field = unit_field

    def _scope_filter(self, user, queryset):
        scope = unit_scope(user)
        if scope is None:
            return queryset
        return queryset.filter(**{f"{self.unit_field}__in": scope})

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self._scope_filter(user, self.model._default_manager.all())

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if not self.user_has_any_permission(user, actions):
            return False
        return self.in_scope(user, instance)

    def in_scope(self, user, instance) -> bool:
        return self._scope_filter(user, self.model._default_manager.filter(pk=instance.pk)).exists()


class ScopedObjectViewMixin:
    """For object views: a record outside the user's scope is 404, never shown or changed."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        policy = self.permission_policy
        if hasattr(policy, "in_scope") and not policy.in_scope(self.request.user, obj):
            raise Http404
        return obj


class ScopedIndexViewMixin:
    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        policy = self.permission_policy
        if hasattr(policy, "_scope_filter"):
            queryset = policy._scope_filter(self.request.user, queryset)
        return queryset


class ScopedViewSetMixin:
    """Wrap every view class of a Wagtail (Snippet/Model)ViewSet with the scope checks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for attr in dir(type(self)):
            if not attr.endswith("_view_class") or attr.startswith("_"):
                continue
            view_class = getattr(self, attr, None)
            if not isinstance(view_class, type):
                continue
            if attr in ("index_view_class", "index_results_view_class"):
                mixin = ScopedIndexViewMixin
            elif hasattr(view_class, "get_object"):
                mixin = ScopedObjectViewMixin
            else:
                continue
            if issubclass(view_class, mixin):  # derived from a view wrapped earlier in this loop
                continue
            setattr(self, attr, type(view_class.__name__, (mixin, view_class), {}))
