"""Input-pack sections about the system itself: changes in internal and external issues (as far as
the documented system shows them) and opportunities for improvement.

Figure keys of **context** (ISO 9001 9.3.2 b):

- `documents_issued`: controlled documents whose first revision (00) came into force in the period;
- `documents_revised`: revisions after the first that came into force in the period;
- `documents_withdrawn`: documents withdrawn in the period;
- `document_reviews_overdue`: documents in force whose periodic review date had passed on the
  period's last day, or today while it runs (`documents.queries.due_for_review`).

Tables: `document_changes` (each revision, linked to that revision), `documents_withdrawn`,
`document_reviews_overdue`.

Figure keys of **improvement** (ISO 9001 9.3.2 e, 10.1; ISO 10002 9.6):

- `opportunities_active`: active opportunities of the risk-and-opportunity register;
- `suggestion_dofs`, `complaint_dofs`: DÖFs raised in the period from staff suggestions and from
  citizen complaints (`audits.models.Source`), rejected ones left out;
- `audit_improvements`: "opportunity for improvement" findings of the audits held in the period.

Tables: `opportunities`, `improvement_dofs`, `audit_improvements`, each row linked to its record.

A fixed number of queries each, whatever the number of documents, risks, DÖFs and findings.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from wagtail.admin.admin_url_finder import AdminURLFinder

from audits.models import Finding, FindingKind, NCState, Nonconformity, Source
from documents.models import Document, DocumentRevision
from documents.queries import due_for_review
from qms.review.models import AgendaItemKind, RegisterStatus, Risk, RiskKind
from qms.review.pack import Figure, Section, Table, section
from qms.review.sections.quality import (
    as_of,
    audits_held_in,
    count_text,
    day_text,
    links,
    period_window,
    raised_in,
    url_or_none,
)

IMPROVEMENT_SOURCES = (Source.STAFF_SUGGESTION, Source.CITIZEN_COMPLAINT)


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


@section(AgendaItemKind.CONTEXT)
def context(review) -> Section:
    start, end = period_window(review)
    on = as_of(review)
    revisions = list(
        DocumentRevision.objects.filter(effective_date__gte=review.period_start, effective_date__lte=review.period_end)
        .select_related("document")
        .order_by("effective_date", "document__code", "number")
    )
    withdrawn = list(Document.objects.filter(withdrawn_at__gte=start, withdrawn_at__lt=end)
                     .order_by("withdrawn_at", "code"))
    overdue = list(due_for_review(within_days=0, on=on).filter(next_review_date__lt=on))
    issued = sum(1 for revision in revisions if revision.number == 0)
    revised = len(revisions) - issued

    figures = [
        Figure(_("Documents issued"), count_text(issued), issued, key="documents_issued"),
        Figure(_("Document revisions"), count_text(revised), revised, key="documents_revised"),
        Figure(_("Documents withdrawn"), count_text(len(withdrawn)), len(withdrawn), key="documents_withdrawn"),
        Figure(_("Periodic document reviews overdue"), count_text(len(overdue)), len(overdue),
               key="document_reviews_overdue"),
    ]
    change_rows = [
        [revision.document.code, revision.title, revision.label,
         _("issued") if revision.number == 0 else _("revised"), day_text(revision.effective_date),
         revision.change_summary]
        for revision in revisions
    ]
    change_links = [reverse("documents:read_revision", args=[r.document_id, r.number]) for r in revisions]
    withdrawn_rows = [[document.code, document.title, day_text(timezone.localtime(document.withdrawn_at).date()),
                       document.withdrawal_reason] for document in withdrawn]
    overdue_rows = [[document.code, document.title, document.unit.code, day_text(document.next_review_date),
                     count_text((on - document.next_review_date).days)] for document in overdue]
    title = pgettext("review pack", "Title")
    tables = [
        Table(_("Documents issued and revised in the period"),
              [_("Code"), title, _("Revision"), _("Change"), _("Effective date"), _("Change summary")],
              change_rows, links=change_links, key="document_changes"),
        Table(_("Documents withdrawn in the period"), [_("Code"), title, _("Withdrawn on"), _("Reason")],
              withdrawn_rows, links=[reverse("documents:read", args=[d.pk]) for d in withdrawn],
              key="documents_withdrawn"),
        Table(_("Periodic reviews overdue on %(date)s") % {"date": day_text(on)},
              [_("Code"), title, _("Unit"), _("Review due on"), _("Days overdue")],
              overdue_rows, links=[reverse("documents:read", args=[d.pk]) for d in overdue],
              key="document_reviews_overdue"),
    ]
    notes = [
        _("The portal shows how the documented system changed; the narrative records the changes in internal "
          "and external issues themselves (laws, the municipality's organisation, citizens' expectations, "
          "technology) and what they mean for the system."),
    ]
    return Section(
        figures=figures, tables=tables, notes=notes,
        links=links(
            (_("Master document list"), url_or_none("documents:master_list")),
            (_("Documents due for review"), url_or_none("documents:due_reviews")),
        ),
    )


@section(AgendaItemKind.IMPROVEMENT)
def improvement(review) -> Section:
    start, end = period_window(review)
    opportunities = list(
        Risk.objects.filter(kind=RiskKind.OPPORTUNITY, status=RegisterStatus.ACTIVE)
        .select_related("owner").order_by("-score", "code")
    )
    dofs = list(
        Nonconformity.objects.filter(raised_in(start, end), source__in=IMPROVEMENT_SOURCES)
        .select_related("unit").order_by("raised_at", "pk")
    )
    findings = list(
        Finding.objects.filter(kind=FindingKind.IMPROVEMENT,
                               audit__in=audits_held_in(review.period_start, review.period_end).values("pk"))
        .select_related("audit__programme", "unit").order_by("audit__programme__year", "audit__number", "number")
    )
    suggestions = sum(1 for nc in dofs if nc.source == Source.STAFF_SUGGESTION)
    complaints = len(dofs) - suggestions

    figures = [
        Figure(_("Active opportunities in the register"), count_text(len(opportunities)), len(opportunities),
               key="opportunities_active"),
        Figure(_("DÖFs raised from staff suggestions"), count_text(suggestions), suggestions, key="suggestion_dofs"),
        Figure(_("DÖFs raised from citizen complaints"), count_text(complaints), complaints, key="complaint_dofs"),
        Figure(_("Opportunities for improvement found by audits"), count_text(len(findings)), len(findings),
               key="audit_improvements"),
    ]
    finder = AdminURLFinder()
    tables = [
        Table(_("Active opportunities"),
              [_("Number"), _("Description"), _("Process"), _("Owner"), _("Score")],
              [[risk.code, risk.description, risk.process, _person(risk.owner), count_text(risk.score)]
               for risk in opportunities],
              links=[finder.get_edit_url(risk) for risk in opportunities], key="opportunities"),
        Table(_("DÖFs from suggestions and complaints"),
              [_("Number"), pgettext("review pack", "Title"), _("Source"), _("Unit"), _("Current state")],
              [[nc.code, nc.title, str(Source(nc.source).label), nc.unit.code, str(NCState(nc.state).label)]
               for nc in dofs],
              links=[reverse("audits:nonconformity", args=[nc.pk]) for nc in dofs], key="improvement_dofs"),
        Table(_("Opportunities for improvement found by audits"),
              [_("Finding"), _("Unit"), _("Finding text")],
              [[finding.code, finding.unit.code, finding.statement] for finding in findings],
              links=[reverse("audits:audit", args=[finding.audit_id]) for finding in findings],
              key="audit_improvements"),
    ]
    return Section(
        figures=figures, tables=tables,
        notes=[_("The narrative adds the opportunities the meeting sees beyond these records.")],
        links=links((_("DÖF list"), url_or_none("audits:nonconformities"))),
    )

