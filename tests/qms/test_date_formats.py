"""Dates read dd.mm.yyyy in both languages; times are Istanbul time."""

from datetime import UTC, date, datetime

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format, localize_input


@pytest.mark.parametrize("language", ["tr", "en"])
def test_short_dates_are_day_month_year_with_dots(language):
    with translation.override(language):
        assert date_format(date(2026, 11, 5), "SHORT_DATE_FORMAT") == "05.11.2026"
        assert localize_input(date(2026, 11, 5)) == "05.11.2026"


def test_times_are_shown_in_istanbul_time():
    assert settings.TIME_ZONE == "Europe/Istanbul"
    moment = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    with translation.override("tr"):
        assert date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") == "25.11.2026 12:30"
