"""iCalendar (RFC 5545), written by hand: the few properties the portal sends (the audit programme,
a training invitation) need no library. Content lines are escaped, folded at 75 octets and end
with CRLF."""

from __future__ import annotations

from datetime import UTC, datetime


def ical_escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks."""
    text = str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def ical_fold(line: str) -> str:
    """Fold a content line into lines of at most 75 octets (RFC 5545 3.1), never splitting a
    UTF-8 character; continuation lines start with one space (which counts in their 75)."""
    parts = []
    current = b""
    limit = 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            parts.append(current)
            current = b" "
            limit = 75
        current += encoded
    parts.append(current)
    return "\r\n".join(part.decode("utf-8") for part in parts)


def ical_utc(moment: datetime) -> str:
    """A date-time in UTC form (20261126T073000Z)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_text(header: list[str], events: list[list[str]]) -> str:
    """A VCALENDAR of `header` properties and one VEVENT per list of properties, folded, CRLF."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "CALSCALE:GREGORIAN", *header]
    for event in events:
        lines += ["BEGIN:VEVENT", *event, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(ical_fold(line) + "\r\n" for line in lines)
