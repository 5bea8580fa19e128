"""A crawler: logs in as each role (and as nobody), follows every same-origin link reachable from
the first page, submits each distinct form once empty (its error state), visits a few error
pages on purpose (404, and 403 for /admin/ when not an admin), and on every page finds
no axe-core violation of any impact, no markup shown as text, no 5xx (no 4xx from a link), no
console error, a non-empty title and exactly one h1. Every problem is collected and reported at
the end (role, URL, problem), so one failure does not hide the others.

The data is the demo network (portal.demo.load), with the demo logins' passwords set to the test
password. Pages are capped per role, one URL per route pattern (digits in the path collapsed, the
query's keys kept), so the whole crawl stays within a few minutes.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser import axe
from tests.browser.pages import TIMEOUT_MS, Watch, log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

ROLES = ("anonymous", "funder", "site_lead", "trainer", "admin")  # admin last: its forms write
MAX_PAGES = 60
MAX_FORMS = 40
EVERY_IMPACT = ("minor", "moderate", "serious", "critical")
VISIBLE_MARKUP = ("<a href", "&lt;", "{{")
# Links that download a file, leave the HTML pages, or end the session.
SKIP_LINK = re.compile(r"/logout|/exports/|/api/|/static/|\.(csv|xlsx|ics|json|pdf)(\?|$)")
# Forms whose empty submission is not an error state but an act.
SKIP_FORM = re.compile(r"logout|revoke|delete|remove|destroy|archive", re.IGNORECASE)
FORM_OK_STATUSES = (200, 400, 409, 422)  # 400/409/422: the page that shows a form's errors
MISSING = "/no-such-page-here"
# Error states reached on purpose, per role: (path, the status it should answer).
ERROR_PAGES = {
    "anonymous": [(MISSING, 404), ("/admin/", 200)],  # /admin/: sent to the login page
    "funder": [(MISSING, 404), ("/admin/", 403)],
    "site_lead": [(MISSING, 404), ("/admin/", 403)],
    "trainer": [(MISSING, 404), ("/admin/", 403)],
    "admin": [(MISSING, 404), ("/sites/2147483647", 404)],
}

CLEAR_FORM = """form => {
    form.noValidate = true;
    for (const field of form.elements) {
        const type = (field.type || '').toLowerCase();
        if (['hidden', 'submit', 'button', 'reset', 'image', 'file'].includes(type)) continue;
        if (type === 'checkbox' || type === 'radio') { field.checked = false; continue; }
        if (field.tagName === 'SELECT') {
            const blank = [...field.options].findIndex(o => o.value === '');
            field.selectedIndex = blank;
            continue;
        }
        if ('value' in field) field.value = '';
    }
}"""

FORMS = """() => [...document.forms].map((form, index) => ({
    index,
    method: (form.getAttribute('method') || 'get').toLowerCase(),
    // Not form.action: a field named "action" (a return's form has one) would shadow it.
    action: new URL(form.getAttribute('action') || '', location.href).href,
    fields: [...form.elements].filter(f => !['hidden', 'submit', 'button', 'reset', 'image']
        .includes((f.type || '').toLowerCase()) && !['BUTTON', 'FIELDSET'].includes(f.tagName)
    ).length,
}))"""


@dataclass
class Crawl:
    role: str
    origin: str
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)

    def problem(self, url: str, what: str) -> None:
        self.problems.append((self.role, self.local(url), what))

    def local(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")


def pattern(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def same_origin(url: str, origin: str) -> str | None:
    """The URL without its fragment if it is one of the live server's pages to crawl, else None."""
    if not url.startswith(origin + "/"):
        return None
    url = url.split("#", 1)[0]
    if SKIP_LINK.search(urlsplit(url).path + ("?" + urlsplit(url).query)):
        return None
    return url


def check_page(
    page, watch: Watch, crawl: Crawl, status: int | None, via: str, expect: int | None = None
) -> None:
    url = page.url
    if expect is not None:
        if status != expect:
            crawl.problem(url, f"HTTP {status} ({via}; want {expect})")
        # Chromium logs the document's own 4xx as a failed resource: intended here.
        watch.errors[:] = [e for e in watch.errors if f"status of {expect} " not in e]
    elif status is None:
        crawl.problem(url, f"no response ({via})")
    elif status >= 500:
        crawl.problem(url, f"HTTP {status} ({via})")
    elif via == "link" and status >= 400:
        crawl.problem(url, f"HTTP {status} from a link")
    elif via.startswith("form") and status not in FORM_OK_STATUSES:
        crawl.problem(url, f"HTTP {status} ({via})")
    try:
        page.wait_for_load_state("load")
    except Exception as error:  # noqa: BLE001 - reported, not raised
        crawl.problem(url, f"page did not finish loading: {error}")
    title = page.title().strip()
    if not title:
        crawl.problem(url, "empty or missing <title>")
    h1s = page.locator("h1").count()
    if h1s != 1:
        crawl.problem(url, f"{h1s} h1 elements (want exactly one)")
    text = page.inner_text("body")
    for marker in VISIBLE_MARKUP:
        if marker in text:
            at = text.index(marker)
            crawl.problem(url, f"visible markup {marker!r}: …{text[max(0, at - 40) : at + 60]!r}…")
    try:
        found = axe.violations(page, impacts=EVERY_IMPACT)
    except Exception as error:  # noqa: BLE001
        crawl.problem(url, f"axe did not run: {error}")
        found = []
    for violation in found:
        targets = ", ".join(str(n["target"]) for n in violation["nodes"][:3])
        crawl.problem(
            url,
            f"axe {violation['id']} ({violation['impact']}): {violation['help']} — {targets}",
        )
    for error in watch.errors:
        crawl.problem(url, error)
    for outside in watch.outside:
        crawl.problem(url, f"request left the live server: {outside}")
    watch.errors.clear()
    watch.outside.clear()


