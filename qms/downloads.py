"""File downloads built by the portal (exports, reports): one way to send them."""

from __future__ import annotations

import csv
import io
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


# --- spreadsheets: every CSV and XLSX export of a list or report is written here ---------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def spreadsheet_text(value) -> str:
    """A text cell that a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(headers: list, rows) -> bytes:
    """UTF-8 with a byte-order mark and semicolons: Excel with Turkish regional settings opens it
    with ç, ğ, ı, İ, ö, ş, ü and in columns. Dates as dd.mm.yyyy (HH:MM), decimals with a comma."""
    from datetime import date, datetime
    from decimal import Decimal

    from django.utils.translation import gettext as _

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(h) for h in headers])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime):
                cells.append(value.strftime("%d.%m.%Y %H:%M"))
            elif isinstance(value, date):
                cells.append(value.strftime("%d.%m.%Y"))
            elif isinstance(value, bool):
                cells.append(_("Yes") if value else _("No"))
            elif isinstance(value, Decimal):
                cells.append(f"{value:.1f}".replace(".", ","))
            elif isinstance(value, int):
                cells.append(str(value))
            else:
                cells.append(spreadsheet_text(value))
        writer.writerow(cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheets) -> bytes:
    """A workbook with one sheet per (title, headers, rows): text is never a formula, dates and
    times are real dates, decimals numbers; the header row is bold, frozen and filtered, the
    columns as wide as their content (up to a limit)."""
    from datetime import date, datetime
    from decimal import Decimal

    from django.utils.translation import gettext as _
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet("".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:31] or "Sheet")
        sheet.append([str(h) for h in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        widths = [min(max(len(str(h)), 8), 40) for h in headers]
        for row_index, row in enumerate(rows, start=2):
            for column_index, value in enumerate(row, start=1):
                cell = sheet.cell(row=row_index, column=column_index)
                if isinstance(value, bool):
                    cell.value = _("Yes") if value else _("No")
                elif isinstance(value, str) or value is None:
                    if value:
                        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                        cell.data_type = "s"
                elif isinstance(value, Decimal):
                    cell.value = float(value)
                    cell.number_format = "0.0"
                else:
                    cell.value = value
                    if isinstance(value, datetime):
                        cell.number_format = "DD.MM.YYYY HH:MM"
                    elif isinstance(value, date):
                        cell.number_format = "DD.MM.YYYY"
                text_length = len(str(value)) if value is not None else 0
                widths[column_index - 1] = min(max(widths[column_index - 1], text_length + 2), 50)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def spreadsheet_response(export_format: str, sheets, filename_stem: str) -> HttpResponse:
    """The first sheet as CSV (`export_format` "csv"), or every sheet in one XLSX."""
    if export_format == "csv":
        _title, headers, rows = sheets[0]
        return attachment_response(csv_bytes(headers, rows), f"{filename_stem}.csv", CSV_CONTENT_TYPE)
    return attachment_response(xlsx_bytes(sheets), f"{filename_stem}.xlsx", XLSX_CONTENT_TYPE)
