"""Çağrı merkezi → Çağrı aktarımı: upload, a dry-run preview (new/updated/unchanged/refused, the first
refused rows, all of them as CSV), confirm; the file kept privately in between and deleted after;
the past imports listed with a fixed number of queries; only for holders of callqa.import_call."""

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

from kpi.callqa.models import Agent, Call, CallImportRun
from kpi.callqa.views.imports import MAX_SHOWN, RUNS_PER_PAGE, SESSION_KEY
from qms.roles import Role
from tests.callqa.ingest_data import call_row, csv_file, table, xlsx_file
from tests.qms.test_admin_menus import menu_names

pytestmark = pytest.mark.django_db
INDEX = "/admin/callqa/imports/"


def upload(client, rows=None, *, name="santral.csv", content=None, **options):
    data = content if content is not None else csv_file(rows).getvalue()
    return client.post(INDEX, {"file": SimpleUploadedFile(name, data), **options})


def kept_files() -> list[Path]:
    folder = Path(settings.QMS_PRIVATE_MEDIA_ROOT) / "callqa-imports"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def importer(role_client):
    for path in kept_files():
        path.unlink()
    Agent.objects.create(code="A001")
    return role_client(Role.QA_LEAD, unit="ÇMPK")


def token_of(response) -> str:
    assert response.status_code == 302, response.content[:2000]
    return response.url.rstrip("/").rsplit("/", 1)[-1]


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT, Role.TEAM_LEAD, Role.QA_EVALUATOR, Role.TOP_MANAGEMENT])
def test_others_get_403_everywhere(role_client, role):
    client = role_client(role, unit="ALO153")
    assert client.get(INDEX).status_code == 403
    assert upload(client, [call_row()]).status_code == 403
    assert client.get(f"{INDEX}{'a' * 32}/").status_code == 403
    assert client.post(f"{INDEX}{'a' * 32}/", {"action": "import"}).status_code == 403
    assert client.get(f"{INDEX}{'a' * 32}/errors.csv").status_code == 403
    assert Call.objects.count() == 0 and kept_files() == []
    assert "callqa-import-calls" not in menu_names(client.get("/admin/").content.decode())


def test_the_menu_item_is_shown_to_the_importer(importer, role_client):
    page = importer.get("/admin/").content.decode()
    assert {"callqa", "callqa-import-calls"} <= menu_names(page)
    sidebar = json.loads(re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
                                   page, re.S).group(1))
    text = json.dumps(sidebar, ensure_ascii=False)
    assert "Çağrı aktarımı" in text and "Çağrı merkezi" in text and reverse("callqa:import_calls") in text
    mr = role_client(Role.MANAGEMENT_REPRESENTATIVE, unit="ÇMPK")
    assert "callqa-import-calls" in menu_names(mr.get("/admin/").content.decode())


