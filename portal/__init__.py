"""The application factory. `flask --app portal` finds create_app."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader

from config import CONFIGS, ROOT, Config
from core.web import access


def create_app(config_object: type[Config] | str | None = None, **overrides: Any) -> Flask:
    app = Flask(
        __name__,
        root_path=str(ROOT),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    configure_settings(app, config_object, overrides)
    configure_proxies(app)
    configure_routing(app)
    configure_templates(app)
    configure_static(app)
    configure_extensions(app)
    configure_security(app)
    configure_blueprints(app)
    access.check_declarations(app)
    configure_cli(app)
    return app


def configure_settings(app: Flask, config_object: Any, overrides: dict[str, Any]) -> None:
    if config_object is None:
        config_object = os.environ.get("PORTAL_CONFIG", "production")
    if isinstance(config_object, str):
        config_object = CONFIGS[config_object]
    app.config.from_object(config_object)
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("Set SECRET_KEY (or PORTAL_CONFIG=development for a local run).")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):  # the form some hosts hand out; SQLAlchemy wants psycopg's
        uri = "postgresql+psycopg://" + uri.removeprefix("postgres://")
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)


def configure_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES load balancers, the client's address and scheme are the ones they
    forward (X-Forwarded-For, X-Forwarded-Proto); with none, those headers are ignored."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def configure_routing(app: Flask) -> None:
    from core.months import MonthConverter

    app.url_map.converters["month"] = MonthConverter


def configure_templates(app: Flask) -> None:
    from core.web import layout
    from sites.returns import rules as return_rules

    app.jinja_loader = ChoiceLoader(
        [FileSystemLoader(str(ROOT / "templates")), PackageLoader("nhsuk_frontend_jinja")]
    )
    app.jinja_env.undefined = ChainableUndefined
    # The NHS.UK macros are .jinja files, which Flask would not autoescape; they mark their own
    # `html` parameters safe, so escaping everything is what they expect.
    app.jinja_env.autoescape = True
    layout.init_app(app)
    app.jinja_env.globals["first_contact_means"] = return_rules.FIRST_CONTACT_MEANS


def configure_static(app: Flask) -> None:
    from portal import assets

    assets.init_app(app)


def configure_extensions(app: Flask) -> None:
    from accounts import models  # noqa: F401  (tables register with the metadata
    from core import audit, mail  # noqa: F401  (tables register with the metadata
    from core.extensions import csrf, db, limiter, login_manager, migrate
    from programme import models as programme_models  # noqa: F401
    from sites import models as sites_models  # noqa: F401
    from training import models as training_models  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Log in to see this page."
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    limiter.init_app(app)
    audit.init_audit()
    mail.init_app(app)


def configure_security(app: Flask) -> None:
    from accounts.models import ROLES
    from core.web import access
    from portal import errors, permissions, security

    errors.init_app(app)
    permissions.init_app(app)
    security.init_app(app)
    access.init_app(app, roles=ROLES)


def configure_blueprints(app: Flask) -> None:
    from accounts import views as accounts
    from portal import health
    from portal.admin import views as admin
    from portal.api import register_api
    from portal.dashboard import views as dashboard
    from portal.sites import views as sites
    from programme import views as programme
    from programme.completeness import views as completeness
    from programme.reports import views as reports
    from programme.spread import views as spread
    from sites.returns import views as returns
    from sites.returns.approval import views as approval
    from sites.returns.importing import views as importing
    from sites.returns.questions import views as questions
    from training.centres import views as centres
    from training.fidelity import views as fidelity
    from training.mentoring_effect import views as mentoring_effect
    from training.reviews import views as reviews
    from training.visits import views as visits

    for module in (
        health,
        accounts,
        dashboard,
        admin,
        sites,
        programme,
        completeness,
        returns,
        approval,
        importing,
        questions,
        reports,
        spread,
        fidelity,
        visits,
        mentoring_effect,
        reviews,
        centres,
    ):
        app.register_blueprint(module.bp)
    register_api(app)


def configure_cli(app: Flask) -> None:
    from portal import cli

    cli.init_app(app)
