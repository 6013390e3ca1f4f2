"""A restore refuses, before it changes anything, an archive that is truncated, altered, of an unknown
format version, made by a newer portal (or an older one without --migrate), and a database that is
not empty without --force; each refusal names what failed."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from qms.operations.backup import MANIFEST_MEMBER, BackupError, create_backup, restore_backup, verify_archive

MEDIA_NOTE = "media/notes/note.txt"
PRIVATE_FILE = "private/documents/PR-002.pdf"


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker, tmp_path_factory) -> Path:
    """A backup of the test database as migrated (committed, so pg_dump sees it) with two media files."""
    media = tmp_path_factory.mktemp("media")
    private = tmp_path_factory.mktemp("private")
    (media / "notes").mkdir()
    (media / "notes" / "note.txt").write_text("Kalite politikası\n", encoding="utf-8")
    (private / "documents").mkdir()
    (private / "documents" / "PR-002.pdf").write_bytes(b"%PDF-1.7 controlled copy\n")
    with override_settings(MEDIA_ROOT=media, QMS_PRIVATE_MEDIA_ROOT=private), django_db_blocker.unblock():
        return create_backup(tmp_path_factory.mktemp("backups")).path


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def _repack(members: dict[str, bytes], target: Path) -> Path:
    with tarfile.open(target, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def _with_manifest(archive: Path, target: Path, change) -> Path:
    members = _members(archive)
    manifest = json.loads(members[MANIFEST_MEMBER])
    change(manifest)
    members[MANIFEST_MEMBER] = json.dumps(manifest).encode()
    return _repack(members, target)


def test_an_intact_archive_verifies(archive):
    manifest = verify_archive(archive)
    assert {MEDIA_NOTE, PRIVATE_FILE} <= set(manifest.members)


def test_a_truncated_archive_is_refused(archive, tmp_path):
    data = archive.read_bytes()
    truncated = tmp_path / archive.name
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(BackupError, match=r"truncated") as refused:
        verify_archive(truncated)
    assert archive.name in str(refused.value) and "kesik" in str(refused.value)


def test_an_archive_missing_only_its_last_bytes_is_refused(archive, tmp_path):
    truncated = tmp_path / archive.name
    truncated.write_bytes(archive.read_bytes()[:-4])  # the tar ends cleanly; gzip's trailer does not
    with pytest.raises(BackupError, match=r"truncated|damaged|not a gzip"):
        verify_archive(truncated)


def test_a_file_that_is_not_an_archive_is_refused(tmp_path):
    other = tmp_path / "qms-backup-20260101-000000.tar.gz"
    other.write_text("not a backup", encoding="utf-8")
    with pytest.raises(BackupError, match=r"not a gzip archive"):
        verify_archive(other)


@pytest.mark.parametrize("member", [MEDIA_NOTE, PRIVATE_FILE, "database"])
def test_an_altered_member_is_refused_naming_it(archive, tmp_path, member):
    members = _members(archive)
    if member == "database":
        member = next(name for name in members if name.startswith("database/"))
    data = bytearray(members[member])
    data[len(data) // 2] ^= 0x01  # one bit of one byte
    members[member] = bytes(data)
    altered = _repack(members, tmp_path / "altered.tar.gz")
    with pytest.raises(BackupError, match=rf"member {member} was altered"):
        verify_archive(altered)


def test_a_member_not_in_the_manifest_is_refused(archive, tmp_path):
    members = _members(archive)
    members["media/extra.txt"] = b"slipped in"
    with pytest.raises(BackupError, match=r"media/extra.txt is in the archive but not in manifest.json"):
        verify_archive(_repack(members, tmp_path / "extra.tar.gz"))


def test_an_archive_without_manifest_is_refused(archive, tmp_path):
    members = _members(archive)
    del members[MANIFEST_MEMBER]
    with pytest.raises(BackupError, match=r"manifest.json is missing"):
        verify_archive(_repack(members, tmp_path / "no-manifest.tar.gz"))


def test_an_unknown_format_version_is_refused(archive, tmp_path):
    future = _with_manifest(archive, tmp_path / "v99.tar.gz", lambda m: m.update(format_version=99))
    with pytest.raises(BackupError, match=r"unknown backup format version 99"):
        verify_archive(future)


def test_an_archive_from_a_newer_portal_is_refused_before_the_database_is_touched(archive, tmp_path):
    # No database mark: any query would fail the test, so the refusal comes before the database.
    newer = _with_manifest(archive, tmp_path / "newer.tar.gz",
                           lambda m: m["migrations"].append("operations.9999_from_the_future"))
    with pytest.raises(BackupError, match=r"newer portal version.*operations\.9999_from_the_future"):
        restore_backup(newer)


def test_an_archive_from_an_older_portal_needs_migrate(archive, tmp_path):
    def drop_latest(manifest):
        latest = max(name for name in manifest["migrations"] if name.startswith("operations."))
        manifest["migrations"].remove(latest)

    older = _with_manifest(archive, tmp_path / "older.tar.gz", drop_latest)
    with pytest.raises(BackupError, match=r"older portal version.*--migrate"):
        restore_backup(older)


@pytest.mark.django_db
def test_a_database_that_is_not_empty_is_refused_without_force(archive, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.QMS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    with pytest.raises(CommandError, match=r"target database is not empty.*--force"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert not (tmp_path / "media").exists() and not (tmp_path / "private").exists()


def test_backup_archives_are_never_left_under_their_final_name_half_written(archive):
    assert [p.name for p in archive.parent.iterdir()] == [archive.name]
    with gzip.open(archive) as gz:
        while gz.read(1 << 20):
            pass  # reads to the end without error: a complete gzip stream
