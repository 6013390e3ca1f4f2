"""Print the role table, or rewrite its generated sections in README.md and docs/roles.md.

The sections sit between HTML comment markers, so the prose around them is written by hand and
only the tables are generated from `qms.roles.capability_table` (a test keeps them in step).
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qms.roles import capability_table

# marker name -> language of the table between `<!-- NAME:start -->` and `<!-- NAME:end -->`
SECTIONS = {"roles-table": "tr", "roles-table-en": "en"}
# file (relative to the project root) -> the marker names it must contain
DOCUMENTS = {
    "README.md": ("roles-table",),
    "docs/roles.md": ("roles-table", "roles-table-en"),
}


def _pattern(name: str) -> re.Pattern:
    return re.compile(
        rf"(?P<start><!-- {re.escape(name)}:start -->\n)(?P<body>.*?)(?P<end><!-- {re.escape(name)}:end -->)",
        re.DOTALL,
    )


def marked_section(text: str, name: str) -> str | None:
    """The text between the `name` markers, or None when the markers are missing."""
    match = _pattern(name).search(text)
    return match.group("body") if match else None


def replace_marked_section(text: str, name: str, body: str) -> str:
    """`text` with the section between the `name` markers replaced by `body`."""
    if marked_section(text, name) is None:
        raise ValueError(f"markers <!-- {name}:start --> / <!-- {name}:end --> not found")
    return _pattern(name).sub(lambda m: m.group("start") + body + m.group("end"), text, count=1)


def section_body(name: str) -> str:
    """What belongs between the `name` markers now."""
    return capability_table(SECTIONS[name])


class Command(BaseCommand):
    help = (
        "Print the role-by-capability tables (Turkish and English), or with --write rewrite the "
        "marked sections of README.md and docs/roles.md. Rol tablosunu yazdırır ya da belgelere yazar."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--write",
            action="store_true",
            help="Rewrite the sections between the roles-table markers in README.md and docs/roles.md.",
        )

    def handle(self, *args, write: bool, **options):
        if not write:
            for name in SECTIONS:
                self.stdout.write(f"<!-- {name} -->")
                self.stdout.write(section_body(name))
            return
        base = Path(settings.BASE_DIR)
        # Check every file before writing any, so a missing marker never leaves them out of step.
        updates, problems = {}, []
        for relative, names in DOCUMENTS.items():
            path = base / relative
            if not path.exists():
                problems.append(f"{relative} does not exist; add it with the markers for {', '.join(names)}.")
                continue
            original = path.read_text(encoding="utf-8")
            text = original
            for name in names:
                try:
                    text = replace_marked_section(text, name, section_body(name))
                except ValueError as exc:
                    problems.append(f"{relative}: {exc}")
            updates[path] = (relative, original, text)
        if problems:
            raise CommandError("\n".join(problems))
        for path, (relative, original, text) in updates.items():
            if text == original:
                self.stdout.write(f"{relative}: already up to date")
            else:
                path.write_text(text, encoding="utf-8")
                self.stdout.write(f"{relative}: updated")
