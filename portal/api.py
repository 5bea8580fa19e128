"""The JSON API's frame: its blueprints, the reference page and JSON-only request bodies.

Each domain package has an `api.py` with a flask-smorest Blueprint; this module registers them.
Errors take the contract's shape in portal.errors; access is declared per method with @allow.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, render_template, request
from flask_smorest import Api

from accounts.models import EVERY_ROLE
from core.extensions import csrf
from core.web.access import allow
from core.web.json_limits import refuse_deep_json
from portal.api_errors import ErrorResponses, register_error_shape
from portal.api_reference import reference

JSON_METHODS = {"POST", "PUT", "PATCH"}
NON_JSON_ENDPOINTS = {"returns_api.ReturnsImport"}

docs = Blueprint("api_docs", __name__)


@docs.route("/api/docs", endpoint="docs")
@allow(*EVERY_ROLE)
def docs_page() -> Any:
    """The API's reference for the people who may use it: every signed-in user can make a token
    on their account page, which links here."""
    groups, shapes = reference(api.spec.to_dict())
    return render_template("api/docs.html", groups=groups, shapes=shapes)


def require_json_body() -> None:
    if request.routing_exception is not None:
        return  # no such route or method: that answer (404, 405) comes first
    if not request.path.startswith("/api/") or request.method not in JSON_METHODS:
        return
    if request.endpoint in NON_JSON_ENDPOINTS:
        return
    refuse_deep_json(request)
    if not request.is_json or request.get_json(silent=True) is None:
        abort(400, "The body must be a JSON object (Content-Type: application/json).")


class PortalApi(Api):
    # No catch-all "default" answer: each operation declares its own (portal.api_errors).
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        """The app's own handlers (portal.errors) answer in the contract's shape."""

    def _register_responses(self) -> None:
        register_error_shape(self.spec)

    @allow(*EVERY_ROLE)
    def _openapi_json(self) -> Any:
        """For a token or a signed-in person (accounts.signed_in.API_DOCUMENT), as the reference
        page (docs_page) is: 401 without either."""
        return super()._openapi_json()


api = PortalApi(spec_kwargs={"extra_plugins": [ErrorResponses()]})


def register_api(app: Flask) -> None:
    from portal.sites.api import blp as sites_blp
    from programme.api import blp as programmes_blp
    from programme.completeness.api import blp as completeness_blp
    from programme.reports.api import blp as exports_blp
    from programme.spread.api import blp as spread_blp
    from sites.returns.api import blp as returns_blp
    from sites.returns.approval.api import blp as approval_blp
    from sites.returns.importing import api as importing_api  # noqa: F401  (adds its route to returns_blp)
    from sites.returns.questions.api import blp as questions_blp
    from training.centres.api import blp as centres_blp
    from training.fidelity.api import blp as fidelity_blp
    from training.reviews.api import blp as reviews_blp
    from training.visits.api import blp as visits_blp

    api.init_app(app)
    app.register_blueprint(docs)
    for blueprint in (
        sites_blp,
        returns_blp,
        approval_blp,
        questions_blp,
        programmes_blp,
        completeness_blp,
        exports_blp,
        spread_blp,
        fidelity_blp,
        visits_blp,
        reviews_blp,
        centres_blp,
    ):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "An API token"}
    )
    api.spec.options["security"] = [{"bearer": []}]
    app.before_request(require_json_body)
