"""An interactive map for the HTML report: inline SVG and a little vanilla JavaScript, no requests.

The map is drawn in Python as SVG in the report's projection (:data:`corridors.style.MAP_CRS`):
countries, the network (by gauge and status), and one layer per option with its route. The
script (``templates/map.js``, inlined in the page) adds pan (drag), zoom (wheel and buttons),
tooltips with a segment's or route's facts on hover, and a checkbox per option layer.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from corridors.cartography import attribution_text, countries_projected, map_extent
from corridors.network import Network
from corridors.options import Evaluation
from corridors.plot import segment_status_on
from corridors.style import GAUGE, MAP_CRS, PALETTE, STATUS, STYLE, style_key

__all__ = ["MapLayer", "interactive_map_svg"]

#: Width of the SVG's coordinate system (the map scales to the page).
WIDTH = 1000.0


@dataclass(frozen=True)
class MapLayer:
    """One toggleable layer of the interactive map: an option's route."""

    layer_id: str
    name: str
    color: str


def _dash(status: str) -> str:
    style = STATUS[status]["linestyle"]
    if style == "-":
        return ""
    _, pattern = style
    return " ".join(f"{v * 1.3:g}" for v in pattern)


class _Projector:
    def __init__(self, extent: tuple[float, float, float, float]) -> None:
        self.x0, x1, self.y0, y1 = extent
        self.scale = WIDTH / (x1 - self.x0)
        self.height = (y1 - self.y0) * self.scale

    def path(self, geom: BaseGeometry) -> str:
        parts = []
        for line in _lines(geom):
            coords = shapely.get_coordinates(line)
            if len(coords) < 2:
                continue
            pts = [
                f"{(x - self.x0) * self.scale:.1f},{self.height - (y - self.y0) * self.scale:.1f}" for x, y in coords
            ]
            parts.append("M" + " L".join(pts) + (" Z" if line.geom_type == "LinearRing" else ""))
        return " ".join(parts)


def _lines(geom: Any) -> list[Any]:
    if geom is None or geom.is_empty:
        return []
    t = geom.geom_type
    if t == "LineString":
        return [geom]
    if t == "Polygon":
        return [geom.exterior, *geom.interiors]
    if t in ("MultiLineString", "MultiPolygon", "GeometryCollection"):
        return [x for g in geom.geoms for x in _lines(g)]
    return []


def _tip(*lines: str) -> str:
    return html.escape("\n".join(lines), quote=True)


