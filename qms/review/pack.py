"""The input pack: each agenda item filled with the figures the owning module reports.

A section builder is a function `build(review) -> Section` registered for one agenda-item kind
with `@section(kind)` in a module listed in `qms.review.areas.SECTION_MODULES`. It reads the owning
module's public functions (`kpi.engine`, `kpi.callqa.engine`, `audits.queries`,
`training.queries`, `documents.queries`, ...) for the review's period, department-wide (the pack
is the department's, read by top management), and returns plain data: figures, tables, charts
(server-drawn SVG) and links to the records.

`compile_item()` turns a Section into JSON. While the review is in preparation the screens compile
it live; on submission the JSON is stored on the agenda item (`AgendaItem.pack`) and from then on
the screens, the PDF and the API show only what was stored: later data changes never reach it.
The labels are rendered in the department's language (settings.LANGUAGE_CODE) so that the stored
minutes read the same for everyone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

logger = logging.getLogger("qms.review")

PACK_FORMAT = 1


@dataclass
class Figure:
    """One headline figure: `value` as shown, `raw` the number behind it (None when not a number),
    `target` as shown ("" when the figure has none), `status` "met" / "missed" / ""."""

    label: str
    value: str
    raw: float | int | None = None
    target: str = ""
    status: str = ""
    key: str = ""  # a stable name tests and the API use ("answered_rate", "open_dofs", ...)


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    # Optional per-row link (same length as rows, None where a row has no record to open).
    links: list[str | None] = field(default_factory=list)
    key: str = ""


@dataclass
class Chart:
    title: str
    svg: str  # drawn by the server (kpi.charts); its data is always in a table as well
    key: str = ""


@dataclass
class Link:
    label: str
    url: str


@dataclass
class Section:
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


Builder = Callable[[Any], Section]
_BUILDERS: dict[str, Builder] = {}


def section(kind: str) -> Callable[[Builder], Builder]:
    """Register the builder of one agenda-item kind (one builder per kind)."""

    def decorator(function: Builder) -> Builder:
        if kind in _BUILDERS and _BUILDERS[kind] is not function:
            raise RuntimeError(f"Two pack builders for agenda item {kind!r}")
        _BUILDERS[kind] = function
        return function

    return decorator


def builder_for(kind: str) -> Builder | None:
    return _BUILDERS.get(kind)


def registered_kinds() -> list[str]:
    return list(_BUILDERS)


def _plain(value):
    """JSON-safe values: numbers stay numbers, dates become ISO strings, lazy strings text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def compile_item(review, kind: str) -> dict:
    """The JSON of one agenda item for `review`'s period, in the department's language.

    An item no module fills (or whose builder fails) gets an empty section with a note, so one
    broken module never stops a review from being prepared; the failure is logged.
    """
    builder = _BUILDERS.get(kind)
    with translation.override(settings.LANGUAGE_CODE):
        if builder is None:
            data = Section(notes=[_("No module reports figures for this item: the narrative carries it.")])
        else:
            try:
                data = builder(review)
            except Exception:
                logger.exception("Pack builder for %s failed", kind)
                data = Section(notes=[_("The figures for this item could not be compiled; see the server log.")])
        result = _plain(asdict(data))
    result["format"] = PACK_FORMAT
    result["kind"] = kind
    result["period"] = [review.period_start.isoformat(), review.period_end.isoformat()]
    result["compiled_at"] = timezone.now().isoformat()
    return result


def item_pack(item) -> dict:
    """What an agenda item shows: the stored pack once submitted, else compiled now."""
    if item.pack is not None:
        return item.pack
    return compile_item(item.review, item.kind)


def figure(pack: dict, key: str) -> dict | None:
    """The figure called `key` in a compiled section (tests and the API look figures up by key)."""
    return next((f for f in pack.get("figures", []) if f.get("key") == key), None)


def table(pack: dict, key: str) -> dict | None:
    return next((t for t in pack.get("tables", []) if t.get("key") == key), None)
