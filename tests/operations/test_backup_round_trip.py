"""A backup of a seeded portal, restored into a fresh database by `manage.py restore` in another
process, gives back every table's rows, every approved record and every media file unchanged.

The seed is committed (pg_dump only sees committed data): the test is transactional, and its
serialized rollback gives the tests after it the post-migration state back."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from qms.operations.backup import APPROVED_KINDS, approved_record_checksums, create_backup, verify_archive

BASE_DIR = Path(__file__).resolve().parents[2]
# Variables the settings module reads that must not leak from the test run into the restore process.
_SETTINGS_ENV = ("DATABASE_URL", "SQLITE_TEST_NAME", "DJANGO_SETTINGS_MODULE", "MEDIA_ROOT", "PRIVATE_MEDIA_ROOT")



def _raw_connect(settings_dict: dict):
    """A DB-API connection of our own (not Django's) to a database described like DATABASES[...],
    closed by `with` (sqlite3's own `with` only commits: the open file would keep its -wal file)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return closing(sqlite3.connect(settings_dict["NAME"]))
    return psycopg.connect(dbname=settings_dict["NAME"], user=settings_dict["USER"] or None,
                           password=settings_dict["PASSWORD"] or None, host=settings_dict["HOST"] or None,
                           port=settings_dict["PORT"] or None)


def _all_rows(raw, vendor: str) -> dict[str, list[tuple]]:
    """Every row of every table, by our own catalogue query, sorted so that order never matters."""
    cursor = raw.cursor()
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    tables = sorted(row[0] for row in cursor.fetchall())
    rows = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the catalogue
        rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


@pytest.fixture
def seeded_backup(tmp_path_factory):
    """(archive, the source's rows by table, its approved checksums, its media folders, backup seconds).

    Needs a transactional test (the seed must be committed for pg_dump to see it); its serialized
    rollback puts the post-migration state back for the tests after it."""
    media = tmp_path_factory.mktemp("source-media")
    private = tmp_path_factory.mktemp("source-private")
    out = tmp_path_factory.mktemp("backups")
    with override_settings(MEDIA_ROOT=media, QMS_PRIVATE_MEDIA_ROOT=private):
        cache.clear()  # Wagtail caches site root paths; the seeded site gets new ids
        call_command("seed_demo", stdout=io.StringIO())
        (media / "images").mkdir()
        (media / "images" / "logo.png").write_bytes(bytes(range(256)) * 40)
        (private / "documents").mkdir(exist_ok=True)
        (private / "documents" / "PR-001 rev 00.pdf").write_bytes("%PDF-1.7 onaylı doküman".encode() + b"\xff\x00")
        started = time.monotonic()
        result = create_backup(out)
        seconds = time.monotonic() - started
        with _raw_connect(connection.settings_dict) as raw:
            source_rows = _all_rows(raw, connection.vendor)
        yield {"archive": result.path, "rows": source_rows, "approved": approved_record_checksums(),
               "media": media, "private": private, "seconds": seconds, "size": result.size}
    cache.clear()


@pytest.fixture
def fresh_database(tmp_path):
    """A DATABASE_URL for an empty database of the suite's vendor, and its settings; dropped after."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
        return
    source = connection.settings_dict
    name = f"qms_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname="postgres", user=source["USER"], password=source["PASSWORD"] or None,
                         host=source["HOST"] or None, port=source["PORT"] or None, autocommit=True) as raw:
        raw.execute(f'CREATE DATABASE "{name}"')
    target = {**source, "NAME": name}
    auth = source["USER"] + (f":{source['PASSWORD']}" if source["PASSWORD"] else "")
    yield f"postgres://{auth}@{source['HOST'] or 'localhost'}:{source['PORT'] or 5432}/{name}", target
    with psycopg.connect(dbname="postgres", user=source["USER"], password=source["PASSWORD"] or None,
                         host=source["HOST"] or None, port=source["PORT"] or None, autocommit=True) as raw:
        raw.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(*args: str, database_url: str, media: Path, private: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in _SETTINGS_ENV}
    env.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "qms.settings", "DATABASE_URL": database_url,
                "MEDIA_ROOT": str(media), "PRIVATE_MEDIA_ROOT": str(private)})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # see tests/conftest.py
def test_restore_into_a_fresh_database_gives_back_every_row_approved_record_and_file(
    seeded_backup, fresh_database, tmp_path
):
    manifest = verify_archive(seeded_backup["archive"])
    assert manifest.tables == {table: len(rows) for table, rows in seeded_backup["rows"].items()}
    assert manifest.approved == seeded_backup["approved"]
    assert manifest.database_vendor == connection.vendor
    assert "operations.0001_initial" in manifest.migrations
    assert not list(seeded_backup["archive"].parent.glob(".*partial"))

    database_url, target_settings = fresh_database
    media, private = tmp_path / "media", tmp_path / "private"
    started = time.monotonic()
    restored = _manage("restore", str(seeded_backup["archive"]), database_url=database_url, media=media,
                       private=private)
    restore_seconds = time.monotonic() - started
    assert restored.returncode == 0, restored.stderr
    assert "verified: " in restored.stdout

    # Every table, every row: read from both databases by our own queries, not the command's.
    with _raw_connect(target_settings) as raw:
        target_rows = _all_rows(raw, connection.vendor)
    source_rows = seeded_backup["rows"]
    assert sorted(target_rows) == sorted(source_rows)
    assert {t: len(r) for t, r in target_rows.items()} == {t: len(r) for t, r in source_rows.items()}
    differing = [table for table in source_rows if target_rows[table] != source_rows[table]]
    assert differing == []

    # The approved records' checksums, computed in another process on the restored database.
    script = ("import json; from qms.operations.backup import approved_record_checksums; "
              "print(json.dumps(approved_record_checksums()))")
    computed = _manage("shell", "-c", script, database_url=database_url, media=media, private=private)
    assert computed.returncode == 0, computed.stderr
    assert json.loads(computed.stdout.strip().splitlines()[-1]) == seeded_backup["approved"]
    empty_kinds = [kind.key for kind in APPROVED_KINDS if seeded_backup["approved"][kind.key]["count"] == 0]
    assert empty_kinds == [], "the seed must hold approved records of every kind for this test to prove anything"

    assert _files(media) == _files(seeded_backup["media"]) != {}
    assert _files(private) == _files(seeded_backup["private"]) != {}
    print(f"\nbackup: {seeded_backup['size'] / 1_048_576:.2f} MB in {seeded_backup['seconds']:.1f} s; "
          f"restore (with process start): {restore_seconds:.1f} s")

