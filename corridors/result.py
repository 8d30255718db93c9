"""What a route is: its legs, border crossings, changes of gauge and mode, totals, and constraints.

These frozen objects are what :class:`corridors.routing.Router` returns and takes; they hold
everything a report or map needs to explain a route, and convert to plain data
(:meth:`Route.to_dict`) and to GeoDataFrames (:meth:`Route.to_geodataframe`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely import LineString

from corridors.network import Network

__all__ = ["BorderCrossing", "Constraints", "GaugeChange", "Leg", "Route", "Transfer"]


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leg:
    """One segment run by the route, in the direction of travel."""

    segment: str
    name: str
    from_station: str
    to_station: str
    gauge: str
    status: str
    km: float
    hours: float
    cost: float
    km_by_country: dict[str, float]
    km_basis: str = "geometry"
    mode: str = "rail"
    wait_h: float = 0.0


@dataclass(frozen=True)
class BorderCrossing:
    """A border crossed on a segment between stations in two countries."""

    segment: str
    from_station: str
    to_station: str
    from_country: str
    to_country: str
    dwell_h: float
    fee: float
    parameter: str
    mode: str = "rail"


@dataclass(frozen=True)
class Transfer:
    """A change of mode at a terminal (e.g. from rail to a ferry)."""

    station: str
    from_mode: str
    to_mode: str
    time_h: float
    cost: float


@dataclass(frozen=True)
class GaugeChange:
    """A change of gauge at a station."""

    station: str
    from_gauge: str
    to_gauge: str
    method: str
    time_h: float
    cost: float


@dataclass(frozen=True)
class Route:
    """A route and everything needed to explain it.

    Totals include every penalty: ``hours`` is running time (with the average wait for a
    departure on ferry and sea legs) plus border dwell plus gauge-change and transfer time;
    ``cost`` is tariff plus border fees plus gauge-change and transfer costs; ``generalized`` is
    ``cost + value_of_time * hours``.
    """

    origin: str
    destination: str
    criterion: str
    as_of: str
    network: str
    parameters: str
    cost_unit: str
    stations: list[str]
    station_names: dict[str, str]
    legs: list[Leg]
    borders: list[BorderCrossing]
    gauge_changes: list[GaugeChange]
    km: float
    hours: float
    cost: float
    generalized: float
    km_by_country: dict[str, float]
    geometry: LineString = field(repr=False)
    via: list[str] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)

    @property
    def modes(self) -> list[str]:
        """The modes the route uses, in order of first use."""
        return list(dict.fromkeys(leg.mode for leg in self.legs))

    def by_mode(self) -> dict[str, dict[str, float]]:
        """Kilometres, hours and cost of the legs of each mode (borders included, transfers not)."""
        out: dict[str, dict[str, float]] = {}
        for leg in self.legs:
            t = out.setdefault(leg.mode, {"km": 0.0, "hours": 0.0, "cost": 0.0})
            t["km"] += leg.km
            t["hours"] += leg.hours
            t["cost"] += leg.cost
        return out

    @property
    def segments(self) -> list[str]:
        """Segment ids in order of travel."""
        return [leg.segment for leg in self.legs]

    @property
    def value(self) -> float:
        """The total of the criterion the route was chosen by."""
        return {"distance": self.km, "time": self.hours, "cost": self.cost, "generalized": self.generalized}[
            self.criterion
        ]

    def name(self, sid: str) -> str:
        """Display name of a station on the route."""
        return self.station_names.get(sid, sid)

    def summary(self) -> str:
        """The route as readable text: path, totals, borders and gauge changes."""
        lines = [
            f"{self.name(self.origin)} -> {self.name(self.destination)} (by {self.criterion}, {self.network})",
            f"  {self.km:,.0f} km, {self.hours:,.1f} h, {self.cost:,.0f} {self.cost_unit}; "
            f"{len(self.borders)} border crossing(s), {len(self.gauge_changes)} gauge change(s)",
            "  via " + " - ".join(self.name(s) for s in self.stations),
            "  km by country: " + ", ".join(f"{c} {k:,.0f}" for c, k in self.km_by_country.items()),
        ]
        lines += self.event_lines()
        if len(self.modes) > 1:
            lines.append(
                "  by mode: "
                + ", ".join(f"{m} {v['km']:,.0f} km / {v['hours']:,.1f} h" for m, v in self.by_mode().items())
            )
        return "\n".join(lines)

    def event_lines(self, *, arrow: str = "->") -> list[str]:
        """One line per border crossing, change of gauge, wait for a departure and change of mode.

        Examples
        --------
        >>> from corridors import load_network, route
        >>> route(load_network(), "Mashhad", "Sarakhs", as_of="2026-11-30").event_lines()
        []
        """
        lines = []
        for b in self.borders:
            by = f" ({b.mode})" if b.mode != "rail" else ""
            lines.append(
                f"  border {b.from_country}{arrow}{b.to_country}{by} at {self.name(b.from_station)}/"
                f"{self.name(b.to_station)}: {b.dwell_h:g} h, {b.fee:g} {self.cost_unit} ({b.parameter})"
            )
        for g in self.gauge_changes:
            lines.append(
                f"  gauge change {g.from_gauge}{arrow}{g.to_gauge} at {self.name(g.station)} by {g.method}: "
                f"{g.time_h:g} h, {g.cost:g} {self.cost_unit}"
            )
        for leg in self.legs:
            if leg.wait_h:
                lines.append(
                    f"  wait for a {leg.mode} departure at {self.name(leg.from_station)}: "
                    f"{leg.wait_h:g} h (in the leg's hours)"
                )
        for t in self.transfers:
            lines.append(
                f"  transfer {t.from_mode}{arrow}{t.to_mode} at {self.name(t.station)}: "
                f"{t.time_h:g} h, {t.cost:g} {self.cost_unit}"
            )
        return lines

    def to_dict(self) -> dict[str, Any]:
        """The route as plain JSON-ready data (geometry as coordinates)."""
        return {
            "origin": self.origin,
            "destination": self.destination,
            "via": self.via,
            "criterion": self.criterion,
            "as_of": self.as_of,
            "network": self.network,
            "parameters": self.parameters,
            "cost_unit": self.cost_unit,
            "km": round(self.km, 3),
            "hours": round(self.hours, 3),
            "cost": round(self.cost, 2),
            "generalized": round(self.generalized, 2),
            "km_by_country": {k: round(v, 3) for k, v in self.km_by_country.items()},
            "stations": [{"id": s, "name": self.name(s)} for s in self.stations],
            "legs": [leg.__dict__ for leg in self.legs],
            "borders": [b.__dict__ for b in self.borders],
            "gauge_changes": [g.__dict__ for g in self.gauge_changes],
            "transfers": [t.__dict__ for t in self.transfers],
            "by_mode": self.by_mode(),
            "coordinates": [list(c) for c in self.geometry.coords],
        }

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """One row: the whole route, merged geometry and totals; stations, segments and modes as lists.

        Examples
        --------
        >>> from corridors import load_network, route
        >>> gdf = route(load_network(), "Mashhad", "Sarakhs", as_of="2026-11-30").to_geodataframe()
        >>> gdf.loc[0, "stations"]
        ['irn_mashhad', 'irn_sarakhs']
        """
        d = self.to_dict()
        row = {
            "origin": self.origin,
            "destination": self.destination,
            "criterion": self.criterion,
            "as_of": self.as_of,
            "km": d["km"],
            "hours": d["hours"],
            "cost": d["cost"],
            "generalized": d["generalized"],
            "cost_unit": self.cost_unit,
            "border_crossings": len(self.borders),
            "gauge_changes": len(self.gauge_changes),
            "transfers": len(self.transfers),
            "modes": self.modes,
            "stations": [s["id"] for s in d["stations"]],
            "segments": list(self.segments),
            "km_by_country": d["km_by_country"],
        }
        return gpd.GeoDataFrame([row], geometry=[self.geometry], crs="EPSG:4326")

    def _repr_html_(self) -> str:
        """The route as a small table in notebooks."""
        rows = "".join(
            f"<tr><td>{html.escape(self.name(leg.from_station))}</td><td>{html.escape(self.name(leg.to_station))}</td>"
            f"<td>{html.escape(leg.mode)}</td><td>{leg.km:,.0f}</td><td>{leg.hours:,.1f}</td><td>{leg.cost:,.0f}</td></tr>"
            for leg in self.legs
        )
        head = (
            f"<b>{html.escape(self.name(self.origin))} → {html.escape(self.name(self.destination))}</b> "
            f"(by {html.escape(self.criterion)}, {html.escape(self.network)}): {self.km:,.0f} km, {self.hours:,.1f} h, "
            f"{self.cost:,.0f} {html.escape(self.cost_unit)}; {len(self.borders)} border(s), "
            f"{len(self.gauge_changes)} gauge change(s), {len(self.transfers)} change(s) of mode"
        )
        table = "<tr><th>from</th><th>to</th><th>mode</th><th>km</th><th>h</th><th>cost</th></tr>" + rows
        return f"<div>{head}<table>{table}</table></div>"

    def legs_geodataframe(self, net: Network) -> gpd.GeoDataFrame:
        """One row per leg with the segment's geometry in the direction of travel."""
        geoms = dict(zip(net.segments["id"], net.segments.geometry, strict=True))
        starts = dict(zip(net.segments["id"], net.segments["from"], strict=True))
        rows, lines = [], []
        for leg in self.legs:
            g = geoms[leg.segment]
            rows.append({k: v for k, v in leg.__dict__.items() if k != "km_by_country"})
            lines.append(g if starts[leg.segment] == leg.from_station else LineString(list(g.coords)[::-1]))
        return gpd.GeoDataFrame(rows, geometry=lines, crs="EPSG:4326")

    def to_geojson(self, path: str | Path) -> Path:
        """Write the route (one feature) as GeoJSON."""
        path = Path(path)
        from corridors.io import write_geojson

        return write_geojson(self.to_geodataframe(), path)