def test_preview_then_confirm(importer):
    rows = [call_row(), call_row(line="WhatsApp"), call_row(agent="")]
    token = token_of(upload(importer, rows))
    assert [p.name for p in kept_files()] == [f"{token}.csv"]

    preview = importer.get(f"{INDEX}{token}/")
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'data-count="created">3<' in html and 'data-count="errors">0<' in html
    assert "Aktarmayı onayla" in html and "WhatsApp" in html and "Yeni çağrılar" in html
    assert Call.objects.count() == 0 and CallImportRun.objects.count() == 0  # a preview writes nothing

    done = importer.post(f"{INDEX}{token}/", {"action": "import"})
    assert done.status_code == 302 and done.url == INDEX
    assert Call.objects.count() == 3
    run = CallImportRun.objects.get()
    assert (run.source, run.user, run.filename, run.created) == (CallImportRun.Source.FILE, importer.user,
                                                                 "santral.csv", 3)
    entry = ModelLogEntry.objects.get(action="qms.import")
    assert entry.user == importer.user and entry.data == {
        "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0, "source": "santral.csv"}
    assert kept_files() == [] and token not in importer.session.get(SESSION_KEY, {})
    listing = importer.get(INDEX).content.decode()
    assert "santral.csv" in listing and "Dosya" in listing
    assert importer.get(f"{INDEX}{token}/").status_code == 404  # done: the token is gone


def test_updated_and_unchanged_rows_are_counted_in_the_preview(importer):
    rows = [call_row(), call_row()]
    importer.post(f"{INDEX}{token_of(upload(importer, rows))}/", {"action": "import"})
    rows[0]["wait_seconds"] = "30"
    html = importer.get(f"{INDEX}{token_of(upload(importer, rows + [call_row()]))}/").content.decode()
    assert 'data-count="created">1<' in html and 'data-count="updated">1<' in html
    assert 'data-count="unchanged">1<' in html


def test_refused_rows_are_shown_downloadable_and_block_the_import(importer):
    rows = [call_row(), call_row(wait_seconds="-1"), call_row(agent="ZZZ"), call_row()]
    token = token_of(upload(importer, rows))
    html = importer.get(f"{INDEX}{token}/").content.decode()
    assert 'data-count="errors">2<' in html and 'data-count="created">2<' in html
    assert rows[1]["call_id"] in html and "<code>wait_seconds</code>" in html and "<code>agent</code>" in html
    assert '<th scope="col">Çağrı no</th>' in html
    assert "Geçerli satırları aktar, reddedilenleri atla" in html and "Aktarmayı onayla" not in html

    download = importer.get(f"{INDEX}{token}/errors.csv")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["Satır", "Sütun", "Çağrı no", "Gerekçe"]
    assert [line[:3] for line in lines[1:]] == [["3", "wait_seconds", rows[1]["call_id"]],
                                                ["4", "agent", rows[2]["call_id"]]]

    refused = importer.post(f"{INDEX}{token}/", {"action": "import"})
    assert refused.status_code == 400
    assert "Hiçbir şey aktarılmadı: 2 satır reddedildi." in refused.content.decode()
    assert Call.objects.count() == 0 and CallImportRun.objects.count() == 0

    done = importer.post(f"{INDEX}{token}/", {"action": "import_skip"})
    assert done.status_code == 302
    assert Call.objects.count() == 2 and CallImportRun.objects.get().errors == 2


def test_skip_errors_and_create_agents_chosen_at_upload(importer):
    rows = [call_row(agent="YENI9"), call_row(direction="yan")]
    token = token_of(upload(importer, rows, skip_errors="on", create_agents="on"))
    html = importer.get(f"{INDEX}{token}/").content.decode()
    assert "YENI9" in html and "Aktarmayı onayla" in html and "bilinmeyen temsilciler oluşturulur" in html
    importer.post(f"{INDEX}{token}/", {"action": "import"})
    assert list(Call.objects.values_list("agent__code", flat=True)) == ["YENI9"]


def test_only_the_first_refused_rows_are_listed(importer):
    rows = [call_row(outcome="busy") for _ in range(MAX_SHOWN + 3)]
    token = token_of(upload(importer, rows))
    html = importer.get(f"{INDEX}{token}/").content.decode()
    assert html.count("<code>outcome</code>") == MAX_SHOWN
    assert "… ve CSV dosyasında 3 reddedilen satır daha." in html
    download = importer.get(f"{INDEX}{token}/errors.csv").content.decode("utf-8-sig")
    assert len(download.strip().splitlines()) == MAX_SHOWN + 3 + 1


def test_cancel_drops_the_file(importer):
    token = token_of(upload(importer, [call_row()]))
    response = importer.post(f"{INDEX}{token}/", {"action": "cancel"})
    assert response.status_code == 302 and kept_files() == [] and Call.objects.count() == 0


@pytest.mark.parametrize(("name", "content", "words"), [
    ("rapor.pdf", b"%PDF-1.7\n", "XLSX ya da CSV dosyası yükleyin"),
    ("santral.csv", b"", "boş"),
])
def test_a_wrong_file_is_refused_by_the_form(importer, name, content, words):
    response = upload(importer, name=name, content=content)
    assert response.status_code == 400 and words in response.content.decode()
    assert kept_files() == []


def test_a_file_over_the_limit_is_refused_by_the_form(importer, settings):
    settings.QMS_KPI_IMPORT_MAX_BYTES = 1024 * 1024
    response = upload(importer, content=b"call_id;line\n" + b"x" * (1024 * 1024))
    assert response.status_code == 400 and "manage.py import_calls" in response.content.decode()
    assert kept_files() == []


def test_a_file_the_pipeline_refuses_goes_back_to_the_upload_with_the_reason(importer):
    token = token_of(upload(importer, content="kod;başlık\nA;B\n".encode()))
    response = importer.get(f"{INDEX}{token}/", follow=True)
    assert response.redirect_chain[-1][0] == INDEX
    assert "bir çağrı listesi değil" in response.content.decode()
    assert kept_files() == [] and Call.objects.count() == 0


def test_a_token_of_another_session_is_404(importer, client, make_user):
    token = token_of(upload(importer, [call_row()]))
    client.force_login(make_user(Role.QA_LEAD))
    assert client.get(f"{INDEX}{token}/").status_code == 404
    assert client.post(f"{INDEX}{token}/", {"action": "import"}).status_code == 404
    assert client.get(f"{INDEX}{token}/errors.csv").status_code == 404
    assert Call.objects.count() == 0


def test_an_xlsx_file_goes_through_the_same_steps(importer):
    rows = [call_row(), call_row()]
    token = token_of(upload(importer, name="santral.xlsx", content=xlsx_file(table(rows)).getvalue()))
    assert 'data-count="created">2<' in importer.get(f"{INDEX}{token}/").content.decode()
    assert importer.post(f"{INDEX}{token}/", {"action": "import"}).status_code == 302
    assert Call.objects.count() == 2 and kept_files() == []


LIST_QUERIES = 11  # session, user, permissions, menu, the count and the page of runs with their users


@pytest.mark.parametrize("n", [10, 100])
def test_the_past_imports_list_takes_a_fixed_number_of_queries(importer, django_assert_num_queries, n):
    now = timezone.now()
    CallImportRun.objects.bulk_create(CallImportRun(source=CallImportRun.Source.API, started_at=now, finished_at=now,
                                                    user=importer.user, rows=5, created=5) for _ in range(n))
    importer.get(INDEX)  # warm the per-process caches (content types, site)
    with django_assert_num_queries(LIST_QUERIES):
        response = importer.get(INDEX)
    assert response.content.decode().count("<td>API</td>") == min(n, RUNS_PER_PAGE)
