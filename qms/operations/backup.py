"""Backups of the whole portal and the restore drill.

One archive, `qms-backup-YYYYMMDD-HHMMSS.tar.gz`, holds everything needed to rebuild a portal on a
new server: the database (PostgreSQL: `pg_dump --format=custom`; SQLite: the online-backup API),
the public media (`MEDIA_ROOT`, under `media/`) and the private controlled-document files
(`QMS_PRIVATE_MEDIA_ROOT`, under `private/`), and `manifest.json`: the format version, the portal
version, the database vendor, the applied migrations, every member's sha256 and size, every
table's row count and a checksum of each kind of approved (frozen) quality record.

The counts and checksums are taken in the same database snapshot as the dump (PostgreSQL: a
REPEATABLE READ transaction whose snapshot `pg_dump --snapshot` reuses; SQLite: one read
transaction around the backup), so a portal in use while it is backed up still gives a manifest
that describes exactly what the archive holds. The restore checks the archive against the
manifest before it touches anything and checks the restored database against it afterwards.

Everything an operator sees on failure is a `BackupError` whose message says what failed and why,
in Turkish and in English (the commands print it as a CommandError).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Q
from django.utils import timezone

FORMAT = "qms-backup"
# Raised whenever the archive's layout or the manifest's meaning changes; a restore refuses any
# version it does not know instead of guessing what an unknown layout means.
FORMAT_VERSION = 1
KNOWN_FORMAT_VERSIONS = frozenset({1})

ARCHIVE_PREFIX = "qms-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
MANIFEST_MEMBER = "manifest.json"
DATABASE_MEMBERS = {"postgresql": "database/postgresql.dump", "sqlite": "database/db.sqlite3"}
# Archive folder -> the setting naming the folder it is restored into.
MEDIA_TREES = {"media": "MEDIA_ROOT", "private": "QMS_PRIVATE_MEDIA_ROOT"}
_CHUNK = 1024 * 1024
# gzip's own default: level 9 took 3.6 times as long for an archive 2.5 % smaller (a 436 MB SQLite
# database: 40.6 s and 110.7 MB against 11.2 s and 113.5 MB; docs/performance.md, issue 10).
COMPRESS_LEVEL = 6


class BackupError(Exception):
    """A backup or restore that failed or was refused; the message says what and why (Turkish, then
    English in brackets), for the operator reading the command's output or the job log."""


def _refusal(turkish: str, english: str) -> BackupError:
    return BackupError(f"{turkish} ({english})")


# --- The approved records ------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovedKind:
    """One kind of frozen quality record: the model and the filter that selects its approved rows."""

    key: str
    model_label: str
    approved: Q


# Records the house rules say are never changed once approved, signed, closed or submitted
# (DESIGN.md rule 3). Restoring a backup must give them back bit for bit: the restore drill compares
# their checksums, so a silently lost or altered approved record cannot pass as a good restore.
APPROVED_KINDS: tuple[ApprovedKind, ...] = (
    ApprovedKind("documents.approved_revisions", "documents.DocumentRevision", Q()),  # every row is an approval
    ApprovedKind("audits.signed_reports", "audits.AuditReport", Q()),  # every row is a signed-off version
    ApprovedKind("audits.closed_audits", "audits.Audit", Q(state="closed")),
    ApprovedKind("audits.closed_nonconformities", "audits.Nonconformity", Q(state="closed")),
    ApprovedKind("training.finalised_sessions", "training.Session", Q(state="finalised")),
    ApprovedKind("training.finalised_attendance", "training.Attendance", Q(session__state="finalised")),
    ApprovedKind("training.certificates", "training.Certificate", Q()),
    ApprovedKind("callqa.submitted_evaluations", "callqa.Evaluation", Q(status="submitted")),
    ApprovedKind("callqa.submitted_scores", "callqa.CriterionScore", Q(evaluation__status="submitted")),
    ApprovedKind("review.approved_minutes", "review.Review", Q(state="approved")),
)