def interactive_map_svg(net: Network, evaluations: list[Evaluation]) -> tuple[str, list[MapLayer]]:
    """The interactive map's SVG and its option layers.

    Parameters
    ----------
    net
        The full network (drawn by its current status under the routes).
    evaluations
        The report's evaluations; each option's route on the latest date it has one is a layer.

    Returns
    -------
    tuple
        SVG markup (every text escaped) and the layers, in the order of the options.

    Examples
    --------
    >>> from corridors import load_network
    >>> svg, layers = interactive_map_svg(load_network(), [])
    >>> svg.startswith("<svg") and layers == []
    True
    """
    latest: dict[str, Evaluation] = {}
    for ev in evaluations:
        if ev.route is not None:
            latest[ev.option.name] = ev
    routes = [ev.route.geometry for ev in latest.values() if ev.route is not None]
    focus = gpd.GeoSeries(routes, crs="EPSG:4326") if routes else net.segments.geometry
    extent = map_extent(focus, margin=0.12, aspect=1.45)
    proj = _Projector(extent)
    tol = 1.2 / proj.scale  # metres per 1.2 SVG units: detail below that is invisible
    out = [
        f'<svg id="imap" class="imap-svg" viewBox="0 0 {WIDTH:g} {proj.height:.1f}" '
        'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Interactive map of the options">',
        f'<rect x="-5000" y="-5000" width="{WIDTH + 10000:g}" height="{proj.height + 10000:.0f}" '
        f'fill="{STYLE["sea"]}"/>',
        f'<g id="layer-countries" fill="{STYLE["land"]}" stroke="{STYLE["border"]}" stroke-width="0.7" '
        'fill-rule="evenodd">',
    ]
    countries = countries_projected()
    for _, c in countries.iterrows():
        g = c.geometry.simplify(tol * 2)
        out.append(
            f'<path vector-effect="non-scaling-stroke" d="{proj.path(g)}">'
            f"<title>{html.escape(str(c['name']))}</title></path>"
        )
    out.append("</g>")
    segs = net.segments
    status = segment_status_on(segs, None)
    proj_segs = segs.to_crs(MAP_CRS)
    out.append('<g id="layer-network" fill="none" stroke-linecap="round">')
    for (_, seg), st, geom in zip(segs.iterrows(), status, proj_segs.geometry, strict=True):
        if st is None:
            continue
        gs = GAUGE[style_key(seg["gauge"], seg.get("mode"))]
        when = (
            f"opened {seg['opened']}" if seg["opened"] else f"expected {seg['expected_opening'] or 'no date announced'}"
        )
        tip = _tip(
            str(seg["name"] or seg["id"]),
            f"{seg['id']} · {gs['label']} · {STATUS[st]['label']}",
            f"{seg['length_geodesic_km']:,.0f} km · {when}",
        )
        dash = _dash(st)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<path class="seg" data-tip="{tip}" d="{proj.path(geom.simplify(tol))}" stroke="{gs["color"]}" '
            f'stroke-width="{gs["linewidth"] * 1.1:g}"{dash_attr} vector-effect="non-scaling-stroke" opacity="0.75"/>'
        )
    out.append("</g>")
    layers = []
    for i, (name, ev) in enumerate(latest.items()):
        r = ev.route
        assert r is not None
        color = PALETTE[i % len(PALETTE)]
        layer = MapLayer(f"layer-option-{i}", name, color)
        layers.append(layer)
        tip = _tip(
            f"{name} ({ev.on.isoformat()})",
            f"{r.name(r.origin)} → {r.name(r.destination)}",
            f"{r.km:,.0f} km · {r.hours / 24:,.1f} days · {r.cost:,.0f} {r.cost_unit}",
            f"{len(r.borders)} border crossing(s) · {len(r.gauge_changes)} gauge change(s)",
        )
        geom = gpd.GeoSeries([r.geometry], crs="EPSG:4326").to_crs(MAP_CRS).iloc[0]
        width = 6 + 3 * (len(latest) - 1 - i)  # earlier options wider underneath, as on the static maps
        out.append(
            f'<g id="{layer.layer_id}" class="option-layer" data-option="{html.escape(name, quote=True)}">'
            f'<path class="route" data-tip="{tip}" d="{proj.path(geom.simplify(tol))}" fill="none" '
            f'stroke="{color}" stroke-width="{width}" stroke-opacity="0.8" stroke-linecap="round" '
            'stroke-linejoin="round" vector-effect="non-scaling-stroke"/></g>'
        )
    ends: dict[str, Any] = {}
    st_proj = net.stations.to_crs(MAP_CRS).set_index("id")
    for ev in latest.values():
        assert ev.route is not None
        for sid in (ev.route.origin, ev.route.destination):
            ends[sid] = st_proj.loc[sid]
    out.append('<g id="layer-places">')
    for sid, row in ends.items():
        x = (row.geometry.x - proj.x0) * proj.scale
        y = proj.height - (row.geometry.y - proj.y0) * proj.scale
        name = html.escape(str(row["name"]))
        out.append(
            f'<circle class="place" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="white" stroke="#111" stroke-width="1.5" '
            f'vector-effect="non-scaling-stroke" data-tip="{_tip(str(row["name"]), sid)}"/>'
            f'<text class="place-label" x="{x + 7:.1f}" y="{y - 5:.1f}">{name}</text>'
        )
    out.append("</g>")
    out.append("</svg>")
    credit = html.escape(attribution_text(net.segments, net.stations))
    return "\n".join(out) + f'\n<p class="imap-credit">{credit}</p>', layers
