"""Fidelity pages: the review form (new and draft), a review's page and the network fidelity
profile with its heatmap. Writes go through training/reviews.py; reads are training/queries.py."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm.exc import StaleDataError

from accounts.current import current_account
from accounts.models import EVERY_ROLE
from accounts.scopes import programme_options
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.schemas import path_id
from core.web.access import allow
from sites.models import REGIONS, Site
from sites.queries import get_site_or_404
from training.assignments.queries import can_review_site, get_site_for_review_or_404
from training.fidelity import scale as fidelity
from training.fidelity import scoring
from training.fidelity.charts import heatmap_chart, item_scores_chart
from training.fidelity.forms import ORDERS, ProfileFilterForm, ReviewForm
from training.fidelity.queries import fidelity_heatmap, fidelity_profile, review_detail
from training.fidelity.services import default_due_on, review_errors, save_review
from training.models import REVIEW_KINDS, REVIEW_STATUSES, FidelityReview, ReviewStatus

bp = Blueprint("fidelity", __name__)

MAX_ID = 2147483647  # a 32-bit id; beyond is simply not found
STAFF = ("admin", "trainer")  # who records reviews and sees drafts
HEATMAP_TABLE_ROWS = 50  # the table under the heatmap lists at most the 50 weakest sites
STALE = (
    "Someone else changed this review since you opened it. The form now shows what is saved: "
    "check it and make your change again."
)


def _render_form(
    site: Site,
    form: ReviewForm,
    review: FidelityReview | None,
    summary: list[dict[str, str]] | None = None,
) -> str:
    return render_template(
        "training/fidelity/review_form.html",
        site=site,
        form=form,
        review=review,
        summary=summary or [],
        sections=fidelity.items_by_section(),
        kinds=REVIEW_KINDS,
        bands=fidelity.BANDS,
        band_ranges={band: scoring.band_range(band) for band in fidelity.BANDS},
        running=form.running_total(),
    )


def _save(site: Site, form: ReviewForm, review: FidelityReview | None) -> Any:
    """Handle a POST of the review form: save and go to the review, or show what is wrong."""
    user = current_account()
    form.validate()
    if form.errors.get("csrf_token"):
        expired = [{"text": "The form expired. Submit it again.", "href": "#review-items"}]
        return _render_form(site, form, review, expired), 400
    status = (
        ReviewStatus.FINAL
        if request.form.get("status") == ReviewStatus.FINAL
        else ReviewStatus.DRAFT
    )
    data = form.review_data(status)
    try:
        own = form.own_errors()
        if own:  # a date that is not a date: show it beside every other message at once
            raise ValidationFailed(review_errors(data, review=review) | own)
        saved = save_review(site, data, user, review=review, version=form.version.data)
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        return _render_form(site, form, review, form.show_errors(error.fields)), 422
    except (StaleVersion, StaleDataError):
        db.session.rollback()
        if review is None:  # only an edit carries a version
            raise
        current = db.session.get(FidelityReview, review.id)
        if current is None:
            abort(404)
        if current.status == ReviewStatus.FINAL:
            flash("Someone else finalised this review meanwhile: it can no longer be changed.")
            return redirect(url_for("fidelity.review", review_id=current.id))
        fresh = ReviewForm(formdata=None)
        fresh.fill(current)
        return _render_form(site, fresh, current, [{"text": STALE, "href": "#review-items"}]), 409

    if saved.status == ReviewStatus.FINAL:
        actions = sum(1 for row in saved.scores if row.action_description)
        band = fidelity.BANDS[scoring.band_for(saved.total)] if saved.total else ""
        planned = f" {actions} action{'' if actions == 1 else 's'} added to the action plan."
        flash(f"The review is final: {saved.total} of 125, {band}." + (planned if actions else ""))
    else:
        flash("Your draft review is saved. It is not final yet.")
    return redirect(url_for("fidelity.review", review_id=saved.id))


@bp.route(f"/sites/{path_id('site_id')}/fidelity-reviews/new", methods=["GET", "POST"])
@allow(*STAFF)
def review_new(site_id: int) -> Any:
    user = current_account()
    site = get_site_for_review_or_404(user, site_id)
    form = ReviewForm()
    if request.method == "POST":
        return _save(site, form, None)
    form.lead_reviewer.data = user.name
    return _render_form(site, form, None)


@bp.route(f"/fidelity-reviews/{path_id('review_id')}/edit", methods=["GET", "POST"])
@allow(*STAFF)
def review_edit(review_id: int) -> Any:
    review = db.get_or_404(FidelityReview, review_id)
    site = get_site_for_review_or_404(current_account(), review.site_id)
    if review.status == ReviewStatus.FINAL:
        flash("This review is final: it can no longer be changed.")
        return redirect(url_for("fidelity.review", review_id=review.id))
    form = ReviewForm()
    if request.method == "POST":
        return _save(site, form, review)
    form.fill(review)
    return _render_form(site, form, review)


@bp.route(f"/fidelity-reviews/{path_id('review_id')}")
@allow(*EVERY_ROLE)
def review(review_id: int) -> Any:
    user = current_account()
    detail = review_detail(review_id)
    if detail is None:
        abort(404)
    site = get_site_or_404(user, detail.review.site_id)
    is_draft = detail.review.status != ReviewStatus.FINAL
    if is_draft and user.role not in STAFF:
        abort(404)  # drafts are work in progress: only programme staff and trainers see them
    items_shown = user.role != "funder"
    chart = None
    if items_shown and any(score is not None for score in detail.scores.values()):
        previous = detail.previous
        chart = item_scores_chart(
            detail.scores,
            detail.previous_scores or None,
            title=f"Item scores, {detail.review.reviewed_on:%d %B %Y}",
            previous_label=(
                f"Previous final review ({previous.reviewed_on:%d %B %Y})"
                if previous
                else "Previous final review"
            ),
        )
    return render_template(
        "training/fidelity/review.html",
        site=site,
        detail=detail,
        review=detail.review,
        is_draft=is_draft,
        items_shown=items_shown,
        can_edit=is_draft and can_review_site(user, site.id),
        chart=chart,
        sections=fidelity.items_by_section(),
        bands=fidelity.BANDS,
        kinds=REVIEW_KINDS,
        statuses=REVIEW_STATUSES,
        default_due_on=default_due_on(detail.review.reviewed_on),
    )


@bp.route("/fidelity/profile")
@allow(*STAFF)
def profile() -> Any:
    user = current_account()
    form = ProfileFilterForm(formdata=request.args)
    form.set_programmes(programme_options(user))
    form.validate()
    filters = form.filters()
    weakest = form.weakest_first()
    result = fidelity_profile(filters)
    heatmap = fidelity_heatmap(filters, result)
    errors = [
        {"text": message, "href": f"#{field.id}"} for field in form for message in field.errors
    ]
    return render_template(
        "training/fidelity/profile.html",
        form=form,
        errors=errors,
        profile=result,
        items=result.weakest_first() if weakest else result.items,
        weakest=weakest,
        heatmap=heatmap,
        chart=heatmap_chart(heatmap) if heatmap.sites else None,
        table_sites=heatmap.sites[:HEATMAP_TABLE_ROWS],
        sections=fidelity.SECTIONS,
        regions=REGIONS,
        orders=ORDERS,
        filtered=bool(filters.site_ids is not None or filters.region),
    )