def _canonical(value: Any) -> Any:
    """A JSON-ready form of a field value that is the same on every database and every run:
    datetimes in UTC ISO, Decimals as text, JSON objects with sorted keys (applied by the caller's
    dumps), StreamField content as stored (its `get_prep_value` would invent block ids)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    raw_data = getattr(value, "raw_data", None)  # wagtail StreamValue
    if raw_data is not None:
        return [_canonical(dict(item)) for item in raw_data]
    return str(value)


def approved_record_checksums(using: str = DEFAULT_DB_ALIAS) -> dict[str, dict[str, Any]]:
    """{kind: {"count": n, "sha256": hex}} for every kind in APPROVED_KINDS: sha256 over the
    approved rows ordered by primary key, each row the canonical JSON of every concrete field."""
    result: dict[str, dict[str, Any]] = {}
    for kind in APPROVED_KINDS:
        model = apps.get_model(kind.model_label)
        attnames = [f.attname for f in model._meta.concrete_fields]
        digest = hashlib.sha256()
        count = 0
        rows = (model._base_manager.using(using).filter(kind.approved).order_by("pk")
                .values_list(*attnames).iterator(chunk_size=2000))
        for row in rows:
            line = json.dumps(dict(zip(attnames, _canonical(list(row)), strict=True)), sort_keys=True,
                              ensure_ascii=False, separators=(",", ":"))
            digest.update(line.encode() + b"\n")
            count += 1
        result[kind.key] = {"count": count, "sha256": digest.hexdigest()}
    return result


def table_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """{table: rows} for every table in the database, ours or not (Wagtail's, the search index's,
    django_migrations): a restore that lost any table's rows must show up in the comparison."""
    connection = connections[using]
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            # The table names come from the database's own catalogue and are quoted.
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
            counts[name] = cursor.fetchone()[0]
    return counts


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The migrations recorded as applied in the database, as sorted "app.name" strings."""
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


# --- The manifest ---------------------------------------------------------------------------------


@dataclass
class Manifest:
    """What an archive holds and what its database looked like; `manifest.json` in the archive."""

    format_version: int
    created_at: str
    portal_version: str
    database_vendor: str
    migrations: list[str]
    members: dict[str, dict[str, Any]]
    tables: dict[str, int]
    approved: dict[str, dict[str, Any]]
    format: str = FORMAT
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> bytes:
        data = {
            "format": self.format, "format_version": self.format_version, "created_at": self.created_at,
            "portal_version": self.portal_version, "database_vendor": self.database_vendor,
            "migrations": self.migrations, "members": self.members, "tables": self.tables,
            "approved": self.approved, **self.extra,
        }
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """Parse and check the manifest; an unknown format or version is refused, never guessed."""
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _refusal(f"manifest.json okunamadı: {exc}", f"manifest.json is not valid JSON: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise _refusal("Bu dosya bir QMS yedeği değil: manifest.json'da biçim adı yok.",
                           "this is not a QMS backup: manifest.json does not name the format")
        version = data.get("format_version")
        if version not in KNOWN_FORMAT_VERSIONS:
            known = ", ".join(str(v) for v in sorted(KNOWN_FORMAT_VERSIONS))
            raise _refusal(
                f"Yedek biçim sürümü {version!r} bilinmiyor (bu portal {known} okur); yedeği alan portal "
                "sürümüyle geri yükleyin.",
                f"unknown backup format version {version!r} (this portal reads {known}); restore it with the "
                "portal version that made it",
            )
        try:
            return cls(
                format_version=version, created_at=data["created_at"], portal_version=data["portal_version"],
                database_vendor=data["database_vendor"], migrations=list(data["migrations"]),
                members=dict(data["members"]), tables=dict(data["tables"]), approved=dict(data["approved"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise _refusal(f"manifest.json eksik: {exc} alanı yok.",
                           f"manifest.json is incomplete: field {exc} is missing") from exc

    @property
    def approved_record_count(self) -> int:
        return sum(int(item["count"]) for item in self.approved.values())


# --- Creating a backup ----------------------------------------------------------------------------


class _HashingReader(io.RawIOBase):
    """Reads a file for tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, handle: BinaryIO):
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _postgres_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The libpq environment for pg_dump / pg_restore: the password travels in PGPASSWORD, never on
    the command line (where `ps` shows it to every user of the server)."""
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS") or {}
    values = {
        "PGDATABASE": settings_dict.get("NAME"), "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"), "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"), "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"), "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
    }
    for key, value in values.items():
        if value:
            env[key] = str(value)
        else:
            env.pop(key, None)
    return env


def _run_tool(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        # The command is a list (no shell); its program comes from the settings, not from a user.
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise _refusal(f"{command[0]} bulunamadı; PostgreSQL istemci araçlarını kurun ya da {what} yolunu "
                       "ortam değişkeniyle verin.",
                       f"{command[0]} was not found; install the PostgreSQL client tools or set the path "
                       f"in the {what} environment variable") from exc
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip()[-2000:]
        raise _refusal(f"{command[0]} başarısız oldu (çıkış {completed.returncode}): {detail}",
                       f"{command[0]} failed (exit {completed.returncode}): {detail}")


def _dump_database(connection, target_dir: Path) -> tuple[str, Path, dict[str, int], dict, list[str]]:
    """Dump the database into target_dir and read counts, approved checksums and migrations from
    the same snapshot. Returns (vendor, dump file, counts, approved, migrations)."""
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise _refusal(f"{vendor} veritabanı yedeklenemez; PostgreSQL ya da SQLite gerekir.",
                       f"cannot back up a {vendor} database; PostgreSQL or SQLite is required")
    if connection.in_atomic_block:
        # The snapshot must be the transaction's first statement; inside someone else's
        # transaction the counts would not describe what pg_dump sees.
        raise _refusal("Yedek bir veritabanı işleminin (transaction) içinden alınamaz.",
                       "a backup cannot be taken inside a database transaction")
    dump_path = target_dir / PurePosixPath(DATABASE_MEMBERS[vendor]).name
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            else:
                cursor.execute("SELECT COUNT(*) FROM sqlite_master")  # starts the read snapshot (WAL)
        counts = table_counts(connection.alias)
        approved = approved_record_checksums(connection.alias)
        migrations = applied_migrations(connection.alias)
        if vendor == "postgresql":
            _run_tool([settings.QMS_PG_DUMP, "--format=custom", "--no-password", f"--snapshot={snapshot}",
                       f"--file={dump_path}"], _postgres_env(connection.settings_dict), "PG_DUMP")
        else:
            # One step (pages=-1) under the open read transaction: the copy is the snapshot the
            # counts above were read from.
            target = sqlite3.connect(dump_path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
    return vendor, dump_path, counts, approved, migrations


def _media_files(root: Path) -> Iterator[tuple[Path, str]]:
    """(file, posix path relative to root) for every regular file under root, sorted; symlinks are
    skipped so a backup never follows a link out of the media folder."""
    if not root.is_dir():
        return
    for folder, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(root).as_posix()


def _archive_name(directory: Path, now: dt.datetime) -> Path:
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    candidate = directory / f"{ARCHIVE_PREFIX}{stamp}{ARCHIVE_SUFFIX}"
    counter = 2
    while candidate.exists():  # two backups within one second keep both
        candidate = directory / f"{ARCHIVE_PREFIX}{stamp}-{counter}{ARCHIVE_SUFFIX}"
        counter += 1
    return candidate


@dataclass
class BackupResult:
    """What `create_backup` wrote, for the command's report and the worker's job log."""

    path: Path
    size: int
    manifest: Manifest
    seconds: float


def create_backup(directory: Path | str, *, using: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Write one dated archive into directory and return it.

    The archive is written as `.<name>.partial` and renamed when complete and flushed to disk, so
    the final name never points at half an archive (a full disk, a killed process). The manifest is
    the last member: its member checksums are taken from the bytes as they were written."""
    started = time.monotonic()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    created_at = timezone.now()
    final_path = _archive_name(directory, created_at)
    partial_path = directory / f".{final_path.name}.partial"
    members: dict[str, dict[str, Any]] = {}
    media_counts: dict[str, int] = {}

    def add_file(tar: tarfile.TarFile, source: Path, name: str) -> None:
        with source.open("rb") as handle:
            info = tar.gettarinfo(fileobj=handle, arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            reader = _HashingReader(handle)
            tar.addfile(info, reader)
        members[name] = {"sha256": reader.sha256.hexdigest(), "size": reader.size}

    try:
        with tempfile.TemporaryDirectory(prefix=".qms-backup-staging-", dir=directory) as staging:
            vendor, dump_path, counts, approved, migrations = _dump_database(connection, Path(staging))
            with (partial_path.open("wb") as raw,
                  tarfile.open(fileobj=raw, mode="w:gz", compresslevel=COMPRESS_LEVEL) as tar):
                add_file(tar, dump_path, DATABASE_MEMBERS[vendor])
                for tree, setting in MEDIA_TREES.items():
                    root = Path(getattr(settings, setting))
                    media_counts[tree] = 0
                    for path, relative in _media_files(root):
                        add_file(tar, path, f"{tree}/{relative}")
                        media_counts[tree] += 1
                manifest = Manifest(
                    format_version=FORMAT_VERSION, created_at=created_at.astimezone(dt.UTC).isoformat(),
                    portal_version=_portal_version(), database_vendor=vendor, migrations=migrations,
                    members=members, tables=counts, approved=approved, extra={"media_files": media_counts},
                )
                payload = manifest.to_json()
                info = tarfile.TarInfo(MANIFEST_MEMBER)
                info.size = len(payload)
                info.mtime = int(created_at.timestamp())
                tar.addfile(info, io.BytesIO(payload))
            with partial_path.open("rb+") as handle:
                os.fsync(handle.fileno())
        os.replace(partial_path, final_path)
    except BaseException:
        partial_path.unlink(missing_ok=True)
        raise
    return BackupResult(path=final_path, size=final_path.stat().st_size, manifest=manifest,
                        seconds=time.monotonic() - started)


def _portal_version() -> str:
    try:
        return importlib.metadata.version("qms-portal")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def prune_backups(directory: Path | str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives in directory (by the date in their name); keep=0
    keeps every archive. Returns the deleted paths. Only files named like our archives are touched."""
    if keep <= 0:
        return []
    removed = list(archives_in(directory))[keep:]
    for path in removed:
        path.unlink()
    return removed


# --- Reading and verifying an archive -----------------------------------------------------------


def _safe_member_path(name: str) -> PurePosixPath:
    """The member's path if it is one an archive of ours can hold; anything else (absolute, `..`,
    an unknown top folder) is refused so that restoring can never write outside its folders."""
    path = PurePosixPath(name)
    allowed_tops = {"database", *MEDIA_TREES}
    if (path.is_absolute() or ".." in path.parts or not path.parts
            or (name != MANIFEST_MEMBER and (path.parts[0] not in allowed_tops or len(path.parts) < 2))):
        raise _refusal(f"Arşivde beklenmeyen üye: {name}", f"unexpected member in the archive: {name}")
    return path


def _read_archive(path: Path, extract_to: Path | None) -> Manifest:
    """One pass over the archive: hash every member (extracting it when extract_to is given), read
    the manifest, then compare. gzip's own trailer is read too, so a truncated or corrupted file
    fails here even when the tar part happens to end cleanly."""
    path = Path(path)
    if not path.is_file():
        raise _refusal(f"Yedek dosyası bulunamadı: {path}", f"backup file not found: {path}")
    found: dict[str, dict[str, Any]] = {}
    manifest_bytes: bytes | None = None
    try:
        with gzip.open(path, "rb") as gz:
            with tarfile.open(fileobj=gz, mode="r|") as tar:
                for member in tar:
                    if member.isdir():
                        continue
                    if not member.isfile():
                        raise _refusal(f"Arşivde dosya olmayan üye: {member.name}",
                                       f"the archive holds a member that is not a regular file: {member.name}")
                    member_path = _safe_member_path(member.name)
                    handle = tar.extractfile(member)
                    if member.name == MANIFEST_MEMBER:
                        manifest_bytes = handle.read()
                        continue
                    out = None
                    if extract_to is not None:
                        target = extract_to.joinpath(*member_path.parts)
                        target.parent.mkdir(parents=True, exist_ok=True)
                        out = target.open("wb")
                    digest, size = hashlib.sha256(), 0
                    try:
                        while chunk := handle.read(_CHUNK):
                            digest.update(chunk)
                            size += len(chunk)
                            if out is not None:
                                out.write(chunk)
                    finally:
                        if out is not None:
                            out.close()
                    found[member.name] = {"sha256": digest.hexdigest(), "size": size}
            while gz.read(_CHUNK):  # to the end, so that gzip checks its length and CRC trailer
                pass
    except (EOFError, tarfile.ReadError) as exc:
        raise _refusal(f"Arşiv kesik ya da bozuk: {path.name} eksik kopyalanmış olabilir ({exc}).",
                       f"the archive is truncated or damaged: {path.name} may be an incomplete copy ({exc})") from exc
    except (gzip.BadGzipFile, zlib.error, OSError) as exc:
        if isinstance(exc, BackupError):
            raise
        raise _refusal(f"Dosya okunamadı ya da bir gzip arşivi değil: {path.name} ({exc}).",
                       f"the file cannot be read or is not a gzip archive: {path.name} ({exc})") from exc
    if manifest_bytes is None:
        raise _refusal(f"Arşivde manifest.json yok: {path.name} bir QMS yedeği değil ya da eksik.",
                       f"manifest.json is missing: {path.name} is not a QMS backup or is incomplete")
    manifest = Manifest.from_json(manifest_bytes)
    for name, expected in sorted(manifest.members.items()):
        actual = found.get(name)
        if actual is None:
            raise _refusal(f"Arşivde {name} eksik (manifest.json'da var).",
                           f"member {name} listed in manifest.json is missing from the archive")
        if actual["sha256"] != expected.get("sha256") or actual["size"] != expected.get("size"):
            raise _refusal(f"{name} değiştirilmiş ya da bozulmuş: sağlama toplamı manifest.json ile uyuşmuyor.",
                           f"member {name} was altered or damaged: its sha256 does not match manifest.json")
    for name in sorted(set(found) - set(manifest.members)):
        raise _refusal(f"Arşivde manifest.json'da olmayan bir üye var: {name}",
                       f"member {name} is in the archive but not in manifest.json")
    database_member = DATABASE_MEMBERS.get(manifest.database_vendor)
    if database_member not in manifest.members:
        raise _refusal("Arşivde veritabanı dökümü yok.", "the archive holds no database dump")
    return manifest


def verify_archive(path: Path | str) -> Manifest:
    """Check an archive without restoring it: readable to the end, manifest present and of a known
    format, every member's sha256 and size as the manifest says. Returns the manifest; raises
    BackupError naming the first thing that failed."""
    return _read_archive(Path(path), extract_to=None)


# --- Restoring --------------------------------------------------------------------------------------


def _code_migrations() -> tuple[set[str], set[str]]:
    """(every migration name the code knows, including squashed-away ones; the migrations a fully
    migrated database of this code has applied)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known: set[str] = set()
    for (app, name), migration in loader.disk_migrations.items():
        known.add(f"{app}.{name}")
        known.update(f"{r_app}.{r_name}" for r_app, r_name in migration.replaces)
    expected = {f"{app}.{name}" for app, name in loader.graph.nodes}
    return known, expected


def _check_schema(manifest: Manifest, *, migrate: bool) -> bool:
    """Refuse an archive made by newer code; an older one needs --migrate. Returns whether the
    restored database must be migrated."""
    known, expected = _code_migrations()
    unknown = sorted(set(manifest.migrations) - known)
    if unknown:
        raise _refusal(
            f"Yedek daha yeni bir portal sürümüyle ({manifest.portal_version}) alınmış: bu kodun bilmediği "
            f"migration'lar uygulanmış ({', '.join(unknown[:5])}). Portalı güncelleyip yeniden deneyin.",
            f"the backup was made by a newer portal version ({manifest.portal_version}): it has migrations "
            f"this code does not know ({', '.join(unknown[:5])}); upgrade the portal and try again",
        )
    applied = set(manifest.migrations)
    missing = sorted(name for name in expected - applied if not _replaced_all_applied(name, applied))
    if missing and not migrate:
        raise _refusal(
            f"Yedek daha eski bir portal sürümüyle ({manifest.portal_version}) alınmış; {len(missing)} migration "
            f"eksik ({', '.join(missing[:5])}). Geri yükledikten sonra migrate çalıştırmak için --migrate verin.",
            f"the backup was made by an older portal version ({manifest.portal_version}); {len(missing)} "
            f"migrations are missing ({', '.join(missing[:5])}); pass --migrate to migrate after restoring",
        )
    return bool(missing)


def _replaced_all_applied(name: str, applied: set[str]) -> bool:
    """A squashed migration counts as applied when every migration it replaces was."""
    app, migration_name = name.split(".", 1)
    loader = MigrationLoader(None, ignore_no_migrations=True)
    migration = loader.disk_migrations.get((app, migration_name))
    return bool(migration and migration.replaces
                and all(f"{r_app}.{r_name}" in applied for r_app, r_name in migration.replaces))


def _database_contents(using: str) -> tuple[int, int]:
    """(tables, rows) in the target database: a restore onto anything but an empty one needs --force."""
    counts = table_counts(using)
    return len(counts), sum(counts.values())


def _folder_in_use(root: Path) -> bool:
    return root.is_dir() and any(root.iterdir())


def _clear_folder(root: Path) -> None:
    """Empty a media folder but keep the folder itself (it may be a mount point or have its own
    owner and permissions set by the operator)."""
    for entry in root.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _restore_postgresql(connection, dump_file: Path, *, clean: bool) -> None:
    """pg_restore into the configured database. --no-owner/--no-acl: the new server's roles need not
    match the old one's; --single-transaction with --exit-on-error: a failed restore leaves the
    database as it was, never half restored."""
    if clean:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT viewname FROM pg_views WHERE schemaname = current_schema()")
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP VIEW IF EXISTS {connection.ops.quote_name(name)} CASCADE")
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(name)} CASCADE")
            cursor.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP SEQUENCE IF EXISTS {connection.ops.quote_name(name)} CASCADE")
    env = _postgres_env(connection.settings_dict)
    connections.close_all()
    _run_tool([settings.QMS_PG_RESTORE, "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
               "--no-password", f"--dbname={env.get('PGDATABASE', '')}", str(dump_file)], env, "PG_RESTORE")


