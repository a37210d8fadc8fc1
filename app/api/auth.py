"""API authentication: ``Authorization: Bearer <key>`` names the calling organisation.

Keys are created with ``onecode key create``; only their SHA-256 is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, request

from app.problems import CATALOGUE, Problem, ProblemError
from app.wiring import wiring_of
from events.adapters.sql_registry import hash_api_key
from events.domain.organisations import Organisation


def current_organisation() -> Organisation:
    """The organisation behind this request's API key (set by ``require_organisation``)."""
    organisation: Organisation = g.organisation
    return organisation


P = ParamSpec("P")
R = TypeVar("R")


def require_organisation(view: Callable[P, R]) -> Callable[P, R]:
    """Refuse the request with 401 problem details unless it carries a valid API key."""

    @wraps(view)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        organisation = None
        if scheme.lower() == "bearer" and key.strip():
            with wiring_of().uow(read_only=True) as uow:
                organisation = uow.organisations.by_api_key_hash(hash_api_key(key.strip()))
        if organisation is None:
            raise ProblemError(
                Problem(CATALOGUE["unauthorized"]),
                headers={"WWW-Authenticate": 'Bearer realm="onecode"'},
            )
        g.organisation = organisation
        return view(*args, **kwargs)

    return checked
