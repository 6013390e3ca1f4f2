"""Master list, exports and import of the register (documents.register_views)."""

urlpatterns = []