def _restore_sqlite(connection, dump_file: Path) -> None:
    """Copy the archived database over the configured file with SQLite's backup API (page by page,
    under SQLite's own locking) after closing Django's connections, so none holds the old pages."""
    target_name = str(connection.settings_dict["NAME"])
    connections.close_all()
    source = sqlite3.connect(dump_file)
    target = sqlite3.connect(target_name)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


@dataclass
class RestoreResult:
    """What a restore did and what its verification found."""

    manifest: Manifest
    tables: int
    approved_records: int
    migrated: bool
    media_files: int


def compare_with_manifest(manifest: Manifest, using: str = DEFAULT_DB_ALIAS) -> None:
    """Recount every table and recompute the approved checksums of the database and compare them with
    the manifest; raise BackupError naming the first table or kind that differs."""
    counts = table_counts(using)
    for name in sorted(set(manifest.tables) | set(counts)):
        expected, actual = manifest.tables.get(name), counts.get(name)
        if expected != actual:
            raise _refusal(
                f"Doğrulama başarısız: {name} tablosunda {actual} kayıt var, yedekte {expected}.",
                f"verification failed: table {name} has {actual} rows, the backup has {expected}",
            )
    checksums = approved_record_checksums(using)
    for key in sorted(set(manifest.approved) | set(checksums)):
        if manifest.approved.get(key) != checksums.get(key):
            raise _refusal(
                f"Doğrulama başarısız: onaylı kayıtlar ({key}) yedektekiyle aynı değil.",
                f"verification failed: the approved records {key} differ from the backup",
            )


