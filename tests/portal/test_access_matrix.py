"""The role matrix: every route of the app, as every role, against the role table of DESIGN.md
(and the "who" column of API.md for the JSON API).

Two checks:
1. What each view declares (`portal.access.declared_roles`) equals EXPECTED below. A route missing
   from EXPECTED fails the test, which prints a ready-to-paste line for it.
2. What the app actually answers: anonymous -> the login page (302) for pages and 401 for the API;
   a role not allowed -> 403; an allowed role -> past the access check (not 401/403; a 404 counts as
   past it, because the id checks run in the view). Requests use records in every user's scope.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from accounts.models import ROLES
from core.errors import API_PAGES
from core.web.access import ANONYMOUS, declared_roles
from tests.conftest import sign_in
from training.models import Action, Visit

PUBLIC = "public"
ANY = frozenset({"admin", "trainer", "site_lead", "funder"})  # any logged-in user
ADMIN = frozenset({"admin"})
TRAINER_ADMIN = frozenset({"admin", "trainer"})
SITE_LEAD_ADMIN = frozenset({"admin", "site_lead"})
CALLERS = (ANONYMOUS, *sorted(ROLES))

# endpoint -> roles for every method, or {method: roles}. Roles are a set of role names or PUBLIC.
EXPECTED: dict[str, Any] = {
    # --- anonymous users: "see only the login page and /health" --------------------------------
    "health.health": PUBLIC,
    "accounts.login": PUBLIC,
    # The OpenAPI document, as its reference page for people: for a token or a signed-in user
    # (issue 15: DESIGN.md's "login page and /health" only for anonymous users).
    "api-docs.openapi_json": ANY,
    "api_docs.docs": ANY,  # signed-in people; their account page links it
    # --- every logged-in user -------------------------------------------------------------------
    "accounts.logout": ANY,
    "accounts.account": ANY,  # each user's own API tokens
    "accounts.revoke": ANY,  # own tokens only: the view answers 404 for someone else's
    "accounts.password": ANY,  # one's own password, the current one asked
    "accounts.sign_out_other_sessions": ANY,  # one's own other sessions
    "accounts.reminders": SITE_LEAD_ADMIN,  # one's own e-mail reminders: the roles that get them
    # One's own second factor: set it up, new recovery codes, turn it off (password asked).
    "accounts.second_factor_set_up": ANY,
    "accounts.recovery_codes": ANY,
    "accounts.second_factor_turn_off": ANY,
    # The steps between the password and being signed in: open to the half-signed-in, who are
    # anonymous to Flask-Login; without a login in progress they send the caller to /login.
    "accounts.login_code": PUBLIC,
    "accounts.login_set_up": PUBLIC,
    # The pages an e-mailed link opens, and asking for one: DESIGN.md's "the invitation and
    # password-reset pages". A bad or spent link answers 404.
    "accounts.forgotten_password": PUBLIC,
    "accounts.reset_password": PUBLIC,
    "accounts.accept_invitation": PUBLIC,
    "dashboard.index": ANY,  # what needs each role today
    "dashboard.network": ANY,  # the network's figures
    # Centres of Excellence (issue 17): every role, funders included (no trainers' names for
    # them); the section "Eligible to be invited" is for admin and trainers, in the view.
    "centres.index": ANY,
    "centres_api.Centres": {"GET": ANY},
    "centres_api.EligibleCentres": {"GET": TRAINER_ADMIN},
    # How IPS spread (issue 17): the network year by year and who seeded whom, for every role,
    # funders included (counts and names of sites and organisations; no notes, no reviewers).
    "spread.by_year": ANY,
    "spread.lineage": ANY,  # links only the sites the reader may open; its programmes scoped
    "spread_api.NetworkSpread": {"GET": ANY},
    "programme.index": ANY,  # scoped: a funder sees the programmes it funds
    "programme.detail": ANY,  # scoped in the view
    "sites.index": ANY,  # scoped
    "sites.detail": ANY,  # scoped: trainer (assigned), site lead (own), funder (its programmes)
    # --- admin: "everything: programmes, targets, sites, users, assignments" -------------------
    "admin.index": ADMIN,
    "admin.audit": ADMIN,
    "admin.users": ADMIN,
    "admin.user_new": ADMIN,
    "admin.user_edit": ADMIN,
    "admin.user_invite": ADMIN,
    "admin.user_reinvite": ADMIN,
    "admin.emails": ADMIN,  # "E-mails sent"
    "admin.security_log": ADMIN,  # beside the audit log
    "admin.security_log_download": ADMIN,  # its CSV and XLSX
    "admin.user_unlock": ADMIN,  # audited
    "admin.user_second_factor_reset": ADMIN,  # audited; not one's own
    "admin.funders": ADMIN,
    "admin.funder_new": ADMIN,
    "admin.funder_edit": ADMIN,
    "admin.organisations": ADMIN,
    "admin.organisation_new": ADMIN,
    "admin.organisation_edit": ADMIN,
    "admin.sites": ADMIN,
    "admin.site_new": ADMIN,
    "admin.site_edit": ADMIN,
    "admin.designation_new": ADMIN,
    "admin.programmes": ADMIN,
    "admin.programme_new": ADMIN,
    "admin.programme_edit": ADMIN,
    "admin.participation_new": ADMIN,
    "admin.participation_edit": ADMIN,
    # --- the JSON API (API.md's "who" column) ---------------------------------------------------
    "programmes_api.NetworkSummary": {"GET": ANY},
    "programmes_api.Programmes": {"GET": ANY, "POST": ADMIN},
    "programmes_api.ProgrammeItem": {"GET": ANY, "PATCH": ADMIN},
    "programmes_api.ProgrammeProgress": {"GET": ANY},
    "programmes_api.Participations": {"POST": ADMIN},
    "sites_api.Organisations": {"GET": ANY, "POST": ADMIN},
    "sites_api.Sites": {"GET": ANY, "POST": ADMIN},
    "sites_api.SiteResource": {"GET": ANY, "PATCH": ADMIN},
    "sites_api.Designations": {"POST": ADMIN},
    "returns_api.Returns": {"GET": ANY},
    "sites_api.SiteOutcomes": {"GET": ANY},  # scoped
    # --- monthly returns: "site_lead: its own site's monthly returns"; admin: everything -------
    "programme.late_returns": ANY,  # scoped: each role sees the late sites it may read
    "returns.index": SITE_LEAD_ADMIN,  # the sites whose returns the user sends
    "returns.site_months": SITE_LEAD_ADMIN,  # own site only: checked in the view
    "returns.edit": SITE_LEAD_ADMIN,  # the form, GET and POST; own site only
    "returns_api.ReturnMonth": {"PUT": SITE_LEAD_ADMIN},  # own site only
    "returns_api.ReturnsImport": {"POST": SITE_LEAD_ADMIN},  # rows for own sites only
    "importing.upload": SITE_LEAD_ADMIN,  # GET, POST /returns/import
    "importing.template": SITE_LEAD_ADMIN,  # the template CSV
    "importing.preview": SITE_LEAD_ADMIN,  # own uploads only (404 otherwise)
    "importing.run": SITE_LEAD_ADMIN,
    "importing.result": SITE_LEAD_ADMIN,
    # Approval: "Programme staff approve returns"; a site lead asks to reopen its own approved
    # return (own site: checked in the view, 403 for another's).
    "approval.index": ADMIN,  # returns awaiting approval, filtered
    "approval.approve_many": {"POST": ADMIN},  # the list's ticked returns, at once
    "approval.approve": {"POST": ADMIN},
    "approval.send_back": ADMIN,
    "approval.reopen": ADMIN,
    "approval.ask_to_reopen": frozenset({"site_lead"}),
    "approval_api.ReturnApprove": {"POST": ADMIN},
    "approval_api.ReturnSendBack": {"POST": ADMIN},
    "approval_api.ReturnReopen": {"POST": ADMIN},
    # Queries on a return: read by staff, the site's trainers and leads (funders: aggregates
    # only); raised by staff and the assigned trainer; answered by the site's leads and staff;
    # closed and reopened by whoever raised them (a trainer) or staff. Scope checked in the view.
    "questions.page": ANY - {"funder"},
    "questions.raise_query": TRAINER_ADMIN,
    "questions.answer": SITE_LEAD_ADMIN,
    "questions.close": TRAINER_ADMIN,
    "questions.reopen": TRAINER_ADMIN,
    "questions_api.ReturnQueries": {"GET": ANY - {"funder"}, "POST": TRAINER_ADMIN},
    "questions_api.QueryAnswer": {"POST": SITE_LEAD_ADMIN},
    # --- fidelity: "trainer: visits and reviews for their sites"; funders see totals and bands
    "fidelity.review_new": TRAINER_ADMIN,  # assigned trainers only: checked in the view
    "fidelity.review_edit": TRAINER_ADMIN,  # drafts only
    "fidelity.review_check": TRAINER_ADMIN,  # a draft's check page and its "Finalise review"
    "fidelity.review_reopen": ADMIN,  # a final review back to draft, with a reason
    "fidelity.review": ANY,  # scoped; drafts only for admin and trainers; funders no item scores
    "fidelity.profile": TRAINER_ADMIN,  # API.md: GET /fidelity/profile is trainer, admin
    "fidelity_api.FidelityItems": {"GET": ANY},
    "fidelity_api.SiteFidelityReviews": {"GET": ANY, "POST": TRAINER_ADMIN},
    "fidelity_api.FidelityProfile": {"GET": TRAINER_ADMIN},
    "fidelity_api.FidelityReviewReopen": {"POST": ADMIN},
    # --- trainers' visits and actions ----------------------------------------------------------
    "admin.assignments": ADMIN,
    "admin.assignment_new": ADMIN,
    "admin.assignment_end": ADMIN,
    "visits.new": TRAINER_ADMIN,  # a trainer's assigned sites only
    "visits.detail": ANY - {"funder"},  # scoped by the visit's site; funders: aggregates only
    "visits.edit": TRAINER_ADMIN,  # admin or a trainer assigned to the visit's site
    "visits.activity": ADMIN,  # visits per trainer, sites not visited
    # DESIGN.md: "a site lead ... may mark done the actions agreed with their own site"
    "visits.actions": ANY - {"funder"},  # a trainer's sites today, a site lead's own sites
    "visits.action_status": ANY - {"funder"},  # the site's trainers and leads; leads do not drop
    "visits.action_undo": {"POST": ANY - {"funder"}},  # the same people as action_status
    "dashboard.my_sites": TRAINER_ADMIN,  # an admin passes ?trainer_id=
    "visits.calendar": TRAINER_ADMIN,
    "visits_api.SiteVisits": {"GET": ANY - {"funder"}, "POST": TRAINER_ADMIN},  # no funders
    "visits_api.ActionItem": {"PATCH": ANY - {"funder"}},  # a site lead: done or open, own site
    "visits_api.SiteAssignments": {"POST": ADMIN},
    # --- funders and publication ---------------------------------------------------------------
    "reports.funded": frozenset({"admin", "funder"}),  # "Programmes you fund"
    "reports.programme_report": ANY,  # scoped like the programme page
    "reports.network_map": ANY,  # the sites the user may read
    "reports.export": ANY,  # the pages' downloads; scoped as the API
    # Reporting completeness: each role counts the sites in its scope (a funder: its programmes')
    "completeness.index": ANY,
    "completeness.download_table": ANY,  # the page's table as CSV and XLSX
    "completeness_api.ReportingCompleteness": {"GET": ANY},
    "exports_api.Export": {"GET": ANY},  # scoped: a funder's exports hold its programmes only
    # --- between reviews and does mentoring work (issue 17): not for funders --------------------
    "fidelity_api.SiteFidelityIndicators": {"GET": ANY - {"funder"}},  # scoped
    "mentoring_effect.index": TRAINER_ADMIN,  # names sites and their rates across the network
    # --- mentoring between sites: programme staff record and end it ---------------------------
    "admin.mentoring_new": ADMIN,  # from the mentor's or the mentee's site page
    "admin.mentoring_end": ADMIN,
    "sites_api.SiteMentoring": {"POST": ADMIN},
    # --- the review cycle: staff schedule reviews; trainers see the reviews due of their sites ---
    "reviews.schedule": ADMIN,  # reviewers from the pool, conflicts refused
    "reviews.scheduled": ADMIN,  # its steps: report sent, action plan agreed, review, cancel
    "reviews.due": TRAINER_ADMIN,  # scoped: a trainer's sites today
    "reviews_api.ReviewsDue": {"GET": TRAINER_ADMIN},  # scoped
}

# =================================================================================================
# TO EXTEND: endpoints being built now. Add each under its real endpoint name when it lands (the
# test prints the missing ones with what they declare). The roles, from DESIGN.md and API.md:
#   PUT  /api/v1/sites/{id}/returns/{YYYY-MM}        SITE_LEAD_ADMIN (own site; scope in the view)
#   POST /api/v1/returns/import                      SITE_LEAD_ADMIN (own sites)
#   GET  /api/v1/sites/{id}/outcomes                 ANY (scoped)
#   GET  /api/v1/fidelity/items                      ANY
#   GET  /api/v1/sites/{id}/fidelity-reviews         ANY (scoped); POST: TRAINER_ADMIN (assigned)
#   GET  /api/v1/fidelity/profile                    TRAINER_ADMIN
#   GET  /api/v1/sites/{id}/visits                   ANY (scoped); POST: TRAINER_ADMIN (assigned)
#   PATCH /api/v1/actions/{id}                       TRAINER_ADMIN (assigned)
#   POST /api/v1/sites/{id}/assignments              ADMIN
#   GET  /api/v1/exports/{name}.csv|.xlsx            ANY (scoped)
#   pages: returns form and CSV upload -> SITE_LEAD_ADMIN; review and visit forms, "my sites"
#   -> TRAINER_ADMIN; fidelity heatmap -> ANY (network summary); funder view -> funder, admin;
#   admin assignments -> ADMIN
EXPECTED.update(
    {
        # "returns_api.ReturnMonth": {"GET": ANY, "PUT": SITE_LEAD_ADMIN},
    }
)
# =================================================================================================

IGNORED_METHODS = {"HEAD", "OPTIONS"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
NONEXISTENT_ID = 987_654
STRING_ARGUMENTS = {"month": "2020-01", "name": "returns", "format": "csv", "filename": "x"}


def _expected_roles(endpoint: str, method: str) -> frozenset[str] | None:
    entry = EXPECTED.get(endpoint)
    if isinstance(entry, dict):
        entry = entry.get(method)
    if entry is None:
        return None
    if entry == PUBLIC:
        return frozenset({ANONYMOUS, *ROLES})
    return frozenset(entry)


def _routes(app) -> list[tuple[Any, str]]:
    """(rule, method) for every route but static files, in a stable order."""
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - IGNORED_METHODS):
            routes.append((rule, method))
    return routes


def _describe(roles: frozenset[str] | None) -> str:
    if roles is None:
        return "nothing (refused to everyone)"
    if ANONYMOUS in roles:
        return "PUBLIC"
    return "{" + ", ".join(repr(r) for r in sorted(roles)) + "}"


def test_declared_roles_match_the_role_table(app) -> None:
    missing, different = [], []
    with app.test_request_context():
        seen = set()
        for rule, method in _routes(app):
            seen.add(rule.endpoint)
            declared = declared_roles(rule.endpoint, method)
            if rule.endpoint not in EXPECTED:
                missing.append(
                    f'    "{rule.endpoint}": ...,  # {method} {rule.rule} declares '
                    f"{_describe(declared)}"
                )
                continue
            expected = _expected_roles(rule.endpoint, method)
            if expected is None:
                missing.append(
                    f'    "{rule.endpoint}": {{"{method}": ...}},  # {rule.rule} '
                    f"declares {_describe(declared)}"
                )
            elif declared != expected:
                different.append(
                    f"{method} {rule.rule} ({rule.endpoint}): declares "
                    f"{_describe(declared)}, the table says {_describe(expected)}"
                )
    stale = sorted(set(EXPECTED) - seen)
    report = []
    if missing:
        report.append(
            "Endpoints missing from EXPECTED (add them to the TO EXTEND block):\n"
            + "\n".join(missing)
        )
    if different:
        report.append("Declared roles that differ from the table:\n" + "\n".join(different))
    if stale:
        report.append(f"EXPECTED names endpoints the app no longer has: {stale}")
    if report:
        print("\n\n".join(report))
    assert not report, "\n\n".join(report)


# --- the real HTTP answers -----------------------------------------------------------------------


@pytest.fixture
def network(make) -> dict[str, Any]:
    """One site inside every user's scope, and a user of each role with an API token."""
    funder = make.funder()
    programme = make.programme(funder=funder)
    site = make.site()
    participation = make.participation(programme, site)
    make.monthly_return(site, date(2020, 3, 1))
    users = {
        "admin": make.user("admin"),
        "trainer": make.user("trainer", sites=[site]),
        "site_lead": make.user("site_lead", sites=[site]),
        "funder": make.user("funder", funder=funder),
    }
    tokens = {role: make.token(user) for role, user in users.items()}
    # A visit, its action and a final review, so that the walk asks for real ones: a funder's
    # refusal of visits and actions must hold for records of its own sites (aggregates only).
    visit = Visit(
        site_id=site.id,
        trainer_id=users["trainer"].id,
        visited_on=date(2020, 3, 10),
        purpose="training",
        summary="Training on job development",
    )
    make.db.session.add(visit)
    make.db.session.flush()
    action = Action(
        site_id=site.id,
        visit_id=visit.id,
        description="Plan employer contacts",
        owner="Team",
        due_on=date(2020, 5, 1),
    )
    make.db.session.add(action)
    make.db.session.commit()
    review = make.fidelity_review(site, 100, date(2020, 2, 1))
    ids = {
        "site_id": site.id,
        "programme_id": programme.id,
        "funder_id": funder.id,
        "organisation_id": site.organisation_id,
        "participation_id": participation.id,
        "user_id": users["site_lead"].id,
        "visit_id": visit.id,
        "action_id": action.id,
        "review_id": review.id,
    }
    return {"users": users, "tokens": tokens, "ids": ids}


