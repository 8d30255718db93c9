"""OpenStreetMap import: geodata/osm's Uzbek GeoPackage to a validated network.

Times, in one process: reading the file alone (``pyogrio.read_dataframe``, the floor any import
pays), ``corridors.osm.import_osm`` (read, classify, split, merge, build the frames), building the
network with every check (``network_from_gdfs``: record checks, geodesic lengths, km by country,
graph), and the full validation of the written folder (``validate_network``: also segment ends,
countries, gauges, connectivity). Target: import plus network under 10 s. Reported as medians of
``--repeat`` runs, and as ratios to the plain read.

    python benchmarks/bench_osm.py [--repeat 3] [--out FILE]
"""

from __future__ import annotations

import argparse
import gzip
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyogrio

from corridors.data import get_path
from corridors.network import network_from_gdfs, validate_network
from corridors.osm import import_osm, write_network_folder


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    src = get_path("osm/uzbekistan_railways.gpkg.gz")
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "uzbekistan_railways.gpkg"
        with gzip.open(src, "rb") as fin, plain.open("wb") as fout:
            shutil.copyfileobj(fin, fout)
        t_read, gdf = timed(lambda: pyogrio.read_dataframe(plain), args.repeat)
        t_import, (stations, segments, summary) = timed(lambda: import_osm(plain), args.repeat)
        t_import_gz, _ = timed(lambda: import_osm(src), args.repeat)
        t_net, net = timed(lambda: network_from_gdfs(stations, segments), args.repeat)
        out = write_network_folder(stations, segments, Path(tmp) / "net", command="bench_osm")
        t_val, problems = timed(lambda: validate_network(out), 1)
    errors = [p for p in problems if p.severity == "error"]
    assert not errors, errors[:3]
    rows = [
        ("read the file (pyogrio.read_dataframe)", t_read),
        ("import_osm (uncompressed .gpkg)", t_import),
        ("import_osm (the shipped .gpkg.gz)", t_import_gz),
        ("network_from_gdfs (checks, lengths, km by country, graph)", t_net),
        ("import_osm + network_from_gdfs", t_import + t_net),
        ("validate_network of the written folder", t_val),
    ]
    lines = [
        f"Uzbek GeoPackage: {len(gdf)} lines read, {summary.ways_kept} kept; network of {len(net.stations)} stations "
        f"and {len(net.segments)} segments, {sum(summary.km_by_status.values()):,.0f} km; validation: "
        f"{len(errors)} errors, {len(problems)} warnings. Python {platform.python_version()}, "
        f"{platform.machine()}, medians of {args.repeat} runs.",
        "",
        "| step | seconds | x read |",
        "|---|---:|---:|",
        *(f"| {name} | {t:.2f} | {t / t_read:.1f} |" for name, t in rows),
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
