"""`seed_demo` loads a register of controlled documents with a believable history, made through the
real workflow: every type, revisions up to 02, drafts, one in review, one withdrawn, future and
overdue dates, and people with documents to read."""

from __future__ import annotations

import zipfile
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Max
from django.test import override_settings

from documents.models import (
    Confidentiality,
    Document,
    DocumentFile,
    DocumentKind,
    DocumentReview,
    DocumentRevision,
    ReviewOutcome,
    today,
)
from documents.queries import current_revision_of, documents_visible_to, due_for_review, pending_acknowledgements
from documents.seed import DOCUMENTS

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the whole module (the seed drives ~130 workflow steps), inside a transaction
    that is rolled back afterwards; each test still runs in its own savepoint (`db`)."""
    media = tmp_path_factory.mktemp("private")
    with django_db_blocker.unblock(), override_settings(QMS_ALLOW_DEMO_DATA=True, QMS_PRIVATE_MEDIA_ROOT=media), \
            transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield SimpleNamespace(output=out.getvalue(), media=media)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _in_a_savepoint(seeded, db):
    """Every test sees the seeded data and undoes its own changes."""


DOCS = {spec.title: spec for spec in DOCUMENTS}


def user(username):
    return get_user_model().objects.get(username=username)


def test_the_register_covers_every_type(seeded):
    assert "kontrollü doküman" in seeded.output
    assert Document.objects.count() >= 28
    assert Document.objects.count() == len(DOCUMENTS)
    assert set(Document.objects.values_list("doc_type__kind", flat=True)) == set(DocumentKind.values)
    titles = set(Document.objects.values_list("title", flat=True))
    assert {"4982 sayılı Bilgi Edinme Hakkı Kanunu", "Kalite El Kitabı", "Kalite Politikası"} <= titles


def test_revision_histories_are_dated_like_a_real_register(seeded):
    assert DocumentRevision.objects.aggregate(n=Max("number"))["n"] >= 2
    manual = Document.objects.get(title="Kalite El Kitabı")
    revisions = list(manual.approved_revisions.order_by("number"))
    assert [r.label for r in revisions] == ["00", "01", "02"]
    assert all(r.change_summary for r in revisions)
    dates = [r.approved_at for r in revisions]
    assert dates == sorted(dates)
    assert (today() - revisions[0].effective_date).days > 900  # revision 00 is years old
    assert manual.created_at < revisions[0].approved_at
    assert current_revision_of(manual) == revisions[-1]


def test_every_approved_revision_was_reviewed_and_approved_by_others(seeded):
    revisions = DocumentRevision.objects.all()
    assert revisions.count() >= 50
    assert not revisions.filter(approver=F("author")).exists()
    assert not revisions.filter(reviewer=F("author")).exists()
    assert not revisions.filter(reviewer__isnull=True).exists()
    assert set(revisions.values_list("approver__username", flat=True)) == {"yonetim.temsilcisi"}
    assert not revisions.filter(imported=True).exists()


def test_drafts_review_withdrawal_and_future_revisions(seeded):
    in_review = [d for d in Document.objects.all() if d.workflow_in_progress]
    assert len(in_review) == 1
    state = in_review[0].current_workflow_task_state
    assert state.task.name == "Yönetim temsilcisi onayı"  # the unit manager's step is done

    never_approved = Document.objects.filter(approved_revisions__isnull=True)
    assert never_approved.count() == 1 and never_approved.get().live is False
    redrafted = [d for d in Document.objects.filter(live=True) if d.has_unpublished_changes and
                 not d.workflow_in_progress]
    assert redrafted  # a new revision being written while the old one stays in force

    withdrawn = Document.objects.filter(withdrawn_at__isnull=False)
    assert withdrawn.count() == 1
    assert withdrawn.get().withdrawal_reason and withdrawn.get().withdrawn_by.username == "yonetim.temsilcisi"

    future = DocumentRevision.objects.filter(effective_date__gt=today())
    assert future.count() >= 2
    for revision in future:
        assert current_revision_of(revision.document).number == revision.number - 1


def test_the_revision_in_review_can_be_finished_by_the_approver_only(seeded):
    """The dated-back history still works: the author cannot act, the management representative can."""
    document = next(d for d in Document.objects.all() if d.workflow_in_progress)
    state = document.current_workflow_task_state
    author = user(DOCS[document.title].author)
    assert state.task.specific.get_actions(document, author) == []
    state.task.specific.on_action(state, user("yonetim.temsilcisi"), "approve")
    document.refresh_from_db()
    latest = document.approved_revisions.order_by("-number").first()
    assert latest.label == "02" and latest.author == author
    assert latest.approved_at > document.approved_revisions.get(number=1).approved_at


def test_some_documents_are_overdue_and_some_due_soon(seeded):
    due = list(due_for_review(within_days=30))
    overdue = [d for d in due if d.next_review_date < today()]
    assert 2 <= len(overdue) <= 6
    assert len(due) - len(overdue) >= 2
    review = DocumentReview.objects.get()
    assert review.outcome == ReviewOutcome.NO_CHANGE
    assert review.document.next_review_date == review.next_review_date > today()
    # Every document in force has its next review date from its latest revision or review.
    for document in Document.objects.filter(approved_revisions__isnull=False).distinct():
        assert document.next_review_date


def test_people_have_documents_to_read(seeded):
    for username in ("cagri.temsilcisi", "personel"):
        pending = pending_acknowledgements(user(username))
        assert pending.exists(), username
    assert pending_acknowledgements(user("cagri.temsilcisi")).count() >= 2
    assert DocumentRevision.objects.filter(acknowledgements__acknowledged_at__isnull=False).exists()


def test_the_call_scoring_instruction_is_restricted_to_the_call_centre(seeded):
    document = Document.objects.get(title="Çağrı Dinleme ve Puanlama Talimatı")
    assert document.confidentiality == Confidentiality.RESTRICTED
    assert documents_visible_to(user("cagri.temsilcisi")).filter(pk=document.pk).exists()
    assert not documents_visible_to(user("personel")).filter(pk=document.pk).exists()


def test_forms_have_files(seeded):
    files = list(DocumentFile.objects.all())
    assert {f.extension for f in files} == {"pdf", "docx"}
    for stored in files:
        path = seeded.media / stored.file.name
        assert path.exists()
        if stored.extension == "pdf":
            assert path.read_bytes().startswith(b"%PDF-")
        else:
            with zipfile.ZipFile(path) as archive:
                assert "Doküman kodu" in archive.read("word/document.xml").decode()
    form = Document.objects.get(title="Eğitim Değerlendirme Formu")
    assert current_revision_of(form).file.extension == "pdf"


def test_seeding_again_creates_nothing(seeded):
    before = (Document.objects.count(), DocumentRevision.objects.count(), DocumentFile.objects.count())
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert (Document.objects.count(), DocumentRevision.objects.count(), DocumentFile.objects.count()) == before
    assert "(0 yeni)" in out.getvalue()
