"""Directory sign-in (LDAP / Active Directory): the settings, built from the environment.

Directory sign-in is off unless LDAP_SERVER_URI is set. When it is, `directory_settings()` turns
the LDAP_* environment variables into django-auth-ldap's AUTH_LDAP_* settings plus the portal's
own QMS_LDAP_* ones, and refuses a malformed value at start-up with ImproperlyConfigured naming the
variable (Turkish and English). What happens at sign-in lives in `qms.directory.backend`, the
"directory unreachable" message in `qms.directory.forms`, the live checks (bind, search bases) in
`qms.directory.checks`. docs/deploy.md, "Directory sign-in", documents every variable.

This module is imported by qms/settings.py, before Django's apps are loaded: it may import only the
standard library, django.core.exceptions and (lazily) python-ldap.

LDAP_ROLE_GROUPS format: entries separated by ";" or new lines, each `role:group DN`, the role
being a value of qms.roles.Role (e.g. `unit_manager:cn=qms-unit-managers,ou=groups,dc=example,dc=org`).
Several groups may give one role and one group may give several roles (one entry each).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# Where the LDAP backend sits in AUTHENTICATION_BACKENDS: after django-axes (so lockouts still
# apply to directory accounts) and before ModelBackend (so local accounts are tried last).
BACKEND = "qms.directory.backend.DirectoryBackend"
LOGIN_FORM = "qms.directory.forms.DirectoryLoginForm"

# LDAP_GROUP_TYPE values: the django-auth-ldap group type class and the default group filter.
GROUP_TYPES = {
    "groupOfNames": ("GroupOfNamesType", "(objectClass=groupOfNames)"),
    "nestedGroupOfNames": ("NestedGroupOfNamesType", "(objectClass=groupOfNames)"),
    "groupOfUniqueNames": ("GroupOfUniqueNamesType", "(objectClass=groupOfUniqueNames)"),
    "activeDirectory": ("ActiveDirectoryGroupType", "(objectClass=group)"),
    "nestedActiveDirectory": ("NestedActiveDirectoryGroupType", "(objectClass=group)"),
}
# OpenLDAP's inetOrgPerson; Active Directory: docs/deploy.md gives the sAMAccountName filter.
DEFAULT_USER_FILTER = "(uid=%(user)s)"
DEFAULT_ATTR_MAP = "first_name=givenName,last_name=sn,email=mail"
USER_FIELDS = ("first_name", "last_name", "email")
DEFAULT_TIMEOUT_SECONDS = 5.0

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _refuse(name: str, turkish: str, english: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}: {turkish} ({name}: {english})")


def _value(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name) or "").strip()


def _required(environ: Mapping[str, str], name: str) -> str:
    value = _value(environ, name)
    if not value:
        raise _refuse(name, "LDAP_SERVER_URI tanımlıyken bu değişken zorunludur.",
                      "this variable is required when LDAP_SERVER_URI is set.")
    return value


def _bool(environ: Mapping[str, str], name: str) -> bool:
    value = _value(environ, name).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _refuse(name, f"{value!r} bir evet/hayır değeri değil (1/0, true/false).",
                  f"{value!r} is not a yes/no value (1/0, true/false).")


def normalise_dn(dn: str) -> str:
    """A DN in one spelling (no spaces after commas, lower case) so two spellings of a group compare equal."""
    import ldap.dn

    return ldap.dn.dn2str(ldap.dn.str2dn(dn)).lower()


def _dn(environ: Mapping[str, str], name: str, value: str | None = None) -> str:
    import ldap.dn

    value = _value(environ, name) if value is None else value
    if not ldap.dn.is_dn(value) or not value:
        raise _refuse(name, f"{value!r} geçerli bir LDAP DN değil (örnek: ou=people,dc=belediye,dc=local).",
                      f"{value!r} is not a valid LDAP DN (e.g. ou=people,dc=belediye,dc=local).")
    return value


def _server_uri(environ: Mapping[str, str]) -> str:
    value = _value(environ, "LDAP_SERVER_URI")
    # python-ldap accepts several URIs separated by spaces and tries them in turn (fail-over).
    for uri in value.split():
        parts = urlsplit(uri)
        if parts.scheme not in {"ldap", "ldaps"} or not parts.hostname:
            raise _refuse(
                "LDAP_SERVER_URI",
                f"{uri!r} ldap://sunucu:389 veya ldaps://sunucu:636 biçiminde olmalıdır.",
                f"{uri!r} must look like ldap://server:389 or ldaps://server:636.",
            )
    return value


def parse_role_groups(value: str, *, name: str = "LDAP_ROLE_GROUPS") -> dict[str, tuple[str, ...]]:
    """`role:DN; role:DN` → {normalised group DN: (role value, ...)}; refuses unknown roles and bad DNs."""
    from qms.roles import Role

    known = {role.value for role in Role}
    mapping: dict[str, tuple[str, ...]] = {}
    entries = [entry.strip() for chunk in value.splitlines() for entry in chunk.split(";") if entry.strip()]
    if not entries:
        raise _refuse(name, "en az bir 'rol:grup DN' eşlemesi gerekir.",
                      "at least one 'role:group DN' entry is needed.")
    for entry in entries:
        role, separator, group = (part.strip() for part in entry.partition(":"))
        if not separator:
            raise _refuse(name, f"{entry!r} 'rol:grup DN' biçiminde değil.",
                          f"{entry!r} is not in 'role:group DN' form.")
        if role not in known:
            raise _refuse(
                name,
                f"bilinmeyen rol {role!r}; geçerli roller: {', '.join(sorted(known))}.",
                f"unknown role {role!r}; valid roles: {', '.join(sorted(known))}.",
            )
        key = normalise_dn(_dn({}, name, group))
        mapping[key] = tuple(dict.fromkeys((*mapping.get(key, ()), role)))
    return mapping


def _attr_map(environ: Mapping[str, str]) -> dict[str, str]:
    value = _value(environ, "LDAP_USER_ATTR_MAP") or DEFAULT_ATTR_MAP
    mapping: dict[str, str] = {}
    for entry in (item.strip() for item in value.split(",") if item.strip()):
        field, separator, attribute = (part.strip() for part in entry.partition("="))
        if not separator or field not in USER_FIELDS or not attribute:
            raise _refuse(
                "LDAP_USER_ATTR_MAP",
                f"{entry!r} 'alan=öznitelik' biçiminde olmalı; alanlar: {', '.join(USER_FIELDS)}.",
                f"{entry!r} must be 'field=attribute'; fields: {', '.join(USER_FIELDS)}.",
            )
        mapping[field] = attribute
    return mapping


def _user_filter(environ: Mapping[str, str]) -> str:
    value = _value(environ, "LDAP_USER_FILTER") or DEFAULT_USER_FILTER
    depth = 0
    for character in value:
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth < 0:
            break
    if "%(user)s" not in value or not value.startswith("(") or depth != 0:
        raise _refuse(
            "LDAP_USER_FILTER",
            f"{value!r} parantez içinde bir LDAP süzgeci olmalı ve %(user)s içermelidir.",
            f"{value!r} must be a parenthesised LDAP filter containing %(user)s.",
        )
    return value


def _timeout(environ: Mapping[str, str]) -> float:
    value = _value(environ, "LDAP_TIMEOUT")
    try:
        seconds = float(value) if value else DEFAULT_TIMEOUT_SECONDS
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 60:
        raise _refuse("LDAP_TIMEOUT", f"{value!r} 0 ile 60 arasında bir saniye değeri olmalı.",
                      f"{value!r} must be a number of seconds between 0 and 60.")
    return seconds


def directory_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The Django settings for directory sign-in from `environ` (default os.environ); {} when LDAP_SERVER_URI is unset.

    Raises ImproperlyConfigured naming the variable when a value is malformed or python-ldap is
    missing, so a wrong setting stops start-up instead of failing at someone's sign-in.
    """
    environ = os.environ if environ is None else environ
    if not _value(environ, "LDAP_SERVER_URI"):
        return {}
    try:
        import ldap
        from django_auth_ldap import config
    except ImportError as error:
        raise _refuse(
            "LDAP_SERVER_URI",
            f"dizin girişi için python-ldap ve django-auth-ldap kurulu olmalıdır (pip install '.[ldap]'): {error}",
            f"directory sign-in needs python-ldap and django-auth-ldap installed (pip install '.[ldap]'): {error}",
        ) from None

    uri = _server_uri(environ)
    start_tls = _bool(environ, "LDAP_START_TLS")
    if start_tls and any(part.startswith("ldaps://") for part in uri.split()):
        raise _refuse("LDAP_START_TLS", "ldaps:// zaten şifrelidir; StartTLS yalnız ldap:// ile kullanılır.",
                      "ldaps:// is already encrypted; StartTLS is only used with ldap://.")
    bind_dn = _value(environ, "LDAP_BIND_DN")
    if bind_dn:
        _dn(environ, "LDAP_BIND_DN")
        _required(environ, "LDAP_BIND_PASSWORD")
    group_type_name = _value(environ, "LDAP_GROUP_TYPE") or "groupOfNames"
    if group_type_name not in GROUP_TYPES:
        raise _refuse("LDAP_GROUP_TYPE", f"{group_type_name!r} bilinmiyor; seçenekler: {', '.join(GROUP_TYPES)}.",
                      f"{group_type_name!r} is unknown; choices: {', '.join(GROUP_TYPES)}.")
    group_class, default_group_filter = GROUP_TYPES[group_type_name]
    timeout = _timeout(environ)

    # Per-connection options (not AUTH_LDAP_GLOBAL_OPTIONS, which python-ldap applies only once per
    # process): a short network timeout makes "directory down" answer within seconds, not minutes.
    options: dict[int, Any] = {
        ldap.OPT_NETWORK_TIMEOUT: timeout,
        ldap.OPT_TIMEOUT: timeout,
        # Active Directory returns referrals python-ldap would chase anonymously; never follow them.
        ldap.OPT_REFERRALS: 0,
    }
    ca_file = _value(environ, "LDAP_CA_FILE")
    if ca_file:
        if not os.path.isfile(ca_file):
            raise _refuse("LDAP_CA_FILE", f"{ca_file!r} dosyası bulunamadı.", f"file {ca_file!r} does not exist.")
        options[ldap.OPT_X_TLS_CACERTFILE] = ca_file
    if ca_file or start_tls or "ldaps://" in uri:
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND  # a wrong certificate is refused
        options[ldap.OPT_X_TLS_NEWCTX] = 0  # must be the last TLS option: builds the context from the ones above

    deny_group = _value(environ, "LDAP_DENY_GROUP")
    return {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_BIND_DN": bind_dn,
        "AUTH_LDAP_BIND_PASSWORD": _value(environ, "LDAP_BIND_PASSWORD"),
        "AUTH_LDAP_START_TLS": start_tls,
        "AUTH_LDAP_CONNECTION_OPTIONS": options,
        "AUTH_LDAP_USER_SEARCH": config.LDAPSearch(
            _dn(environ, "LDAP_USER_SEARCH_BASE", _required(environ, "LDAP_USER_SEARCH_BASE")),
            ldap.SCOPE_SUBTREE,
            _user_filter(environ),
        ),
        "AUTH_LDAP_GROUP_SEARCH": config.LDAPSearch(
            _dn(environ, "LDAP_GROUP_SEARCH_BASE", _required(environ, "LDAP_GROUP_SEARCH_BASE")),
            ldap.SCOPE_SUBTREE,
            _value(environ, "LDAP_GROUP_FILTER") or default_group_filter,
        ),
        "AUTH_LDAP_GROUP_TYPE": getattr(config, group_class)(),
        "AUTH_LDAP_DENY_GROUP": _dn(environ, "LDAP_DENY_GROUP") if deny_group else None,
        "AUTH_LDAP_USER_ATTR_MAP": _attr_map(environ),
        # Names, e-mail and roles follow the directory at every sign-in, and group membership is
        # read fresh each time (no cache), so a change in the directory counts at the next sign-in.
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
        "QMS_LDAP_ROLE_GROUPS": parse_role_groups(_required(environ, "LDAP_ROLE_GROUPS")),
        # The staff profile's unit at first sign-in: the unit code in this user attribute, else the default code.
        "QMS_LDAP_UNIT_ATTRIBUTE": _value(environ, "LDAP_UNIT_ATTRIBUTE"),
        "QMS_LDAP_DEFAULT_UNIT": _value(environ, "LDAP_DEFAULT_UNIT"),
        "WAGTAILADMIN_USER_LOGIN_FORM": LOGIN_FORM,
    }


def with_directory_backend(backends: list[str]) -> list[str]:
    """`backends` with the directory backend right after django-axes (or first), before ModelBackend."""
    backends = [backend for backend in backends if backend != BACKEND]
    position = next((index + 1 for index, path in enumerate(backends) if path.startswith("axes.")), 0)
    return [*backends[:position], BACKEND, *backends[position:]]
