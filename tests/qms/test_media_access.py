"""/media/ is not public: Wagtail's images go to signed-in users only, and nothing else under
MEDIA_ROOT (Wagtail's documents, the private files, anything outside) is reachable through it."""

from __future__ import annotations

import io
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.images.models import Image

from qms.media import MEDIA_CACHE_CONTROL
from qms.roles import Role


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (2, 2), "red").save(buffer, format="PNG")
    return buffer.getvalue()


PNG = png_bytes()


@pytest.fixture
def media_root(settings, tmp_path):
    """MEDIA_ROOT and QMS_PRIVATE_MEDIA_ROOT in a throw-away folder, with an image, a Wagtail
    document and a private file in their usual places."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.QMS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    for relative, content in {
        "media/original_images/logo.png": PNG,
        "media/images/logo.width-200.png": PNG,
        "media/documents/confidential.pdf": b"%PDF-1.4 collection-restricted",
        "media/images/.hidden.png": PNG,
        "private/documents/2026/01/secret.pdf": b"%PDF-1.4 controlled",
        "outside.txt": b"outside MEDIA_ROOT",
    }.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return settings.MEDIA_ROOT


@pytest.fixture
def signed_in(role_client):
    return role_client(Role.STAFF, unit="KSB")


def test_signed_out_visitor_is_sent_to_sign_in(client, db, media_root):
    response = client.get("/media/original_images/logo.png")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/media/original_images/logo.png")
    assert PNG not in response.content


def test_signed_in_user_gets_the_image_bytes(signed_in, media_root):
    response = signed_in.get("/media/images/logo.width-200.png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == MEDIA_CACHE_CONTROL  # private: no shared cache keeps it
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Last-Modified"]


def test_an_unchanged_image_is_not_sent_again(signed_in, media_root):
    first = signed_in.get("/media/original_images/logo.png")
    again = signed_in.get("/media/original_images/logo.png", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


def test_a_wagtail_image_url_is_served_to_a_signed_in_user(signed_in, media_root):
    image = Image.objects.create(title="Logo", file=SimpleUploadedFile("kurum-logo.png", PNG))
    assert image.file.url.startswith("/media/original_images/")
    response = signed_in.get(image.file.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG


@pytest.mark.parametrize(
    "path",
    [
        "/media/images/../../outside.txt",
        "/media/images/..%2f..%2foutside.txt",
        "/media/images/%2e%2e/%2e%2e/outside.txt",
        "/media//etc/passwd",
        "/media/images/..\\..\\outside.txt",
    ],
    ids=["dotdot", "encoded-slash", "encoded-dots", "absolute", "backslash"],
)
def test_path_traversal_is_refused(signed_in, media_root, path):
    response = signed_in.get(path)
    assert response.status_code in {400, 404}
    assert b"outside MEDIA_ROOT" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_a_symbolic_link_out_of_media_root_is_refused(signed_in, media_root):
    os.symlink(media_root.parent / "outside.txt", media_root / "images" / "link.txt")
    assert signed_in.get("/media/images/link.txt").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/media/documents/confidential.pdf",  # Wagtail documents: their own view applies collection privacy
        "/media/images/.hidden.png",
        "/media/images/",
        "/media/images/missing.png",
        "/media/",
    ],
    ids=["wagtail-document", "hidden", "directory", "missing", "root"],
)
def test_only_existing_files_of_the_image_folders_are_served(signed_in, media_root, path):
    assert signed_in.get(path).status_code == 404


def test_private_files_are_not_reachable_through_media(signed_in, media_root, settings):
    # Even a deployment that (wrongly) puts the private root inside MEDIA_ROOT does not expose it.
    private_inside = media_root / "images" / "private"
    (private_inside / "documents").mkdir(parents=True)
    (private_inside / "documents" / "secret.pdf").write_bytes(b"%PDF-1.4 controlled")
    settings.QMS_PRIVATE_MEDIA_ROOT = private_inside
    assert signed_in.get("/media/images/private/documents/secret.pdf").status_code == 404
    assert signed_in.get("/media/images/../../private/documents/2026/01/secret.pdf").status_code in {400, 404}


def test_an_inactive_account_is_refused(client, make_user, media_root):
    user = make_user(Role.STAFF)
    client.force_login(user)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    response = client.get("/media/original_images/logo.png")
    assert response.status_code == 302


def test_writing_methods_are_refused(signed_in, media_root):
    assert signed_in.post("/media/original_images/logo.png").status_code == 405
    assert signed_in.head("/media/original_images/logo.png").status_code == 200


def test_behind_nginx_the_file_is_handed_to_an_internal_location(signed_in, media_root, settings):
    settings.QMS_MEDIA_ACCEL_REDIRECT = "/_media/"
    response = signed_in.get("/media/images/logo.width-200.png")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_media/images/logo.width-200.png"
    assert response["Content-Type"] == "image/png"
    assert response.content == b""  # nginx sends the bytes


def test_behind_nginx_a_refusal_is_still_a_refusal(client, db, media_root, settings):
    settings.QMS_MEDIA_ACCEL_REDIRECT = "/_media/"
    response = client.get("/media/images/logo.width-200.png")
    assert response.status_code == 302
    assert "X-Accel-Redirect" not in response
