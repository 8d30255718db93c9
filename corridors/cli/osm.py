"""``corridors import-osm``: OpenStreetMap railways to a network folder."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click

from corridors.cli._common import err, out

__all__ = ["import_osm_command"]

_STAGES = ("read", "classifying ways", "attaching stations", "splitting and merging", "building the network")


class _BBox(click.ParamType):  # type: ignore[type-arg]
    name = "W,S,E,N"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[float, float, float, float]:
        if isinstance(value, tuple):
            return value
        try:
            w, s, e, n = (float(v) for v in str(value).split(","))
        except ValueError:
            self.fail(
                f"{value!r} is not four numbers west,south,east,north (degrees), e.g. 55.9,37.1,73.2,45.6", param, ctx
            )
        if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
            self.fail(f"{value!r}: need west < east within -180..180 and south < north within -90..90", param, ctx)
        return (w, s, e, n)


@click.command("import-osm", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Network folder to write.")
@click.option("--bbox", type=_BBox(), default=None, help="Keep only ways touching this box: W,S,E,N in degrees.")
@click.option("--keep-service", is_flag=True, help="Keep sidings, yards, spurs and crossovers.")
@click.option("--keep-light", is_flag=True, help="Keep light rail, tram, subway, monorail and narrow gauge lines.")
@click.option("--force", is_flag=True, help="Replace the folder if it exists and corridors wrote it.")
def import_osm_command(
    paths: tuple[Path, ...],
    out_dir: Path,
    bbox: tuple[float, float, float, float] | None,
    keep_service: bool,
    keep_light: bool,
    force: bool,
) -> None:
    """Import OpenStreetMap railways as a network folder.

    PATHS are .osm.pbf or .osm files, or OpenStreetMap-derived line files (.gpkg, .geojson, JSON
    way lists; .gz is fine) and station lists; all are combined. The folder holds
    stations.geojson and segments.geojson in the corridors schema, checked with
    `corridors validate`. The data is © OpenStreetMap contributors, ODbL 1.0.

    \b
    Examples:
      corridors import-osm uzbekistan-latest.osm.pbf --out net/uzbekistan
      corridors import-osm geodata/osm/arc_railways_afghanistan.json.gz \\
          geodata/osm/arc_stations_afghanistan.json.gz --bbox 60.5,34,71,38.5 --out net/afg --force
    """
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from corridors.network import validate_network
    from corridors.osm import import_osm, write_network_folder
    from corridors.output import check_target

    check_target(out_dir, force=force, folder=True)
    command = shlex.join(
        ["corridors", "import-osm", *map(str, paths), "--out", str(out_dir)]
        + (["--bbox", ",".join(f"{v:g}" for v in bbox)] if bbox else [])
        + (["--keep-service"] if keep_service else [])
        + (["--keep-light"] if keep_light else [])
        + (["--force"] if force else [])
    )
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task("reading", total=len(_STAGES) + 2)

        def step(stage: str) -> None:
            bar.update(task, advance=1, description=stage)

        stations, segments, summary = import_osm(
            list(paths), bbox=bbox, keep_service=keep_service, keep_light=keep_light, progress=step
        )
        bar.update(task, description="writing")
        write_network_folder(stations, segments, out_dir, command=command, force=force)
        bar.update(task, advance=1, description="validating")
        problems = validate_network(out_dir)
        bar.update(task, advance=1)
    for line in summary.lines():
        out.print(line)
    errors = [p for p in problems if p.severity == "error"]
    out.print(
        f"wrote {out_dir}: {len(stations)} stations, {len(segments)} segments; "
        f"validate: {len(errors)} error(s), {len(problems) - len(errors)} warning(s)"
    )
    for p in errors[:20]:
        err.print(str(p))
    out.print("Data © OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright).")
    if errors:
        click.get_current_context().exit(1)
