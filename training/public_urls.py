"""Public (no sign-in) URLs of the training app: certificate verification."""

urlpatterns = []
