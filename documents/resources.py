"""The register as a spreadsheet (django-import-export): the columns of the master list's XLSX / CSV
export, which are also the columns the register import reads.

The column headers are Turkish and fixed, whatever language the person uses: they are a file format
(the Doküman Ana Listesi a department keeps in Excel), so a file exported by anyone imports for
anyone. Values a person reads (the type's name, the audience, the state) are written in the portal's
language (settings.LANGUAGE_CODE, Turkish); the import also accepts them in English, the type by its
key or code prefix, and dates as dd.mm.yyyy or yyyy-mm-dd.

The resource only reads and checks rows (`documents.importing` runs it as a dry run to preview
every row); it never saves. The documents are created by `documents.importing.register_import`,
all rows or none.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from documents.models import Confidentiality, Document, DocumentType, today
from documents.queries import fold

# The columns, in file order: (resource field name, header).
COLUMNS = [
    ("code", "Kod"),
    ("title", "Başlık"),
    ("doc_type", "Tür"),
    ("unit", "Sahip birim"),
    ("revision", "Revizyon"),
    ("effective_date", "Yürürlük tarihi"),
    ("next_review_date", "Sonraki gözden geçirme"),
    ("retention_years", "Saklama süresi (yıl)"),
    ("confidentiality", "Erişim"),
    ("change_summary", "Değişiklik özeti"),
]
STATE_COLUMN = ("state", "Durum")  # export only: the import ignores it
HEADERS = dict(COLUMNS)
IMPORT_HEADERS = [header for _name, header in COLUMNS]
EXPORT_HEADERS = IMPORT_HEADERS + [STATE_COLUMN[1]]
# Columns a file must have (a value in every row); the others may be left out or empty.
REQUIRED = ("title", "doc_type", "unit", "revision", "effective_date")

# The audience, as the file writes it (Turkish, fixed like the headers) and the words it accepts.
ACCESS_LABELS = {Confidentiality.PUBLIC: "Herkes", Confidentiality.RESTRICTED: "Kısıtlı"}
_ACCESS_WORDS = {
    "herkes": Confidentiality.PUBLIC,
    "genel": Confidentiality.PUBLIC,
    "public": Confidentiality.PUBLIC,
    "everyone": Confidentiality.PUBLIC,
    "all staff": Confidentiality.PUBLIC,
    "kisitli": Confidentiality.RESTRICTED,
    "restricted": Confidentiality.RESTRICTED,
}

# A spreadsheet runs a cell starting with one of these as a formula ("CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def header_key(text) -> str:
    """A header compared loosely: Turkish letters folded, only letters and digits kept."""
    return re.sub(r"[^a-z0-9]", "", fold(str(text or "")))


def _text(value) -> str:
    """A cell as text: spreadsheets give numbers (2.0 for 2) and dates as well as strings."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in FORMULA_START:  # the export's guard against formulas
        text = text[1:]
    return text


