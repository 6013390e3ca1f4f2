"""Realistic demo call records (for seed_demo and the benchmarks), reproducible from a seed.

A contact centre open 24/7: ALO 153 takes most calls over six queues, WhatsApp and the switchboard
the rest. Volume follows the day (a morning and an afternoon peak, quiet nights) and the week
(Mondays busiest, Sundays quietest), with a few storm days when volume doubles and waits grow.
Waits depend on the hour's load; the longer the wait, the likelier an abandon, and a few callers
hang up within seconds (short abandons). Each agent works one shift and has their own pace (talk
and wrap-up times), so agent figures differ. About 3% of calls are outbound call-backs.
No caller identity is generated: the portal never holds one.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from collections.abc import Iterator

COLUMNS = ("call_id", "line", "queue", "agent", "direction", "offered_at", "wait_seconds", "outcome",
           "talk_seconds", "hold_seconds", "wrap_seconds", "recording_url")

LINES = (  # line, share, queues with their shares
    ("ALO 153", 0.82, (("Genel Bilgi", 0.34), ("Su ve Kanalizasyon", 0.18), ("Ulaşım", 0.16), ("Zabıta", 0.12),
                       ("Temizlik", 0.12), ("Sosyal Yardım", 0.08))),
    ("WhatsApp", 0.10, (("WhatsApp Destek", 1.0),)),
    ("Santral", 0.08, (("Santral", 1.0),)),
)
# Share of the day's calls by hour (0..23): quiet nights, peaks at 10-12 and 14-16.
HOURLY = (0.6, 0.4, 0.3, 0.25, 0.25, 0.4, 1.0, 2.5, 5.0, 7.5, 8.6, 8.4, 6.8, 7.4, 8.2, 8.0, 7.2, 6.0,
          4.6, 3.6, 2.9, 2.2, 1.5, 1.0)
WEEKDAY = (1.25, 1.1, 1.05, 1.0, 0.95, 0.6, 0.45)  # Monday .. Sunday
SHIFTS = (("sabah", range(8, 16)), ("akşam", range(16, 24)), ("gece", range(0, 8)))
SHIFT_SPLIT = (0.55, 0.33, 0.12)  # share of the agents per shift
RECORDING_URL = "/static/callqa/ornek-kayit.wav"  # a short sample recording shipped with the portal


def assign_shifts(codes: list[str]) -> list[tuple[str, str]]:
    """(code, shift) for the agents: the first 55% mornings, the next 33% evenings, the rest nights."""
    out = []
    morning = round(len(codes) * SHIFT_SPLIT[0])
    evening = round(len(codes) * SHIFT_SPLIT[1])
    for index, code in enumerate(codes):
        shift = "sabah" if index < morning else ("akşam" if index < morning + evening else "gece")
        out.append((code, shift))
    return out


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return [value / total for value in out]


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    x = rng.random()
    low, high = 0, len(cumulative) - 1
    while low < high:
        middle = (low + high) // 2
        if cumulative[middle] < x:
            low = middle + 1
        else:
            high = middle
    return low


def generate_calls(count: int, *, start: dt.date, end: dt.date, agents: list[tuple[str, str]], seed: int = 153,
                   prefix: str = "C") -> Iterator[dict]:
    """`count` calls offered between `start` and `end` (inclusive), as import rows (COLUMNS), in time
    order. `agents`: (code, shift) pairs; shift one of sabah/akşam/gece."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable demo, not a secret
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    storms = set(rng.sample(range(len(days)), k=max(1, len(days) // 30)))
    day_weights = [WEEKDAY[d.weekday()] * (2.0 if i in storms else 1.0) * rng.uniform(0.9, 1.1)
                   for i, d in enumerate(days)]
    total_weight = sum(day_weights)
    by_hour: list[list[str]] = [[] for _ in range(24)]
    for code, shift in agents:
        for name, hours in SHIFTS:
            if name == shift:
                for hour in hours:
                    by_hour[hour].append(code)
    pace = {code: (rng.uniform(0.75, 1.35), rng.uniform(0.6, 1.6)) for code, _shift in agents}
    line_cum = _cumulative([share for _line, share, _queues in LINES])
    queue_cums = [_cumulative([share for _q, share in queues]) for _line, _share, queues in LINES]
    hour_cum = _cumulative(HOURLY)
    number = 0
    for index, day in enumerate(days):
        n_day = round(count * day_weights[index] / total_weight) if index < len(days) - 1 else count - number
        n_day = max(0, min(n_day, count - number))
        storm = index in storms
        stamps = sorted((_pick(rng, hour_cum), rng.randrange(3600)) for _ in range(n_day))
        for hour, second in stamps:
            number += 1
            call_id = f"{prefix}{number:07d}"
            line_index = _pick(rng, line_cum)
            line, _share, queues = LINES[line_index]
            queue = queues[_pick(rng, queue_cums[line_index])][0]
            offered = dt.datetime.combine(day, dt.time(hour, second // 60, second % 60))
            staffed = by_hour[hour] or [code for code, _s in agents]
            agent = staffed[rng.randrange(len(staffed))] if staffed else ""
            if rng.random() < 0.03 and agent:  # an outbound call-back
                talk = int(rng.lognormvariate(math.log(150), 0.5))
                yield _row(call_id, line, queue, agent, "out", offered, 0, "answered", talk, 0,
                           int(rng.uniform(10, 40)), RECORDING_URL)
                continue
            load = HOURLY[hour] / 8.6 * (1.8 if storm else 1.0)
            wait = int(rng.expovariate(1 / (3 + 13 * load ** 2)))
            if rng.random() < 0.03:
                yield _row(call_id, line, queue, "", "in", offered, rng.randrange(5), "abandoned", 0, 0, 0, "")
                continue
            if rng.random() < min(0.55, wait / 240):
                yield _row(call_id, line, queue, "", "in", offered, wait, "abandoned", 0, 0, 0, "")
                continue
            talk_pace, wrap_pace = pace.get(agent, (1.0, 1.0))
            talk = max(15, int(rng.lognormvariate(math.log(170 * talk_pace), 0.55)))
            hold = int(rng.lognormvariate(math.log(35), 0.6)) if rng.random() < 0.18 else 0
            wrap = max(5, int(rng.gauss(30 * wrap_pace, 8)))
            yield _row(call_id, line, queue, agent, "in", offered, wait, "answered", talk, hold, wrap, RECORDING_URL)


def _row(call_id, line, queue, agent, direction, offered, wait, outcome, talk, hold, wrap, url) -> dict:
    return {"call_id": call_id, "line": line, "queue": queue, "agent": agent, "direction": direction,
            "offered_at": offered.strftime("%Y-%m-%d %H:%M:%S"), "wait_seconds": wait, "outcome": outcome,
            "talk_seconds": talk, "hold_seconds": hold, "wrap_seconds": wrap, "recording_url": url}


def write_csv(out, rows) -> int:
    """Write rows as the telephony system's CSV export (header = COLUMNS). Returns the row count."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    written = 0
    for row in rows:
        writer.writerow([row[name] for name in COLUMNS])
        written += 1
    return written


def quarter_until(today: dt.date) -> tuple[dt.date, dt.date]:
    """The 91 days up to yesterday: (first, last)."""
    return today - dt.timedelta(days=91), today - dt.timedelta(days=1)
