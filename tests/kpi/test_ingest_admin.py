"""Göstergeler → Talep aktarımı: upload, a dry-run preview (counts, the first refused rows, all of
them as CSV), then confirm; the file kept privately in between and deleted after; the past imports
listed; only for the holders of kpi.import_request (403 for the others)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from kpi.models import ImportRun, Request
from kpi.views.imports import MAX_SHOWN, RUNS_PER_PAGE, SESSION_KEY
from qms.roles import Role
from tests.kpi.conftest import request_row
from tests.kpi.test_ingest_files import csv_file
from tests.qms.test_admin_menus import menu_names

INDEX = "/admin/kpi/imports/"


def upload(client, rows=None, *, name="export.csv", content=None, **options):
    data = content if content is not None else csv_file(rows).getvalue()
    return client.post(INDEX, {"file": SimpleUploadedFile(name, data), **options})


def kept_files() -> list[Path]:
    folder = Path(settings.QMS_PRIVATE_MEDIA_ROOT) / "kpi-imports"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def importer(role_client, kpi_units):
    for path in kept_files():
        path.unlink()
    return role_client(Role.MANAGEMENT_REPRESENTATIVE)


def token_of(response) -> str:
    assert response.status_code == 302, response.content[:2000]
    return response.url.rstrip("/").rsplit("/", 1)[-1]


@pytest.mark.parametrize("role", [Role.STAFF, Role.UNIT_MANAGER, Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR])
def test_others_get_403_everywhere(role_client, kpi_units, role):
    client = role_client(role, unit="FEN")
    assert client.get(INDEX).status_code == 403
    assert upload(client, [request_row()]).status_code == 403
    assert client.get(f"{INDEX}{'a' * 32}/").status_code == 403
    assert client.post(f"{INDEX}{'a' * 32}/", {"action": "import"}).status_code == 403
    assert client.get(f"{INDEX}{'a' * 32}/errors.csv").status_code == 403
    assert Request.objects.count() == 0 and kept_files() == []
    assert "kpi-import-requests" not in menu_names(client.get("/admin/").content.decode())


def test_the_menu_item_is_shown_to_the_importer(importer):
    page = importer.get("/admin/").content.decode()
    assert {"kpi", "kpi-import-requests"} <= menu_names(page)
    sidebar = json.loads(re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
                                   page, re.S).group(1))
    text = json.dumps(sidebar, ensure_ascii=False)
    assert "Talep aktarımı" in text and "Göstergeler" in text and reverse("kpi:import_requests") in text


def test_preview_then_confirm(importer):
    rows = [request_row(), request_row(channel="WhatsApp"), request_row(unit_code="PARK")]
    token = token_of(upload(importer, rows))
    assert [p.name for p in kept_files()] == [f"{token}.csv"]

    preview = importer.get(f"{INDEX}{token}/")
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'data-count="created">3<' in html and 'data-count="errors">0<' in html
    assert "Aktarmayı onayla" in html and "WhatsApp" in html
    assert Request.objects.count() == 0 and ImportRun.objects.count() == 0  # a preview writes nothing

    done = importer.post(f"{INDEX}{token}/", {"action": "import"})
    assert done.status_code == 302 and done.url == INDEX
    assert Request.objects.count() == 3
    run = ImportRun.objects.get()
    assert (run.source, run.user, run.filename, run.created) == (ImportRun.Source.FILE, importer.user,
                                                                 "export.csv", 3)
    entry = ModelLogEntry.objects.get(action="qms.import")
    assert entry.user == importer.user and entry.data == {
        "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0, "source": "export.csv"}
    assert kept_files() == [] and token not in importer.session.get(SESSION_KEY, {})
    listing = importer.get(INDEX).content.decode()
    assert "export.csv" in listing and "Dosya" in listing

    assert importer.get(f"{INDEX}{token}/").status_code == 404  # done: the token is gone


def test_refused_rows_are_shown_downloadable_and_block_the_import(importer):
    rows = [request_row(), request_row(created_at="2026-13-01 10:00"), request_row(satisfaction="9"),
            request_row()]
    token = token_of(upload(importer, rows))
    html = importer.get(f"{INDEX}{token}/").content.decode()
    assert 'data-count="errors">2<' in html and 'data-count="created">2<' in html
    assert rows[1]["request_no"] in html and "<code>created_at</code>" in html
    assert "Geçerli satırları aktar, reddedilenleri atla" in html and "Aktarmayı onayla" not in html

    download = importer.get(f"{INDEX}{token}/errors.csv")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["Satır", "Sütun", "Başvuru numarası", "Gerekçe"]
    assert [line[:3] for line in lines[1:]] == [["3", "created_at", rows[1]["request_no"]],
                                                ["4", "satisfaction", rows[2]["request_no"]]]

    refused = importer.post(f"{INDEX}{token}/", {"action": "import"})
    assert refused.status_code == 400
    assert "Hiçbir şey aktarılmadı: 2 satır reddedildi." in refused.content.decode()
    assert Request.objects.count() == 0 and ImportRun.objects.count() == 0

    done = importer.post(f"{INDEX}{token}/", {"action": "import_skip"})
    assert done.status_code == 302
    assert Request.objects.count() == 2 and ImportRun.objects.get().errors == 2


def test_skip_errors_and_create_units_chosen_at_upload(importer):
    rows = [request_row(unit_code="ZABITA"), request_row(deadline="8")]
    token = token_of(upload(importer, rows, skip_errors="on", create_units="on"))
    html = importer.get(f"{INDEX}{token}/").content.decode()
    assert "ZABITA" in html and "Aktarmayı onayla" in html
    importer.post(f"{INDEX}{token}/", {"action": "import"})
    assert list(Request.objects.values_list("unit__code", flat=True)) == ["ZABITA"]


def test_only_the_first_refused_rows_are_listed(importer):
    rows = [request_row(deadline="5") for _ in range(MAX_SHOWN + 3)]
    token = token_of(upload(importer, rows))
    html = importer.get(f"{INDEX}{token}/").content.decode()
    assert html.count("<code>deadline</code>") == MAX_SHOWN
    assert "… ve CSV dosyasında 3 reddedilen satır daha." in html
    download = importer.get(f"{INDEX}{token}/errors.csv").content.decode("utf-8-sig")
    assert len(download.strip().splitlines()) == MAX_SHOWN + 3 + 1


def test_cancel_drops_the_file(importer):
    token = token_of(upload(importer, [request_row()]))
    response = importer.post(f"{INDEX}{token}/", {"action": "cancel"})
    assert response.status_code == 302 and kept_files() == []
    assert Request.objects.count() == 0


@pytest.mark.parametrize(("name", "content", "words"), [
    ("rapor.pdf", b"%PDF-1.7\n", "XLSX ya da CSV dosyası yükleyin"),
    ("export.csv", b"", "boş"),
])
def test_a_wrong_file_is_refused_by_the_form(importer, name, content, words):
    response = upload(importer, name=name, content=content)
    assert response.status_code == 400 and words in response.content.decode()
    assert kept_files() == []


def test_a_file_over_the_limit_is_refused_by_the_form(importer, settings):
    settings.QMS_KPI_IMPORT_MAX_BYTES = 1024 * 1024
    response = upload(importer, content=b"request_no;type\n" + b"x" * (1024 * 1024))
    assert response.status_code == 400 and "manage.py import_requests" in response.content.decode()
    assert kept_files() == []


@pytest.mark.parametrize(("content", "words"), [
    (b"\x00\x01\x02garbage" * 100, "CSV"),
    ("kod;başlık\nA;B\n".encode(), "bir başvuru listesi değil"),
])
def test_a_file_the_pipeline_refuses_goes_back_to_the_upload_with_the_reason(importer, content, words):
    token = token_of(upload(importer, content=content))
    response = importer.get(f"{INDEX}{token}/", follow=True)
    assert response.redirect_chain[-1][0] == INDEX
    assert words in response.content.decode()
    assert kept_files() == [] and Request.objects.count() == 0


def test_a_token_of_another_session_is_404(importer, client, make_user):
    token = token_of(upload(importer, [request_row()]))
    other = make_user(Role.MANAGEMENT_REPRESENTATIVE)
    client.force_login(other)
    assert client.get(f"{INDEX}{token}/").status_code == 404
    assert client.post(f"{INDEX}{token}/", {"action": "import"}).status_code == 404
    assert client.get(f"{INDEX}{token}/errors.csv").status_code == 404
    assert Request.objects.count() == 0


def make_runs(n: int, user) -> None:
    now = timezone.now()
    ImportRun.objects.bulk_create(ImportRun(source=ImportRun.Source.API, started_at=now, finished_at=now, user=user,
                                            rows=5, created=5) for _ in range(n))


LIST_QUERIES = 11  # session, user, permissions, menu, the count and the page of runs with their users


@pytest.mark.parametrize("n", [10, 100])
def test_the_past_imports_list_takes_a_fixed_number_of_queries(importer, django_assert_num_queries, n):
    make_runs(n, importer.user)
    importer.get(INDEX)  # warm the per-process caches (content types, site)
    with django_assert_num_queries(LIST_QUERIES):
        response = importer.get(INDEX)
    assert response.content.decode().count("<td>API</td>") == min(n, RUNS_PER_PAGE)


def test_an_xlsx_file_goes_through_the_same_steps(importer):
    from tests.kpi.test_ingest_files import table, xlsx_file

    rows = [request_row(), request_row()]
    token = token_of(upload(importer, name="export.xlsx", content=xlsx_file(table(rows)).getvalue()))
    assert 'data-count="created">2<' in importer.get(f"{INDEX}{token}/").content.decode()
    assert importer.post(f"{INDEX}{token}/", {"action": "import"}).status_code == 302
    assert Request.objects.count() == 2 and kept_files() == []
