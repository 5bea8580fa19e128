"""Fidelity pages: the review form (new and draft), the check page a draft is finalised from, a
review's page, an admin's reopening of a final review, and the network fidelity profile with its
heatmap. Writes go through training/fidelity/services.py; reads are training/fidelity/queries.py."""

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
from training.fidelity.forms import (
    ORDERS,
    FinaliseForm,
    ProfileFilterForm,
    ReopenForm,
    ReviewForm,
)
from training.fidelity.queries import fidelity_heatmap, fidelity_profile, review_detail
from training.fidelity.services import (
    ReviewNotFinal,
    default_due_on,
    finalise_errors,
    finalise_review,
    reopen_review,
    review_errors,
    save_review,
)
from training.models import REVIEW_KINDS, REVIEW_STATUSES, FidelityReview, ReviewStatus

bp = Blueprint("fidelity", __name__)

MAX_ID = 2147483647  # a 32-bit id; beyond is simply not found
STAFF = ("admin", "trainer")  # who records reviews and sees drafts
STALE = (
    "Someone else changed this review since you opened it. The form now shows what is saved: "
    "check it and make your change again."
)
STALE_CHECK = (
    "Someone else changed this review since you opened this page. The page now shows what is "
    "saved: check it again before you finalise it."
)
STALE_REOPEN = (
    "Someone else changed this review since you opened this page. Check the review, then "
    "reopen it again if it still needs changing."
)
EXPIRED = "The form expired. Submit it again."


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
    """Handle a POST of the review form: save the draft and go to the review (or, for "Check
    and finalise", to its check page), or show what is wrong."""
    user = current_account()
    form.validate()
    if form.errors.get("csrf_token"):
        expired = [{"text": EXPIRED, "href": "#review-items"}]
        return _render_form(site, form, review, expired), 400
    # "Check and finalise" saves the draft and shows the check page; finalising happens there.
    to_check = request.form.get("status") in ("check", ReviewStatus.FINAL)
    data = form.review_data(ReviewStatus.DRAFT)
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

    if to_check:
        return redirect(url_for("fidelity.review_check", review_id=saved.id))
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
        can_reopen=not is_draft and user.role == "admin",
        chart=chart,
        sections=fidelity.items_by_section(),
        bands=fidelity.BANDS,
        kinds=REVIEW_KINDS,
        statuses=REVIEW_STATUSES,
        default_due_on=default_due_on(detail.review.reviewed_on),
    )


def _check_summary(review: FidelityReview, errors: dict[str, list[str]]) -> list[dict[str, str]]:
    """The check page's error summary: each message linked to its field on the review form."""
    form = ReviewForm(formdata=None)
    edit = url_for("fidelity.review_edit", review_id=review.id)
    summary: list[dict[str, str]] = []
    for key, messages in errors.items():
        href = url_for("fidelity.review", review_id=review.id) if key == "status" else edit
        anchor = "" if key == "status" else form.anchor_for(key)
        summary.extend({"text": message, "href": href + anchor} for message in messages)
    return summary


def _render_check(
    site: Site,
    review: FidelityReview,
    form: FinaliseForm,
    summary: list[dict[str, str]],
    errors: dict[str, list[str]],
    status: int = 200,
) -> Any:
    detail = review_detail(review.id)
    if detail is None:
        abort(404)
    planned = [row for _, row in sorted(detail.rows.items()) if row.action_description]
    return (
        render_template(
            "training/fidelity/check.html",
            site=site,
            review=review,
            detail=detail,
            form=form,
            summary=summary,
            missing=[n for n in fidelity.ITEM_NUMBERS if f"scores.{n}" in errors],
            complete=not errors,
            planned=planned,
            kept={action.item for action in detail.actions},
            sections=fidelity.items_by_section(),
            bands=fidelity.BANDS,
            kinds=REVIEW_KINDS,
            default_due_on=default_due_on(review.reviewed_on),
        ),
        status,
    )


