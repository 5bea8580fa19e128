"""Settings: every value comes from an environment variable, with a safe default."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


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

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")

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
    # An edit to static/js or static/css shows on the next reload.
    STATIC_MAX_AGE = int(os.environ.get("STATIC_MAX_AGE", "0"))
    STATIC_AUTOREFRESH = True


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"


CONFIGS = {
    "production": Config,
    "development": DevelopmentConfig,
    "test": TestConfig,
}
