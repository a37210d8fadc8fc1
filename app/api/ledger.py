"""``/api/v1/ledger``: signed checkpoints and Merkle proofs, so anyone can audit the ledger.

The checkpoint and consistency proofs are public (they reveal only sizes and hashes); inclusion
proofs name an event, so they need an API key and the event must be the caller's own.
"""

from __future__ import annotations

import base64
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.api.auth import current_organisation, require_organisation
from app.problems import CATALOGUE, Problem, ProblemError
from app.signing import signing_key
from app.wiring import wiring_of
from events.domain.merkle import leaf_hash
from events.tree_heads import current_checkpoint

bp = Blueprint(
    "ledger", __name__, url_prefix="/ledger", description="Tamper evidence: checkpoints and proofs."
)


def _b64(values: list[bytes]) -> list[str]:
    return [base64.b64encode(v).decode() for v in values]


@bp.route("/checkpoint")
class LedgerCheckpoint(MethodView):
    """The current signed tree head."""

    @bp.response(200)
    def get(self) -> dict[str, Any]:
        """Tree size and root hash of the ledger, signed with the platform's Ed25519 key.

        The ``note`` is a C2SP signed note (origin, size, base64 root, timestamp, signature).
        """
        wiring = wiring_of()
        signed = current_checkpoint(
            wiring.uow(), signing_key(wiring.settings.signing_key_file), wiring.clock
        )
        return {**signed.to_json(), "note": signed.note()}


class InclusionQuery(Schema):
    """Which event, in which tree."""

    event_id = fields.String(required=True, data_key="eventID")
    tree_size = fields.Integer(data_key="treeSize", validate=validate.Range(min=1))


@bp.route("/proofs/inclusion")
class InclusionProof(MethodView):
    """RFC 9162 §2.1.3 inclusion proof of one of the caller's events."""

    @bp.doc(security=[{"bearer": []}])
    @bp.arguments(InclusionQuery, location="query", as_kwargs=True)
    @bp.response(200)
    @require_organisation
    def get(self, event_id: str, tree_size: int | None = None) -> dict[str, Any]:
        """Leaf, index and audit path of the event in the tree of ``treeSize`` (default: now)."""
        with wiring_of().uow(read_only=True) as uow:
            event = uow.ledger.get(event_id)
            if event is None or event.record.organisation_id != current_organisation().id:
                raise ProblemError(Problem(CATALOGUE["not-found"], detail=f"no event {event_id}"))
            size = tree_size or uow.merkle.size()
            if event.leaf_index >= size or size > uow.merkle.size():
                raise ProblemError(
                    Problem(
                        CATALOGUE["bad-request"], detail=f"treeSize {size} does not hold the event"
                    )
                )
            proof = uow.merkle.inclusion_proof(event.leaf_index, size)
            root = uow.merkle.root(size)
        return {
            "eventID": event_id,
            "leafIndex": event.leaf_index,
            "treeSize": size,
            "leafHash": base64.b64encode(leaf_hash(event.leaf())).decode(),
            "leaf": event.leaf().decode(),
            "rootHash": base64.b64encode(root).decode(),
            "auditPath": _b64(proof),
        }


class ConsistencyQuery(Schema):
    """Two tree sizes, smaller first."""

    first = fields.Integer(required=True, validate=validate.Range(min=1))
    second = fields.Integer(required=True, validate=validate.Range(min=1))


@bp.route("/proofs/consistency")
class ConsistencyProof(MethodView):
    """RFC 9162 §2.1.4 consistency proof between two tree sizes."""

    @bp.arguments(ConsistencyQuery, location="query", as_kwargs=True)
    @bp.response(200)
    def get(self, first: int, second: int) -> dict[str, Any]:
        """Proof that the tree of size ``first`` is a prefix of the tree of size ``second``."""
        with wiring_of().uow(read_only=True) as uow:
            if not first <= second <= uow.merkle.size():
                detail = (
                    f"expected first <= second <= {uow.merkle.size()}, got {first} and {second}"
                )
                raise ProblemError(Problem(CATALOGUE["bad-request"], detail=detail))
            proof = uow.merkle.consistency_proof(first, second)
            roots = uow.merkle.root(first), uow.merkle.root(second)
        return {
            "first": first,
            "second": second,
            "firstRoot": base64.b64encode(roots[0]).decode(),
            "secondRoot": base64.b64encode(roots[1]).decode(),
            "proof": _b64(proof),
        }
