"""Programme staff's pages: organisations, sites, funders, programmes, users and the audit log.

Thin views: each reads, builds a form, calls one service and commits. A service's
ValidationFailed puts its messages on the form's fields and nothing is saved; a stale version
is the app's 409 page (portal.errors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from accounts.models import User
from core.audit import AuditEvent
from core.errors import Fields, StaleVersion, ValidationFailed
from core.extensions import db
from core.paging import Page, page_number, paged
from core.web.access import allow
from portal.admin.forms import EditUserForm, NewUserForm, ods_lookup
from portal.users import create_user, update_user
from programme.forms import (
    FunderForm,
    ParticipationDatesForm,
    ParticipationForm,
    ProgrammeForm,
    profile_text,
)
from programme.models import Funder, Participation, Programme
from programme.services import (
    add_participation,
    create_funder,
    create_programme,
    update_funder,
    update_participation,
    update_programme,
)
from sites.forms import DesignationForm, OrganisationForm, SiteForm
from sites.models import Organisation, Site
from sites.services import (
    ORGANISATION_FIELDS,
    SITE_FIELDS,
    add_designation,
    create_organisation,
    create_site,
    update_organisation,
    update_site,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")

T = TypeVar("T")


# The shared steps -------------------------------------------------------------------------


def show_errors(form: FlaskForm, fields: Fields, rename: dict[str, str] | None = None) -> None:
    """Put a service's messages on the form's fields; a message for no field goes on the form."""
    for key, messages in fields.items():
        field = form._fields.get((rename or {}).get(key, key))
        if field is not None:
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)


def save(
    form: FlaskForm, change: Callable[[], T], rename: dict[str, str] | None = None
) -> T | None:
    """Validate the form and make the change; the result once committed, or None when the form
    (or the service) found a problem, with the session rolled back and the messages on the form."""
    if not form.validate_on_submit():
        return None
    try:
        result = change()
    except ValidationFailed as error:
        db.session.rollback()
        show_errors(form, error.fields, rename)
        return None
    except StaleDataError as error:  # changed between our read and our write
        raise StaleVersion() from error
    db.session.commit()
    return result


def page(template: str, form: FlaskForm | None = None, **context: Any) -> tuple[str, int]:
    """A form page: 422 when it shows errors, so a failed POST is plain to see."""
    status = 422 if form is not None and form.errors else 200
    return render_template(template, form=form, **context), status


def values(form: FlaskForm, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: form[name].data for name in names}


def paged_records(statement: sa.Select[Any]) -> Page[Any]:
    return paged(statement, page_number(), current_app.config["PAGE_SIZE"], scalars=True)


def search() -> str:
    return request.args.get("q", "").strip()[:100]


def matching(column: Any, text: str) -> Any:
    return sa.func.lower(column).contains(text.lower(), autoescape=True)


# Index ------------------------------------------------------------------------------------


@bp.route("/")
@allow("admin")
def index() -> Any:
    return render_template("admin/index.html")


# Organisations ----------------------------------------------------------------------------


@bp.route("/organisations")
@allow("admin")
def organisations() -> Any:
    q = search()
    statement = sa.select(Organisation).order_by(Organisation.name, Organisation.id)
    if q:
        statement = statement.where(matching(Organisation.name, q))
    return render_template("admin/organisations.html", page=paged_records(statement), q=q)


@bp.route("/organisations/new", methods=["GET", "POST"])
@allow("admin")
def organisation_new() -> Any:
    form = OrganisationForm()
    lookup = ods_lookup(form)  # issue 7: "Find by ODS code" fills the form for the user to check
    organisation = save(form, lambda: create_organisation(values(form, ORGANISATION_FIELDS)))
    if organisation is not None:
        flash(f"Organisation '{organisation.name}' added.")
        return redirect(url_for(".organisations"))
    return page("admin/organisation_form.html", form, lookup=lookup)


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@allow("admin")
def organisation_edit(organisation_id: int) -> Any:
    organisation = db.get_or_404(Organisation, organisation_id)
    form = OrganisationForm(obj=organisation if request.method == "GET" else None)
    lookup = ods_lookup(form)  # issue 7: "Find by ODS code" fills the form for the user to check
    saved = save(
        form,
        lambda: update_organisation(
            organisation, values(form, ORGANISATION_FIELDS), form.version.data
        ),
    )
    if saved is not None:
        flash(f"Organisation '{saved.name}' saved.")
        return redirect(url_for(".organisations"))
    return page("admin/organisation_form.html", form, organisation=organisation, lookup=lookup)


# Sites and their Centre of Excellence awards --------------------------------------------


@bp.route("/sites")
@allow("admin")
def sites() -> Any:
    q = search()
    statement = (
        sa.select(Site)
        .join(Site.organisation)
        .options(joinedload(Site.organisation))
        .order_by(Site.name, Organisation.name, Site.id)
    )
    if q:
        statement = statement.where(sa.or_(matching(Site.name, q), matching(Organisation.name, q)))
    return render_template("admin/sites.html", page=paged_records(statement), q=q)


@bp.route("/sites/new", methods=["GET", "POST"])
@allow("admin")
def site_new() -> Any:
    form = SiteForm()
    site = save(form, lambda: create_site(values(form, SITE_FIELDS)))
    if site is not None:
        flash(f"Site '{site.name}' added.")
        return redirect(url_for(".site_edit", site_id=site.id))
    return page("admin/site_form.html", form)


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@allow("admin")
def site_edit(site_id: int) -> Any:
    site = db.get_or_404(Site, site_id)
    form = SiteForm(obj=site if request.method == "GET" else None)
    saved = save(form, lambda: update_site(site, values(form, SITE_FIELDS), form.version.data))
    if saved is not None:
        flash(f"Site '{saved.name}' saved.")
        return redirect(url_for(".sites"))
    return page(
        "admin/site_form.html", form, site=site, designation_form=DesignationForm(formdata=None)
    )


@bp.route("/sites/<int:site_id>/designations/new", methods=["GET", "POST"])
@allow("admin")
def designation_new(site_id: int) -> Any:
    site = db.get_or_404(Site, site_id)
    form = DesignationForm()
    designation = save(
        form, lambda: add_designation(site, form.awarded_on.data, form.ended_on.data)
    )
    if designation is not None:
        flash(f"Centre of Excellence award recorded for {site.name}.")
        return redirect(url_for(".site_edit", site_id=site.id))
    return page("admin/designation_form.html", form, site=site)


# Funders --------------------------------------------------------------------------------


@bp.route("/funders")
@allow("admin")
def funders() -> Any:
    q = search()
    statement = sa.select(Funder).order_by(Funder.name, Funder.id)
    if q:
        statement = statement.where(matching(Funder.name, q))
    return render_template("admin/funders.html", page=paged_records(statement), q=q)


@bp.route("/funders/new", methods=["GET", "POST"])
@allow("admin")
def funder_new() -> Any:
    form = FunderForm()
    funder = save(form, lambda: create_funder(form.name.data))
    if funder is not None:
        flash(f"Funder '{funder.name}' added.")
        return redirect(url_for(".funders"))
    return page("admin/funder_form.html", form)


@bp.route("/funders/<int:funder_id>/edit", methods=["GET", "POST"])
@allow("admin")
def funder_edit(funder_id: int) -> Any:
    funder = db.get_or_404(Funder, funder_id)
    form = FunderForm(obj=funder if request.method == "GET" else None)
    saved = save(form, lambda: update_funder(funder, form.name.data, form.version.data))
    if saved is not None:
        flash(f"Funder '{saved.name}' saved.")
        return redirect(url_for(".funders"))
    return page("admin/funder_form.html", form, funder=funder)


# Programmes and the sites that take part ------------------------------------------------

PROGRAMME_FORM_FIELDS = ("name", "funder_id", "summary", "starts_on", "ends_on", "job_start_target")
PROGRAMME_ERRORS = {"funder": "funder_id"}


@bp.route("/programmes")
@allow("admin")
def programmes() -> Any:
    q = search()
    statement = (
        sa.select(Programme)
        .options(joinedload(Programme.funder))
        .order_by(Programme.starts_on.desc(), Programme.name, Programme.id)
    )
    if q:
        statement = statement.where(matching(Programme.name, q))
    return render_template("admin/programmes.html", page=paged_records(statement), q=q)


@bp.route("/programmes/new", methods=["GET", "POST"])
@allow("admin")
def programme_new() -> Any:
    form = ProgrammeForm()
    programme = save(
        form,
        lambda: create_programme(
            values(form, PROGRAMME_FORM_FIELDS)
            | {"target_profile": form.target_profile.points or None}
        ),
        PROGRAMME_ERRORS,
    )
    if programme is not None:
        flash(f"Programme '{programme.name}' added. Now add the sites that take part.")
        return redirect(url_for(".programme_edit", programme_id=programme.id))
    return page("admin/programme_form.html", form)


def _programme_changes(programme: Programme, form: ProgrammeForm) -> dict[str, Any]:
    """The form's fields; the profile only when it differs, so an untouched one is not rewritten."""
    data = values(form, PROGRAMME_FORM_FIELDS)
    current = [{"month": m.month, "cumulative": m.cumulative} for m in programme.target_profile]
    if form.target_profile.points != current:
        data["target_profile"] = form.target_profile.points  # [] goes back to a straight line
    return data


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@allow("admin")
def programme_edit(programme_id: int) -> Any:
    programme = db.get_or_404(Programme, programme_id)
    form = ProgrammeForm(obj=programme if request.method == "GET" else None)
    if request.method == "GET":
        form.target_profile.data = profile_text(programme.target_profile)
    saved = save(
        form,
        lambda: update_programme(programme, _programme_changes(programme, form), form.version.data),
        PROGRAMME_ERRORS,
    )
    if saved is not None:
        flash(f"Programme '{saved.name}' saved.")
        return redirect(url_for(".programme_edit", programme_id=programme.id))
    participations = db.session.scalars(
        sa.select(Participation)
        .where(Participation.programme_id == programme.id)
        .options(joinedload(Participation.site).joinedload(Site.organisation))
        .order_by(Participation.joined_on, Participation.id)
    ).all()
    return page(
        "admin/programme_form.html",
        form,
        programme=programme,
        participations=participations,
        participation_form=ParticipationForm(formdata=None, joined_on=programme.starts_on),
    )


@bp.route("/programmes/<int:programme_id>/sites/new", methods=["GET", "POST"])
@allow("admin")
def participation_new(programme_id: int) -> Any:
    programme = db.get_or_404(Programme, programme_id)
    form = ParticipationForm()
    participation = save(
        form,
        lambda: add_participation(
            programme,
            site_id=form.site_id.data,
            joined_on=form.joined_on.data,
            left_on=form.left_on.data,
            site_target=form.site_target.data,
        ),
    )
    if participation is not None:
        flash(f"{participation.site.name} added to {programme.name}.")
        return redirect(url_for(".programme_edit", programme_id=programme.id))
    return page("admin/participation_form.html", form, programme=programme)


@bp.route("/participations/<int:participation_id>/edit", methods=["GET", "POST"])
@allow("admin")
def participation_edit(participation_id: int) -> Any:
    participation = db.get_or_404(Participation, participation_id)
    programme = participation.programme
    form = ParticipationDatesForm(obj=participation if request.method == "GET" else None)
    saved = save(
        form,
        lambda: update_participation(
            participation,
            joined_on=form.joined_on.data,
            left_on=form.left_on.data,
            site_target=form.site_target.data,
            version=form.version.data,
        ),
    )
    if saved is not None:
        flash(f"{saved.site.name}'s part in {programme.name} saved.")
        return redirect(url_for(".programme_edit", programme_id=programme.id))
    return page(
        "admin/participation_form.html", form, programme=programme, participation=participation
    )