def _whole_number(value) -> int | None:
    """2, 2.0, "2", "02" -> 2; anything else (2.5, "2a", True) -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = _text(value)
    return int(text) if text.isdigit() else None


class TextWidget(widgets.Widget):
    def __init__(self, max_length: int):
        super().__init__()
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if len(text) > self.max_length:
            raise ValueError(
                _("at most %(max)s characters are allowed (this has %(length)s)")
                % {"max": self.max_length, "length": len(text)}
            )
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DocumentTypeWidget(widgets.Widget):
    """A type by its name (Turkish or English), its key ("procedure") or its code prefix ("PR")."""

    _AMBIGUOUS = object()

    def __init__(self):
        super().__init__()
        self._lookup = None

    def lookup(self) -> dict:
        if self._lookup is None:
            found: dict = {}
            for doc_type in DocumentType.objects.all():
                names = {doc_type.kind, doc_type.prefix}
                for language, _name in settings.LANGUAGES:
                    with translation.override(language):
                        names.add(str(doc_type.get_kind_display()))
                for name in names:
                    key = fold(name.strip())
                    found[key] = doc_type if found.get(key, doc_type) == doc_type else self._AMBIGUOUS
            self._lookup = found
        return self._lookup

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        doc_type = self.lookup().get(fold(text))
        if doc_type is self._AMBIGUOUS:
            raise ValueError(
                _("“%(value)s” fits more than one document type; write the type's name") % {"value": text}
            )
        if doc_type is None:
            names = ", ".join(sorted({type_label(t) for t in self.lookup().values() if t is not self._AMBIGUOUS}))
            raise ValueError(
                _("unknown document type “%(value)s”; write one of: %(names)s (or the code prefix)")
                % {"value": text, "names": names}
            )
        return doc_type

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else type_label(value)


def type_label(doc_type: DocumentType) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(doc_type.get_kind_display())


class UnitWidget(widgets.Widget):
    """The owning unit by its code (HİŞM; also written HISM or hişm)."""

    _AMBIGUOUS = object()

    def __init__(self):
        super().__init__()
        self._exact = None
        self._folded = None

    def _load(self):
        from qms.models import Unit

        if self._exact is None:
            units = list(Unit.objects.all())
            self._exact = {unit.code: unit for unit in units}
            self._folded = {}
            for unit in units:
                key = fold(unit.code)
                self._folded[key] = unit if self._folded.get(key, unit) == unit else self._AMBIGUOUS

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        self._load()
        unit = self._exact.get(text) or self._folded.get(fold(text))
        if unit is None:
            raise ValueError(_("unknown unit code “%(value)s”") % {"value": text})
        if unit is self._AMBIGUOUS:
            raise ValueError(_("“%(value)s” fits more than one unit code; write the code exactly") % {"value": text})
        if not unit.is_active:
            raise ValueError(_("the unit %(code)s is no longer active") % {"code": unit.code})
        return unit

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.code


class RevisionWidget(widgets.Widget):
    """A revision number: 00, 01, 2 ... (written with two digits)."""

    def clean(self, value, row=None, **kwargs):
        if _text(value) == "":
            return None
        number = _whole_number(value)
        if number is None or number > 999:
            raise ValueError(
                _("“%(value)s” is not a revision number (a whole number such as 00, 01, 02)") % {"value": _text(value)}
            )
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:02d}"


class YearsWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if _text(value) == "":
            return None
        number = _whole_number(value)
        if number is None or not 1 <= number <= 999:
            raise ValueError(
                _("“%(value)s” is not a number of years (a whole number from 1 up)") % {"value": _text(value)}
            )
        return number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else str(value)


class RegisterDateWidget(widgets.Widget):
    """Dates as the register writes them (31.01.2026), ISO (2026-01-31) or a spreadsheet date."""

    FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value)
        if not text:
            return None
        for fmt in self.FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(
            _("“%(value)s” is not a date; write it as dd.mm.yyyy (e.g. 31.01.2026) or yyyy-mm-dd") % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else value.strftime("%d.%m.%Y")


class AccessWidget(widgets.Widget):
    """Herkes (all staff) or Kısıtlı (restricted); empty means Herkes."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return Confidentiality.PUBLIC
        words = dict(_ACCESS_WORDS)
        for choice in Confidentiality:
            words[fold(choice.value)] = choice.value
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    words[fold(str(choice.label))] = choice.value
        found = words.get(fold(text))
        if found is None:
            raise ValueError(
                _("“%(value)s” is not an audience; write %(public)s or %(restricted)s")
                % {"value": text, "public": ACCESS_LABELS["public"], "restricted": ACCESS_LABELS["restricted"]}
            )
        return found

    def render(self, value, obj=None, **kwargs):
        return ACCESS_LABELS.get(value, value or "")


