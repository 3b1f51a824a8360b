"""Sync bundles: signing keys, the bundle file format, and reading bundles safely."""
