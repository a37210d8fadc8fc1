"""One contract for organisations and the code registry: memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from events.adapters.memory_registry import MemoryCodeRegistry, MemoryOrganisations
from events.adapters.sql_registry import SqlCodeRegistry, SqlOrganisations, hash_api_key
from events.domain import DuplicateBatchError, OwnershipError
from events.domain.code_batches import CodeBatch, CodeScheme, MintRequest
from events.ports import CodeRegistry, Organisations
from identifiers import SerialPolicy

WHEN = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def batch(n: int, organisation_id: int, key: str | None = None, gtin: str = "06901234000016"):
    request = MintRequest(scheme=CodeScheme.SGTIN, count=3, gtin=gtin, lot=f"L{n}")
    return CodeBatch(
        id=f"{n:032x}",
        organisation_id=organisation_id,
        request=request,
        fingerprint=request.fingerprint(),
        idempotency_key=key,
        created_at=WHEN,
        count=3,
    )


class RegistryContract:
    @pytest.fixture
    def organisations(self) -> Organisations:
        raise NotImplementedError

    @pytest.fixture
    def codes(self) -> CodeRegistry:
        raise NotImplementedError

    @pytest.fixture
    def owner(self, organisations: Organisations):
        return organisations.add(
            "海南椰子 Coconut Co",
            company_prefixes=["6901234", "6907777"],
            glns=["6901234000016"],
            handle_prefix="88.100.1",
        )

    def test_an_organisation_is_stored_with_what_it_owns(self, organisations, owner) -> None:
        assert organisations.by_name("海南椰子 Coconut Co") == owner
        assert organisations.by_id(owner.id) == owner
        assert owner.company_prefixes == ("6901234", "6907777")
        assert owner.glns == ("6901234000016",)
        assert owner.handle_prefix == "88.100.1"
        assert organisations.company_prefixes() >= {"6901234", "6907777"}
        assert owner in organisations.all()

    @pytest.mark.parametrize(
        "taken",
        [
            {"name": "海南椰子 Coconut Co"},
            {"name": "Other", "company_prefixes": ["6907777"]},
            {"name": "Other", "glns": ["6901234000016"]},
            {"name": "Other", "handle_prefix": "88.100.1"},
        ],
    )
    def test_what_one_organisation_owns_no_other_can_register(
        self, organisations, owner, taken
    ) -> None:
        with pytest.raises(OwnershipError, match="already"):
            organisations.add(**taken)
        assert organisations.by_name("Other") is None

    def test_the_serial_policy_is_kept(self, organisations) -> None:
        policy = SerialPolicy(16, "0123456789")
        created = organisations.add("Pharma Co", company_prefixes=["6923456"], serial_policy=policy)
        assert organisations.by_name("Pharma Co").serial_policy == policy == created.serial_policy

    def test_api_keys_are_found_by_their_hash(self, organisations, owner) -> None:
        organisations.add_api_key(owner.id, hash_api_key("oc_secret"), "ERP")
        assert organisations.by_api_key_hash(hash_api_key("oc_secret")) == owner
        assert organisations.by_api_key_hash(hash_api_key("oc_other")) is None

    def test_batches_are_stored_and_found_by_idempotency_key(self, codes, owner) -> None:
        first = batch(1, owner.id, key="retry-1")
        codes.add_batch(first)
        assert codes.get_batch(first.id) == first
        assert codes.find_batch(owner.id, "retry-1") == first
        assert codes.find_batch(owner.id, "retry-2") is None
        with pytest.raises(DuplicateBatchError):
            codes.add_batch(batch(2, owner.id, key="retry-1"))
        codes.add_batch(batch(3, owner.id))  # no key: any number of batches
        codes.add_batch(batch(4, owner.id))

    def test_a_serial_is_unique_in_its_key_forever(self, codes, owner) -> None:
        codes.add_batch(batch(1, owner.id))
        codes.add_batch(batch(2, owner.id))
        assert codes.add_codes(f"{1:032x}", "06901234000016", ["A1", "A2", "A3"], 0) == 3
        # A later batch that draws A2 again gets it skipped, not stored twice.
        assert codes.add_codes(f"{2:032x}", "06901234000016", ["A2", "B1", "B1"], 0) == 1
        assert codes.issued("06901234000016") == 4
        # The same serial under another GTIN is another code.
        assert codes.add_codes(f"{2:032x}", "06907777000011", ["A2"], 5) == 1
        assert list(codes.serials(f"{1:032x}")) == ["A1", "A2", "A3"]
        assert list(codes.serials(f"{2:032x}")) == ["B1", "A2"]

    def test_serials_come_in_minting_order_with_paging(self, codes, owner) -> None:
        codes.add_batch(batch(1, owner.id))
        serials = [f"S{n:03d}" for n in range(50)][::-1]
        codes.add_codes(f"{1:032x}", "06901234000016", serials[:20], 0)
        codes.add_codes(f"{1:032x}", "06901234000016", serials[20:], 20)
        assert list(codes.serials(f"{1:032x}")) == serials
        assert list(codes.serials(f"{1:032x}", offset=10, limit=5)) == serials[10:15]

    def test_sscc_references_are_consecutive(self, codes) -> None:
        assert codes.allocate_sscc_references("6901234", 0, 10) == 0
        assert codes.allocate_sscc_references("6901234", 0, 5) == 10
        assert codes.allocate_sscc_references("6901234", 1, 5) == 0
        assert codes.allocate_sscc_references("6907777", 0, 1) == 0


class TestMemoryRegistry(RegistryContract):
    @pytest.fixture
    def organisations(self) -> Organisations:
        return MemoryOrganisations()

    @pytest.fixture
    def codes(self) -> CodeRegistry:
        return MemoryCodeRegistry()


class TestSqlRegistry(RegistryContract):
    @pytest.fixture
    def organisations(self, connection: Connection) -> Organisations:
        return SqlOrganisations(connection)

    @pytest.fixture
    def codes(self, connection: Connection) -> CodeRegistry:
        return SqlCodeRegistry(connection)

    def test_the_database_never_frees_a_minted_serial(self, codes, owner, connection) -> None:
        codes.add_batch(batch(1, owner.id))
        codes.add_codes(f"{1:032x}", "06901234000016", ["A1"], 0)
        with pytest.raises(DBAPIError, match="append-only"), connection.begin_nested():
            connection.execute(text("DELETE FROM minted_codes"))
        assert codes.issued("06901234000016") == 1
