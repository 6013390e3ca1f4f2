"""`make prod-check`: the portal as it runs in production, started and smoke-tested from outside.

A throw-away PostgreSQL database, a production environment (DEBUG=0, a random SECRET_KEY, Redis
for sessions and cache, the HTTPS redirect on), `check --deploy`, `migrate`, `collectstatic`, one
management representative with a little data, then gunicorn with gunicorn.conf.py on a free port.
Over HTTP, as a browser and an integration would: sign-in with CSRF, a PDF, an export, the API with
and without a token, a hashed static file, the security headers, /media/ signed out and in.
Everything it made is removed at the end (database, folder, Redis keys), also after a failure or
Ctrl-C. Each step prints PASS or FAIL; the first failure stops the run with exit status 1.

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379, like CI.
Overridable: PROD_CHECK_PG (libpq URL of the server, default postgres://postgres@127.0.0.1:5432),
PROD_CHECK_REDIS (default redis://127.0.0.1:6379/15).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PG_SERVER = os.environ.get("PROD_CHECK_PG", "postgres://postgres@127.0.0.1:5432")
# Database 15, the last of Redis' default sixteen, is the one least likely to hold anything else;
# the key prefix is unique per run anyway, and only keys with it are deleted.
REDIS_URL = os.environ.get("PROD_CHECK_REDIS", "redis://127.0.0.1:6379/15")
HOST = "127.0.0.1"
USERNAME = "prodcheck-mr"
NC_TITLE = "Prod-check DÖF: çağrı kaydı eksik"

# Run through `manage.py shell -c` inside the production environment: the account (a management
# representative, who may open every report), a unit, a DÖF for the export and an image for /media/.
# seed_demo is not used: it is refused with DEBUG=0, as it must be.
DATA_SCRIPT = f"""
import io, json, os
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.core.management import call_command
from PIL import Image as PILImage
from wagtail.images.models import Image
from audits import services
from audits.models import Source
from qms.models import StaffProfile, Unit, UnitKind
from qms.roles import ROLES, Role

unit = Unit.objects.create(code="HİŞM", name="Halkla İlişkiler Şube Müdürlüğü", kind=UnitKind.BRANCH)
user = get_user_model().objects.create_user({USERNAME!r}, password=os.environ["PROD_CHECK_PASSWORD"],
                                            first_name="Prod", last_name="Check")
user.groups.add(Group.objects.get(name=ROLES[Role.MANAGEMENT_REPRESENTATIVE].group_name))
StaffProfile.objects.create(user=user, unit=unit, title="Yönetim Temsilcisi")
services.raise_nonconformity(source=Source.STAFF_SUGGESTION, title={NC_TITLE!r},
                             description="prod-check", unit=unit, raised_by=user)
buffer = io.BytesIO()
PILImage.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
image = Image.objects.create(title="prod-check", file=ImageFile(buffer, name="prod-check.png"))
token = io.StringIO()
call_command("api_token", {USERNAME!r}, "--name", "prod-check", stdout=token, stderr=io.StringIO())
print(json.dumps({{"image_url": image.file.url, "token": token.getvalue().strip()}}))
"""


class CheckFailed(Exception):
    """A smoke-test step did not get what production must give."""


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "") or ""


@dataclass
class Browser:
    """Just enough of a browser behind a TLS proxy: every request says it came over HTTPS (as
    nginx's X-Forwarded-Proto does), and cookies are kept by hand, because the session and CSRF
    cookies are Secure and urllib's cookie jar would not send them back over plain HTTP."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookie_lines: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"https://{HOST}:{self.port}"

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None,
                https: bool = True, send_cookies: bool = True) -> Response:
        """One request; redirects are returned, not followed (the checks look at them)."""
        all_headers = {"Host": f"{HOST}:{self.port}", "X-Forwarded-For": "203.0.113.7",
                       "X-Request-ID": secrets.token_hex(8)}
        if https:
            all_headers["X-Forwarded-Proto"] = "https"
        if send_cookies and self.cookies:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        all_headers.update(headers or {})
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=all_headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for line in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_lines.append(line)
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in line.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)