def _url(rule, ids: dict[str, int]) -> str:
    values: dict[str, Any] = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__
        if converter in {"IntegerConverter", "NumberConverter"}:
            values[name] = ids.get(name, NONEXISTENT_ID)
        else:
            values[name] = STRING_ARGUMENTS.get(name, "x")
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"cannot build {rule.rule} from {values}"
    return built[1]


def _call(app, network, role: str, rule, method: str):
    client = app.test_client()
    path = _url(rule, network["ids"])
    is_api = path.startswith("/api/") and path not in API_PAGES
    kwargs: dict[str, Any] = {}
    if role != ANONYMOUS:
        user = network["users"][role]
        if is_api:
            kwargs["headers"] = {"Authorization": f"Bearer {network['tokens'][role]}"}
        else:
            sign_in(client, user)
    if method in WRITE_METHODS:
        if is_api:
            kwargs["json"] = {}
        else:
            kwargs["data"] = {}
    return path, is_api, client.open(path, method=method, **kwargs)


def _to_login(response) -> bool:
    """Sent to log in by the access check: a redirect to /login that names the page (`next`).
    (Logging out also lands on /login, without `next`: that is not a refusal.)"""
    if response.status_code != 302:
        return False
    location = urlsplit(response.headers["Location"])
    return location.path == "/login" and "next" in parse_qs(location.query)


