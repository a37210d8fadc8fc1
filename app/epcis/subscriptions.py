"""EPCIS 2.0 REST binding, webhook subscriptions: ``/queries/{name}/subscriptions``.

``POST`` subscribes (``dest``, optional ``signatureToken``, ``stream: true`` or ``schedule``,
``initialRecordTime``, ``reportIfEmpty``), ``GET`` lists or shows (with ``createdAt``,
``lastNotifiedAt``, ``minRecordTime``), ``DELETE`` unsubscribes. Our extension
``GET …/subscriptions/{id}/deliveries`` lists the delivery attempts. Only the organisation that
owns the named query may subscribe to it. Workers deliver (``deliver_subscriptions``); see
docs/WEBHOOKS.md.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, json, request

from app.api.auth import current_organisation, require_organisation
from app.problems import CATALOGUE, Problem, ProblemError
from app.wiring import Wiring, wiring_of
from events.adapters.sql_subscriptions import SubscriptionsUnitOfWork
from events.subscriptions import Subscription, SubscriptionError, new_subscription
from events.webhook_http import DestinationError, check_destination
from events.webhooks import deliver_due

bp = Blueprint("epcis_subscriptions", __name__, url_prefix="/epcis")
log = logging.getLogger(__name__)


def subscriptions_uow(wiring: Wiring, *, read_only: bool = False) -> SubscriptionsUnitOfWork:
    """A unit of work with the subscription store, on the app's database."""
    return SubscriptionsUnitOfWork(wiring.engine, wiring.clock, read_only=read_only)


def deliver_subscriptions(wiring: Wiring) -> int:
    """Deliver due webhook notifications (called by every worker loop); never raises."""
    try:
        return deliver_due(
            lambda: subscriptions_uow(wiring),
            wiring.clock,
            wiring.clock.now(),
            allow_private=wiring.settings.webhook_allow_private,
        )
    except Exception:  # a broken delivery must not stop the capture worker
        log.exception("subscription delivery failed; retrying on the next round")
        return 0


@bp.post("/queries/<name>/subscriptions")
@require_organisation
def subscribe(name: str) -> Response:
    """Subscribe to a named query: 201 with the subscription and its ``Location``."""
    wiring = wiring_of()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise _invalid("expected a JSON object with dest and stream or schedule")
    organisation_id = current_organisation().id
    _owned_query(name)
    now = wiring.clock.now()
    try:
        subscription = new_subscription(
            body, organisation_id=organisation_id, query_name=name, now=now
        )
    except SubscriptionError as exc:
        raise _invalid(str(exc)) from None
    try:
        check_destination(subscription.dest, allow_private=wiring.settings.webhook_allow_private)
    except DestinationError as exc:
        raise ProblemError(
            Problem(CATALOGUE["webhook-destination-refused"], detail=str(exc))
        ) from None
    with subscriptions_uow(wiring) as uow:
        start = uow.subscriptions.start_position(organisation_id, subscription.initial_record_time)
        subscription = replace(subscription, last_position=start)
        uow.subscriptions.add(subscription)
        uow.commit()
    response = _json(subscription.to_json(), 201)
    response.headers["Location"] = _location(name, subscription.id)
    return response


@bp.get("/queries/<name>/subscriptions")
@require_organisation
def list_subscriptions(name: str) -> Response:
    """The caller's subscriptions to a named query, oldest first."""
    _owned_query(name)
    with subscriptions_uow(wiring_of(), read_only=True) as uow:
        found = uow.subscriptions.of_query(current_organisation().id, name)
    return _json([s.to_json() for s in found], 200)


@bp.get("/queries/<name>/subscriptions/<subscription_id>")
@require_organisation
def get_subscription(name: str, subscription_id: str) -> Response:
    """One subscription."""
    return _json(_owned_subscription(name, subscription_id).to_json(), 200)


@bp.delete("/queries/<name>/subscriptions/<subscription_id>")
@require_organisation
def unsubscribe(name: str, subscription_id: str) -> Response:
    """Unsubscribe (204); nothing more is delivered, the delivery log stays readable."""
    subscription = _owned_subscription(name, subscription_id)
    wiring = wiring_of()
    with subscriptions_uow(wiring) as uow:
        uow.subscriptions.delete(subscription.id, wiring.clock.now())
        uow.commit()
    return Response(status=204)


@bp.get("/queries/<name>/subscriptions/<subscription_id>/deliveries")
@require_organisation
def deliveries(name: str, subscription_id: str) -> Response:
    """Our extension: the latest delivery attempts (time, positions, status code, error)."""
    subscription = _owned_subscription(name, subscription_id)
    with subscriptions_uow(wiring_of(), read_only=True) as uow:
        attempts = uow.subscriptions.deliveries(subscription.id)
    return _json([attempt.to_json() for attempt in attempts], 200)


def _owned_query(name: str) -> dict[str, Any]:
    with subscriptions_uow(wiring_of(), read_only=True) as uow:
        named = uow.subscriptions.named_query(name)
    if named is None or named[0] != current_organisation().id:
        raise _not_found(f"no named query {name}")
    return named[1]


def _owned_subscription(name: str, subscription_id: str) -> Subscription:
    with subscriptions_uow(wiring_of(), read_only=True) as uow:
        subscription = uow.subscriptions.get(subscription_id)
    if (
        subscription is None
        or subscription.query_name != name
        or subscription.organisation_id != current_organisation().id
    ):
        raise _not_found(f"no subscription {subscription_id} to query {name}")
    return subscription


def _location(name: str, subscription_id: str) -> str:
    return f"/epcis/queries/{quote(name, safe='')}/subscriptions/{subscription_id}"


def _invalid(detail: str) -> ProblemError:
    return ProblemError(Problem(CATALOGUE["epcis-subscription-invalid"], detail=detail))


def _not_found(detail: str) -> ProblemError:
    return ProblemError(Problem(CATALOGUE["epcis-subscription-not-found"], detail=detail))


def _json(body: Any, status: int) -> Response:  # noqa: ANN401  any JSON value
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )
