"""Live checks of the directory settings: what only asking the directory can show.

`directory_problems()` connects with the configured options, binds as LDAP_BIND_DN, and looks up
both search bases, every group of LDAP_ROLE_GROUPS and LDAP_DENY_GROUP; it also checks that
LDAP_DEFAULT_UNIT names a unit. Each problem is a system-check Error naming the variable to fix.
It runs as a deployment check (`manage.py check --deploy`, `check --deploy --tag directory`) and
in `manage.py check_directory`; plain `check` never contacts the directory, and with directory
sign-in off nothing here touches the network.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.db import DatabaseError

TAG = "directory"


def directory_enabled() -> bool:
    """Directory sign-in is configured (LDAP_SERVER_URI was set at start-up)."""
    return bool(getattr(settings, "AUTH_LDAP_SERVER_URI", ""))


def open_connection():
    """A connection with the portal's options, StartTLS done and bound as LDAP_BIND_DN (raises ldap.LDAPError)."""
    import ldap

    connection = ldap.initialize(settings.AUTH_LDAP_SERVER_URI, bytes_mode=False)
    for option, value in settings.AUTH_LDAP_CONNECTION_OPTIONS.items():
        connection.set_option(option, value)
    if settings.AUTH_LDAP_START_TLS:
        connection.start_tls_s()
    connection.simple_bind_s(settings.AUTH_LDAP_BIND_DN, settings.AUTH_LDAP_BIND_PASSWORD)
    return connection


def _error(message: str, hint: str, number: int) -> Error:
    return Error(message, hint=hint, id=f"qms.E{number:03d}")


def _missing_entries(connection, dns: list[tuple[str, str]]) -> list[Error]:
    import ldap

    errors = []
    for variable, dn in dns:
        try:
            connection.search_s(dn, ldap.SCOPE_BASE, "(objectClass=*)", ["1.1"])
        except ldap.NO_SUCH_OBJECT:
            errors.append(_error(
                f"{variable}: dizinde {dn!r} kaydı yok. ({variable}: the directory has no entry {dn!r}.)",
                "Check the DN's spelling in the environment and that the bind DN may read it.", 33))
    return errors


def directory_problems() -> list[CheckMessage]:
    """Errors naming each wrong directory setting; [] when directory sign-in is off or all is well."""
    if not directory_enabled():
        return []
    import ldap

    try:
        connection = open_connection()
    except ldap.SERVER_DOWN as error:
        return [_error(
            f"LDAP_SERVER_URI: dizin sunucusuna ulaşılamıyor. (LDAP_SERVER_URI: the directory server cannot be "
            f"reached: {settings.AUTH_LDAP_SERVER_URI}: {error.args[0].get('desc', error) if error.args else error}.)",
            "Check the host and port, the firewall, and for TLS LDAP_START_TLS / LDAP_CA_FILE.", 30)]
    except ldap.INVALID_CREDENTIALS:
        return [_error(
            "LDAP_BIND_DN / LDAP_BIND_PASSWORD: dizin bu kullanıcı adı ve parolayı reddetti. "
            "(LDAP_BIND_DN / LDAP_BIND_PASSWORD: the directory rejected these bind credentials.)",
            "Set the service account's DN and current password.", 31)]
    except ldap.LDAPError as error:
        return [_error(
            f"LDAP_SERVER_URI / LDAP_START_TLS / LDAP_CA_FILE: dizine bağlanılamadı. (LDAP_SERVER_URI / "
            f"LDAP_START_TLS / LDAP_CA_FILE: could not connect to the directory: {error}.)",
            "A TLS error usually means the CA file does not sign the server's certificate.", 32)]
    try:
        dns = [("LDAP_USER_SEARCH_BASE", settings.AUTH_LDAP_USER_SEARCH.base_dn),
               ("LDAP_GROUP_SEARCH_BASE", settings.AUTH_LDAP_GROUP_SEARCH.base_dn)]
        dns += [("LDAP_ROLE_GROUPS", group) for group in settings.QMS_LDAP_ROLE_GROUPS]
        if settings.AUTH_LDAP_DENY_GROUP:
            dns.append(("LDAP_DENY_GROUP", settings.AUTH_LDAP_DENY_GROUP))
        errors = _missing_entries(connection, dns)
    except ldap.LDAPError as error:
        errors = [_error(f"LDAP_SERVER_URI: dizin aramaya yanıt vermedi. (LDAP_SERVER_URI: the directory did not "
                         f"answer a search: {error}.)", "Check the server's logs.", 32)]
    finally:
        connection.unbind_s()
    return errors + _default_unit_problems()


def _default_unit_problems() -> list[Error]:
    code = getattr(settings, "QMS_LDAP_DEFAULT_UNIT", "")
    if not code:
        return []
    from qms.models import Unit

    try:
        exists = Unit.objects.filter(code=code, is_active=True).exists()
    except DatabaseError:
        return []  # no database yet (first deploy, before migrate): nothing to compare with
    if exists:
        return []
    return [_error(f"LDAP_DEFAULT_UNIT: {code!r} kodlu etkin bir birim yok. "
                   f"(LDAP_DEFAULT_UNIT: no active unit has the code {code!r}.)",
                   "Use a code from the unit tree (Organisation → Units).", 34)]


def check_directory(app_configs=None, **kwargs) -> list[CheckMessage]:
    """System check (deployment, tag "directory"): the directory settings work against the real directory."""
    return directory_problems()
