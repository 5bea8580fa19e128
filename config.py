"""Settings: every value comes from an environment variable, with a safe default."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _names(name: str, default: str) -> frozenset[str]:
    """A comma-separated list, such as roles: "admin,trainer"; empty for none."""
    return frozenset(
        part.strip() for part in os.environ.get(name, default).split(",") if part.strip()
    )


class Config:
    """Production defaults: secure cookies, a secret key that must be set."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'portal.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 8 * 60 * 60

    WTF_CSRF_TIME_LIMIT = None

    # Strict-Transport-Security (portal/security.py): browsers that saw it use https only, for
    # this host and its subdomains, for this many seconds. 0 sends none (plain http on 127.0.0.1).
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 60 * 60)))

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")

    # Signing in (accounts/): a session ends after this many minutes without a request, and its
    # "last seen" time is written at most once in this many seconds. The forgotten-password form
    # and the invitation and reset links' password forms are limited like the login.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", str(8 * 60)))
    SESSION_TOUCH_SECONDS = int(os.environ.get("SESSION_TOUCH_SECONDS", "60"))
    ACCOUNT_LINK_RATE_LIMIT = os.environ.get("ACCOUNT_LINK_RATE_LIMIT", "5 per minute")
    INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "7"))
    PASSWORD_RESET_MINUTES = int(os.environ.get("PASSWORD_RESET_MINUTES", "60"))

    # A second factor (accounts/second_factor.py: an authenticator app's codes) is required at
    # login for these roles (comma-separated; empty for none) and optional for the others.
    SECOND_FACTOR_REQUIRED_ROLES = _names("SECOND_FACTOR_REQUIRED_ROLES", "admin")
    # Per-account lockout (accounts/lockout.py): this many failed logins or security codes within
    # the window lock the account for LOCKOUT_MINUTES (or until programme staff unlock it).
    LOCKOUT_FAILURES = int(os.environ.get("LOCKOUT_FAILURES", "10"))
    LOCKOUT_WINDOW_MINUTES = int(os.environ.get("LOCKOUT_WINDOW_MINUTES", "15"))
    LOCKOUT_MINUTES = int(os.environ.get("LOCKOUT_MINUTES", "15"))
    # How many proxies (load balancers) in front of the app set X-Forwarded-For and
    # X-Forwarded-Proto: their values are then trusted (Werkzeug's ProxyFix), so that the rate
    # limit and the security log see the client's address. 0: the headers are ignored.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    # E-mail (core/mail.py), sent through an SMTP server after the request's transaction commits.
    # MAIL_TLS: "none" (a server on this host), "starttls" (usually port 587) or "implicit"
    # (SMTPS, usually port 465). The default is the local server that `make run` starts.
    MAIL_HOST = os.environ.get("MAIL_HOST", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "8025"))
    MAIL_TLS = os.environ.get("MAIL_TLS", "none")
    MAIL_USER = os.environ.get("MAIL_USER") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "IPS Network Tracker <no-reply@localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    # The address that links in e-mails start with, such as https://ips.example.org. Set it in
    # production: unset, links follow the Host header of the request that sent them.
    BASE_URL = os.environ.get("BASE_URL") or None

    # Working days after a month ends before its return counts as late.
    LATE_RETURN_WORKING_DAYS = int(os.environ.get("LATE_RETURN_WORKING_DAYS", "10"))

    # The fidelity review cadence of DESIGN.md: months from a final review to the next one (below
    # Good, Good or Exemplary, a Centre of Excellence), and from launch to a site's first review.
    REVIEW_MONTHS_BELOW_GOOD = int(os.environ.get("REVIEW_MONTHS_BELOW_GOOD", "6"))
    REVIEW_MONTHS_GOOD = int(os.environ.get("REVIEW_MONTHS_GOOD", "12"))
    REVIEW_MONTHS_CENTRE = int(os.environ.get("REVIEW_MONTHS_CENTRE", "36"))
    FIRST_REVIEW_MONTHS = int(os.environ.get("FIRST_REVIEW_MONTHS", "6"))
    # A trainer's home lists the sites they have not visited for this many days.
    VISIT_DUE_AFTER_DAYS = int(os.environ.get("VISIT_DUE_AFTER_DAYS", "90"))

    # The charity that runs the portal, named in every page's header beside the service name.
    # The portal is not an NHS service, so the header carries no NHS logo.
    ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "IPS Network")

    API_TITLE = "IPS Network Tracker API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    PAGE_SIZE = 50
    MAX_PAGE_SIZE = 500

    # "Find by ODS code" on the organisation form (sites/ods.py): the NHS Organisation Data
    # Service for a code's name and postcode, postcodes.io for the postcode's region and place.
    ODS_API_URL = os.environ.get(
        "ODS_API_URL", "https://directory.spineservices.nhs.uk/ORD/2-0-0/organisations"
    )
    POSTCODES_API_URL = os.environ.get("POSTCODES_API_URL", "https://api.postcodes.io/postcodes")
    OUTSIDE_SERVICE_TIMEOUT = float(os.environ.get("OUTSIDE_SERVICE_TIMEOUT", "5"))

    # No request body beyond this is read (a 100,000-row CSV of returns is about 6 MB; the
    # import itself refuses files over 20 MB with its own message).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(25 * 1024 * 1024)))

    # Static files (portal/assets.py): the content-hashed copies in static/vendor/ are cached for
    # ever; any other file for this many seconds. Autorefresh rereads static/ on every request
    # (development only).
    STATIC_MAX_AGE = int(os.environ.get("STATIC_MAX_AGE", "60"))
    STATIC_AUTOREFRESH = False


class DevelopmentConfig(Config):
    """`make run`: plain http on 127.0.0.1, so the session cookie cannot be Secure."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-not-secret")
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    HSTS_SECONDS = 0
    # An edit to static/js or static/css shows on the next reload.
    STATIC_MAX_AGE = int(os.environ.get("STATIC_MAX_AGE", "0"))
    STATIC_AUTOREFRESH = True
    # The demo logins work at once: no second factor unless asked for.
    SECOND_FACTOR_REQUIRED_ROLES = _names("SECOND_FACTOR_REQUIRED_ROLES", "")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    HSTS_SECONDS = 0
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    SECOND_FACTOR_REQUIRED_ROLES: frozenset[str] = frozenset()  # a test turns it on
    TRUSTED_PROXIES = 0
    # Nothing listens here: a test that sends mail starts its own SMTP server (tests/conftest.py).
    MAIL_HOST = "127.0.0.1"
    MAIL_PORT = 9
    MAIL_TIMEOUT = 5.0
    BASE_URL = None


CONFIGS = {
    "production": Config,
    "development": DevelopmentConfig,
    "test": TestConfig,
}