def _verdict(role: str, allowed: frozenset[str], is_api: bool, method: str, response) -> str | None:
    """What is wrong with this answer, or None."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if role in allowed:
        if status in {401, 403} or _to_login(response):
            return f"refused ({status}) though the table allows {role}"
        empty_write = is_api and method in WRITE_METHODS and role != ANONYMOUS
        if empty_write and status not in {400, 404, 409, 422}:
            return f"an empty JSON body answered {status}, not 400/404/409/422"
        return None
    if role == ANONYMOUS:
        if is_api:
            return None if status == 401 else f"anonymous got {status}, not 401"
        return None if _to_login(response) else f"anonymous got {status}, not 302 to /login"
    return None if status == 403 else f"{role} got {status}, not 403"


@pytest.mark.parametrize("role", CALLERS)
def test_every_route_answers_as_the_table_says(app, network, role) -> None:
    failures = []
    for rule, method in _routes(app):
        allowed = _expected_roles(rule.endpoint, method)
        if allowed is None:
            continue  # reported by test_declared_roles_match_the_role_table
        path, is_api, response = _call(app, network, role, rule, method)
        problem = _verdict(role, allowed, is_api, method, response)
        if problem:
            failures.append(f"{method} {path} ({rule.endpoint}) as {role}: {problem}")
    assert not failures, "\n".join(failures)


def test_undeclared_routes_are_refused_to_everyone(app, network) -> None:
    """Default deny: a view without @allow/@public is refused, even to admin."""
    from core.web.access import enforce_access

    assert app.before_request_funcs[None].count(enforce_access) == 1

    def undeclared():
        return "should never be served"

    app.view_functions["tests.undeclared"] = undeclared
    try:
        with app.test_request_context("/"):
            assert declared_roles("tests.undeclared", "GET") is None
    finally:
        del app.view_functions["tests.undeclared"]


# --- object scope: a role that may use a route still sees only its own records -------------------

# (endpoint, role): GET with a record outside that user's scope must be refused (403, or 404 so as
# not to tell that it exists). Routes where DESIGN.md lets a role read network summaries of any
# record (programme progress for trainers and site leads, for example) are not listed.
OUT_OF_SCOPE: list[tuple[str, str]] = [
    ("programme.detail", "funder"),
    ("programmes_api.ProgrammeProgress", "funder"),
    ("programmes_api.ProgrammeItem", "funder"),
    ("sites.detail", "funder"),
    ("sites.detail", "site_lead"),
    ("sites_api.SiteResource", "funder"),
    ("sites_api.SiteResource", "site_lead"),
    ("returns_api.Returns", "funder"),
    ("returns_api.Returns", "site_lead"),
    ("returns_api.Returns", "trainer"),
    ("sites_api.SiteOutcomes", "funder"),
    ("sites_api.SiteOutcomes", "site_lead"),
    ("sites_api.SiteOutcomes", "trainer"),
    ("returns.edit", "site_lead"),
    ("fidelity_api.SiteFidelityReviews", "funder"),
    ("fidelity_api.SiteFidelityReviews", "site_lead"),
    ("fidelity_api.SiteFidelityReviews", "trainer"),
    ("fidelity.review_new", "trainer"),
    ("visits_api.SiteVisits", "funder"),
    ("visits_api.SiteVisits", "site_lead"),
    ("visits_api.SiteVisits", "trainer"),
    ("reports.programme_report", "funder"),
    ("returns.site_months", "site_lead"),
    ("questions.page", "site_lead"),
    ("questions.page", "trainer"),
    ("questions_api.ReturnQueries", "site_lead"),
    ("questions_api.ReturnQueries", "trainer"),
]


def test_records_outside_a_users_scope_are_refused(app, network, make) -> None:
    other_programme = make.programme()  # another funder's
    other_site = make.site()  # in no programme, nobody's site, nobody assigned
    make.participation(other_programme, other_site)
    make.monthly_return(other_site, date(2020, 3, 1))
    outside = {**network["ids"], "site_id": other_site.id, "programme_id": other_programme.id}
    rules = {rule.endpoint: rule for rule, method in _routes(app) if method == "GET"}
    failures = []
    for endpoint, role in OUT_OF_SCOPE:
        rule = rules.get(endpoint)
        if rule is None:
            continue  # not built yet, or it has no GET
        path, _, response = _call(app, {**network, "ids": outside}, role, rule, "GET")
        if response.status_code not in {403, 404}:
            failures.append(f"GET {path} ({endpoint}) as {role}: {response.status_code}")
    assert not failures, "records outside the user's scope were served:\n" + "\n".join(failures)