# Users ----------------------------------------------------------------------------------


@bp.route("/users")
@allow("admin")
def users() -> Any:
    q = search()
    statement = sa.select(User).options(joinedload(User.funder)).order_by(User.name, User.id)
    if q:
        statement = statement.where(sa.or_(matching(User.name, q), matching(User.email, q)))
    return render_template("admin/users.html", page=paged_records(statement), q=q)


@bp.route("/users/new", methods=["GET", "POST"])
@allow("admin")
def user_new() -> Any:
    form = NewUserForm()
    user = save(
        form,
        lambda: create_user(
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            password=form.password.data,
            site_ids=form.site_ids.data or [],
            funder_id=form.funder_id.data,
        ),
    )
    if user is not None:
        flash(f"User {user.email} added as {user.role_label.lower()}.")
        return redirect(url_for(".users"))
    return page("admin/user_form.html", form)


def _own_access_kept(user: User, form: EditUserForm) -> bool:
    """An admin may not take away their own way in: that needs another admin."""
    if user.id != current_user.id or (form.role.data == "admin" and form.active.data):
        return True
    form.form_errors.append("You cannot remove your own admin role or deactivate yourself")
    return False


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@allow("admin")
def user_edit(user_id: int) -> Any:
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.site_ids.data = [site.id for site in user.sites]
    saved = None
    if request.method == "GET" or _own_access_kept(user, form):
        saved = save(
            form,
            lambda: update_user(
                user,
                name=form.name.data,
                role=form.role.data,
                active=form.active.data,
                site_ids=form.site_ids.data or [],
                funder_id=form.funder_id.data,
                password=form.password.data or None,
                version=form.version.data,
            ),
        )
    if saved is not None:
        flash(f"User {saved.email} saved.")
        return redirect(url_for(".users"))
    return page("admin/user_form.html", form, user=user)


