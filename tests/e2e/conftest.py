"""Browser tests: Debian's Chromium driven by Playwright, axe-core for WCAG, the real CSP enforced.

Every test here is marked `e2e`. Without /usr/bin/chromium or axe-core (`make e2e-deps`) the
directory is skipped with the reason; with QMS_REQUIRE_E2E=1 (CI) a missing piece fails the run.

Each test gets a fresh browser context (Turkish locale) on a live server whose database is back
in its post-migration state (serialized rollback) and loaded with `seed_demo`. The `ui` fixture
collects what the browser reports while the test runs (CSP violations, JavaScript errors), runs
axe-core in the page and saves screenshots to tests/artifacts/. Every axe finding, blocking or
not, is also written to tests/artifacts/axe-report.txt.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = E2E_DIR / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = E2E_DIR.parent / "artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing_requirement() -> str | None:
    if not CHROMIUM.exists():
        return f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
    if not AXE_JS.exists():
        return f"browser tests need axe-core at {AXE_JS} (run `make e2e-deps`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need the playwright Python package (pip install -e '.[dev]')"
    return None


def pytest_collection_modifyitems(config, items):
    missing = _missing_requirement()
    required = os.environ.get("QMS_REQUIRE_E2E") == "1"
    for item in items:
        if E2E_DIR not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if missing and not required:
            item.add_marker(pytest.mark.skip(reason=missing))


@pytest.fixture(scope="session", autouse=True)
def _e2e_requirements():
    missing = _missing_requirement()
    if missing:
        # Only reached with QMS_REQUIRE_E2E=1 (otherwise the tests were skipped at collection).
        pytest.fail(f"QMS_REQUIRE_E2E=1: {missing}", pytrace=False)


@pytest.fixture(scope="package", autouse=True)
def _sync_orm_under_playwright():
    """Playwright's sync API runs an event loop in this thread, in which Django's ORM refuses to
    run unless DJANGO_ALLOW_ASYNC_UNSAFE is set. Set only while these tests run: left set, it
    reaches later tests' subprocesses (`manage.py check --deploy` fails on it, async.E001)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(_sync_orm_under_playwright):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="package")
def axe_log():
    """Every axe finding, by page, written to tests/artifacts/axe-report.txt when the tests end."""
    findings: dict[str, list[dict]] = {}
    yield findings
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lines = [f"axe-core WCAG check ({', '.join(WCAG_TAGS)}); blocking impacts: {sorted(BLOCKING_IMPACTS)}", ""]
    for name, violations in findings.items():
        lines.append(f"{name}: " + ("no violation" if not violations else f"{len(violations)} rule(s)"))
        if violations:
            lines.append(format_violations(violations))
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # one report per worker under pytest -n
    name = f"axe-report-{worker}.txt" if worker else "axe-report.txt"
    (ARTIFACTS / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="package")
def _post_migrate_state(browser, post_migrate_snapshot, django_db_blocker):
    """Make sure serialized rollback has the post-migration state to restore.

    pytest-django serializes the test database when it creates it, onto the connection object
    of that moment. Starting Playwright switches this thread to another context, in which Django
    hands out a new connection object without it (seen when other tests create the database
    before the browser starts). Give the new connection the snapshot taken before any test ran
    (tests/conftest.py), not the database as it is now: a transactional test before these ones
    has flushed it.
    """
    from django.db import connections

    with django_db_blocker.unblock():
        for alias in connections:
            connection = connections[alias]
            if not hasattr(connection, "_test_serialized_contents"):
                connection._test_serialized_contents = post_migrate_snapshot[alias]


@pytest.fixture
def seeded(request, settings, _post_migrate_state, live_server, django_db_serialized_rollback):
    """The live server, its database in the post-migration state plus `seed_demo`.

    Serialized rollback puts back what migrations created (Wagtail's root page, locale,
    collection, the role groups) after the previous test's flush; seeding takes well under a
    second. The cache is cleared because Wagtail caches the site's root paths, and the reseeded
    site has new primary keys.
    """
    marker = request.node.get_closest_marker("seed_modules")
    if marker is not None:  # a test that needs only some modules' demo data is seeded faster
        settings.QMS_SEED_MODULES = [m for m in settings.QMS_SEED_MODULES if m in marker.args]
    cache.clear()
    call_command("seed_demo", stdout=io.StringIO())
    cache.clear()
    return live_server


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    at {json.dumps(node['target'], ensure_ascii=False)}: {node['html'][:200]}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", "\n      "))
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


AXE_RUN = """async ([exclude, tags]) => {
    const context = exclude.length ? {include: [document], exclude: exclude.map(s => [s])} : document;
    const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
    const result = await window.__qmsAxe.run(context, options);
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
    }));
}"""

# Jump finite CSS animations and transitions to their end before axe looks: a message fading
# in has, for a moment, colours that fail the contrast check (seen on the login error). Endless
# ones (spinners) are left alone.
SETTLE = """() => document.getAnimations()
    .filter(a => a.effect && a.effect.getTiming().iterations !== Infinity)
    .forEach(a => a.finish())"""

