"""Trainers' pages: "My sites", the visit log, agreed actions and the calendar export."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("visits", __name__)
