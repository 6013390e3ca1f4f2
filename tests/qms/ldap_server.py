"""A real, throw-away OpenLDAP server for the directory sign-in tests.

`DirectoryServer` writes a slapd.conf and an mdb database into a temporary folder, loads the test
organisation's people and groups with `slapadd` (offline, fast), and starts Debian's slapd on a
free port of 127.0.0.1. Each pytest-xdist worker starts its own server on its own port, so
workers never share a directory. `stop()` ends the process (also used to take the directory
"down" in the middle of a test) and removes the folder.

The directory tree (suffix dc=qms,dc=test):
    cn=admin                     the root DN (rootpw), used by tests to change the directory
    cn=portal,ou=services        the portal's bind DN (read-only search account)
    ou=people:  ayse (Ayşe Yılmaz: active, in the quality-managers group, unit code KSB),
                mehmet (active, valid password, member of the deny group "disabled"),
                zeynep (active, in no mapped group, no unit attribute)
    ou=groups:  quality-managers, call-agents, everyone, disabled  (groupOfNames)
"""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SLAPD = Path("/usr/sbin/slapd")
SLAPADD = Path("/usr/sbin/slapadd")
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")

SUFFIX = "dc=qms,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "root-secret"
BIND_DN = f"cn=portal,ou=services,{SUFFIX}"
BIND_PASSWORD = "portal-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"

# Passwords of the directory people (the LDIF stores them in clear; slapd compares on bind).
USER_PASSWORDS = {"ayse": "Ayse.dizin.2026", "mehmet": "Mehmet.dizin.2026", "zeynep": "Zeynep.dizin.2026"}


def group_dn(name: str) -> str:
    return f"cn={name},{GROUPS}"


def person_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


def slapd_available() -> bool:
    """Debian's slapd and slapadd are installed, so the tests can start a real directory."""
    return SLAPD.is_file() and SLAPADD.is_file() and MODULE_DIR.is_dir() and SCHEMA_DIR.is_dir()


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel picks it; tiny race accepted)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _line(attribute: str, value: str) -> str:
    """An LDIF line; non-ASCII values (Turkish names) are base64, as LDIF requires."""
    if value.isascii():
        return f"{attribute}: {value}"
    return f"{attribute}:: {base64.b64encode(value.encode()).decode()}"


def _person(uid: str, given: str, surname: str, unit: str | None) -> str:
    lines = [
        f"dn: {person_dn(uid)}",
        "objectClass: inetOrgPerson",
        f"uid: {uid}",
        _line("cn", f"{given} {surname}"),
        _line("givenName", given),
        _line("sn", surname),
        f"mail: {uid}@belediye.test",
        f"userPassword: {USER_PASSWORDS[uid]}",
    ]
    if unit:
        lines.append(f"departmentNumber: {unit}")
    return "\n".join(lines)


def _group(name: str, members: list[str]) -> str:
    return "\n".join([f"dn: {group_dn(name)}", "objectClass: groupOfNames", f"cn: {name}"]
                     + [f"member: {person_dn(uid)}" for uid in members])


def base_ldif() -> str:
    """The test organisation as LDIF."""
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: qms\no: QMS Test Belediyesi",
        f"dn: ou=services,{SUFFIX}\nobjectClass: organizationalUnit\nou: services",
        f"dn: {BIND_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: portal\n"
        f"userPassword: {BIND_PASSWORD}",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups",
        _person("ayse", "Ayşe", "Yılmaz", "KSB"),
        _person("mehmet", "Mehmet", "Demir", "KSB"),
        _person("zeynep", "Zeynep", "Kaya", None),
        _group("quality-managers", ["ayse"]),
        _group("call-agents", ["mehmet"]),
        _group("everyone", ["ayse", "mehmet", "zeynep"]),
        _group("disabled", ["mehmet"]),
    ]
    return "\n\n".join(entries) + "\n"


def _slapd_conf(folder: Path) -> str:
    schemas = "\n".join(f"include {SCHEMA_DIR / name}.schema" for name in ("core", "cosine", "inetorgperson"))
    return f"""{schemas}
pidfile {folder / "slapd.pid"}
modulepath {MODULE_DIR}
moduleload back_mdb
loglevel none

database mdb
maxsize 10485760
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PASSWORD}
directory {folder / "data"}
index objectClass,uid,member eq
access to attrs=userPassword by anonymous auth by self write by * none
access to * by dn.exact="{BIND_DN}" read by self read by * none
"""


@dataclass
class DirectoryServer:
    """One slapd process with its own folder and port; `start()`, then `stop()` (idempotent)."""

    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="qms-slapd-")))
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 10.0) -> DirectoryServer:
        """Write the config, load the LDIF and start slapd; returns once it answers a bind."""
        (self.folder / "data").mkdir(exist_ok=True)
        conf = self.folder / "slapd.conf"
        conf.write_text(_slapd_conf(self.folder))
        ldif = self.folder / "base.ldif"
        ldif.write_text(base_ldif(), encoding="utf-8")
        subprocess.run([str(SLAPADD), "-q", "-f", str(conf), "-l", str(ldif)], check=True,
                       capture_output=True, timeout=30)
        log = (self.folder / "slapd.log").open("ab")  # why a start failed, if it does
        for _attempt in range(5):
            self.port = free_port()
            # -d 0 keeps slapd in the foreground as our child, so Popen owns it and kill() reaches it.
            self.process = subprocess.Popen(
                [str(SLAPD), "-f", str(conf), "-h", self.uri + "/", "-d", "0"],
                stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL,
            )
            if self._wait_until_answering(timeout):
                log.close()
                return self
            self._end_process()  # most likely the port was taken in between: try another one
        log.close()
        raise RuntimeError(f"slapd did not start: {(self.folder / 'slapd.log').read_text(errors='replace')[-2000:]}")

    def _wait_until_answering(self, timeout: float) -> bool:
        import ldap

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                connection = ldap.initialize(self.uri)
                connection.set_option(ldap.OPT_NETWORK_TIMEOUT, 1)
                connection.simple_bind_s(BIND_DN, BIND_PASSWORD)
                connection.unbind_s()
                return True
            except ldap.LDAPError:
                time.sleep(0.05)
        return False

    def admin_connection(self):
        """A connection bound as the root DN, to change the directory during a test."""
        import ldap

        connection = ldap.initialize(self.uri)
        connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
        return connection

    def set_group_members(self, group: str, uids: list[str]) -> None:
        """Replace a groupOfNames' members (groupOfNames needs at least one: the bind DN stands in)."""
        import ldap

        members = [person_dn(uid).encode() for uid in uids] or [BIND_DN.encode()]
        connection = self.admin_connection()
        try:
            connection.modify_s(group_dn(group), [(ldap.MOD_REPLACE, "member", members)])
        finally:
            connection.unbind_s()

    def _end_process(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def stop(self) -> None:
        """Stop slapd (the directory is then "down": connections are refused) and delete its folder."""
        self._end_process()
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)

    def __del__(self):  # a last guard: never leave a slapd behind, even if a finalizer was skipped
        if self.process is not None:
            self._end_process()
