"""Uploaded document files: what is accepted (storage and checks are `qms.files`').

Files live under `QMS_PRIVATE_MEDIA_ROOT`; they are served only by `documents.views.file_download`
after the document's visibility check. An upload must be a PDF, DOCX, XLSX or ODT within
`QMS_DOCUMENT_MAX_UPLOAD_MB` whose first bytes match its extension.
"""

from __future__ import annotations

from django.conf import settings

from qms.files import FileKind, kinds, private_storage, random_upload_path, sha256_of
from qms.files import validate_upload as validate_private_upload

__all__ = ["ACCEPTED", "private_storage", "sha256_of", "upload_path", "validate_upload"]

ACCEPTED = kinds("pdf", "docx", "xlsx", "odt")


def upload_path(instance, filename: str) -> str:
    return random_upload_path("documents", filename)


def validate_upload(upload) -> FileKind:
    """Check an uploaded document file; return its kind or raise ValidationError saying why."""
    return validate_private_upload(upload, accepted=ACCEPTED, max_mb=settings.QMS_DOCUMENT_MAX_UPLOAD_MB)