@bp.route(f"/fidelity-reviews/{path_id('review_id')}/check", methods=["GET", "POST"])
@allow(*STAFF)
def review_check(review_id: int) -> Any:
    """The whole draft to check before it is finalised, and the button that finalises it."""
    review = db.get_or_404(FidelityReview, review_id)
    site = get_site_for_review_or_404(current_account(), review.site_id)
    if review.status == ReviewStatus.FINAL:
        flash("This review is final: it can no longer be changed.")
        return redirect(url_for("fidelity.review", review_id=review.id))
    form = FinaliseForm()
    if request.method == "GET":
        form.version.data = review.version
        errors = finalise_errors(review)
        return _render_check(site, review, form, _check_summary(review, errors), errors)

    form.validate()
    if form.errors.get("csrf_token"):
        form.version.data = review.version
        expired = [{"text": EXPIRED, "href": "#finalise"}]
        return _render_check(site, review, form, expired, finalise_errors(review), 400)
    try:
        added = len(finalise_review(review, form.version.data))
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        form.version.data = review.version
        summary = _check_summary(review, error.fields)
        return _render_check(site, review, form, summary, error.fields, 422)
    except (StaleVersion, StaleDataError):
        db.session.rollback()
        current = db.session.get(FidelityReview, review_id)
        if current is None:
            abort(404)
        if current.status == ReviewStatus.FINAL:
            flash("Someone else finalised this review meanwhile: it can no longer be changed.")
            return redirect(url_for("fidelity.review", review_id=current.id))
        fresh = FinaliseForm(formdata=None)
        fresh.version.data = current.version
        errors = finalise_errors(current)
        summary = [{"text": STALE_CHECK, "href": "#review-check"}]
        return _render_check(
            site, current, fresh, summary + _check_summary(current, errors), errors, 409
        )

    band = fidelity.BANDS[scoring.band_for(review.total)] if review.total else ""
    planned = f" {added} action{'' if added == 1 else 's'} added to the action plan."
    flash(f"The review is final: {review.total} of 125, {band}." + (planned if added else ""))
    return redirect(url_for("fidelity.review", review_id=review.id))


def _render_reopen(
    site: Site, review: FidelityReview, form: ReopenForm, summary: list[dict[str, str]], status: int
) -> Any:
    return (
        render_template(
            "training/fidelity/reopen.html",
            site=site,
            review=review,
            form=form,
            summary=summary,
            band=scoring.band_of_total(review.total),
            bands=fidelity.BANDS,
            kinds=REVIEW_KINDS,
        ),
        status,
    )


@bp.route(f"/fidelity-reviews/{path_id('review_id')}/reopen", methods=["GET", "POST"])
@allow("admin")
def review_reopen(review_id: int) -> Any:
    """An admin reopens a final review as a draft, saying why."""
    review = db.get_or_404(FidelityReview, review_id)
    site = get_site_or_404(current_account(), review.site_id)
    if review.status != ReviewStatus.FINAL:
        flash("This review is a draft: only a final review can be reopened.")
        return redirect(url_for("fidelity.review", review_id=review.id))
    form = ReopenForm()
    if request.method == "GET":
        form.version.data = review.version
        return _render_reopen(site, review, form, [], 200)

    form.validate()
    if form.errors.get("csrf_token"):
        return _render_reopen(site, review, form, [{"text": EXPIRED, "href": "#reason"}], 400)
    try:
        reopen_review(review, reason=form.reason.data, version=form.version.data)
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        form.reason.errors = list(error.fields.get("reason", []))
        summary = [{"text": m, "href": f"#{form.reason.id}"} for m in form.reason.errors]
        return _render_reopen(site, review, form, summary, 422)
    except ReviewNotFinal as error:
        db.session.rollback()
        flash(error.message)
        return redirect(url_for("fidelity.review", review_id=review_id))
    except (StaleVersion, StaleDataError):
        db.session.rollback()
        current = db.session.get(FidelityReview, review_id)
        if current is None:
            abort(404)
        if current.status != ReviewStatus.FINAL:
            flash("Someone else reopened this review meanwhile: it is a draft again.")
            return redirect(url_for("fidelity.review", review_id=review_id))
        form.version.data = current.version
        summary = [{"text": STALE_REOPEN, "href": f"#{form.reason.id}"}]
        return _render_reopen(site, current, form, summary, 409)
    flash(
        "The review is a draft again. It no longer counts as the site's final review until it "
        "is finalised again."
    )
    return redirect(url_for("fidelity.review", review_id=review.id))


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
        sections=fidelity.SECTIONS,
        regions=REGIONS,
        orders=ORDERS,
        filtered=bool(filters.site_ids is not None or filters.region),
    )
