"""Private uploaded files: where they are kept and how an upload is checked.

Quality records carry files (a controlled document's PDF, an auditor's photo of evidence, the
proof that a corrective action was done). They live under `QMS_PRIVATE_MEDIA_ROOT` (default
var/private), a folder no URL maps to, and are served only by views that check the reader's
permission first. An upload is accepted only if its extension is on the caller's list, it is
within the size limit, and its first bytes are what that extension promises (a renamed HTML page
or executable is refused).
"""

from __future__ import annotations

import hashlib
import os
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PrivateStorage(FileSystemStorage):
    """Files under QMS_PRIVATE_MEDIA_ROOT, read at each use (so a changed setting, as in tests,
    takes effect), with no base URL: nothing can build a public link to them."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.QMS_PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


_PRIVATE_STORAGE = PrivateStorage()


def private_storage() -> FileSystemStorage:
    """The storage of private files (a callable, so migrations do not depend on the path)."""
    return _PRIVATE_STORAGE


def random_upload_path(folder: str, filename: str) -> str:
    """`folder/YYYY/MM/<random>.<ext>`: nothing guessable, nothing overwritten (the original
    name is kept in the row)."""
    ext = os.path.splitext(filename)[1].lower()
    return timezone.now().strftime(f"{folder}/%Y/%m/") + uuid.uuid4().hex + ext


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str
    label: str


KINDS = {
    "pdf": FileKind("pdf", "application/pdf", "PDF"),
    "docx": FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (DOCX)"),
    "xlsx": FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (XLSX)"),
    "odt": FileKind("odt", "application/vnd.oasis.opendocument.text", "OpenDocument (ODT)"),
    "jpg": FileKind("jpg", "image/jpeg", "JPEG"),
    "jpeg": FileKind("jpeg", "image/jpeg", "JPEG"),
    "png": FileKind("png", "image/png", "PNG"),
}


def kinds(*extensions: str) -> dict[str, FileKind]:
    return {ext: KINDS[ext] for ext in extensions}


def _zip_names(upload) -> set[str] | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)


def _odt_mimetype(upload) -> bytes:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return archive.read("mimetype").strip()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return b""
    finally:
        upload.seek(0)


def _content_matches(kind: FileKind, upload) -> bool:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if kind.extension == "pdf":
        return head.startswith(b"%PDF-")
    if kind.content_type == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if kind.extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if not head.startswith(b"PK\x03\x04"):
        return False
    names = _zip_names(upload)
    if names is None or "[Content_Types].xml" not in names and kind.extension != "odt":
        return False
    if kind.extension == "docx":
        return "word/document.xml" in names
    if kind.extension == "xlsx":
        return "xl/workbook.xml" in names
    return _odt_mimetype(upload) == kind.content_type.encode()


def validate_upload(upload, *, accepted: Mapping[str, FileKind], max_mb: float) -> FileKind:
    """Check an uploaded file; return its kind or raise ValidationError saying which rule and why."""
    name = getattr(upload, "name", "") or ""
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    kind = accepted.get(ext)
    if kind is None:
        labels = dict.fromkeys(k.label for k in accepted.values())
        raise ValidationError(
            _("“%(name)s” is not an accepted file type (.%(ext)s). Accepted: %(accepted)s."),
            code="file_type",
            params={"name": name, "ext": ext or "?", "accepted": ", ".join(labels)},
        )
    if upload.size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB."),
            code="file_size",
            params={"name": name, "size": f"{upload.size / 1024 / 1024:.1f}", "limit": max_mb},
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty."), code="file_empty", params={"name": name})
    if not _content_matches(kind, upload):
        raise ValidationError(
            _("The content of “%(name)s” is not a %(label)s file; it does not match its extension."),
            code="file_content",
            params={"name": name, "label": kind.label},
        )
    return kind


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
