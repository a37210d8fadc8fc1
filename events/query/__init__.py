"""EPCIS 2.0 queries: parameters (EPCIS 2.0 §8.2.7.1 SimpleEventQuery), a reference filter, paging.

``params`` parses a REST query string into ``QueryParams``; ``oracle`` is the plain reference
filter over stored events and the organisation's location master data (``Locations``; the SQL
adapter ``events.adapters.sql_query`` must agree with it); ``paging`` signs and checks
``nextPageToken``s.
"""

from events.query.oracle import Locations, matches, run
from events.query.paging import Cursor, PageTokenError, PageTokens
from events.query.params import (
    Condition,
    QueryParameterError,
    QueryParams,
    QueryTooComplexError,
    parse_query,
)

__all__ = [
    "Condition",
    "Cursor",
    "Locations",
    "PageTokenError",
    "PageTokens",
    "QueryParameterError",
    "QueryParams",
    "QueryTooComplexError",
    "matches",
    "parse_query",
    "run",
]
