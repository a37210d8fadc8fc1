"""Benchmarks for OneCode Trace: ``make bench`` (``python -m bench``) writes docs/PERFORMANCE.md.

Never imported by the test suite; every figure is measured in the run that writes it.
"""
