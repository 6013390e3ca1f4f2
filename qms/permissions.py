"""Object-level permission policies for the admin: the role table's rule applied per record.

Wagtail's generic admin views check model-level permissions only. `UnitScopedPermissionPolicy`
adds the unit scope from `qms.roles.unit_scope` (a unit manager sees their subtree, other scoped
roles their own unit), and `ScopedViewSetMixin` makes every view of a viewset use it: the index
lists only records in scope, and any object URL outside the scope answers 404, whatever the view
(edit, inspect, delete, history, usage, revisions ...); the viewset's chooser (the picker other
models' forms use) offers and accepts only the same records. Modules reuse both for their own records.
"""

from __future__ import annotations

from django.http import Http404
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from qms.roles import unit_scope

_SCOPED_POLICIES: dict[type, UnitScopedPermissionPolicy] = {}


def register_scoped_model(model, *, unit_field: str = "unit") -> UnitScopedPermissionPolicy:
    """Make `model`'s records visible by unit scope everywhere: admin views (with
    ScopedViewSetMixin), choosers, and the audit trail (qms.views.ScopedSiteHistoryView)."""
    policy = UnitScopedPermissionPolicy(model, unit_field=unit_field)
    register_permission_policy(model, policy)
    _SCOPED_POLICIES[model] = policy
    return policy


def scoped_policies() -> dict[type, UnitScopedPermissionPolicy]:
    return dict(_SCOPED_POLICIES)


class UnitScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permission AND the record's unit inside the user's unit scope."""

    def __init__(self, model, *, unit_field: str = "unit", **kwargs):
        super().__init__(model, **kwargs)
        self.unit_field = unit_field

    def filter_in_scope(self, user, queryset):
        scope = unit_scope(user)
        if scope is None:
            return queryset
        return queryset.filter(**{f"{self.unit_field}__in": scope})

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.filter_in_scope(user, self.model._default_manager.all())

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if not self.user_has_any_permission(user, actions):
            return False
        return self.in_scope(user, instance)

    def in_scope(self, user, instance) -> bool:
        return self.filter_in_scope(user, self.model._default_manager.filter(pk=instance.pk)).exists()


class ScopedObjectViewMixin:
    """For object views: a record outside the user's scope is 404, never shown or changed, and a
    create or edit form offers only units inside the scope (so nothing is moved out of it)."""

    def _scope_policy(self):
        # Some views (e.g. Wagtail's workflow-action modal) carry no permission_policy of their own.
        return getattr(self, "permission_policy", None) or policy_registry.get_by_type(self.model)

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        policy = self._scope_policy()
        field = form.fields.get(getattr(policy, "unit_field", ""))
        scope = unit_scope(self.request.user)
        if field is not None and scope is not None and hasattr(field, "queryset"):
            field.queryset = field.queryset.filter(pk__in=scope.values("pk"))
        return form

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if obj is None:  # create views have no object yet
            return obj
        policy = self._scope_policy()
        if hasattr(policy, "in_scope") and not policy.in_scope(self.request.user, obj):
            raise Http404
        return obj


class ScopedIndexViewMixin:
    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        policy = self.permission_policy
        if hasattr(policy, "filter_in_scope"):
            queryset = policy.filter_in_scope(self.request.user, queryset)
        return queryset


class ScopedChooserViewMixin:
    """For chooser views: offer and accept only the records the user's listing would show.

    Wagtail's chooser views list every row to anyone who may open the admin, whatever the
    model's permissions; this applies the listing's rule (some permission on the model, and the
    record's unit in scope). A chosen id outside it is 404 like any other object URL.
    """

    chooser_actions = ("add", "change", "delete", "view")

    def _visible(self, queryset):
        policy = policy_registry.get_by_type(self.model_class)
        if not isinstance(policy, UnitScopedPermissionPolicy):
            return queryset
        if not policy.user_has_any_permission(self.request.user, self.chooser_actions):
            return queryset.none()
        return policy.filter_in_scope(self.request.user, queryset)

    def get_object_list(self):
        return self._visible(super().get_object_list())

    def get_object(self, pk):
        return self._visible(self.model_class._default_manager.all()).get(pk=pk)

    def get_objects(self, pks):
        return self._visible(super().get_objects(pks))


def scoped_chooser_viewset_class(chooser_viewset_class):
    """A subclass of a ChooserViewSet class whose list and chosen views apply the unit scope."""
    attrs = {}
    for attr in ("choose_view_class", "choose_results_view_class", "chosen_view_class", "chosen_multiple_view_class"):
        view_class = getattr(chooser_viewset_class, attr)
        attrs[attr] = type(view_class.__name__, (ScopedChooserViewMixin, view_class), {})
    return type(f"Scoped{chooser_viewset_class.__name__}", (chooser_viewset_class,), attrs)


class ScopedViewSetMixin:
    """Wrap every view class of a Wagtail (Snippet/Model)ViewSet with the scope checks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if getattr(self, "chooser_viewset_class", None) is not None:
            self.chooser_viewset_class = scoped_chooser_viewset_class(self.chooser_viewset_class)
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
