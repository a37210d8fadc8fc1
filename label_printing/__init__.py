"""Label printing: spec → symbol → writer (ARCHITECTURE.md R10)."""
