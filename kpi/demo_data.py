"""Realistic citizen requests for the demo (`kpi/seed.py`), the benchmark (`benchmarks/bench_kpi.py`)
and anyone who wants a file to try the import with.

`generate_requests()` yields records as the HİM case system exports them (dicts keyed by
`kpi.ingest.COLUMNS`, every value a string, times in Europe/Istanbul "YYYY-MM-DD HH:MM:SS"):
the answering units with categories of their own, the department's channel mix (ALO 153 the
largest), a request / complaint / suggestion / information / thanks mix with the deadline classes
that go with them, fewer requests at night and at weekends, a Monday burst, a few storm weeks (more
sewer, road and fallen-tree requests, answered later), and per-unit answer habits: most units answer
on time, FEN and ESHOT clearly do not (so the dashboard shows red), some answers are returned by
the PR team, project work is scheduled (Programa Alındı) and not always done by its date, about 2%
are not processed, and the last two or three weeks are still largely open. It is deterministic: the
same arguments (seed included) give the same rows, in creation order, numbered `<prefix>0000001`...

`later_export()` turns a stream of rows into a later export of the same requests: one row in ten
moves on (open -> answered, answered -> closed, a survey score or a field check arrives), the rest
are unchanged, as when the case system sends its next full export.

From the shell (a CSV in the import's format, streamed, never held in memory):
    .venv/bin/python -m kpi.demo_data requests.csv --rows 200000 [--days 365] [--as-of 2026-11-26]
    .venv/bin/python -m kpi.demo_data requests-later.csv --rows 200000 --changed
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import sys
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate

DEFAULT_SEED = 153
DEFAULT_PREFIX = "BSV-"

# The columns of kpi.ingest.COLUMNS (kept here so that the generator needs no Django to be set up;
# tests/kpi/test_kpiseed_generator.py checks they are the same).
COLUMNS = (
    "request_no", "type", "channel", "category", "unit_code", "created_at", "deadline", "status",
    "first_answer_at", "closed_at", "due_at", "scheduled_until", "return_count", "satisfaction",
    "field_check", "extended",
)


@dataclass(frozen=True)
class CategorySpec:
    name: str
    deadline: int  # the unit's usual class for it: 7 (quick action) or 30 (needs investigation)
    weight: float
    storm_weight: float = 0.0  # extra weight in a storm week
    schedulable: bool = False  # project work that may be "Programa Alındı"


@dataclass(frozen=True)
class UnitProfile:
    weight: float  # share of the department's requests
    on_time: float  # chance an answer comes by its due date
    late_days: float  # mean days past the due date when it does not
    forgotten: float  # share never answered
    returned: float  # share of answers the PR team returns as unsuitable
    satisfaction: tuple[int, int, int, int, int]  # weights of the scores 1..5
    field_fail: float  # share of field checks that find the problem not solved
    finishes: float  # share of scheduled work done by its target date
    categories: tuple[CategorySpec, ...]
    storm_weight: float = 0.0  # extra share in a storm week


C = CategorySpec
UNIT_PROFILES: dict[str, UnitProfile] = {
    "FEN": UnitProfile(16, 0.70, 11, 0.015, 0.11, (14, 11, 20, 30, 25), 0.18, 0.55, (
        C("Yol Bakım/Asfalt", 30, 5, 3, True), C("Kaldırım", 30, 3, 0, True), C("Yol Çökmesi/Çukur", 7, 3, 4),
        C("Yol Çizgisi ve İşaretleme", 30, 1), C("Merdiven ve Korkuluk", 30, 1, 0, True),
    ), storm_weight=10),
    "PARK": UnitProfile(9, 0.91, 5, 0.003, 0.05, (4, 4, 12, 36, 44), 0.07, 0.8, (
        C("Park Bakımı", 7, 4), C("Ağaç Budama", 30, 3, 1, True), C("Devrilen Ağaç", 7, 0.3, 6),
        C("Yeşil Alan Sulama", 7, 2), C("Oyun Grubu Onarımı", 30, 1, 0, True),
    ), storm_weight=6),
    "ZABITA": UnitProfile(10, 0.93, 4, 0.003, 0.06, (6, 6, 14, 36, 38), 0.09, 0.8, (
        C("Seyyar Satıcı", 7, 3), C("Gürültü", 7, 3), C("Kaldırım İşgali", 7, 2), C("Dilencilik", 7, 1),
        C("Fiyat ve Etiket Denetimi", 30, 1),
    )),
    "ATIK": UnitProfile(12, 0.95, 3, 0.002, 0.04, (3, 3, 10, 36, 48), 0.05, 0.85, (
        C("Çöp Toplama", 7, 5), C("Konteyner", 30, 3, 0, True), C("Moloz ve Hafriyat Atığı", 7, 2),
        C("Geri Dönüşüm", 30, 1), C("Sokak Yıkama", 7, 1),
    )),
    "İTFAİYE": UnitProfile(2, 0.97, 3, 0.001, 0.02, (2, 2, 8, 33, 55), 0.03, 0.9, (
        C("Yangın Güvenliği Denetimi", 30, 3), C("Baca Temizliği", 7, 2), C("Yangın Hidrantı", 30, 1, 0, True),
        C("Su Baskını Tahliyesi", 7, 0.2, 3),
    ), storm_weight=3),
    "ULAŞIM": UnitProfile(6, 0.89, 6, 0.004, 0.07, (8, 7, 17, 36, 32), 0.08, 0.7, (
        C("Trafik Sinyalizasyonu", 7, 3, 1), C("Trafik Levhası", 30, 2, 0, True), C("Otopark", 30, 2),
        C("Yaya Geçidi", 30, 1, 0, True),
    )),
    "ESHOT": UnitProfile(13, 0.78, 8, 0.008, 0.09, (16, 12, 20, 28, 24), 0.10, 0.6, (
        C("Otobüs Seferleri", 7, 5), C("Durak", 30, 3, 0, True), C("Şoför Davranışı", 7, 3),
        C("İzmirim Kart", 7, 2), C("Otobüs Temizliği ve Klima", 7, 1),
    )),
    "İZSU": UnitProfile(14, 0.90, 5, 0.004, 0.06, (7, 6, 15, 36, 36), 0.08, 0.75, (
        C("Su Kesintisi", 7, 4, 2), C("Kanalizasyon", 7, 3, 8), C("Su Arızası/Patlak Boru", 7, 3, 2),
        C("Su Faturası", 30, 2), C("Yağmur Suyu Izgarası", 30, 1, 6, True),
    ), storm_weight=14),
    "BORNOVA": UnitProfile(8, 0.86, 6, 0.006, 0.08, (10, 8, 18, 34, 30), 0.11, 0.7, (
        C("Sokak Temizliği", 7, 3), C("Sokak Hayvanları", 7, 2), C("İmar ve Ruhsat", 30, 2),
        C("Sokak Aydınlatma", 30, 2, 1, True), C("Semt Pazarı", 7, 1),
    )),
    "KARŞIYAKA": UnitProfile(7, 0.92, 4, 0.003, 0.05, (4, 5, 12, 37, 42), 0.06, 0.8, (
        C("Sokak Temizliği", 7, 3), C("Sokak Hayvanları", 7, 2), C("İmar ve Ruhsat", 30, 2),
        C("Sahil Düzenlemesi", 30, 1, 0, True), C("Semt Pazarı", 7, 1),
    )),
}
# A unit that answers requests but has no profile above (one added in the admin, a test's units).
GENERIC_PROFILE = UnitProfile(3, 0.90, 5, 0.004, 0.06, (8, 7, 16, 35, 34), 0.08, 0.75, (
    C("Genel Talep", 7, 5), C("Hizmet Bilgisi", 7, 2), C("Çevre Düzenlemesi", 30, 2, 0, True),
))
del C

CHANNELS = (  # (name, share in %)
    ("ALO 153", 44), ("WhatsApp", 12), ("Web", 10), ("Mobil Uygulama", 9), ("CİMER", 7), ("E-posta", 5),
    ("Şahsen", 4.5), ("Sosyal Medya", 4.5), ("Bilgi Edinme", 2), ("Mobil HİM", 1.5), ("Açık Kapı", 0.5),
)
OFFICE_HOURS_ONLY = frozenset({"Şahsen", "Mobil HİM", "Açık Kapı"})
PETITION_CHANNELS = frozenset({"CİMER", "Açık Kapı"})  # a petition: law 3071 unless it asks for information
INFORMATION_CHANNEL = "Bilgi Edinme"
TYPES = (("request", 61), ("complaint", 26), ("suggestion", 6), ("information", 3), ("thanks", 4))
INFORMATION_BY = frozenset({"Web", "E-posta", "CİMER", "Şahsen"})  # other channels take no 4982 requests
OUTSIDE_RESPONSIBILITY = 0.06  # the 3-day class: sent back as another body's job
NOT_PROCESSED = 0.02
EXTENDED = 0.12  # 4982 requests whose extension was notified
SCHEDULED = 0.12  # of the 30-day requests in a schedulable category
CLOSED = 0.94  # of the answers the PR team checks and closes (the others stay "answered")
SURVEYED = 0.30
FIELD_CHECKED = 0.10
STORM_LATENESS = 0.12  # on-time chance lost in a storm week

# Requests per hour of the day (ALO 153 runs day and night) and per weekday (Monday the busiest).
HOUR_WEIGHTS = (0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.5, 1.5, 4, 7, 8, 7.5, 6, 6.5, 7, 6.5, 5.5, 4.5, 3.5, 3, 2.5,
                2, 1.2, 0.6)
WEEKDAY_WEIGHTS = (1.35, 1.12, 1.08, 1.05, 1.0, 0.55, 0.45)
MONTH_WEIGHTS = (1.05, 1.0, 0.97, 0.95, 0.98, 1.04, 1.1, 1.08, 1.02, 0.98, 1.0, 1.06)  # summer: parks, noise
HOLIDAY_WEIGHT = 0.5
STORM_WEIGHT = 1.8
STORMS_PER_YEAR = 3

_HOURS = tuple(range(24))
_HOUR_CUM = tuple(accumulate(HOUR_WEIGHTS))
_CHANNEL_NAMES = tuple(name for name, _w in CHANNELS)
_CHANNEL_CUM = tuple(accumulate(w for _n, w in CHANNELS))
_TYPE_NAMES = tuple(name for name, _w in TYPES)
_TYPE_CUM = tuple(accumulate(w for _n, w in TYPES))
_SCORES = ("1", "2", "3", "4", "5")
_HOUR = dt.timedelta(hours=1)
_DAY = dt.timedelta(days=1)


def _profile(code: str) -> UnitProfile:
    return UNIT_PROFILES.get(code, GENERIC_PROFILE)


def _storm_days(rng: random.Random, start: dt.date, end: dt.date) -> frozenset[dt.date]:
    span = (end - start).days + 1
    if span < 56:
        return frozenset()
    storms = max(1, round(STORMS_PER_YEAR * span / 365))
    days = set()
    for _ in range(storms):
        first = start + dt.timedelta(days=rng.randrange(span - 7))
        days.update(first + dt.timedelta(days=i) for i in range(rng.randint(4, 7)))
    return frozenset(days)


def _day_counts(rng: random.Random, count: int, start: dt.date, end: dt.date,
                storms: frozenset[dt.date]) -> list[tuple[dt.date, int]]:
    """How many requests each day gets: exactly `count` in all, by weekday, month, holidays and storms."""
    import holidays

    years = range(start.year, end.year + 1)
    public = frozenset(holidays.Turkey(years=years))
    days, weights = [], []
    day = start
    while day <= end:
        weight = WEEKDAY_WEIGHTS[day.weekday()] * MONTH_WEIGHTS[day.month - 1] * rng.uniform(0.85, 1.15)
        if day in public:
            weight *= HOLIDAY_WEIGHT
        if day in storms:
            weight *= STORM_WEIGHT
        days.append(day)
        weights.append(weight)
        day += _DAY
    total = sum(weights)
    counts, before, running = [], 0, 0.0
    for day, weight in zip(days, weights, strict=True):
        running += weight
        upto = round(count * running / total)
        counts.append((day, upto - before))
        before = upto
    return counts


def _office_time(rng: random.Random, day: dt.date, *, forward: bool = False) -> dt.datetime:
    """A moment of the working day (08:30-18:00) on `day`, when units answer and close; a weekend
    day becomes the Friday before (the Monday after when `forward`: a late answer stays late)."""
    weekday = day.weekday()
    if weekday >= 5:
        day += dt.timedelta(days=7 - weekday) if forward else -dt.timedelta(days=weekday - 4)
    return dt.datetime(day.year, day.month, day.day, 8, 30) + dt.timedelta(seconds=rng.randrange(34200))


def generate_requests(count: int, *, start: dt.date, end: dt.date, as_of: dt.datetime | None = None,
                      units: Iterable[str] | None = None, seed: int = DEFAULT_SEED,
                      prefix: str = DEFAULT_PREFIX) -> Iterator[dict[str, str]]:
    """`count` requests created from `start` to `end` (local dates, inclusive), as exported at
    `as_of` (a naive Istanbul time; default the midnight after `end`): what had happened by then is
    filled in, what had not is still open. `units`: the answering unit codes (default: those of
    qms.seed.ANSWERING_UNITS). Deterministic for the same arguments."""
    from kpi.deadlines import due_date

    if end < start:
        raise ValueError("end is before start")
    if as_of is None:
        as_of = dt.datetime.combine(end + _DAY, dt.time())
    if units is None:
        units = [code for code, _name, _kind in _answering_units()]
    codes = list(units)
    if not codes:
        raise ValueError("no answering units")
    profiles = [_profile(code) for code in codes]
    unit_cum = tuple(accumulate(p.weight for p in profiles))
    storm_unit_cum = tuple(accumulate(p.weight + p.storm_weight for p in profiles))
    category_cum = [tuple(accumulate(c.weight for c in p.categories)) for p in profiles]
    storm_category_cum = [tuple(accumulate(c.weight + c.storm_weight for c in p.categories)) for p in profiles]
    unit_indexes = range(len(codes))

    rng = random.Random(seed)  # noqa: S311 - a repeatable demo, not a secret
    storms = _storm_days(rng, start, end)
    as_of_day = as_of.date()
    random_ = rng.random
    randrange = rng.randrange
    choices = rng.choices
    number = 0
    for day, day_count in _day_counts(rng, count, start, end, storms):
        if not day_count:
            continue
        storm = day in storms
        midnight = dt.datetime(day.year, day.month, day.day)
        hours = choices(_HOURS, cum_weights=_HOUR_CUM, k=day_count)
        hours.sort()
        unit_picks = choices(unit_indexes, cum_weights=storm_unit_cum if storm else unit_cum, k=day_count)
        channel_picks = choices(_CHANNEL_NAMES, cum_weights=_CHANNEL_CUM, k=day_count)
        type_picks = choices(_TYPE_NAMES, cum_weights=_TYPE_CUM, k=day_count)
        for hour, u, channel, kind in zip(hours, unit_picks, channel_picks, type_picks, strict=True):
            number += 1
            created = midnight + dt.timedelta(seconds=hour * 3600 + randrange(3600))
            if created >= as_of:
                created = as_of - dt.timedelta(seconds=1 + randrange(600))
            profile = profiles[u]
            if channel in OFFICE_HOURS_ONLY and not 8 <= hour < 18:
                channel = "ALO 153"
            if channel == INFORMATION_CHANNEL:
                kind = "information"
            elif kind == "information" and channel not in INFORMATION_BY:
                kind = "request"
            cats = profile.categories
            cum = storm_category_cum[u] if storm else category_cum[u]
            category = cats[bisect_right(cum, random_() * cum[-1])]
            if kind == "information":
                deadline = 4982
            elif kind == "thanks":
                deadline = 7
            elif channel in PETITION_CHANNELS:
                deadline = 3071
            elif random_() < OUTSIDE_RESPONSIBILITY:
                deadline = 3
            else:
                deadline = category.deadline
            extended = deadline == 4982 and random_() < EXTENDED
            row = {
                "request_no": f"{prefix}{number:07d}", "type": kind, "channel": channel, "category": category.name,
                "unit_code": codes[u], "created_at": str(created), "deadline": str(deadline), "status": "open",
                "first_answer_at": "", "closed_at": "", "due_at": "", "scheduled_until": "", "return_count": "0",
                "satisfaction": "", "field_check": "", "extended": "1" if extended else "0",
            }
            if random_() < NOT_PROCESSED:
                closed = created + dt.timedelta(seconds=1800 + randrange(86400))
                if closed <= as_of:
                    row["status"] = "not_processed"
                    row["closed_at"] = str(closed)
                yield row
                continue

            created_on = created.date()
            due_on = due_date(created_on, deadline, extended)
            # When the unit answers (None: it never does).
            if kind == "thanks":
                answer = created + dt.timedelta(seconds=3600 + randrange(2 * 86400))
            elif random_() < profile.forgotten:
                answer = None
            elif random_() < profile.on_time - (STORM_LATENESS if storm else 0.0):
                allowed = (due_on - created_on).days
                offset = int(allowed * random_() ** 2.2)
                if offset == 0:
                    answer = created + dt.timedelta(seconds=1200 + randrange(5 * 3600))
                else:
                    answer = _office_time(rng, created_on + dt.timedelta(days=offset))
                    if answer <= created:
                        answer = created + dt.timedelta(seconds=1200 + randrange(5 * 3600))
            else:
                late = 1 + int(rng.expovariate(1 / profile.late_days))
                answer = _office_time(rng, due_on + dt.timedelta(days=late), forward=True)
            if answer is None or answer > as_of:
                yield row  # still open when exported
                continue
            row["first_answer_at"] = str(answer)

            if (category.schedulable and deadline == 30 and kind in ("request", "complaint")
                    and random_() < SCHEDULED):
                until = answer.date() + dt.timedelta(days=21 + randrange(130))
                row["scheduled_until"] = str(until)
                done = None
                if until < as_of_day:
                    if random_() < profile.finishes:
                        done = _office_time(rng, until - dt.timedelta(days=randrange(15)))
                elif random_() < 0.25:
                    done = _office_time(rng, answer.date() + dt.timedelta(days=7 + randrange(40)))
                if done is None or done > as_of or done < answer:
                    row["status"] = "scheduled"
                    yield row
                    continue
                row["status"] = "closed"
                row["closed_at"] = str(done)
                _after_closure(row, profile, random_)
                yield row
                continue

            final = answer
            if kind != "thanks" and random_() < profile.returned:
                returns = 1 if random_() < 0.8 else 2
                row["return_count"] = str(returns)
                final = answer + dt.timedelta(seconds=returns * (86400 + randrange(4 * 86400)))
                if final > as_of:
                    row["status"] = "returned"
                    yield row
                    continue
            closed = _office_time(rng, final.date() + dt.timedelta(days=randrange(4)), forward=True)
            if closed <= final:
                closed = final + dt.timedelta(seconds=1800 + randrange(3 * 3600))
            if closed <= as_of and random_() < CLOSED:
                row["status"] = "closed"
                row["closed_at"] = str(closed)
                _after_closure(row, profile, random_)
            else:
                row["status"] = "answered"
            yield row


def _after_closure(row: dict, profile: UnitProfile, random_) -> None:
    """A survey score for some closed requests, a field check for some others."""
    if random_() < SURVEYED:
        weights = profile.satisfaction
        pick = random_() * sum(weights)
        for score, weight in zip(_SCORES, weights, strict=True):
            pick -= weight
            if pick < 0:
                row["satisfaction"] = score
                break
        else:
            row["satisfaction"] = "5"
    if random_() < FIELD_CHECKED:
        row["field_check"] = "not_ok" if random_() < profile.field_fail else "ok"


def later_export(rows: Iterable[dict[str, str]], *, as_of: dt.datetime, every: int = 10,
                 seed: int = DEFAULT_SEED) -> Iterator[dict[str, str]]:
    """The same requests in a later export: one row in `every` (the next processed one when that
    row was not processed) has moved on after `as_of`; the others are as they were. Yields new
    dicts for the changed rows, the given ones otherwise."""
    rng = random.Random(seed * 7 + 1)  # noqa: S311 - a repeatable demo, not a secret
    owed = 0
    for index, row in enumerate(rows):
        if index % every == 0:
            owed += 1
        if owed and row["status"] != "not_processed":
            owed -= 1
            yield _move_on(row, as_of, rng)
        else:
            yield row


def _move_on(row: dict[str, str], as_of: dt.datetime, rng: random.Random) -> dict[str, str]:
    row = dict(row)
    status = row["status"]
    later = as_of + dt.timedelta(seconds=3600 + rng.randrange(3 * 86400))
    if status == "open":
        row["status"] = "answered"
        row["first_answer_at"] = str(max(later, dt.datetime.fromisoformat(row["created_at"]) + _HOUR))
    elif status == "returned":
        row["status"] = "answered"
    elif status in ("answered", "scheduled"):
        row["status"] = "closed"
        row["closed_at"] = str(max(later, dt.datetime.fromisoformat(row["first_answer_at"]) + _HOUR))
    elif not row["satisfaction"]:
        row["satisfaction"] = str(rng.choice((1, 2, 3, 4, 4, 5, 5, 5)))
    elif not row["field_check"]:
        row["field_check"] = "ok" if rng.random() < 0.9 else "not_ok"
    else:
        row["satisfaction"] = str(int(row["satisfaction"]) % 5 + 1)
    return row


def write_csv(target, rows: Iterable[dict[str, str]]) -> int:
    """Write `rows` as a CSV in the import's format (UTF-8, comma, header of COLUMNS) to a path or an
    open text file, one row at a time. Returns the number of rows written."""
    if isinstance(target, str | os.PathLike):
        with open(target, "w", encoding="utf-8", newline="") as handle:
            return write_csv(handle, rows)
    writer = csv.writer(target)
    writer.writerow(COLUMNS)
    written = 0
    chunk = []
    for row in rows:
        chunk.append([row[name] for name in COLUMNS])
        if len(chunk) == 5000:
            writer.writerows(chunk)
            written += len(chunk)
            chunk = []
    writer.writerows(chunk)
    return written + len(chunk)


def year_until(today: dt.date) -> tuple[dt.date, dt.date, dt.datetime]:
    """(start, end, as_of) of the twelve months before `today`: what the demo seeds."""
    end = today - _DAY
    return end - dt.timedelta(days=364), end, dt.datetime.combine(today, dt.time())


def _answering_units() -> list[tuple]:
    from qms.seed import ANSWERING_UNITS

    return ANSWERING_UNITS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kpi.demo_data",
        description="Write realistic demo citizen requests as a CSV in the import's format.")
    parser.add_argument("file", help="the CSV file to write ('-' for standard output)")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=365, help="how many days before --as-of the requests cover")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                        help="the export date (default today): requests are created before it")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--prefix", default=DEFAULT_PREFIX, help="request number prefix")
    parser.add_argument("--units", default="", help="comma-separated unit codes (default: the demo's answering units)")
    parser.add_argument("--changed", action="store_true",
                        help="write the later export: the same requests, one row in ten moved on")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")
    os.environ.setdefault("DEBUG", "1")  # a developer's tool, like manage.py (it reads no database)
    import django

    django.setup()
    today = args.as_of or dt.date.today()
    end = today - _DAY
    start = end - dt.timedelta(days=args.days - 1)
    as_of = dt.datetime.combine(today, dt.time())
    units = [code.strip() for code in args.units.split(",") if code.strip()] or None
    rows = generate_requests(args.rows, start=start, end=end, as_of=as_of, units=units, seed=args.seed,
                             prefix=args.prefix)
    if args.changed:
        rows = later_export(rows, as_of=as_of, seed=args.seed)
    if args.file == "-":
        written = write_csv(sys.stdout, rows)
    else:
        written = write_csv(args.file, rows)
    print(f"{written} requests from {start} to {end} written to {args.file}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
