"""Pages for people: the home page and the explanation page of every problem type."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, Flask, abort, current_app, render_template

from app import entry_points
from app.problems import CATALOGUE

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """Every entry point, grouped by the kind of user it is for."""
    entries = entry_points.of(current_app)
    groups = [(str(k), list(v)) for k, v in groupby(entries, key=lambda e: str(e.audience))]
    return render_template("home.html", groups=groups)


@bp.get("/problems/<slug>")
def problem(slug: str) -> str:
    """What a problem ``type`` URI means (RFC 9457 §3.1.1 encourages a readable page)."""
    kind = CATALOGUE.get(slug)
    if kind is None:
        abort(404)
    return render_template("problem.html", kind=kind)


def init_app(app: Flask) -> None:
    """Register the pages."""
    app.register_blueprint(bp)
