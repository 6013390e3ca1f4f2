"""The programme's exports: the iCalendar file (RFC 5545 by hand) and the landscape PDF."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audits import services
from qms.calendar import ical_escape, ical_fold
from qms.roles import Role


@pytest.fixture
def year(today):
    return today.year


@pytest.fixture
def plan(planned_audit, cast, org, year, make_user):
    """Three audits: one of ÇMŞ with a team member, one of KSB with a title full of characters
    iCalendar must escape, and a cancelled one."""
    member = make_user(Role.INTERNAL_AUDITOR, unit="FEN", first_name="Derya", last_name="Çelik")
    first = planned_audit(title="Çağrı Merkezi tetkiki", planned_start=dt.date(year, 3, 10),
                          planned_end=dt.date(year, 3, 12), team=[member])
    tricky = planned_audit(
        title="Şikâyet; öneri, talep \\ geri bildirim\nikinci satır — uzun başlık ile satır katlama denemesi İĞÜŞÖÇ",
        units=[org["KSB"]], lead_auditor=cast["auditor2"],
        planned_start=dt.date(year, 8, 31), planned_end=dt.date(year, 8, 31),
    )
    cancelled = planned_audit(title="İptal edilecek tetkik", planned_start=dt.date(year, 11, 3),
                              planned_end=dt.date(year, 11, 3))
    services.audit_cancel(audit=cancelled, user=cast["mr"], reason="Birim taşındı")
    return {"first": first, "tricky": tricky, "cancelled": cancelled}


def _ics(client, user, year):
    client.force_login(user)
    return client.get(reverse("audits:programme_ical", args=[year]))


def _unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def _events(lines: list[str]) -> list[dict[str, str]]:
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _sep, value = line.partition(":")
            current[name] = value
    return events


# --- iCalendar ------------------------------------------------------------------------------


def test_the_calendar_has_one_all_day_event_per_audit_not_cancelled(client, cast, plan, year):
    response = _ics(client, cast["manager"], year)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode("utf-8")
    lines = _unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines and lines[-2] == "END:VCALENDAR"
    events = _events(lines)
    assert len(events) == 2 == body.count("BEGIN:VEVENT")
    first = next(e for e in events if e["UID"].startswith(f"audit-{plan['first'].pk}@"))
    assert first["DTSTART;VALUE=DATE"] == f"{year}0310"
    assert first["DTEND;VALUE=DATE"] == f"{year}0313"  # the day after the last day (RFC 5545, dates)
    assert re.fullmatch(r"\d{8}T\d{6}Z", first["DTSTAMP"])
    assert first["SUMMARY"] == f"{plan['first'].code} Çağrı Merkezi tetkiki"
    assert "Çağrı Merkezi Şefliği" in first["DESCRIPTION"] and "Derya Çelik" in first["DESCRIPTION"]
    assert "Zeynep Demir" in first["DESCRIPTION"]
    assert "İptal edilecek" not in body


def test_an_event_ending_on_the_last_day_of_a_month_ends_the_next_day(client, cast, plan, year):
    events = _events(_unfold(_ics(client, cast["mr"], year).content.decode()))
    tricky = next(e for e in events if e["UID"].startswith(f"audit-{plan['tricky'].pk}@"))
    assert tricky["DTSTART;VALUE=DATE"] == f"{year}0831"
    assert tricky["DTEND;VALUE=DATE"] == f"{year}0901"


def test_text_values_escape_commas_semicolons_backslashes_and_line_breaks(client, cast, plan, year):
    events = _events(_unfold(_ics(client, cast["mr"], year).content.decode()))
    tricky = next(e for e in events if e["UID"].startswith(f"audit-{plan['tricky'].pk}@"))
    assert tricky["SUMMARY"].startswith(
        f"{plan['tricky'].code} Şikâyet\\; öneri\\, talep \\\\ geri bildirim\\nikinci satır"
    )
    assert "\n" not in tricky["SUMMARY"]
    assert "\\n" in tricky["DESCRIPTION"]  # units, team and state on their own lines


def test_lines_end_with_crlf_and_are_folded_at_75_octets(client, cast, plan, year):
    raw = _ics(client, cast["mr"], year).content
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    physical = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical)
    assert any(line.startswith(b" ") for line in physical)  # the long summary was folded
    for line in physical:
        line.decode("utf-8")  # never split inside a Turkish letter


def test_folding_keeps_multibyte_letters_whole_and_unfolds_to_the_original():
    line = "SUMMARY:" + "İĞÜŞÖÇığüşöç" * 12
    folded = ical_fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert folded.replace("\r\n ", "") == line
    assert ical_fold("SHORT:ok") == "SHORT:ok"


def test_escaping_of_text_values():
    assert ical_escape("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_uids_are_stable_across_downloads(client, cast, plan, year):
    first = [e["UID"] for e in _events(_unfold(_ics(client, cast["mr"], year).content.decode()))]
    again = [e["UID"] for e in _events(_unfold(_ics(client, cast["auditor"], year).content.decode()))]
    assert first == again


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT])
def test_staff_and_agents_may_not_download_the_calendar(role_client, plan, year, role):
    client = role_client(role, unit="ALO153")
    assert client.get(reverse("audits:programme_ical", args=[year])).status_code == 403


def test_a_year_without_programme_has_no_calendar(client, cast, year):
    assert _ics(client, cast["mr"], year + 7).status_code == 404


# --- PDF ------------------------------------------------------------------------------------


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)


def test_the_programme_pdf_prints_the_plan_in_turkish(client, cast, plan, year):
    client.force_login(cast["auditor"])
    response = client.get(reverse("audits:programme_pdf", args=[year]))
    assert response.status_code == 200
    text = _pdf_text(response)
    reader = PdfReader(BytesIO(response.content))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape
    for expected in (f"{year} İç Tetkik Planı", "Ocak", "Şubat", "Ağustos", "Aralık", "Aylara göre program",
                     plan["first"].code, plan["tricky"].code, "Çağrı Merkezi tetkiki", "Çağrı Merkezi Şefliği",
                     "Karşılama ve Sonuç Birimi", "Zeynep Demir", "Okan Işık", "Derya Çelik", "Planlandı",
                     "Baş tetkikçi", "10.03." + str(year)):
        assert expected in text, expected
    assert "İptal edilecek" not in text


@pytest.mark.parametrize("role", [Role.STAFF, Role.AGENT])
def test_staff_and_agents_may_not_download_the_programme_pdf(role_client, plan, year, role):
    client = role_client(role, unit="KSB")
    assert client.get(reverse("audits:programme_pdf", args=[year])).status_code == 403


def test_a_year_without_programme_has_no_pdf(client, cast, year):
    client.force_login(cast["mr"])
    assert client.get(reverse("audits:programme_pdf", args=[year + 7])).status_code == 404