# Markers left by templates/wagtailadmin/ overrides that qms/js/admin.js has not started.
UNSTARTED_MARKERS = """() => [...document.querySelectorAll("template[data-qms-init]")]
    .filter(el => el.dataset.qmsInitialised !== "true" && !(el.dataset.qmsTarget || "").includes("__prefix__"))
    .map(el => el.outerHTML)"""


@dataclass
class UI:
    """A Playwright page on the live server, with what the browser reported while it ran."""

    page: object
    base_url: str
    axe_source: str
    axe_log: dict
    csp_violations: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)
    closer: Callable[[], None] | None = field(default=None, repr=False)

    def close(self) -> None:
        """Close this UI's browser context (once; later calls do nothing)."""
        closer, self.closer = self.closer, None
        if closer is not None:
            closer()

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        return self.page.goto(self.url(path), wait_until="load")

    def login(self, username: str, password: str | None = None, *, next_path: str = "") -> None:
        """Sign in through the real login form (as a person would)."""
        self.goto("/admin/login/" + (f"?next={quote(next_path)}" if next_path else ""))
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", settings.QMS_DEMO_PASSWORD if password is None else password)
        with self.page.expect_navigation(wait_until="load"):
            self.page.click("form.login-form button[type=submit]")
        # Let the dashboard's own requests finish before the test goes on (and reads the database).
        self.page.wait_for_load_state("networkidle")

    def axe(self, *, exclude: list[str] | None = None) -> list[dict]:
        """Run axe-core (WCAG 2.0/2.1 A and AA) on the page; return the violations.

        axe's source is evaluated through the DevTools protocol, which the page's CSP does not
        govern (a <script> tag added to the page would be blocked, and reported as a violation),
        so the CSP stays enforced for everything the page itself runs.
        """
        if not self.page.evaluate("() => Boolean(window.__qmsAxe)"):
            # Wagtail's own accessibility checker may have put its (older) axe on window.axe:
            # keep ours, the version package.json pins, under its own name, and put theirs back.
            self.page.evaluate("() => { window.__qmsOtherAxe = window.axe; }")
            self.page.evaluate(self.axe_source)
            self.page.evaluate("() => { window.__qmsAxe = window.axe; window.axe = window.__qmsOtherAxe; }")
        self.page.evaluate(SETTLE)
        return self.page.evaluate(AXE_RUN, [exclude or [], WCAG_TAGS])

    def assert_accessible(self, name: str, *, exclude: list[str] | None = None) -> list[dict]:
        """Fail on any serious or critical axe violation; log every violation for the report.

        `exclude`: CSS selectors of Wagtail-owned elements left out of the check; each use must
        name the axe rule and the reason next to it.
        """
        violations = self.axe(exclude=exclude)
        self.axe_log[name] = violations
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe: serious/critical WCAG violations on {name}:\n" + format_violations(blocking)
        return violations

    def assert_no_csp_violation(self, name: str) -> None:
        """No CSP violation and no JavaScript error so far, and every admin widget was started."""
        assert not self.csp_violations, f"CSP violations on {name}:\n  " + "\n  ".join(self.csp_violations)
        assert not self.js_errors, f"JavaScript errors on {name}:\n  " + "\n  ".join(self.js_errors)
        unstarted = self.page.evaluate(UNSTARTED_MARKERS)
        assert not unstarted, f"widgets not started by qms/js/admin.js on {name}:\n  " + "\n  ".join(unstarted)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def open_ui(browser, base_url: str, axe_source: str, axe_log: dict) -> UI:
    """A new browser context (Turkish, Istanbul time, signed out) with one page on base_url;
    `UI.close()` closes it."""
    context = browser.new_context(
        locale="tr-TR", timezone_id="Europe/Istanbul", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    state = UI(page=page, base_url=base_url, axe_source=axe_source, axe_log=axe_log)

    def on_console(message):
        if "Content Security Policy" in message.text:
            state.csp_violations.append(f"{page.url}: {message.text}")
        elif message.type == "error" and message.text.startswith("qms:"):
            # qms/js/admin.js reports a widget it could not start (and carries on with the rest).
            state.js_errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: state.js_errors.append(f"{page.url}: {error}"))

    def close() -> None:
        # Leaving an edit page makes Wagtail send a beacon that ends the editing session; Playwright
        # does not see beacons, so wait on the server side (the session row is deleted) until the
        # request is done, while this test's database still exists.
        page.goto("about:blank")
        from wagtail.admin.models import EditingSession

        deadline = time.monotonic() + 3
        while EditingSession.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.05)  # the rest of that request (its response) after the delete
        context.close()

    state.closer = close
    return state


@pytest.fixture
def ui(browser, seeded, axe_source, axe_log):
    state = open_ui(browser, seeded.url, axe_source, axe_log)
    yield state
    state.close()


@pytest.fixture
def ui_factory(browser, seeded, axe_source, axe_log):
    """ui_factory() -> a new UI (its own browser context, signed out) on the same seeded server.

    For a test that walks several people through a database it only reads: one seed for all of
    them. Every UI it opened is closed at the end of the test."""
    opened = []

    def factory() -> UI:
        opened.append(open_ui(browser, seeded.url, axe_source, axe_log))
        return opened[-1]

    yield factory
    for state in opened:
        state.close()