def step(name: str):
    """Decorator: run a check, print PASS / FAIL with the reason; a failure stops the run."""

    def decorate(function):
        def run(*args, **kwargs):
            started = time.monotonic()
            try:
                result = function(*args, **kwargs)
            except CheckFailed as failure:
                print(f"FAIL  {name}: {failure}", flush=True)
                raise
            print(f"PASS  {name}  ({time.monotonic() - started:.1f} s)", flush=True)
            return result

        return run

    return decorate


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def production_environment(*, database_url: str, tmp: Path, port: int, key_prefix: str) -> dict[str, str]:
    """A clean production environment: nothing inherited from the developer's shell or from make's
    DEBUG=1, only the basics a process needs plus what /etc/qms/env would hold."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if key in os.environ}
    env.update({
        "DJANGO_SETTINGS_MODULE": "qms.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
        "ALLOWED_HOSTS": HOST,
        "BASE_URL": f"https://{HOST}:{port}",
        "DATABASE_URL": database_url,
        # A relay nobody listens on: the smoke test must send no mail, and would fail loudly if it did.
        "EMAIL_HOST": HOST,
        "EMAIL_PORT": str(free_port()),
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": key_prefix,
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp / "private"),
        "PROXY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"{HOST}:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESS_LOG": str(tmp / "access.log"),
        "GUNICORN_ERROR_LOG": str(tmp / "gunicorn.log"),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def manage(env: dict[str, str], *args: str, input_text: str | None = None) -> str:
    """`manage.py <args>` in the production environment; its stdout, or CheckFailed with its output."""
    result = subprocess.run(  # noqa: S603 - our own argv, no shell
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, input=input_text,
        timeout=300,
    )
    if result.returncode != 0:
        raise CheckFailed(f"manage.py {' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout


def postgres(sql: str, database: str = "postgres") -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{database}", autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql)


def redis_client():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_timeout=5)


# --- the steps ---------------------------------------------------------------------------------


@step("PostgreSQL and Redis answer; throw-away database created")
def prepare_services(database: str) -> None:
    try:
        postgres(f'CREATE DATABASE "{database}"')
    except Exception as error:  # any connection or permission problem: say which server
        raise CheckFailed(f"PostgreSQL at {PG_SERVER}: {error}") from error
    try:
        redis_client().ping()
    except Exception as error:
        raise CheckFailed(f"Redis at {REDIS_URL}: {error}") from error


@step("manage.py check --deploy --fail-level WARNING")
def deploy_check(env: dict[str, str]) -> None:
    manage(env, "check", "--deploy", "--fail-level", "WARNING")


def start_manage(env: dict[str, str], *args: str) -> subprocess.Popen:
    """`manage.py <args>` started in the background in the production environment."""
    return subprocess.Popen(  # noqa: S603 - our own argv, no shell
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )


@step("manage.py migrate and collectstatic (side by side: one needs the database, the other the disk)")
def migrate_and_collectstatic(env: dict[str, str], tmp: Path) -> dict[str, str]:
    commands = {
        "migrate": start_manage(env, "migrate", "--no-input", "-v", "0"),
        "collectstatic": start_manage(env, "collectstatic", "--no-input", "-v", "0"),
    }
    failures = []
    for name, process in commands.items():
        output, _ = process.communicate(timeout=600)
        if process.returncode != 0:
            failures.append(f"manage.py {name} exited {process.returncode}:\n{output}")
    expect(not failures, "\n".join(failures))
    manifest = tmp / "static" / "staticfiles.json"
    expect(manifest.exists(), "no staticfiles.json: the manifest storage is not in use with DEBUG=0")
    paths = json.loads(manifest.read_text())["paths"]
    expect(any(name.endswith(".css") for name in paths), "the manifest lists no CSS file")
    return paths


@step("Turkish catalogues compiled")
def catalogues_compiled() -> None:
    missing = [str(po) for po in BASE_DIR.glob("*/locale*/tr/LC_MESSAGES/django.po")
               if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]
    expect(not missing, f"not compiled (run make compile-messages): {', '.join(missing)}")


@step("a management representative with a unit, a DÖF and an image; an API token (manage.py api_token)")
def create_data(env: dict[str, str]) -> tuple[str, str]:
    # One process for both (each start of Django costs seconds); the token comes from the real
    # `manage.py api_token` command, called in that process.
    created = json.loads(manage(env, "shell", "-c", DATA_SCRIPT).strip().splitlines()[-1])
    image_url, token = created["image_url"], created["token"]
    expect(token.startswith("wagtail_") or len(token) > 20, f"api_token printed no token: {token!r}")
    return image_url, token


def launch_gunicorn(env: dict[str, str], tmp: Path) -> subprocess.Popen:
    """gunicorn with gunicorn.conf.py in the background, in its own session, so that stopping it
    stops its workers too (by this process group only)."""
    with open(tmp / "gunicorn.out", "wb") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(  # noqa: S603 - a fixed argv, no shell
            [GUNICORN, "-c", "gunicorn.conf.py"], cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@step("gunicorn (gunicorn.conf.py) started; /health/ answers 200")
def wait_for_health(process: subprocess.Popen, port: int, tmp: Path) -> None:
    deadline = time.monotonic() + 60
    browser = Browser(port)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CheckFailed(f"gunicorn exited with {process.returncode}:\n{log_tail(tmp)}")
        try:
            # Over plain HTTP and with no cookies, as a load balancer probes: exempt from the redirect.
            response = browser.get("/health/", https=False, send_cookies=False)
            if response.status == 200:
                # Only the database matters here: no background worker runs in this check, so the
                # probe may well report itself degraded on that account.
                expect(json.loads(response.body).get("database") == "ok", f"/health/ said {response.body[:200]!r}")
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise CheckFailed(f"/health/ did not answer 200 within 60 s:\n{log_tail(tmp)}")


@step("plain HTTP is redirected to HTTPS")
def https_redirect(browser: Browser) -> None:
    response = browser.get("/admin/login/", https=False, send_cookies=False)
    expect(response.status == 301, f"expected 301, got {response.status}")
    expect(response.header("Location").startswith("https://"), f"Location: {response.header('Location')}")


@step("security headers: CSP, HSTS, X-Content-Type-Options, Referrer-Policy, X-Frame-Options")
def security_headers(browser: Browser) -> Response:
    response = browser.get("/admin/login/")
    expect(response.status == 200, f"/admin/login/ answered {response.status}")
    csp = response.header("Content-Security-Policy")
    expect("script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0],
           f"Content-Security-Policy: {csp!r}")
    hsts = response.header("Strict-Transport-Security")
    expect("max-age=" in hsts and int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000,
           f"Strict-Transport-Security: {hsts!r}")
    expect(response.header("X-Content-Type-Options") == "nosniff", "X-Content-Type-Options missing")
    expect(response.header("Referrer-Policy") == "same-origin", "Referrer-Policy missing")
    expect(response.header("X-Frame-Options") in {"DENY", "SAMEORIGIN"}, "X-Frame-Options missing")
    return response


@step("/media/ refused when signed out")
def media_signed_out(browser: Browser, image_url: str) -> None:
    response = browser.get(image_url, send_cookies=False)
    expect(response.status == 302 and "/admin/login/" in response.header("Location"),
           f"expected a redirect to sign-in, got {response.status} {response.header('Location')!r}")
    expect(not response.body.startswith(b"\x89PNG"), "the image bytes were sent to a signed-out visitor")


@step("API without a token: 401")
def api_without_token(browser: Browser) -> None:
    response = browser.get("/api/v1/me", send_cookies=False)
    expect(response.status in {401, 403}, f"expected 401, got {response.status}")


@step("sign in through /admin/login/ with CSRF; the session is Secure, HttpOnly and kept in Redis")
def sign_in(browser: Browser, login_page: Response, password: str, key_prefix: str) -> None:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.body)
    expect(match is not None, "no CSRF token on the sign-in form")
    expect("csrftoken" in browser.cookies, "no csrftoken cookie on the sign-in page")
    # A POST without the token is refused: CSRF protection is on.
    refused = browser.request("POST", "/admin/login/", body=b"username=x&password=y",
                              headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": browser.origin})
    expect(refused.status == 403, f"a POST without CSRF token answered {refused.status}, not 403")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "username": USERNAME,
                                   "password": password, "next": "/admin/"}).encode()
    response = browser.request("POST", "/admin/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Origin": browser.origin,
        "Referer": f"{browser.origin}/admin/login/"})
    expect(response.status == 302, f"sign-in answered {response.status}: {response.body[:300]!r}")
    expect("sessionid" in browser.cookies, "no session cookie after sign-in")
    session_line = next(line for line in reversed(browser.set_cookie_lines) if line.startswith("sessionid="))
    expect("secure" in session_line.lower() and "httponly" in session_line.lower(),
           f"session cookie not Secure/HttpOnly: {session_line}")
    keys = list(redis_client().scan_iter(match=f"{key_prefix}:*", count=1000))
    expect(any(b"session" in key for key in keys), f"no session key in Redis under {key_prefix}: (found {keys[:5]})")
    home = browser.get("/admin/")
    expect(home.status == 200, f"/admin/ after sign-in answered {home.status}")


@step("a PDF: the unit tree (application/pdf, %PDF)")
def pdf_report(browser: Browser) -> None:
    response = browser.get("/admin/organisation/units/pdf/")
    expect(response.status == 200, f"answered {response.status}")
    expect(response.header("Content-Type") == "application/pdf", f"Content-Type {response.header('Content-Type')}")
    expect(response.body.startswith(b"%PDF"), f"body starts {response.body[:20]!r}")


@step("an export: the DÖF list as CSV and XLSX")
def export(browser: Browser) -> None:
    csv_response = browser.get("/admin/audits/nonconformities/export/?format=csv")
    expect(csv_response.status == 200, f"CSV answered {csv_response.status}")
    expect(csv_response.header("Content-Type").startswith("text/csv"), f"CSV is {csv_response.header('Content-Type')}")
    expect(NC_TITLE in csv_response.body.decode("utf-8-sig"), "the DÖF is not in the CSV")
    xlsx = browser.get("/admin/audits/nonconformities/export/?format=xlsx")
    expect(xlsx.status == 200, f"XLSX answered {xlsx.status}")
    expect(xlsx.header("Content-Type").startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"),
           f"XLSX is {xlsx.header('Content-Type')}")
    expect(xlsx.body.startswith(b"PK"), "the XLSX is not a zip file")


@step("the API with a token: 200 JSON")
def api_with_token(browser: Browser, token: str) -> None:
    response = browser.get("/api/v1/me", send_cookies=False, headers={"Authorization": f"Bearer {token}"})
    expect(response.status == 200, f"answered {response.status}: {response.body[:200]!r}")
    expect(response.header("Content-Type").startswith("application/json"), response.header("Content-Type"))
    expect(USERNAME in response.body.decode(), f"/api/v1/me is not the token's user: {response.body[:200]!r}")


@step("a hashed static file: cached a year, compressed")
def static_file(browser: Browser, manifest: dict[str, str]) -> None:
    name = next((n for n in ("wagtailadmin/css/core.css", "wagtailadmin/js/core.js") if n in manifest),
                next((n for n in manifest if n.endswith(".css")), None))
    expect(name is not None, "no CSS file in the manifest")
    for encoding in ("br", "gzip"):
        response = browser.get(f"/static/{manifest[name]}", send_cookies=False,
                               headers={"Accept-Encoding": encoding})
        expect(response.status == 200, f"/static/{manifest[name]} answered {response.status}")
        cache = response.header("Cache-Control")
        expect("max-age=31536000" in cache and "immutable" in cache, f"Cache-Control: {cache!r}")
        expect(response.header("Content-Encoding") == encoding,
               f"asked for {encoding}, got Content-Encoding {response.header('Content-Encoding')!r}")
    plain = browser.get(f"/static/{name}", send_cookies=False)
    expect(plain.status == 200 and "max-age=31536000" not in plain.header("Cache-Control"),
           f"the unhashed name must not be cached for a year: {plain.status} {plain.header('Cache-Control')!r}")


@step("/media/ served when signed in (image/png, nosniff, private cache)")
def media_signed_in(browser: Browser, image_url: str) -> None:
    response = browser.get(image_url)
    expect(response.status == 200, f"answered {response.status}")
    expect(response.header("Content-Type") == "image/png", f"Content-Type {response.header('Content-Type')}")
    expect(response.body.startswith(b"\x89PNG"), "not the image's bytes")
    expect(response.header("X-Content-Type-Options") == "nosniff", "X-Content-Type-Options missing")
    expect(response.header("Cache-Control").startswith("private"), f"Cache-Control {response.header('Cache-Control')}")
    traversal = browser.get("/media/images/../../../etc/passwd")
    expect(traversal.status in {400, 404}, f"a traversal answered {traversal.status}")


@step("the access log carries the X-Request-ID")
def access_log(browser: Browser, tmp: Path) -> None:
    request_id = secrets.token_hex(8)
    browser.get("/health/", https=False, send_cookies=False, headers={"X-Request-ID": request_id})
    deadline = time.monotonic() + 5
    log = tmp / "access.log"
    while time.monotonic() < deadline:
        if log.exists() and f"request_id={request_id}" in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise CheckFailed(f"request_id={request_id} not in {log}")


# --- running and cleaning up --------------------------------------------------------------------


def log_tail(tmp: Path, lines: int = 40) -> str:
    text = ""
    for name in ("gunicorn.out", "gunicorn.log"):
        path = tmp / name
        if path.exists():
            text += "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) + "\n"
    return text


def stop_gunicorn(process: subprocess.Popen) -> None:
    """SIGTERM to gunicorn's own process group (graceful), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def clean_up(*, database: str, tmp: Path, key_prefix: str, process: subprocess.Popen | None) -> None:
    """Remove everything the run made; each part is tried even if another fails."""
    if process is not None:
        try:
            stop_gunicorn(process)
        except Exception as error:  # report and go on: the rest must still be removed
            print(f"cleanup: gunicorn: {error}", file=sys.stderr)
    try:
        postgres(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    except Exception as error:
        print(f"cleanup: could not drop database {database}: {error}", file=sys.stderr)
    try:
        client = redis_client()
        keys = list(client.scan_iter(match=f"{key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    except Exception as error:
        print(f"cleanup: Redis keys {key_prefix}:*: {error}", file=sys.stderr)
    shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    started = time.monotonic()
    run_id = f"{os.getpid()}_{secrets.token_hex(3)}"
    database = f"qms_prod_check_{run_id}"
    key_prefix = f"qms-prod-check-{run_id}"
    tmp = Path(tempfile.mkdtemp(prefix="qms-prod-check-"))
    port = free_port()
    password = secrets.token_urlsafe(24)
    env = production_environment(database_url=f"{PG_SERVER}/{database}", tmp=tmp, port=port, key_prefix=key_prefix)
    env["PROD_CHECK_PASSWORD"] = password
    process = None

    # Ctrl-C or a CI timeout (SIGTERM) still cleans up: both become an exception the finally sees.
    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    print(f"== prod-check: database {database}, port {port}, Redis {REDIS_URL} prefix {key_prefix}", flush=True)
    try:
        prepare_services(database)
        deploy_check(env)
        manifest = migrate_and_collectstatic(env, tmp)
        catalogues_compiled()
        image_url, token = create_data(env)
        process = launch_gunicorn(env, tmp)
        wait_for_health(process, port, tmp)
        browser = Browser(port)
        https_redirect(browser)
        login_page = security_headers(browser)
        media_signed_out(browser, image_url)
        api_without_token(browser)
        sign_in(browser, login_page, password, key_prefix)
        pdf_report(browser)
        export(browser)
        api_with_token(browser, token)
        static_file(browser, manifest)
        media_signed_in(browser, image_url)
        access_log(browser, tmp)
    except CheckFailed:
        tail = log_tail(tmp)
        if tail:
            print(f"-- gunicorn's last lines:\n{tail}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("prod-check interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        clean_up(database=database, tmp=tmp, key_prefix=key_prefix, process=process)
    print(f"== prod-check passed in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