class DocumentRegisterResource(resources.ModelResource):
    """One row per document: what the master list exports and the register import reads.

    Export: give it `documents.register_views.register_queryset()` (which annotates the register
    revision: the one in force, else the latest approved). Import: `import_data(dataset, dry_run=True)`
    checks every row and leaves an unsaved `Document` with the row's values on the row result
    (`retain_instance_in_row_result=True`); `documents.importing` turns those into documents.

    `user` limits the units a row may name to the user's unit scope; `line_numbers` are the
    spreadsheet rows of the dataset's rows (for messages).
    """

    code = fields.Field(attribute="code", column_name=HEADERS["code"], widget=TextWidget(40))
    title = fields.Field(attribute="title", column_name=HEADERS["title"], widget=TextWidget(255))
    doc_type = fields.Field(attribute="doc_type", column_name=HEADERS["doc_type"], widget=DocumentTypeWidget())
    unit = fields.Field(attribute="unit", column_name=HEADERS["unit"], widget=UnitWidget())
    revision = fields.Field(attribute="register_revision", column_name=HEADERS["revision"], widget=RevisionWidget())
    effective_date = fields.Field(
        attribute="register_effective_date", column_name=HEADERS["effective_date"], widget=RegisterDateWidget()
    )
    next_review_date = fields.Field(
        attribute="next_review_date", column_name=HEADERS["next_review_date"], widget=RegisterDateWidget()
    )
    retention_years = fields.Field(
        attribute="retention_years", column_name=HEADERS["retention_years"], widget=YearsWidget()
    )
    confidentiality = fields.Field(
        attribute="confidentiality", column_name=HEADERS["confidentiality"], widget=AccessWidget()
    )
    change_summary = fields.Field(
        attribute="register_change_summary", column_name=HEADERS["change_summary"], widget=TextWidget(5000)
    )
    state = fields.Field(column_name=STATE_COLUMN[1], readonly=True)

    class Meta:
        model = Document
        fields = tuple(name for name, _header in COLUMNS) + (STATE_COLUMN[0],)
        import_order = tuple(name for name, _header in COLUMNS)
        export_order = fields
        force_init_instance = True  # every row is a new document; an existing code is an error
        skip_diff = True
        clean_model_instances = False  # the checks are below, with messages for a spreadsheet
        use_bulk = False

    def __init__(self, *, user=None, line_numbers=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.line_numbers = line_numbers
        self._code_lines: dict[str, list[int]] = {}
        self._existing_codes: set[str] = set()
        self._scope_ids: set[int] | None = None

    # --- export -----------------------------------------------------------------------------

    def dehydrate_title(self, document):
        return getattr(document, "register_title", None) or document.title

    def dehydrate_retention_years(self, document):
        return document.effective_retention_years

    def dehydrate_state(self, document):
        from documents.register_views import state_label

        with translation.override(settings.LANGUAGE_CODE):
            return str(state_label(document))

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if kwargs.get("escape_formulas") and isinstance(value, str) and value.startswith(FORMULA_START):
            value = "'" + value
        return value

    def export(self, queryset=None, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return super().export(queryset, **kwargs)

    # --- import -----------------------------------------------------------------------------

    def line_number(self, row_number: int) -> int:
        return self.line_numbers[row_number - 1] if self.line_numbers else row_number + 1

    def before_import(self, dataset, **kwargs):
        from qms.roles import unit_scope

        code_widget = self.fields["code"].widget
        column = self.fields["code"].column_name
        if column in (dataset.headers or []):
            for index, value in enumerate(dataset[column], 1):
                try:
                    code = code_widget.clean(value)
                except ValueError:
                    continue
                if code:
                    self._code_lines.setdefault(code, []).append(self.line_number(index))
        self._existing_codes = set(
            Document.objects.filter(code__in=list(self._code_lines)).values_list("code", flat=True)
        )
        if self.user is not None:
            scope = unit_scope(self.user)
            self._scope_ids = None if scope is None else set(scope.values_list("pk", flat=True))

    def save_instance(self, instance, is_create, row, **kwargs):
        """Never save: the rows are only checked here (see `documents.importing.register_import`)."""

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)

        def add(name: str, message: str) -> None:
            errors.setdefault(self.fields[name].attribute, []).append(ValidationError(message))

        def value(name: str):
            return getattr(instance, self.fields[name].attribute, None)

        def failed(name: str) -> bool:
            return self.fields[name].attribute in errors

        for name in REQUIRED:
            if not failed(name) and value(name) in (None, ""):
                add(name, _("a value is required"))

        code = value("code")
        if code and not failed("code"):
            lines = self._code_lines.get(code, [])
            if code in self._existing_codes:
                add("code", _("the register already has a document with the code %(code)s") % {"code": code})
            elif len(lines) > 1:
                add("code", _("the code %(code)s is on more than one row (rows %(rows)s)")
                    % {"code": code, "rows": ", ".join(str(n) for n in lines)})

        unit = value("unit")
        if unit is not None and not failed("unit") and self._scope_ids is not None and unit.pk not in self._scope_ids:
            add("unit", _("you may not import documents of the unit %(code)s") % {"code": unit.code})

        effective = value("effective_date")
        if effective and not failed("effective_date") and effective > today():
            add("effective_date", _("the date is in the future; only documents already in force can be imported"))
        next_review = value("next_review_date")
        if effective and next_review and not failed("next_review_date") and next_review < effective:
            add("next_review_date", _("the next review is before the effective date"))

        if errors:
            raise ValidationError(errors)

    def column_of(self, attribute: str) -> str:
        """The header of the column a validation error's key (a field attribute) stands for."""
        if attribute == NON_FIELD_ERRORS:
            return ""
        for field in self.fields.values():
            if field.attribute == attribute:
                return field.column_name
        return attribute
