"""Admin URLs of the documents app (mounted under /admin/documents/ by documents.wagtail_hooks)."""

from django.urls import include, path

from documents import views

app_name = "documents"

urlpatterns = [
    path("library/", views.LibraryView.as_view(), name="library"),
    path("due-reviews/", views.DueReviewsView.as_view(), name="due_reviews"),
    path("<int:pk>/", views.DocumentReadView.as_view(), name="read"),
    path("<int:pk>/revisions/<int:number>/", views.DocumentReadView.as_view(), name="read_revision"),
    path("<int:pk>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path("<int:pk>/review/", views.ReviewView.as_view(), name="review"),
    path("revisions/<int:revision_pk>/file/", views.file_download, name="file"),
    path("revisions/<int:revision_pk>/controlled-copy.pdf", views.controlled_copy, name="controlled_copy"),
    path("revisions/<int:revision_pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("", include("documents.register_urls")),
]