# --------------------------------------------------------------------------------------------
# Constraints
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Constraints:
    """What a route must do or avoid.

    Attributes
    ----------
    via
        Station ids to pass through, in order.
    avoid_stations, avoid_segments
        Ids never to use.
    avoid_countries
        ISO3 codes the route must not enter (neither a station nor a segment running through).
    within
        If given, the only countries the route may enter.
    closed_borders
        Country pairs whose border cannot be crossed.
    """

    via: tuple[str, ...] = ()
    avoid_stations: frozenset[str] = frozenset()
    avoid_segments: frozenset[str] = frozenset()
    avoid_countries: frozenset[str] = frozenset()
    within: frozenset[str] | None = None
    closed_borders: frozenset[frozenset[str]] = frozenset()

    def describe(self) -> str:
        """The constraints in words, for messages."""
        parts = []
        if self.via:
            parts.append("via " + ", ".join(self.via))
        if self.avoid_stations:
            parts.append("avoiding stations " + ", ".join(sorted(self.avoid_stations)))
        if self.avoid_segments:
            parts.append("avoiding segments " + ", ".join(sorted(self.avoid_segments)))
        if self.avoid_countries:
            parts.append("avoiding " + ", ".join(sorted(self.avoid_countries)))
        if self.within is not None:
            parts.append("within " + ", ".join(sorted(self.within)))
        if self.closed_borders:
            parts.append("with closed borders " + ", ".join("-".join(sorted(b)) for b in self.closed_borders))
        return "; ".join(parts) or "no constraints"
