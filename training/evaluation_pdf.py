"""The yearly analysis of training evaluations (Eğitim Değerlendirme Analizi) as a PDF: the same
tables as the results page (by course, trainer and session; the managers' effectiveness
evaluations; pre/post test gains; anonymous comments) and a short automatic reading.

Laid out by `qms.pdf.build_pdf` (letterhead with the organisation, embedded font, "Page x / y").
The figures come from `training.queries.evaluation_report`, so page and PDF never disagree.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from qms.pdf import build_pdf, data_table, facts_table, styles
from training.models import RATING_FIELDS, Evaluation
from training.queries import LOW_RESPONSE_RATE

__all__ = ["criterion_label", "evaluation_year_pdf"]


def criterion_label(field: str) -> str:
    """The criterion's name as a heading; Turkish capitals ("içerik" -> "İçerik", not "Içerik")."""
    text = str(Evaluation._meta.get_field(field).verbose_name)
    if _is_turkish() and text[:1] in ("i", "ı"):
        return {"i": "İ", "ı": "I"}[text[0]] + text[1:]
    return capfirst(text)


def _average(value) -> Any:
    """An average as the page shows it: two decimals (4,50), right-aligned in a table."""
    return "—" if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _number(value) -> str:
    return "—" if value is None else number_format(value, decimal_pos=2 if isinstance(value, float) else None)


def _rate(group: dict) -> str:
    rate = group["response_rate"]
    if rate is None:
        return "—"
    text = f"%{rate}" if _is_turkish() else f"{rate} %"
    if rate < LOW_RESPONSE_RATE:
        text += " — " + _("below %(limit)s %%") % {"limit": LOW_RESPONSE_RATE}
    return text


def _is_turkish() -> bool:
    from django.utils import translation

    return (translation.get_language() or "tr").startswith("tr")


def _group_table(groups: list[dict], *, label: str, with_sessions: bool):
    headers = [label]
    if with_sessions:
        headers.append(_("Sessions"))
    headers += [_("Present"), _("Forms returned"), _("Response rate")]
    headers += [criterion_label(field) for field in RATING_FIELDS] + [_("Overall")]
    rows = []
    for group in groups:
        row: list[Any] = [group["label"]]
        if with_sessions:
            row.append(group["sessions"])
        row += [group["participants"], group["responses"], _rate(group)]
        row += [_average(group["averages"][field]) for field in RATING_FIELDS] + [_average(group["overall"])]
        rows.append(row)
    share = ["26%"] + (["7%"] if with_sessions else []) + ["7%", "7%", "11%"]
    rest = 100 - sum(float(w[:-1]) for w in share)
    share += [f"{rest / 5:.2f}%"] * 5
    return data_table(headers, rows, col_widths=share)


def _empty(text: str) -> Paragraph:
    return Paragraph(escape(text), styles().small)


def evaluation_year_pdf(report: dict, *, user=None) -> bytes:
    """The year's analysis PDF (A4 landscape) from `training.queries.evaluation_report(year)`."""
    st = styles()
    st.heading.keepWithNext = 1  # a heading never ends a page without its table
    year = report["year"]
    total = report["total"]
    flow: list[Flowable] = [
        Paragraph(escape(_("Training evaluation analysis %(year)s") % {"year": year}), st.title),
        Paragraph(escape(_("Evaluations are anonymous: this report shows averages and comments, never the name of "
                           "the participant who gave them.")), st.small),
        Spacer(1, 2 * mm),
        Paragraph(escape(_("Summary")), st.heading),
    ]
    facts: list[tuple[str, Any]] = [
        (_("Sessions held"), str(total["sessions"])),
        (_("Participants present"), str(total["participants"])),
        (_("Evaluation forms returned"), str(total["responses"])),
        (_("Response rate"), _rate(total)),
    ]
    facts += [(criterion_label(field), _number(total["averages"][field])) for field in RATING_FIELDS]
    facts.append((_("Overall average (1-5)"), _number(total["overall"])))
    flow.append(facts_table(facts, label_share=0.35))

    flow.append(Paragraph(escape(_("Reading")), st.heading))
    flow += [Paragraph("• " + escape(sentence), st.body) for sentence in report["reading"]]

    for heading, key, label, with_sessions in (
        (_("Results by course"), "by_course", _("Course"), True),
        (_("Results by trainer"), "by_trainer", _("Trainer"), True),
        (_("Results by session"), "by_session", _("Session"), False),
    ):
        flow.append(Paragraph(escape(heading), st.heading))
        groups = report[key]
        flow.append(_group_table(groups, label=label, with_sessions=with_sessions) if groups
                    else _empty(_("No session was held in this year.")))

    effectiveness = report["effectiveness"]
    flow.append(Paragraph(escape(_("Effectiveness evaluations by managers")), st.heading))
    if effectiveness["total"]:
        flow.append(facts_table([
            (_("Evaluations scheduled"), str(effectiveness["total"])),
            (_("Submitted"), str(effectiveness["done"])),
            (_("Waiting"), str(effectiveness["pending"])),
            (_("Overdue"), str(effectiveness["overdue"])),
            (_("Average effectiveness (1-5)"), _number(effectiveness["average"])),
            (_("Applied on the job: yes"), str(effectiveness["applied_yes"])),
            (_("Applied on the job: partly"), str(effectiveness["applied_partly"])),
            (_("Applied on the job: no"), str(effectiveness["applied_no"])),
        ], label_share=0.35))
    else:
        flow.append(_empty(_("No effectiveness evaluation is scheduled for this year's sessions.")))

    flow.append(Paragraph(escape(_("Pre- and post-test scores")), st.heading))
    if report["tests"]:
        flow.append(data_table(
            [_("Course"), _("Participants tested"), _("Pre-test average"), _("Post-test average"), _("Gain (points)")],
            [[t["course"], t["n"], t["pre"], t["post"], t["gain"]] for t in report["tests"]],
            col_widths=["40%", "15%", "15%", "15%", "15%"]))
    else:
        flow.append(_empty(_("No session of this year recorded test scores.")))

    flow.append(Paragraph(escape(_("Comments (anonymous)")), st.heading))
    if report["comments"]:
        for block in report["comments"]:
            items = [Paragraph(escape(block["label"]), st.body)]
            items += [Paragraph("– " + escape(text).replace("\n", "<br/>"), st.small) for text in block["comments"]]
            flow.append(KeepTogether(items))
    else:
        flow.append(_empty(_("No participant wrote a comment.")))

    return build_pdf(title=_("Training evaluation analysis %(year)s") % {"year": year}, flowables=flow,
                     user=user, landscape=True)
