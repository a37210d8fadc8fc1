"""Pure identifiers: parse, validate, format and mint the codes OneCode Trace deals in.

``parse()`` reads GS1 element strings (raw, GS-separated, HRI, with symbology
identifiers), GS1 Digital Link URIs, EPC URNs, bare GTIN/SSCC digits, China
industrial-internet handles and 20-digit China drug traceability codes into one frozen
``Identifier``. Standard library only, plus ``biip`` for GS1 Company Prefix lengths.
"""

from __future__ import annotations

from identifiers._errors import IdentifierError, MintError, ParseError
from identifiers._linters import check_ai_value
from identifiers._parse import MAX_INPUT_LENGTH, Reading, parse, read
from identifiers.ai_table import AiSpec, ai_spec
from identifiers.checksums import gs1_check_digit, has_valid_check_digit
from identifiers.cn_drug_code import CnDrugCode
from identifiers.company_prefix import CompanyPrefixes, KnownPrefixes
from identifiers.digital_link import CANONICAL_DOMAIN, build_digital_link, parse_digital_link
from identifiers.element_strings import GS, format_element_string, format_hri, parse_element_string
from identifiers.epc_uri import escape_epc_component, parse_epc_urn
from identifiers.gln import Gln
from identifiers.gs1_keys import Scheme
from identifiers.gtin import Gtin
from identifiers.handle import HandleId
from identifiers.identifier import Identifier
from identifiers.minting import SerialPolicy, build_sscc, mint_handle_suffixes, mint_serials
from identifiers.sscc import Sscc

__all__ = [
    "CANONICAL_DOMAIN",
    "GS",
    "MAX_INPUT_LENGTH",
    "AiSpec",
    "CnDrugCode",
    "CompanyPrefixes",
    "Gln",
    "Gtin",
    "HandleId",
    "Identifier",
    "IdentifierError",
    "KnownPrefixes",
    "MintError",
    "ParseError",
    "Reading",
    "Scheme",
    "SerialPolicy",
    "Sscc",
    "ai_spec",
    "build_digital_link",
    "build_sscc",
    "check_ai_value",
    "escape_epc_component",
    "format_element_string",
    "format_hri",
    "gs1_check_digit",
    "has_valid_check_digit",
    "mint_handle_suffixes",
    "mint_serials",
    "parse",
    "parse_digital_link",
    "parse_element_string",
    "parse_epc_urn",
    "read",
]
