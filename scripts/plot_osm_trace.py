"""Maps to check a traced network against the drawn one, area by area.

Draws, for a few areas, the OpenStreetMap track of ``geodata/osm`` (grey), the segments before
(red, dashed) and after tracing (blue: ``osm_track``, green: ``osm_stations``, orange: still
``drawn``) and the stations before (red crosses) and after (blue dots), and writes one PNG per area.

Usage::

    python scripts/trace_osm.py --out /tmp/traced
    python scripts/plot_osm_trace.py /tmp/traced --out /tmp/trace_maps [AREA ...]

Areas: fergana, amu_darya, khaf_herat, kopet_dag, tajik, tashkent, mashhad, xinjiang.
Map data © OpenStreetMap contributors, ODbL 1.0.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from shapely import LineString, box

from corridors.network import load_network
from corridors.output import save_figure
from corridors.trace import read_extracts

ROOT = Path(__file__).resolve().parents[1]
AREAS = {
    "fergana": (70.3, 40.0, 73.5, 41.4),
    "amu_darya": (64.3, 36.6, 68.2, 38.4),
    "khaf_herat": (59.5, 33.9, 62.5, 35.6),
    "kopet_dag": (55.5, 37.0, 61.5, 39.6),
    "tajik": (67.5, 37.0, 70.5, 39.0),
    "tashkent": (68.5, 40.3, 71.0, 41.6),
    "mashhad": (58.5, 35.2, 61.5, 37.2),
    "xinjiang": (75.0, 39.0, 89.0, 45.0),
}
COLOURS = {"osm_track": "#1f4fd1", "osm_stations": "#1a9641", "drawn": "#f08c00"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("traced", type=Path, help="the traced network folder")
    ap.add_argument("areas", nargs="*", default=list(AREAS), help=f"areas to draw: {', '.join(AREAS)} (default all)")
    ap.add_argument("--before", type=Path, default=ROOT / "geodata", help="the network before tracing")
    ap.add_argument("--out", type=Path, required=True, help="folder for the PNGs")
    args = ap.parse_args()
    unknown = sorted(set(args.areas) - set(AREAS))
    if unknown:
        ap.error(f"unknown area(s) {', '.join(unknown)}; choose from {', '.join(AREAS)}")
    old, new = load_network(args.before), load_network(args.traced)
    ways, _ = read_extracts(args.before / "osm")
    tracks = gpd.GeoSeries([LineString(w.coords) for w in ways], crs="EPSG:4326")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.areas:
        w, s, e, n = AREAS[name]
        frame = box(w, s, e, n)
        fig, ax = plt.subplots(figsize=(11, 9))
        tracks[tracks.intersects(frame)].plot(ax=ax, color="#bbbbbb", linewidth=0.6)
        old.segments[old.segments.intersects(frame)].plot(ax=ax, color="red", linewidth=1.2, linestyle="--")
        segs = new.segments[new.segments.intersects(frame)]
        for source, colour in COLOURS.items():
            part = segs[segs["geometry_source"] == source]
            if len(part):
                part.plot(ax=ax, color=colour, linewidth=1.6)
        old.stations[old.stations.intersects(frame)].plot(ax=ax, color="red", marker="x", markersize=30)
        st = new.stations[new.stations.intersects(frame)]
        st.plot(ax=ax, color="#1f4fd1", markersize=14)
        for _, r in st.iterrows():
            ax.annotate(r["name"], (r.geometry.x, r.geometry.y), fontsize=7)
        for _, r in segs.iterrows():
            mid = r.geometry.interpolate(0.5, normalized=True)
            ax.annotate(r["id"], (mid.x, mid.y), fontsize=6, color="purple")
        ax.set_xlim(w, e)
        ax.set_ylim(s, n)
        ax.set_title(
            f"{name}: red dashed before; blue osm_track, green osm_stations, orange drawn; grey OSM track",
            loc="left",
            fontsize=10,
        )
        fig.text(0.01, 0.01, "Map data © OpenStreetMap contributors, ODbL 1.0", fontsize=7, color="#555555")
        path = save_figure(fig, args.out / f"{name}.png", dpi=80)
        print(f"written to {path}")


if __name__ == "__main__":
    main()
