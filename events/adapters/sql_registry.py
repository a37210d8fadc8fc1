"""Organisations and the code registry on SQLite and PostgreSQL.

Bulk minting inserts through PostgreSQL ``COPY`` into a session-local staging table, then one
``INSERT … SELECT … ON CONFLICT DO NOTHING`` into ``minted_codes`` (whose primary key is the
uniqueness guarantee); SQLite uses ``INSERT OR IGNORE`` with ``executemany``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from events.adapters.memory import SystemClock
from events.adapters.tables import (
    api_keys,
    code_batches,
    minted_codes,
    organisation_keys,
    organisations,
    sscc_counters,
)
from events.domain import DuplicateBatchError, OwnershipError
from events.domain.code_batches import CodeBatch, MintRequest
from events.domain.organisations import Organisation
from events.ports import Clock
from identifiers import SerialPolicy

_STAGE = "minting_stage"


class SqlOrganisations:
    """Organisations over one connection, inside the caller's transaction."""

    def __init__(self, connection: Connection, clock: Clock | None = None) -> None:
        self._connection = connection
        self._clock: Clock = clock or SystemClock()

    def add(
        self,
        name: str,
        *,
        company_prefixes: Sequence[str] = (),
        glns: Sequence[str] = (),
        handle_prefix: str | None = None,
        serial_policy: SerialPolicy | None = None,
    ) -> Organisation:
        """Register an organisation; anything already taken is refused with who holds it."""
        self._refuse_taken(name, company_prefixes, glns, handle_prefix)
        policy = serial_policy or SerialPolicy()
        try:
            with self._connection.begin_nested():
                organisation_id = self._connection.execute(
                    insert(organisations)
                    .values(
                        name=name,
                        handle_prefix=handle_prefix,
                        serial_length=policy.length,
                        serial_alphabet=policy.alphabet,
                        created_at=self._clock.now(),
                    )
                    .returning(organisations.c.id)
                ).scalar_one()
                keys = [("gcp", p) for p in company_prefixes] + [("gln", g) for g in glns]
                if keys:
                    self._connection.execute(
                        insert(organisation_keys),
                        [
                            {"kind": k, "value": v, "organisation_id": organisation_id}
                            for k, v in keys
                        ],
                    )
        except IntegrityError as exc:  # a concurrent registration won the race
            raise OwnershipError(
                f"{name!r}: a name, prefix or GLN was registered meanwhile"
            ) from exc
        found = self.by_id(organisation_id)
        assert found is not None  # noqa: S101  just inserted in this transaction
        return found

    def _refuse_taken(
        self, name: str, prefixes: Sequence[str], glns: Sequence[str], handle: str | None
    ) -> None:
        holder = self.by_name(name)
        if holder:
            raise OwnershipError(f"an organisation named {name!r} exists already")
        for kind, values in (("gcp", prefixes), ("gln", glns)):
            row = self._connection.execute(
                select(organisation_keys.c.value, organisations.c.name)
                .join(organisations)
                .where(organisation_keys.c.kind == kind, organisation_keys.c.value.in_(values))
            ).first()
            if row:
                raise OwnershipError(f"{kind.upper()} {row[0]} is registered to {row[1]!r} already")
        if handle and (other := self._one(organisations.c.handle_prefix == handle)):
            raise OwnershipError(f"Handle prefix {handle} is registered to {other.name!r} already")

    def by_name(self, name: str) -> Organisation | None:
        """The organisation with this name."""
        return self._one(organisations.c.name == name)

    def by_id(self, organisation_id: int) -> Organisation | None:
        """The organisation with this id."""
        return self._one(organisations.c.id == organisation_id)

    def all(self) -> list[Organisation]:
        """Every organisation, by name."""
        rows = self._connection.execute(select(organisations).order_by(organisations.c.name))
        return [self._build(row._mapping) for row in rows]  # noqa: SLF001  public row mapping

    def company_prefixes(self) -> frozenset[str]:
        """Every registered GS1 Company Prefix."""
        query = select(organisation_keys.c.value).where(organisation_keys.c.kind == "gcp")
        return frozenset(self._connection.execute(query).scalars())

    def add_api_key(self, organisation_id: int, key_hash: str, label: str) -> None:
        """Store a key's SHA-256; the key itself is never stored."""
        self._connection.execute(
            insert(api_keys).values(
                organisation_id=organisation_id,
                key_hash=key_hash,
                label=label,
                created_at=self._clock.now(),
            )
        )

    def by_api_key_hash(self, key_hash: str) -> Organisation | None:
        """The organisation of an unrevoked key.

        One statement (every API call asks it): the key, its organisation and the
        organisation's prefixes and GLNs, a row per prefix or GLN.
        """
        query = (
            select(organisations, organisation_keys.c.kind, organisation_keys.c.value)
            .select_from(
                api_keys.join(
                    organisations, organisations.c.id == api_keys.c.organisation_id
                ).outerjoin(
                    organisation_keys, organisation_keys.c.organisation_id == organisations.c.id
                )
            )
            .where(api_keys.c.key_hash == key_hash, api_keys.c.revoked_at.is_(None))
            .order_by(organisation_keys.c.value)
        )
        rows = [row._mapping for row in self._connection.execute(query)]  # noqa: SLF001
        if not rows:
            return None
        keys = [(row["kind"], row["value"]) for row in rows if row["kind"] is not None]
        return self._organisation(rows[0], keys)

    def _one(self, condition: Any) -> Organisation | None:  # noqa: ANN401  a SQL expression
        row = self._connection.execute(select(organisations).where(condition)).first()
        return None if row is None else self._build(row._mapping)  # noqa: SLF001

    def _build(self, row: Any) -> Organisation:  # noqa: ANN401  a RowMapping
        keys = self._connection.execute(
            select(organisation_keys.c.kind, organisation_keys.c.value)
            .where(organisation_keys.c.organisation_id == row["id"])
            .order_by(organisation_keys.c.value)
        ).all()
        return self._organisation(row, [(kind, value) for kind, value in keys])

    @staticmethod
    def _organisation(row: Any, keys: list[tuple[str, str]]) -> Organisation:  # noqa: ANN401
        """An organisation from its row (a RowMapping) and ``(kind, value)`` keys in order."""
        return Organisation(
            id=row["id"],
            name=row["name"],
            company_prefixes=tuple(v for k, v in keys if k == "gcp"),
            glns=tuple(v for k, v in keys if k == "gln"),
            handle_prefix=row["handle_prefix"],
            serial_policy=SerialPolicy(row["serial_length"], row["serial_alphabet"]),
        )


