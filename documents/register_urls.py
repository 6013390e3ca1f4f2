"""Master list, exports and import of the register (documents.register_views).

Included by documents/urls.py inside the "documents" namespace (mounted under /admin/documents/):

* documents:master_list            GET master-list/ (filters: q, doc_type, unit, state, overdue, p);
                                   the same URL with format=xlsx|csv|pdf downloads the filtered list
* documents:register_import        GET/POST register-import/ (upload an XLSX or CSV register)
* documents:register_import_preview GET/POST register-import/<token>/ (every row's outcome; confirm)
"""

from django.urls import path

from documents import register_views

urlpatterns = [
    path("master-list/", register_views.MasterListView.as_view(), name="master_list"),
    path("register-import/", register_views.RegisterImportView.as_view(), name="register_import"),
    path(
        "register-import/<str:token>/",
        register_views.RegisterImportPreviewView.as_view(),
        name="register_import_preview",
    ),
]
