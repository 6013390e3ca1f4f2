import copy

from django.core.exceptions import PermissionDenied
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.snippets.models import register_snippet

from documents.models import Document
from documents.viewsets import MENU_HOOK, DocumentTypeViewSet, DocumentViewSet
from qms.permissions import register_scoped_model

register_scoped_model(Document)
register_snippet(DocumentViewSet)
register_snippet(DocumentTypeViewSet)


@hooks.register("register_admin_urls")
def documents_admin_urls():
    return [path("documents/", include("documents.urls", namespace="documents"))]


@hooks.register("register_admin_menu_item")
def documents_menu():
    return SubmenuMenuItem(
        pgettext_lazy("controlled documents menu", "Documents"),
        Menu(register_hook_name=MENU_HOOK),
        name="controlled-documents",  # "documents" is Wagtail's own files menu
        icon_name="doc-full",
        order=300,
    )


# Wagtail's own documents (files linked from portal pages) are also "Documents" in Turkish
# ("Dokümanlar"): two sidebar entries with one name. Wagtail's reads "Portal files" here.
WAGTAIL_DOCUMENTS_LABEL = pgettext_lazy("wagtail documents menu", "Portal files")


@hooks.register("construct_main_menu")
def rename_wagtail_documents(request, menu_items):
    for index, item in enumerate(menu_items):
        if item.name == "documents":
            renamed = copy.copy(item)  # the registered item is shared by every request: not changed
            renamed.label = WAGTAIL_DOCUMENTS_LABEL
            menu_items[index] = renamed


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register(MENU_HOOK)
def library_menu_item():
    return MenuItem(_("Library"), reverse("documents:library"), name="document-library", icon_name="doc-full",
                    order=10)


@hooks.register(MENU_HOOK)
def due_reviews_menu_item():
    return _PermissionMenuItem(
        _("Due for review"), reverse("documents:due_reviews"), name="document-due-reviews", icon_name="date",
        order=40, permission="documents.view_document",
    )


@hooks.register(MENU_HOOK)
def master_list_menu_item():
    return _PermissionMenuItem(
        _("Master document list"), reverse("documents:master_list"), name="document-master-list",
        icon_name="list-ul", order=30, permission="documents.view_document",
    )


@hooks.register(MENU_HOOK)
def register_import_menu_item():
    return _PermissionMenuItem(
        _("Import a document register"), reverse("documents:register_import"), name="document-register-import",
        icon_name="upload", order=50, permission="documents.import_document",
    )


@hooks.register("register_log_actions")
def register_document_log_actions(actions):
    actions.register_action("documents.review", _("Periodic review"), _("Periodic review recorded"))
    actions.register_action("documents.acknowledge", _("Read confirmation"), _("Confirmed reading"))


@hooks.register("construct_homepage_panels")
def documents_to_read_panel(request, panels):
    from documents.panels import DocumentsToReadPanel

    panels.append(DocumentsToReadPanel())


@hooks.register("before_bulk_action")
def no_bulk_delete_of_documents(request, action_type, objects, action):
    """Bulk delete runs a queryset delete that skips `Document.delete()`'s refusal: refuse it here,
    for superusers too (documents are withdrawn, never deleted)."""
    if action_type == "delete" and any(isinstance(obj, Document) for obj in objects):
        raise PermissionDenied(_("Controlled documents are never deleted; withdraw the document instead."))
    return None


@hooks.register("construct_snippet_action_menu")
def no_direct_publish(menu_items, request, context):
    """A document is published only by its approval workflow: hide the Publish and Unpublish
    items (Document.publish refuses them anyway)."""
    model = context.get("model")
    if model is not None and issubclass(model, Document):
        menu_items[:] = [item for item in menu_items if item.name not in ("action-publish", "action-unpublish")]
