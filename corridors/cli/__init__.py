"""The ``corridors`` command line: one module per family of commands, composed here.

Errors become one clear message and an exit code, never a traceback: 0 ok, 1 a problem with the
data or the question (invalid data, no route), 2 bad usage (an unknown option, station or
country; an output that may not be replaced).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from corridors import __version__
from corridors._errors import (
    CorridorsError,
    DataError,
    NoRouteError,
    OutputExistsError,
    StationNotFoundError,
    UsageError,
)
from corridors.cli._common import err
from corridors.cli.analysis import criticality_cmd, hubs_cmd, od_cmd
from corridors.cli.compare import compare
from corridors.cli.network import export, info, validate
from corridors.cli.osm import import_osm_command
from corridors.cli.route import map_cmd, route_cmd
from corridors.cli.scenario import scenario

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="corridors")
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    default=None,
    help="Network: a folder with stations.geojson and segments.geojson, or a .gpkg. Default: the shipped geodata/.",
)
@click.option(
    "--params",
    type=click.Path(path_type=Path),
    default=None,
    help="Parameters TOML (speeds, border dwell and fees, gauge changes, tariffs). Default: geodata/parameters.toml.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what each step does.")
@click.pass_context
def cli(ctx: click.Context, data: Path | None, params: Path | None, verbose: bool) -> None:
    """Model the rail corridors of Iran, Afghanistan and Central Asia.

    \b
    Examples:
      corridors validate                      check the shipped network
      corridors info                          km by country, status, gauge and corridor
      corridors route Kashgar "Bandar Abbas" --by time --alternatives 3
      corridors route Mashhad Herat --as-of 2030-01-01 --expected
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(name)s: %(message)s")
    ctx.ensure_object(dict).update(data=data, params=params)


for _command in (
    validate,
    info,
    route_cmd,
    map_cmd,
    export,
    scenario,
    compare,
    od_cmd,
    criticality_cmd,
    hubs_cmd,
    import_osm_command,
):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; errors become messages and exit codes, never tracebacks."""
    try:
        rv = cli.main(args=argv, prog_name="corridors", standalone_mode=False)
        if isinstance(rv, int):  # ctx.exit(code) returns the code when not standalone
            sys.exit(rv)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        err.print("aborted")
        sys.exit(1)
    except (StationNotFoundError, UsageError, OutputExistsError) as exc:
        err.print(f"error: {exc}")
        sys.exit(2)
    except (NoRouteError, DataError, CorridorsError) as exc:
        err.print(f"error: {exc}")
        sys.exit(1)
    except OSError as exc:
        err.print(f"error: {exc}")
        sys.exit(1)
    sys.exit(0)