# The audit log --------------------------------------------------------------------------


def audited_tables() -> list[str]:
    return sorted(name for name in db.metadata.tables if name != AuditEvent.__tablename__)


def changed_fields(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for what the event changed; a create or delete lists what it held."""
    before, after = event.before or {}, event.after or {}
    keys = after.keys() if event.action == "update" else (after or before).keys()
    rows = [(key, before.get(key), after.get(key)) for key in keys if key != "id"]
    if event.action != "update":
        rows = [row for row in rows if row[1] not in (None, "") or row[2] not in (None, "")]
    return rows


@bp.route("/audit")
@allow("admin")
def audit() -> Any:
    tables = audited_tables()
    table = request.args.get("table", "")
    record_id = request.args.get("record", type=int)
    statement = (
        sa.select(AuditEvent)
        .options(joinedload(AuditEvent.user))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    if table in tables:
        statement = statement.where(AuditEvent.table_name == table)
    else:
        table = ""
    if table and record_id is not None:
        statement = statement.where(AuditEvent.record_id == record_id)
    else:
        record_id = None
    return render_template(
        "admin/audit.html",
        page=paged_records(statement),
        tables=tables,
        table=table,
        record_id=record_id,
        changed_fields=changed_fields,
    )


# Trainers' assignments to sites (issue 6). Imports are local so that this section stands alone.


@bp.route("/assignments")
@allow("admin")
def assignments() -> Any:
    from datetime import date

    from training.visits.queries import assignment_state, assignments_select

    q = search()
    today = date.today()
    return render_template(
        "admin/assignments.html",
        page=paged_records(assignments_select(q, today)),
        q=q,
        state=lambda assignment: assignment_state(assignment, today),
    )


@bp.route("/assignments/new", methods=["GET", "POST"])
@allow("admin")
def assignment_new() -> Any:
    from datetime import date

    from training.assignments.services import assign_trainer
    from training.visits.forms import AssignmentForm
    from training.visits.queries import trainer_options

    form = AssignmentForm(trainers=trainer_options())
    if request.method == "GET":
        form.starts_on.data = date.today()
        form.site_id.data = request.args.get("site_id", type=int)

    def change() -> Any:
        trainer = db.session.get(User, form.user_id.data)
        if trainer is None:
            raise ValidationFailed({"user_id": ["Choose the trainer"]})
        return assign_trainer(
            user=trainer,
            site_id=form.site_id.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
        )

    assignment = save(form, change)
    if assignment is not None:
        flash(f"{assignment.user.name} is assigned to {assignment.site.name}.")
        return redirect(url_for(".assignments"))
    return page("admin/assignment_form.html", form)


@bp.route("/assignments/<int(max=2147483647):assignment_id>/end", methods=["GET", "POST"])
@allow("admin")
def assignment_end(assignment_id: int) -> Any:
    from datetime import date

    from training.assignments.services import end_assignment
    from training.models import Assignment
    from training.visits.forms import EndAssignmentForm

    assignment = db.get_or_404(Assignment, assignment_id)
    form = EndAssignmentForm()
    if request.method == "GET":
        form.ends_on.data = assignment.ends_on or max(date.today(), assignment.starts_on)
        form.version.data = assignment.version
    saved = save(form, lambda: end_assignment(assignment, form.ends_on.data, form.version.data))
    if saved is not None:
        ends = f"{saved.ends_on.day} {saved.ends_on:%B %Y}"
        flash(f"{saved.user.name}'s assignment to {saved.site.name} ends on {ends}.")
        return redirect(url_for(".assignments"))
    return page("admin/assignment_end.html", form, assignment=assignment)
