"""The OpenAPI description of our own API (a leaf package: imports nothing of ours)."""
