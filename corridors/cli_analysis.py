"""Command-line commands for network analysis (registered on :data:`corridors.cli.cli`)."""

from __future__ import annotations
