"""Uploading a CSV of monthly returns in the browser: upload, preview, import."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("returns_import", __name__)
