"""Trace the shipped segments along OpenStreetMap track and place stations on OSM station nodes.

Reads the network (``geodata/`` by default) and the OpenStreetMap extracts in ``geodata/osm/``,
moves stations to the OSM station of the same name nearby, traces every segment along OSM track
(or, where the extracts hold no track, through the OSM station points along it), prints one line
per segment and the length measure before and after, and writes ``stations.geojson`` and
``segments.geojson`` keeping every existing property and the files' one-feature-per-line layout.
Only geometry and the ``geometry_source`` / ``osm_ids`` properties change (and ``coordinates``
leaves ``estimated`` for moved stations); status, dates, gauge and lengths are never touched.

Usage::

    python scripts/trace_osm.py --out /tmp/traced            # a new folder (refuses an existing one)
    python scripts/trace_osm.py --out /tmp/traced --force    # replace a folder this script wrote
    python scripts/trace_osm.py --in-place                   # rewrite geodata/*.geojson
    python scripts/trace_osm.py --data other/ --osm other/osm --out /tmp/x

The traced geometry is derived from OpenStreetMap: © OpenStreetMap contributors, ODbL 1.0.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from shapely.geometry import mapping

from corridors.network import load_network, validate_network
from corridors.osm import ATTRIBUTION, write_text_folder
from corridors.trace import length_agreement, read_extracts, trace_segments, track_index

ROOT = Path(__file__).resolve().parents[1]
FILES = ("stations.geojson", "segments.geojson")


def _round(coords: Any, nd: int = 6) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), nd) for c in coords]
    return [_round(c, nd) for c in coords]


def _dump(doc: dict[str, Any]) -> str:
    """The shipped layout: one feature per line."""
    lines = [json.dumps(f, ensure_ascii=False) for f in doc["features"]]
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"


def _update(doc: dict[str, Any], frame: Any, *, stations: bool) -> int:
    """Write geometry and the OSM properties of ``frame`` into the raw features; return changes."""
    by_id = {r["id"]: r for r in frame.to_dict("records")}
    changed = 0
    for feat in doc["features"]:
        props = feat["properties"]
        rec = by_id[props["id"]]
        source = rec.get("geometry_source")
        if stations and source != "osm_node":
            continue  # unmoved stations keep their file entry as it is
        geom = {"type": feat["geometry"]["type"], "coordinates": _round(mapping(rec["geometry"])["coordinates"])}
        before = (feat["geometry"], props.get("geometry_source"), props.get("osm_ids"), props.get("estimated"))
        feat["geometry"] = geom
        props["geometry_source"] = source
        props["osm_ids"] = list(rec.get("osm_ids") or [])
        if stations:
            props["estimated"] = [e for e in props.get("estimated") or [] if e != "coordinates"]
            note = f"Position: OpenStreetMap {props['osm_ids'][0]} ({ATTRIBUTION})."
            notes = props.get("notes") or ""
            if "Position: OpenStreetMap" not in notes:
                props["notes"] = f"{notes} {note}".strip()
            else:  # a re-run: replace the old position note
                head = notes.split("Position: OpenStreetMap")[0].rstrip()
                props["notes"] = f"{head} {note}".strip()
        after = (feat["geometry"], props.get("geometry_source"), props.get("osm_ids"), props.get("estimated"))
        changed += before != after
    return changed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT / "geodata", help="network folder (default geodata/)")
    ap.add_argument("--osm", type=Path, default=None, help="folder of OSM extracts (default DATA/osm)")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="write the traced network to this new folder")
    where.add_argument("--in-place", action="store_true", help="rewrite the network files in DATA")
    ap.add_argument("--force", action="store_true", help="replace --out if this script (or corridors) wrote it")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")

    t0 = time.perf_counter()
    net = load_network(args.data)
    ways, osm_stations = read_extracts(args.osm or args.data / "osm")
    index = track_index(ways, osm_stations)
    stations, segments, table = trace_segments(net.stations, net.segments, index)
    took = time.perf_counter() - t0
    print(f"read {len(ways)} OSM ways and {len(osm_stations)} station points; traced in {took:.0f} s")

    moved = stations[stations["geometry_source"] == "osm_node"]
    print(f"\nstations moved to OpenStreetMap station nodes: {len(moved)} of {len(stations)}")
    print("\nper segment (result, km drawn -> km new, documented km, reason):")
    for r in table.itertuples():
        doc = f"{r.length_km:g}" if r.length_km == r.length_km and r.length_km is not None else "-"
        km = f"{r.km_drawn:7.1f} -> {r.km_new:7.1f}"
        print(f"  {r.id:<38} {r.status[:5]:<5} {r.result:<12} {km}  doc {doc:>6}  {r.reason}")
    counts = table["result"].value_counts().to_dict()
    print("\nresults:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    before, after = length_agreement(net.segments), length_agreement(segments)
    for label, m in (("before", before), ("after", after)):
        print(
            f"{label}: {m['n']} segments with a documented length, median geometry/documented "
            f"{m['median_ratio']:.3f}, {m['share_off'] * 100:.0f} % off by more than 15 %"
        )

    docs = {}
    for name, frame, is_st in (("stations.geojson", stations, True), ("segments.geojson", segments, False)):
        with (args.data / name).open(encoding="utf-8") as fh:
            doc = json.load(fh)
        n = _update(doc, frame, stations=is_st)
        print(f"{name}: {n} feature(s) changed")
        docs[name] = _dump(doc)

    if args.in_place:
        for name, text in docs.items():
            path = args.data / name
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        out = args.data
    else:
        command = shlex.join([sys.executable, *sys.argv])
        out = write_text_folder(args.out, docs, command=command, force=args.force)
    errors = [p for p in validate_network(out) if p.severity == "error"]
    print(f"wrote {out}; validate: {len(errors)} error(s)")
    for p in errors[:20]:
        print(f"  {p}")
    print(f"Traced geometry: {ATTRIBUTION}.")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