def submit_forms(page, watch: Watch, crawl: Crawl, seen_forms: set[str]) -> None:
    """Submit each of the page's eligible forms, emptied, once per (method, action pattern):
    POST forms first (their error states), then GET ones (filters)."""
    from_url = page.url
    todo = []
    for form in page.evaluate(FORMS):
        action, method = form["action"], form["method"]
        if not action.startswith(crawl.origin + "/") or SKIP_FORM.search(action):
            continue
        if method == "post" and form["fields"] == 0:
            continue  # a button that does something (submit, run an import), not a form to fill
        key = f"{method.upper()} {pattern(action)}"
        if key not in seen_forms:
            seen_forms.add(key)
            todo.append((method != "post", form["index"], key))
    for _, index, key in sorted(todo):
        if len(crawl.forms) >= MAX_FORMS:
            return
        if page.url != from_url:
            page.goto(from_url)
        handle = page.evaluate_handle("i => document.forms[i]", index)
        handle.evaluate(CLEAR_FORM)
        watch.errors.clear()
        watch.outside.clear()
        try:
            with page.expect_navigation() as navigation:
                handle.evaluate(
                    """form => {
                        const button = form.querySelector(
                            'button:not([type]), button[type=submit], input[type=submit]');
                        button ? button.click() : form.requestSubmit();
                    }"""
                )
            response = navigation.value
        except Exception as error:  # noqa: BLE001
            crawl.problem(from_url, f"{key}: submitting the empty form did not navigate: {error}")
            continue
        crawl.forms.append(f"{key} from {crawl.local(from_url)}")
        check_page(page, watch, crawl, response.status if response else None, f"form {key}")


def crawl_role(browser, live_server: str, role: str, email: str | None) -> Crawl:
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch = Watch(live_server)
    watch.attach(page)
    crawl = Crawl(role, live_server)
    try:
        if email:
            log_in(page, email)
            page.wait_for_url(f"{live_server}/")
            start = f"{live_server}/"
        else:
            start = f"{live_server}/login"
        watch.errors.clear()
        queue: deque[str] = deque([start])
        queued = {pattern(start)}
        seen_forms: set[str] = set()
        for path, expect in ERROR_PAGES[role]:
            watch.errors.clear()
            watch.outside.clear()
            response = page.goto(f"{live_server}{path}")
            crawl.visited.append(path)
            check_page(
                page, watch, crawl, response.status if response else None, "error page", expect
            )
        watch.errors.clear()
        while queue and len(crawl.visited) < MAX_PAGES:
            url = queue.popleft()
            watch.errors.clear()
            watch.outside.clear()
            try:
                response = page.goto(url)
            except Exception as error:  # noqa: BLE001
                crawl.problem(url, f"navigation failed: {error}")
                continue
            crawl.visited.append(crawl.local(url))
            landed = page.url
            if landed.startswith(f"{live_server}/login") and email:
                crawl.problem(url, "a link sent a logged-in user back to /login")
            check_page(page, watch, crawl, response.status if response else None, "link")
            links = page.eval_on_selector_all(
                "a[href]:not([download])", "links => links.map(a => a.href)"
            )
            for link in links:
                target = same_origin(link, live_server)
                if target and pattern(target) not in queued:
                    queued.add(pattern(target))
                    queue.append(target)
            if len(crawl.forms) < MAX_FORMS:
                submit_forms(page, watch, crawl, seen_forms)
    finally:
        context.close()
    return crawl


def test_every_reachable_page_of_every_role_is_clean_and_accessible(
    browser, live_server, db
) -> None:
    from portal.demo import LOGINS, load

    load()
    emails = {}
    from accounts.models import User

    for role, email, _ in LOGINS:
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        user.set_password(PASSWORD)
        emails[role] = email
    db.session.commit()

    crawls = [crawl_role(browser, live_server, role, emails.get(role)) for role in ROLES]

    summary = "\n".join(
        f"{c.role}: {len(c.visited)} pages, {len(c.forms)} forms, {len(c.problems)} problems"
        for c in crawls
    )
    print("\n" + summary)
    for c in crawls:
        print(f"\n{c.role} pages: {c.visited}\n{c.role} forms: {c.forms}")
    problems = [p for c in crawls for p in c.problems]
    by_problem: dict[str, list[str]] = {}
    for role, url, what in problems:
        by_problem.setdefault(what, []).append(f"{role} {url}")
    report = "\n".join(
        f"{what}\n    on " + "\n    on ".join(dict.fromkeys(where))
        for what, where in by_problem.items()
    )
    assert not problems, f"{len(problems)} problems found by the crawl:\n{summary}\n\n{report}"