def restore_backup(path: Path | str, *, force: bool = False, migrate: bool = False,
                   using: str = DEFAULT_DB_ALIAS, progress: Callable[[str], None] | None = None) -> RestoreResult:
    """Restore an archive into the configured database and media folders, then verify it.

    Order (each step refuses before anything is changed): the archive reads to the end and every
    member matches the manifest; the manifest's schema is not newer than the code (older only with
    migrate=True); the database vendor matches; the database and media folders are empty unless
    force=True (which replaces their contents). Then the database and media are restored and the
    restored database is recounted and its approved records re-checksummed against the manifest;
    with migrate=True, `migrate` runs after that verification."""
    report = progress or (lambda message: None)
    path = Path(path)
    connection = connections[using]
    # Staged under TMPDIR, not beside the archive: the backup folder may be a read-only mount.
    with tempfile.TemporaryDirectory(prefix="qms-restore-") as staging_name:
        staging = Path(staging_name)
        manifest = _read_archive(path, extract_to=staging)
        report(f"archive verified: {len(manifest.members)} members")
        needs_migrate = _check_schema(manifest, migrate=migrate)
        if manifest.database_vendor != connection.vendor:
            raise _refusal(
                f"Yedek bir {manifest.database_vendor} veritabanından; hedef {connection.vendor}. Aynı türde "
                "bir veritabanına geri yükleyin.",
                f"the backup is of a {manifest.database_vendor} database, the target is {connection.vendor}; "
                "restore onto the same kind of database",
            )
        tables, rows = _database_contents(using)
        if tables and not force:
            raise _refusal(
                f"Hedef veritabanı boş değil ({tables} tablo, {rows} kayıt); üzerine yazmak için --force verin.",
                f"the target database is not empty ({tables} tables, {rows} rows); pass --force to replace it",
            )
        media_roots = {tree: Path(getattr(settings, setting)) for tree, setting in MEDIA_TREES.items()}
        for tree, root in media_roots.items():
            if _folder_in_use(root) and not force:
                raise _refusal(
                    f"Dosya klasörü boş değil: {root}; üzerine yazmak için --force verin.",
                    f"the {tree} folder is not empty: {root}; pass --force to replace its contents",
                )
        dump_file = staging.joinpath(*PurePosixPath(DATABASE_MEMBERS[manifest.database_vendor]).parts)
        if connection.vendor == "postgresql":
            _restore_postgresql(connection, dump_file, clean=force and bool(tables))
        else:
            _restore_sqlite(connection, dump_file)
        report("database restored")
        media_files = 0
        for tree, root in media_roots.items():
            root.mkdir(parents=True, exist_ok=True)
            if force:
                _clear_folder(root)
            source = staging / tree
            if source.is_dir():
                for file, relative in _media_files(source):
                    target = root / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(file, target)
                    media_files += 1
        report(f"media restored: {media_files} files")
    compare_with_manifest(manifest, using)
    if needs_migrate:
        call_command("migrate", interactive=False, verbosity=0, database=using)
        report("migrated to this portal version")
    return RestoreResult(manifest=manifest, tables=len(manifest.tables),
                         approved_records=manifest.approved_record_count, migrated=needs_migrate,
                         media_files=media_files)


def archives_in(directory: Path | str) -> Iterable[Path]:
    """The archives in a backup folder, newest first (their names sort by date)."""
    return sorted(Path(directory).glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}"), key=lambda p: p.name, reverse=True)
