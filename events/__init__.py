"""The event side of OneCode Trace: the EPCIS 2.0 ledger, its projections and the trace engine.

Layers (ARCHITECTURE.md §1): ``events.domain`` is pure, ``events.ports`` names what the services
need, ``events.adapters`` is the only package that talks to a database.
"""
