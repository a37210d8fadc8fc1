"""Label printing: spec → symbol → writer (ARCHITECTURE.md R10). Built by the label-printing issue."""