def hash_api_key(key: str) -> str:
    """SHA-256 of an API key, the only form in which keys are stored."""
    return hashlib.sha256(key.encode()).hexdigest()


class SqlCodeRegistry:
    """Batches and minted codes over one connection, inside the caller's transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._postgres = connection.dialect.name == "postgresql"

    def add_batch(self, batch: CodeBatch) -> None:
        """Store a batch; the (organisation, idempotency key) pair is unique in the schema."""
        try:
            with self._connection.begin_nested():
                self._connection.execute(
                    insert(code_batches).values(
                        id=batch.id,
                        organisation_id=batch.organisation_id,
                        scheme=batch.request.scheme.value,
                        code_key=batch.request.code_key,
                        request=batch.request.to_json(),
                        fingerprint=batch.fingerprint,
                        idempotency_key=batch.idempotency_key,
                        count=batch.count,
                        created_at=batch.created_at,
                    )
                )
        except IntegrityError as exc:
            if batch.idempotency_key is None:
                raise
            raise DuplicateBatchError(batch.idempotency_key) from exc

    def get_batch(self, batch_id: str) -> CodeBatch | None:
        """The batch with this id."""
        return self._batch(code_batches.c.id == batch_id)

    def find_batch(self, organisation_id: int, idempotency_key: str) -> CodeBatch | None:
        """The organisation's batch with this idempotency key."""
        return self._batch(
            (code_batches.c.organisation_id == organisation_id)
            & (code_batches.c.idempotency_key == idempotency_key)
        )

    def _batch(self, condition: Any) -> CodeBatch | None:  # noqa: ANN401  a SQL expression
        row = self._connection.execute(select(code_batches).where(condition)).first()
        if row is None:
            return None
        values = row._mapping  # noqa: SLF001  public row mapping
        return CodeBatch(
            id=values["id"],
            organisation_id=values["organisation_id"],
            request=MintRequest.from_json(values["request"]),
            fingerprint=values["fingerprint"],
            idempotency_key=values["idempotency_key"],
            created_at=values["created_at"],
            count=values["count"],
        )

    def add_codes(
        self, batch_id: str, code_key: str, serials: Sequence[str], first_seq: int
    ) -> int:
        """Insert the serials; those already minted in ``code_key`` are skipped."""
        if not serials:
            return 0
        if self._postgres:
            return self._copy_codes(batch_id, code_key, serials, first_seq)
        result = self._connection.exec_driver_sql(
            "INSERT OR IGNORE INTO minted_codes (code_key, serial, batch_id, seq) "
            "VALUES (?, ?, ?, ?)",
            [(code_key, s, batch_id, n) for n, s in enumerate(serials, first_seq)],
        )
        return int(result.rowcount)

    def _copy_codes(
        self, batch_id: str, code_key: str, serials: Sequence[str], first_seq: int
    ) -> int:
        self._connection.exec_driver_sql(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (serial text, seq integer) "
            "ON COMMIT DELETE ROWS"
        )
        self._connection.exec_driver_sql(f"TRUNCATE {_STAGE}")
        cursor = self._connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {_STAGE} (serial, seq) FROM STDIN") as copy:
            for row in zip(serials, range(first_seq, first_seq + len(serials)), strict=True):
                copy.write_row(row)
        result = self._connection.execute(
            text(
                f"INSERT INTO minted_codes (code_key, serial, batch_id, seq) "  # noqa: S608  constant name
                f"SELECT :key, serial, :batch, seq FROM {_STAGE} ON CONFLICT DO NOTHING"
            ),
            {"key": code_key, "batch": batch_id},
        )
        return int(result.rowcount)

    def issued(self, code_key: str) -> int:
        """How many serials were ever minted in ``code_key``."""
        from sqlalchemy import func  # noqa: PLC0415

        query = (
            select(func.count())
            .select_from(minted_codes)
            .where(minted_codes.c.code_key == code_key)
        )
        return int(self._connection.execute(query).scalar_one())

    def serials(self, batch_id: str, *, offset: int = 0, limit: int | None = None) -> Iterator[str]:
        """The batch's serials in minting order, streamed from the server."""
        query = (
            select(minted_codes.c.serial)
            .where(minted_codes.c.batch_id == batch_id)
            .order_by(minted_codes.c.seq)
            .offset(offset)
            .limit(limit)
        )
        # yield_per on the statement: Connection.execution_options would change the connection.
        result = self._connection.execute(query.execution_options(yield_per=10_000))
        for row in result:
            yield row[0]

    def allocate_sscc_references(self, company_prefix: str, extension: int, count: int) -> int:
        """Reserve consecutive references; the row lock serialises concurrent allocations."""
        make_insert = pg_insert if self._postgres else sqlite_insert
        self._connection.execute(
            make_insert(sscc_counters)
            .values(company_prefix=company_prefix, extension=extension, next_reference=0)
            .on_conflict_do_nothing()
        )
        after = self._connection.execute(
            update(sscc_counters)
            .where(
                sscc_counters.c.company_prefix == company_prefix,
                sscc_counters.c.extension == extension,
            )
            .values(next_reference=sscc_counters.c.next_reference + count)
            .returning(sscc_counters.c.next_reference)
        ).scalar_one()
        return int(after) - count
