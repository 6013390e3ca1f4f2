"""Public (no sign-in) URLs of the training app: certificate verification, mounted at /verify/."""

from django.urls import path

from training import public_views

app_name = "training_public"

urlpatterns = [
    path("", public_views.verify_form, name="verify"),
    path("<str:number>/", public_views.verify_certificate, name="certificate"),
]
