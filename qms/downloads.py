"""File downloads built by the portal (exports, reports): one way to send them."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse


def attachment_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """`content` as a download named `filename` (Turkish letters kept for browsers that read
    filename*, an ASCII fallback for the rest), never cached by shared caches."""
    from qms.pdf import pdf_filename_ascii

    stem, _dot, extension = filename.rpartition(".")
    ascii_name = pdf_filename_ascii(f"{stem}.pdf").removesuffix(".pdf") + f".{extension}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "private, no-store"
    return response
