"""Files under MEDIA_ROOT, served by the portal to signed-in users only.

Nothing under MEDIA_ROOT is public: no web-server alias maps `/media/`. What lives there is
Wagtail's: the original images, their renditions and the users' avatars, which the admin and the
portal pages show to signed-in people. Wagtail's documents also live there (`documents/`), but they
have their own view (`/documents/<id>/<name>`) that applies collection privacy, so this view does
not serve them; controlled documents and audit evidence are in QMS_PRIVATE_MEDIA_ROOT, which no URL
maps to at all.

With `QMS_MEDIA_ACCEL_REDIRECT` set (e.g. `/_media/`), the portal checks and nginx sends the bytes:
the response carries `X-Accel-Redirect: /_media/<path>`, which nginx maps to an `internal` location
(docs/deploy.md). Without it the file is streamed by the app server, in DEBUG and in production.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils._os import safe_join
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_cookie
from django.views.static import was_modified_since

# Wagtail's folders under MEDIA_ROOT that a signed-in user may read: original images, renditions,
# avatars (wagtail.images and wagtail.users upload there). Anything else, above all Wagtail's
# `documents/` (served with its collection privacy by /documents/), is answered 404.
SERVED_MEDIA_FOLDERS = frozenset({"images", "original_images", "avatar_images"})

# Browsers may keep an image for an hour, but only in the user's own cache: the response depends on
# being signed in, so a shared proxy must never hand it to someone else.
MEDIA_CACHE_CONTROL = "private, max-age=3600"


def media_file_path(path: str) -> Path:
    """The file under MEDIA_ROOT that `path` names, or Http404.

    Refused as "not found" (nothing is disclosed): paths outside MEDIA_ROOT (`..`, absolute
    paths, symbolic links leading out), folders other than SERVED_MEDIA_FOLDERS, hidden files,
    anything inside QMS_PRIVATE_MEDIA_ROOT (should it be configured below MEDIA_ROOT), directories
    and missing files.
    """
    root = os.path.realpath(settings.MEDIA_ROOT)
    parts = [part for part in path.replace("\\", "/").split("/") if part]
    if not parts or parts[0] not in SERVED_MEDIA_FOLDERS or any(part.startswith(".") for part in parts):
        raise Http404
    try:
        # realpath resolves symbolic links first, so a link inside MEDIA_ROOT pointing out of it is
        # caught by the second safe_join, not only a literal "..".
        candidate = os.path.realpath(safe_join(root, *parts))
        safe_join(root, os.path.relpath(candidate, root))
    except (SuspiciousFileOperation, ValueError):
        raise Http404 from None
    private_root = os.path.realpath(settings.QMS_PRIVATE_MEDIA_ROOT)
    if candidate == private_root or candidate.startswith(private_root + os.sep):
        raise Http404
    file_path = Path(candidate)
    if not file_path.is_file():
        raise Http404
    return file_path


@require_safe
@vary_on_cookie
def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    """`/media/<path>`: the file to a signed-in user; the sign-in page to anyone else."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    file_path = media_file_path(path)
    stat = file_path.stat()
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
        return HttpResponseNotModified()
    content_type, encoding = mimetypes.guess_type(file_path.name)
    # A gzip-compressed file would otherwise be labelled application/gzip and unpacked by nobody.
    content_type = content_type if content_type and not encoding else "application/octet-stream"

    accel_prefix = getattr(settings, "QMS_MEDIA_ACCEL_REDIRECT", "")
    if accel_prefix:
        relative = file_path.relative_to(os.path.realpath(settings.MEDIA_ROOT)).as_posix()
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel_prefix.rstrip("/") + "/" + quote(relative)
    else:
        response = FileResponse(file_path.open("rb"), content_type=content_type)
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["X-Content-Type-Options"] = "nosniff"
    # An image opened on its own (or an SVG, should Wagtail ever accept them) runs no script.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Cache-Control"] = MEDIA_CACHE_CONTROL
    return response
