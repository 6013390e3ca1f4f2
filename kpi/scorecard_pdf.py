"""The unit scorecard as a PDF (A4 landscape), laid out by `qms.pdf.build_pdf` (letterhead, the
embedded font with Turkish letters, "Page x / y") from the same `kpi.scorecards.Scorecard` the page,
the XLSX and the monthly mail use, so they agree."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.platypus import Flowable, Paragraph

from kpi.scorecards import RATING_COLOURS, Scorecard, month_label, number
from qms.pdf import build_pdf, data_table, facts_table, styles

__all__ = ["rating_cell", "scorecard_pdf", "scorecard_title"]


def rating_cell(rating: str | None, label: str, style) -> Paragraph | str:
    """The rating in words (bold, in its colour): read without the colour too."""
    if not label:
        return ""
    colour = RATING_COLOURS.get(rating)
    if colour is None:
        return Paragraph(escape(label), style)
    return Paragraph(f'<font color="{colour}"><b>{escape(label)}</b></font>', style)


def scorecard_title(card: Scorecard) -> str:
    return _("Unit scorecard: %(unit)s, %(month)s") % {"unit": card.unit.name, "month": month_label(card.month)}


def scorecard_pdf(card: Scorecard, *, user=None) -> bytes:
    st = styles()
    title = scorecard_title(card)
    rated = card.rated()
    flowables: list[Flowable] = [
        Paragraph(escape(title), st.title),
        facts_table([
            (_("Unit"), f"{card.unit.code} — {card.unit.name}"),
            (_("Month"), month_label(card.month)),
            (_("Compared with"), month_label(card.previous_from)),
            (_("Report date"), card.as_of),
            (_("Figures"), _("%(green)s green, %(amber)s amber, %(red)s red") % {
                "green": rated["green"], "amber": rated["amber"], "red": rated["red"]}),
        ]),
        Paragraph(escape(_("Requests created in the month, counted for the unit and the units under it; overdue "
                           "figures as at the report date. The department column is the total of every unit for "
                           "the same month.")), st.small),
    ]
    rows = []
    for line in card.lines:
        value = line.value_text
        if line.sample is not None:
            value += " " + _("(only %(count)s)") % {"count": number(line.sample)}
        rows.append([line.label, value, line.target_text, rating_cell(line.rating, line.rating_label, st.table_cell),
                     line.previous_text, line.change.text if line.change else "—", line.department_text])
    headers = card.sheet_headers()
    flowables.append(data_table(headers, rows, col_widths=["21%", "12%", "18%", "12%", "11%", "14%", "12%"]))
    flowables.append(Paragraph(escape(
        _("A rate or average over fewer than %(min)s requests is shown but not rated (too few to rate).")
        % {"min": card.min_sample}), st.small))
    return build_pdf(title=title, flowables=flowables, user=user, landscape=True, subject=_("Unit scorecard"))
