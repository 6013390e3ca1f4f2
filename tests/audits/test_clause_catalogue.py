"""The clause catalogue loaded by qms/migrations/0004_clause_catalogue.py: the three standards, their
clauses in Turkish and English, the tree, the numeric order and the refusals."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import translation

from audits.models import FindingKind
from qms.models import Clause, Standard
from qms.models.clauses import sort_key_of

pytestmark = pytest.mark.django_db


def numbers(code: str) -> list[str]:
    return list(Clause.objects.filter(standard__code=code).values_list("number", flat=True))


def numeric(number: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in number.split("."))


def test_the_three_standards_are_loaded_with_their_editions_and_titles():
    standards = {s.code: s for s in Standard.objects.all()}
    assert {code: s.year for code, s in standards.items()} == {"ISO 9001": 2015, "ISO 10002": 2018,
                                                               "ISO 18295-1": 2017}
    assert standards["ISO 9001"].title_tr == "Kalite yönetim sistemleri — Şartlar"
    assert standards["ISO 9001"].title_en == "Quality management systems — Requirements"
    assert standards["ISO 10002"].title_en.startswith("Quality management — Customer satisfaction")
    assert standards["ISO 18295-1"].title_tr.startswith("Müşteri iletişim merkezleri")
    assert str(standards["ISO 10002"]) == "ISO 10002:2018"
    assert standards["ISO 10002"].title == standards["ISO 10002"].title_tr
    with translation.override("en"):
        assert standards["ISO 10002"].title == standards["ISO 10002"].title_en


def test_every_clause_has_both_titles_and_the_expected_numbers():
    counts = {code: len(numbers(code)) for code in ("ISO 9001", "ISO 10002", "ISO 18295-1")}
    assert counts == {"ISO 9001": 104, "ISO 10002": 47, "ISO 18295-1": 18}
    assert not Clause.objects.filter(title_tr="").exists() and not Clause.objects.filter(title_en="").exists()
    for code, number, tr, en in [
        ("ISO 9001", "9.2", "İç tetkik", "Internal audit"),
        ("ISO 9001", "10.2", None, "Nonconformity and corrective action"),
        ("ISO 10002", "8.5", "Şikâyetleri ele alma prosesinin tetkiki", "Auditing of the complaints-handling process"),
        ("ISO 18295-1", "4.2", "Müşterilere bilgi iletilmesi", "Communication of information to customers"),
    ]:
        clause = Clause.objects.get(standard__code=code, number=number)
        assert clause.title_en == en
        if tr:
            assert clause.title_tr == tr


def test_every_sub_clause_has_its_parent_in_the_same_standard():
    for clause in Clause.objects.select_related("parent"):
        if "." in clause.number:
            assert clause.parent is not None, clause.number
            assert clause.parent.number == clause.number.rsplit(".", 1)[0]
            assert clause.parent.standard_id == clause.standard_id
        else:
            assert clause.parent is None, clause.number
        assert clause.depth == clause.number.count(".") + 1
        assert clause.sort_key == sort_key_of(clause.number)
    assert list(Clause.objects.get(standard__code="ISO 9001", number="7.1.5").children
                .values_list("number", flat=True)) == ["7.1.5.1", "7.1.5.2"]


@pytest.mark.parametrize("code", ["ISO 9001", "ISO 10002", "ISO 18295-1"])
def test_clauses_sort_by_number_not_by_text(code):
    listed = numbers(code)  # the model's default ordering
    assert listed == sorted(listed, key=numeric)


def test_the_order_puts_9_before_10_and_7_1_4_before_7_1_5():
    listed = numbers("ISO 9001")
    assert listed.index("9.2") < listed.index("10.1")
    assert listed.index("7.1.4") < listed.index("7.1.5") < listed.index("7.1.5.1") < listed.index("7.1.6")
    assert listed.index("9") < listed.index("10")
    iso10002 = numbers("ISO 10002")
    assert iso10002.index("4.9") < iso10002.index("4.10") < iso10002.index("4.15") < iso10002.index("5")
    annexes = numbers("ISO 18295-1")
    assert annexes[-2:] == ["A", "B"]


def test_a_clause_reads_in_the_active_language():
    clause = Clause.objects.get(standard__code="ISO 9001", number="9.2")
    assert str(clause) == "ISO 9001 9.2 İç tetkik"
    assert clause.reference == "ISO 9001 9.2"
    with translation.override("en"):
        assert str(clause) == "ISO 9001 9.2 Internal audit"
        assert clause.title == "Internal audit"
    with translation.override("tr"):
        assert clause.title == "İç tetkik"


def test_a_clause_number_is_unique_within_its_standard():
    standard = Standard.objects.get(code="ISO 9001")
    duplicate = Clause(standard=standard, number="9.2", title_tr="Kopya", title_en="Copy")
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert excinfo.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    # The same number in another standard is a different clause.
    assert Clause.objects.filter(number="4.2").count() == 3


def test_a_standard_code_is_unique():
    with pytest.raises(IntegrityError), transaction.atomic():
        Standard.objects.create(code="ISO 9001", year=2026, title_tr="x", title_en="y")


def test_a_new_clause_gets_its_sort_key_and_depth():
    standard = Standard.objects.get(code="ISO 9001")
    parent = Clause.objects.get(standard=standard, number="10.2")
    clause = Clause.objects.create(standard=standard, number="10.2.3", title_tr="Deneme", title_en="Trial",
                                   parent=parent)
    assert clause.sort_key == "0010.0002.0003" and clause.depth == 3
    listed = numbers("ISO 9001")
    assert listed.index("10.2.2") < listed.index("10.2.3") < listed.index("10.3")


def test_a_clause_in_use_and_a_standard_with_clauses_are_not_deleted(nc_finding):
    clause = nc_finding.clause
    assert nc_finding.kind == FindingKind.MINOR
    with pytest.raises(ProtectedError), transaction.atomic():
        clause.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        clause.standard.delete()
    assert Clause.objects.filter(pk=clause.pk).exists()
