"""The approved-record checksum of the manifest changes when any approved record changes, and only
that kind's checksum: the restore drill's comparison can therefore catch an altered record."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from documents.models import DocumentRevision
from qms.operations.backup import approved_record_checksums


@pytest.mark.django_db
def test_changing_one_approved_revision_changes_only_its_kinds_checksum(settings):
    settings.QMS_SEED_MODULES = ["qms", "documents"]
    call_command("seed_demo", stdout=io.StringIO())
    before = approved_record_checksums()
    assert before["documents.approved_revisions"]["count"] > 0
    assert approved_record_checksums() == before  # the same rows give the same checksum

    revision = DocumentRevision.objects.order_by("pk").last()
    # Behind the model's back, as a broken restore or a manual edit would: save() refuses it.
    DocumentRevision.objects.filter(pk=revision.pk).update(title=revision.title + ".")
    after = approved_record_checksums()

    changed = sorted(key for key in before if before[key] != after[key])
    assert changed == ["documents.approved_revisions"]
    assert after["documents.approved_revisions"]["count"] == before["documents.approved_revisions"]["count"]

