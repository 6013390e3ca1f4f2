"""PDFs of the request reports: the yearly data-analysis report (Yıllık veri analizi raporu) and
the crisis report (Kriz raporu), both A4 landscape, laid out by `qms.pdf.build_pdf` (letterhead, the
embedded font with Turkish letters, "Page x / y") from the same objects their pages show
(`kpi.reports.YearAnalysis`, `kpi.reports.CrisisReport`), so page and paper agree."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.platypus import Flowable, Paragraph, Spacer

from kpi.models import Kpi
from kpi.reports import Compared, CrisisReport, YearAnalysis, crisis_reasons, crisis_rule
from kpi.scorecards import KPIS, change_of, number, percent, shown
from qms.pdf import build_pdf, data_table, facts_table, styles

__all__ = ["crisis_pdf", "year_analysis_pdf"]

UNIT_COUNTS = (Kpi.CREATED, Kpi.ANSWERED, Kpi.DUE_OR_ANSWERED, Kpi.ON_TIME, Kpi.OVERDUE_OPEN, Kpi.SCHEDULED_OVERDUE)


def _change_header() -> str:
    return pgettext("difference", "Change")


def _change(kpi: str, before, after) -> str:
    change = change_of(kpi, before, after)
    return change.text if change else "—"


def _share(part: int, whole: int) -> str:
    return percent(part / whole) if whole else "—"


def _group_table(items: list[Compared], a: YearAnalysis, name_header: str):
    total = a.total.values[Kpi.CREATED]
    rows = [[c.label, number(c.before(Kpi.CREATED)), number(c.value(Kpi.CREATED)),
             _change(Kpi.CREATED, c.before(Kpi.CREATED), c.value(Kpi.CREATED)), _share(c.value(Kpi.CREATED), total),
             shown(Kpi.ON_TIME_RATE, c.value(Kpi.ON_TIME_RATE)),
             shown(Kpi.SATISFACTION_AVG, c.value(Kpi.SATISFACTION_AVG))] for c in items]
    headers = [name_header, str(a.previous_year), str(a.year), _change_header(),
               _("Share of %(year)s") % {"year": a.year}, Kpi.ON_TIME_RATE.label, Kpi.SATISFACTION_AVG.label]
    return data_table(headers, rows, col_widths=["30%", "10%", "10%", "14%", "10%", "13%", "13%"])


def year_analysis_pdf(a: YearAnalysis, *, user=None) -> bytes:
    st = styles()
    st.heading.keepWithNext = 1
    title = _("Yearly data-analysis report %(year)s") % {"year": a.year}
    flowables: list[Flowable] = [
        Paragraph(escape(title), st.title),
        facts_table([
            (_("Year"), a.period_label),
            (_("Compared with"), f"{a.previous_from:%d.%m.%Y} – {a.previous_to:%d.%m.%Y}"),
            (_("Report date"), a.as_of),
            (_("Requests received"), number(a.total.values[Kpi.CREATED])),
        ]),
        Paragraph(escape(_("Requests created in the period, in the units you may see; overdue figures as at the "
                           "report date. A rate or average over fewer than %(min)s requests is shown but not "
                           "compared.") % {"min": a.min_sample}), st.small),
        Paragraph(escape(_("Summary")), st.heading),
    ]
    flowables += [Paragraph("• " + escape(sentence), st.body) for sentence in a.sentences]

    flowables.append(Paragraph(escape(_("Every indicator, compared with the year before")), st.heading))
    rows = [[Kpi(k).label, shown(k, a.previous_total.values[k]), shown(k, a.total.values[k]),
             _change(k, a.previous_total.values[k], a.total.values[k])] for k in KPIS]
    flowables.append(data_table([_("Indicator"), str(a.previous_year), str(a.year), _change_header()], rows,
                                col_widths=["40%", "20%", "20%", "20%"]))

    flowables.append(Paragraph(escape(_("Requests by month")), st.heading))
    rows = [[m.label, number(m.before(Kpi.CREATED)), number(m.value(Kpi.CREATED)),
             _change(Kpi.CREATED, m.before(Kpi.CREATED), m.value(Kpi.CREATED)), number(m.value(Kpi.ANSWERED)),
             shown(Kpi.ON_TIME_RATE, m.value(Kpi.ON_TIME_RATE)),
             shown(Kpi.MEAN_ANSWER_HOURS, m.value(Kpi.MEAN_ANSWER_HOURS)),
             shown(Kpi.SATISFACTION_AVG, m.value(Kpi.SATISFACTION_AVG))] for m in a.months]
    flowables.append(data_table(
        [_("Month"), str(a.previous_year), str(a.year), _change_header(), Kpi.ANSWERED.label, Kpi.ON_TIME_RATE.label,
         Kpi.MEAN_ANSWER_HOURS.label, Kpi.SATISFACTION_AVG.label], rows,
        col_widths=["14%", "10%", "10%", "14%", "12%", "12%", "14%", "14%"]))

    flowables.append(Paragraph(escape(_("Requests by channel")), st.heading))
    flowables.append(_group_table(a.channels, a, _("Channel")))
    flowables.append(Paragraph(escape(_("Requests by type")), st.heading))
    flowables.append(_group_table(a.types, a, _("Type")))
    flowables.append(Paragraph(escape(
        _("Requests by category (the %(shown)s largest of %(count)s)") % {"shown": len(a.categories),
                                                                          "count": a.category_count}), st.heading))
    flowables.append(_group_table(a.categories, a, _("Category")))

    flowables.append(Paragraph(escape(_("Satisfaction survey and field checks")), st.heading))
    before, now = a.previous_total, a.total
    rows = [
        [_("Survey answers"), number(before.counters["sat_count"]), number(now.counters["sat_count"]),
         _change(Kpi.CREATED, before.counters["sat_count"], now.counters["sat_count"])],
        *[[Kpi(k).label, shown(k, before.values[k]), shown(k, now.values[k]), _change(k, before.values[k],
                                                                                         now.values[k])]
          for k in (Kpi.SATISFACTION_AVG, Kpi.SATISFIED_RATE)],
        [_("Field checks"), number(before.counters["fc_count"]), number(now.counters["fc_count"]),
         _change(Kpi.CREATED, before.counters["fc_count"], now.counters["fc_count"])],
        [_("Not solved on site"), number(before.counters["fc_fail"]), number(now.counters["fc_fail"]),
         _change(Kpi.CREATED, before.counters["fc_fail"], now.counters["fc_fail"])],
        [Kpi.FIELD_CHECK_FAIL_RATE.label, shown(Kpi.FIELD_CHECK_FAIL_RATE, before.values[Kpi.FIELD_CHECK_FAIL_RATE]),
         shown(Kpi.FIELD_CHECK_FAIL_RATE, now.values[Kpi.FIELD_CHECK_FAIL_RATE]),
         _change(Kpi.FIELD_CHECK_FAIL_RATE, before.values[Kpi.FIELD_CHECK_FAIL_RATE],
                 now.values[Kpi.FIELD_CHECK_FAIL_RATE])],
    ]
    flowables.append(data_table([_("Indicator"), str(a.previous_year), str(a.year), _change_header()], rows,
                                col_widths=["40%", "20%", "20%", "20%"]))

    # Every indicator of every unit: the counts, then the rates and times (one table would be too narrow).
    units = [u for u in a.units if u.current is not None]
    flowables.append(Paragraph(escape(_("Units in %(year)s: every indicator") % {"year": a.year}), st.heading))
    for kpis in (UNIT_COUNTS, tuple(k for k in KPIS if k not in UNIT_COUNTS)):
        rows = [[u.label] + [shown(k, u.value(k)) for k in kpis] for u in units]
        share = 72 / len(kpis)
        flowables.append(data_table([_("Unit")] + [Kpi(k).label for k in kpis], rows,
                                    col_widths=["28%"] + [f"{share:.2f}%"] * len(kpis)))
        flowables.append(Spacer(0, 4))
    return build_pdf(title=title, flowables=flowables, user=user, landscape=True,
                     subject=_("Yearly data-analysis report"))


def crisis_pdf(report: CrisisReport, *, user=None) -> bytes:
    st = styles()
    title = _("Crisis report %(date)s") % {"date": f"{report.as_of:%d.%m.%Y}"}
    flowables: list[Flowable] = [
        Paragraph(escape(title), st.title),
        facts_table([
            (_("Report date"), report.as_of),
            (_("Overdue backlog at or over"), number(report.overdue_limit)),
            (_("On-time rate under"), percent(report.rate_limit)),
            (_("Units listed"), number(len(report.units))),
        ]),
        Paragraph(escape(crisis_rule(report)), st.small),
    ]
    if report.units:
        rows = [[f"{u.code} — {u.name}", number(u.overdue_open), shown(Kpi.ON_TIME_RATE, u.on_time_rate),
                 number(u.due_or_answered), number(u.created), crisis_reasons(u)] for u in report.units]
        flowables.append(data_table(
            [_("Unit"), _("Overdue backlog"), _("On-time rate, last 7 days"), _("Due or answered, last 7 days"),
             _("Created, last 7 days"), _("Why listed")], rows,
            col_widths=["30%", "12%", "13%", "13%", "12%", "20%"]))
    else:
        flowables.append(Paragraph(escape(_("No unit crossed a threshold.")), st.body))
    return build_pdf(title=title, flowables=flowables, user=user, landscape=True, subject=_("Crisis report"))
