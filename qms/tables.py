"""THE reader of uploaded tables: a CSV or XLSX file people keep by hand (a document register, an
attendance list) as numbered rows of cells. Every import that takes such a file reads it here, so
they accept the same files and refuse the same ones with the same words.

CSV: UTF-8 (with or without BOM) or Windows-1254 (what Turkish Excel writes as "CSV"), separated
by semicolons, commas or tabs, whichever the first non-blank line uses most. XLSX: the first sheet,
values (not formulas). Any file that cannot be read is a ValidationError saying what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EXTENSIONS = ("xlsx", "csv")


def extension_of(filename: str) -> str:
    return os.path.splitext(filename or "")[1].lower().lstrip(".")


def decode_text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1254")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The CSV file's characters cannot be read; save it as “CSV UTF-8” or in Windows Turkish encoding.")
        ) from None


def delimiter_of(text: str) -> str:
    """Semicolon, comma or tab: whichever the first non-blank line uses most."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max((";", ",", "\t"), key=first.count)


def csv_rows(data: bytes, *, max_columns: int | None = None) -> Iterator[tuple[int, list[str]]]:
    if b"\x00" in data[:4096]:
        raise ValidationError(_("This is not a text (CSV) file; save the list from Excel as XLSX or CSV."))
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    try:
        for number, values in enumerate(reader, start=1):
            yield number, values[:max_columns]
    except csv.Error as error:
        raise ValidationError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from None


def xlsx_rows(data: bytes, *, max_columns: int | None = None) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    if not data.startswith(b"PK\x03\x04"):
        raise ValidationError(_("This is not an XLSX file; save it from Excel as XLSX or CSV."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ValidationError(_("The XLSX file cannot be read; save it again from Excel and retry.")) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write wrong dimensions; read every row there is
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=max_columns), start=1):
            yield number, list(values)
    finally:
        workbook.close()


def table_rows(data: bytes, filename: str, *, max_bytes: int,
               max_columns: int | None = None) -> Iterator[tuple[int, list]]:
    """The rows of an uploaded CSV or XLSX file, numbered as the spreadsheet numbers them."""
    extension = extension_of(filename)
    if extension not in EXTENSIONS:
        raise ValidationError(_("Upload an XLSX or CSV file (an old XLS file: save it as XLSX first)."))
    if len(data) > max_bytes:
        raise ValidationError(_("The file is larger than %(size)s MB; split it into smaller files.")
                              % {"size": max_bytes // (1024 * 1024)})
    if not data.strip():
        raise ValidationError(_("The file is empty."))
    return xlsx_rows(data, max_columns=max_columns) if extension == "xlsx" else csv_rows(data, max_columns=max_columns)


STREAM_CHUNK = 1 << 20


def _stream_encoding(head: bytes) -> str:
    """UTF-8 unless the file's first megabyte is not UTF-8 (then Windows-1254)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1254"
    return "utf-8-sig"


def stream_table_rows(fileobj, filename: str, *, max_bytes: int,
                      on_formula=None) -> Iterator[tuple[int, list]]:
    """The rows of a large CSV or XLSX file read as a stream (never held whole in memory), under
    the same rules as `table_rows`. `fileobj` is a binary file opened for reading.

    XLSX cells that hold a formula are given to `on_formula(row, column_index, formula)` and read
    as empty, so an import can name them; the value a formula last showed is not trusted.
    """
    extension = extension_of(filename)
    if extension not in EXTENSIONS:
        raise ValidationError(_("Upload an XLSX or CSV file (an old XLS file: save it as XLSX first)."))
    fileobj.seek(0, os.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    if size > max_bytes:
        raise ValidationError(_("The file is larger than %(size)s MB; split it into smaller files.")
                              % {"size": max_bytes // (1024 * 1024)})
    head = fileobj.read(STREAM_CHUNK)
    fileobj.seek(0)
    if not head.strip():
        raise ValidationError(_("The file is empty."))
    if extension == "xlsx":
        return _stream_xlsx(fileobj, head, on_formula)
    return _stream_csv(fileobj, head)


def _stream_csv(fileobj, head: bytes) -> Iterator[tuple[int, list]]:
    if b"\x00" in head[:4096]:
        raise ValidationError(_("This is not a text (CSV) file; save the list from Excel as XLSX or CSV."))
    encoding = _stream_encoding(head)
    delimiter = delimiter_of(head[:65536].decode(encoding, errors="replace"))
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter)
    number = 0
    try:
        for number, values in enumerate(reader, start=1):  # noqa: B007 (number is read after the loop)
            yield number, values
    except UnicodeDecodeError:
        raise ValidationError(
            _("Line %(line)s: the characters cannot be read; save the whole file as “CSV UTF-8” or in Windows "
              "Turkish encoding.") % {"line": number + 1}
        ) from None
    except csv.Error as error:
        raise ValidationError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from None
    finally:
        text.detach()


def _stream_xlsx(fileobj, head: bytes, on_formula) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    if not head.startswith(b"PK\x03\x04"):
        raise ValidationError(_("This is not an XLSX file; save it from Excel as XLSX or CSV."))
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ValidationError(_("The XLSX file cannot be read; save it again from Excel and retry.")) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            values = []
            for index, cell in enumerate(cells):
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f":
                    if on_formula is not None:
                        on_formula(number, index, str(value))
                    value = None
                values.append(value)
            yield number, values
    finally:
        workbook.close()
