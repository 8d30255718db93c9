"""``corridors import-osm``: build a network from OpenStreetMap railways (placeholder until merged)."""

from __future__ import annotations

import click

__all__ = ["import_osm_command"]


@click.command(name="import-osm", hidden=True)
def import_osm_command() -> None:
    """Build a network folder from an OpenStreetMap extract."""
    raise click.UsageError("import-osm is not available in this build")
