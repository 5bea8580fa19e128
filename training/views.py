"""Fidelity pages: the review form, a review's page and the network fidelity profile."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("fidelity", __name__)
