"""Importers of digests published by other tools."""
