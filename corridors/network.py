"""The network model: loading, validating, filtering by date, and finding stations."""

from __future__ import annotations

import difflib
import html
import logging
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from corridors._errors import DataError, StationNotFoundError
from corridors._validate import Problem, check_network, check_records, check_references
from corridors.convert import graph_from_gdfs
from corridors.data import data_dir
from corridors.geo import geodesic_km, km_by_country, load_countries
from corridors.io import frame_from_records, read_records
from corridors.schema import SEGMENT_FIELDS, STATION_FIELDS, WATER_MODES, parse_date, split_urls

__all__ = [
    "Network",
    "find_station",
    "is_open",
    "load_network",
    "network_as_of",
    "network_from_gdfs",
    "normalize_name",
    "select_stations",
    "validate_network",
    "with_modes",
]

log = logging.getLogger(__name__)

_LIST_DEFAULTS = {f.name for f in (*STATION_FIELDS, *SEGMENT_FIELDS) if f.kind == "list"}


@dataclass(frozen=True)
class Network:
    """A rail network: stations, segments and the graph built from them.

    Attributes
    ----------
    stations
        One row per station (columns of the schema, ``geometry`` a Point in EPSG:4326).
    segments
        One row per segment (schema columns, plus the derived ``length_geodesic_km`` and
        ``km_by_country``), geometry a LineString in EPSG:4326.
    graph
        :class:`networkx.MultiGraph` of the same stations and segments (see
        :func:`corridors.convert.graph_from_gdfs`), built when first asked for.
    source
        Where the network was read from.
    description
        What this state of the network is (e.g. ``"as of 2026-11-28"``).
    """

    stations: gpd.GeoDataFrame
    segments: gpd.GeoDataFrame
    source: str = ""
    description: str = ""

    @cached_property
    def graph(self) -> nx.MultiGraph:
        """The stations and segments as a :class:`networkx.MultiGraph` (built on first use)."""
        attrs = {"source": self.source, "name": Path(self.source).name or self.source}
        return graph_from_gdfs(self.stations, self.segments, graph_attrs=attrs)

    def _repr_html_(self) -> str:
        """The network in a notebook: counts by status and mode."""
        seg = self.segments
        by_status = seg["status"].value_counts().to_dict()
        by_mode = seg["mode"].value_counts().to_dict() if "mode" in seg else {"rail": len(seg)}
        parts = ", ".join(f"{k} {v}" for k, v in by_status.items())
        modes = ", ".join(f"{k} {v}" for k, v in by_mode.items())
        return (
            f"<div><b>Network</b>: {len(self.stations)} stations, {len(seg)} segments "
            f"({html.escape(parts)}; modes: {html.escape(modes)})<br>"
            f"source: <code>{html.escape(self.source)}</code>; {html.escape(self.description)}</div>"
        )

    def explore(self, **kwargs: Any) -> Any:
        """An interactive web map of the segments (needs the ``explore`` extra: folium, mapclassify).

        Keyword arguments go to :meth:`geopandas.GeoDataFrame.explore`.
        """
        cols = [c for c in ("id", "name", "mode", "gauge", "status", "opened", "geometry") if c in self.segments]
        return self.segments[cols].explore(column="status", **kwargs)

    def __repr__(self) -> str:
        return (
            f"Network({len(self.stations)} stations, {len(self.segments)} segments, "
            f"source={self.source!r}, description={self.description!r})"
        )


def _fill_defaults(records: list[dict[str, Any]]) -> None:
    for rec in records:
        for name in _LIST_DEFAULTS:
            if rec.get(name) is None:
                rec[name] = []
        for name in ("notes", "name"):
            if rec.get(name) is None:
                rec[name] = ""
        if rec.get("geometry_source") is None:
            rec["geometry_source"] = "drawn"
        if "from" in rec and not rec.get("mode"):
            rec["mode"] = "rail"
        rec["source_url"] = split_urls(rec.get("source_url"))


def _drop_z(records: list[dict[str, Any]]) -> None:
    """Drop heights from 3-D coordinates (valid GeoJSON; the model is 2-D)."""
    for rec in records:
        geom = rec.get("geometry")
        if isinstance(geom, BaseGeometry) and geom.has_z:
            rec["geometry"] = shapely.force_2d(geom)


def _record_problems(
    st_recs: list[dict[str, Any]], sg_recs: list[dict[str, Any]], sfile: str, gfile: str
) -> list[Problem]:
    _drop_z(st_recs)
    _drop_z(sg_recs)
    problems = []
    for recs, file, kind in ((st_recs, sfile, "stations"), (sg_recs, gfile, "segments")):
        if not recs:
            problems.append(Problem("error", file, "network", "", None, f"has no {kind}; a network needs both"))
    for recs, file, kind in ((st_recs, sfile, "station"), (sg_recs, gfile, "segment")):
        for i, rec in enumerate(recs):
            for key, value in rec.items():
                if isinstance(value, float) and math.isnan(value):
                    # Only a literal NaN in a GeoJSON file gets here (GeoPackage nulls arrive as None).
                    fid = rec["id"] if isinstance(rec.get("id"), str) and rec.get("id") else f"#{i}"
                    problems.append(
                        Problem("error", file, kind, fid, key, "NaN is not a value; leave the property out or null")
                    )
                    rec[key] = None
    problems += check_records(st_recs, STATION_FIELDS, file=sfile, kind="station", geom_type="Point")
    problems += check_records(sg_recs, SEGMENT_FIELDS, file=gfile, kind="segment", geom_type="LineString")
    station_ids = {r["id"] for r in st_recs if isinstance(r.get("id"), str)}
    problems += check_references(station_ids, sg_recs, file=gfile)
    return problems


def _check_and_build(
    st_recs: list[dict[str, Any]], sg_recs: list[dict[str, Any]], sfile: str, gfile: str, where: str
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, list[Problem]]:
    problems = _record_problems(st_recs, sg_recs, sfile, gfile)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        lines = "\n  ".join(str(p) for p in errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        msg = f"{where}: {len(errors)} error(s) in the network data:\n  {lines}{more}"
        raise DataError(msg)
    _fill_defaults(st_recs)
    _fill_defaults(sg_recs)
    stations = frame_from_records(st_recs, [f.name for f in STATION_FIELDS])
    segments = frame_from_records(sg_recs, [f.name for f in SEGMENT_FIELDS])
    segments["length_km"] = pd.to_numeric(segments["length_km"]).astype(float)
    return stations, segments, problems


def _read_and_check(path: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, str, str, list[Problem]]:
    st_recs, sg_recs, sfile, gfile = read_records(path)
    stations, segments, problems = _check_and_build(st_recs, sg_recs, sfile, gfile, str(path))
    return stations, segments, sfile, gfile, problems


def _derive(segments: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    segments = segments.copy()
    segments["length_geodesic_km"] = [geodesic_km(g) for g in segments.geometry]
    # Water legs are not split by country (their km are at sea, not in a territory).
    water = segments["mode"].isin(WATER_MODES).to_numpy() if "mode" in segments else None
    parts = km_by_country(segments.geometry, countries)
    segments["km_by_country"] = [{} if water is not None and water[i] else p for i, p in enumerate(parts)]
    return segments


def load_network(path: str | Path | None = None, *, countries: gpd.GeoDataFrame | None = None) -> Network:
    """Load a network: the shipped regional network by default, or any file in the same schema.

    Parameters
    ----------
    path
        A folder with ``stations.geojson`` and ``segments.geojson`` or a GeoPackage with layers
        ``stations`` and ``segments`` (schema: ``geodata/README.md``). ``None`` loads ``geodata/``.
    countries
        Country polygons used to split segment lengths by country; the shipped Natural Earth
        extract by default.

    Returns
    -------
    Network
        Stations and segments with geodesic lengths (WGS84 ellipsoid) and kilometres per country,
        and the graph built from them.

    Raises
    ------
    DataError
        If a file is missing or malformed: bad JSON, a missing or mistyped field, a value not in
        its enumeration, a duplicate id, a segment naming an unknown station, a wrong geometry type.
        The message lists every such problem with file, feature id and field.

    Examples
    --------
    >>> net = load_network()
    >>> net.graph.graph["crs"]
    'EPSG:4326'
    """
    path = Path(path) if path is not None else data_dir()
    stations, segments, _, _, _ = _read_and_check(path)
    countries = load_countries() if countries is None else countries
    segments = _derive(segments, countries)
    log.info("loaded %d stations and %d segments from %s", len(stations), len(segments), path)
    return Network(stations, segments, source=str(path), description="all segments, any status")


def network_from_gdfs(
    stations: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    *,
    countries: gpd.GeoDataFrame | None = None,
    source: str = "<GeoDataFrames>",
) -> Network:
    """Build a network from station and segment GeoDataFrames in the data schema.

    The frames go through the same checks as files do (see :func:`load_network`); derived
    columns (``length_geodesic_km``, ``km_by_country``) are recomputed.

    Raises
    ------
    DataError
        As for :func:`load_network`, naming the frame, feature and field.

    Examples
    --------
    >>> net = load_network()
    >>> again = network_from_gdfs(net.stations, net.segments)
    >>> len(again.segments) == len(net.segments)
    True
    """
    if stations.crs is not None and not stations.crs.equals("EPSG:4326"):
        stations = stations.to_crs("EPSG:4326")
    if segments.crs is not None and not segments.crs.equals("EPSG:4326"):
        segments = segments.to_crs("EPSG:4326")

    def records(gdf: gpd.GeoDataFrame, fields: tuple[Any, ...]) -> list[dict[str, Any]]:
        names = [f.name for f in fields if f.name in gdf.columns]
        out = []
        for rec, geom in zip(gdf[names].to_dict("records"), gdf.geometry, strict=True):
            rec = {k: (None if isinstance(v, float) and v != v else v) for k, v in rec.items()}
            rec["geometry"] = geom
            out.append(rec)
        return out

    st, sg, _ = _check_and_build(
        records(stations, STATION_FIELDS), records(segments, SEGMENT_FIELDS), "stations", "segments", source
    )
    sg = _derive(sg, load_countries() if countries is None else countries)
    return Network(st, sg, source=source, description="all segments, any status")


def validate_network(
    path: str | Path | None = None, *, today: date | None = None, countries: gpd.GeoDataFrame | None = None
) -> list[Problem]:
    """Check a network file and return every problem found, errors and warnings.

    Unlike :func:`load_network`, this never raises on bad data: it reports schema problems and,
    when the structure is sound, consistency problems too (segment ends far from their stations,
    stations outside their country, lengths far from documented ones, status/date
    contradictions, breaks of gauge without a facility, disconnected parts).

    Parameters
    ----------
    path
        As for :func:`load_network`.
    today
        The date against which "in the future" is judged; today by default.
    countries
        Country polygons; the shipped Natural Earth extract by default.

    Returns
    -------
    list of Problem

    Examples
    --------
    >>> [p for p in validate_network() if p.severity == "error"]
    []
    """
    path = Path(path) if path is not None else data_dir()
    try:
        stations, segments, sfile, gfile, problems = _read_and_check(path)
    except DataError as exc:
        # Structural errors: recover the individual problems by re-running the record checks.
        try:
            st_recs, sg_recs, sfile, gfile = read_records(path)
        except DataError:
            return [Problem("error", str(path), "network", "", None, str(exc))]
        return _record_problems(st_recs, sg_recs, sfile, gfile)
    countries = load_countries() if countries is None else countries
    segments = _derive(segments, countries)
    problems += check_network(
        stations, segments, countries, station_file=sfile, segment_file=gfile, today=today or date.today()
    )
    return problems


def is_open(segment: Any, on: date, *, expected: bool = False) -> bool:
    """Whether a segment carries trains on a date.

    A segment is open if it is operational and opened on or before the date (or has no opening
    date), or is closed now but was open then. With ``expected=True``, segments under
    construction or planned count from their ``expected_opening`` too (a projection, not a fact).

    Parameters
    ----------
    segment
        A mapping or row with ``status``, ``opened``, ``expected_opening`` and ``closed``.
    on
        The date.
    expected
        Count not-yet-built segments from their expected opening.

    Examples
    --------
    >>> seg = {"status": "operational", "opened": "2020-12-10", "expected_opening": None, "closed": None}
    >>> is_open(seg, date(2020, 12, 9)), is_open(seg, date(2021, 1, 1))
    (False, True)
    """
    status = segment["status"]
    opened, closed, exp = segment["opened"], segment["closed"], segment["expected_opening"]
    if status in ("operational", "closed"):
        if opened and parse_date(opened) > on:
            return False
        return not (status == "closed" and (not closed or parse_date(closed) <= on))
    if expected and exp and status in ("under_construction", "planned", "proposed"):
        return parse_date(exp) <= on
    return False


def network_as_of(
    net: Network,
    on: date | None = None,
    *,
    expected: bool = False,
    open_segments: Iterable[str] = (),
    close_segments: Iterable[str] = (),
) -> Network:
    """Return the network as it stands on a date: only the segments open then.

    Parameters
    ----------
    net
        The full network (not modified).
    on
        The date; today by default.
    expected
        Also count unbuilt segments from their expected opening (see :func:`is_open`).
    open_segments, close_segments
        Segment ids to force open or closed, whatever their status.

    Returns
    -------
    Network
        A new network with every station and the open segments.

    Raises
    ------
    DataError
        If a forced segment id is unknown (close matches are suggested).

    Examples
    --------
    >>> full = load_network()
    >>> len(network_as_of(full, date(1990, 1, 1)).segments) < len(full.segments)
    True
    """
    on = on or date.today()
    ids = set(net.segments["id"])
    forced_open, forced_closed = set(open_segments), set(close_segments)
    for sid in sorted(forced_open | forced_closed):
        if sid not in ids:
            close = difflib.get_close_matches(sid, ids, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            msg = f"unknown segment {sid!r}{hint}"
            raise DataError(msg)
    keep = [
        (sid in forced_open or is_open(row, on, expected=expected)) and sid not in forced_closed
        for sid, row in zip(net.segments["id"], net.segments.to_dict("records"), strict=True)
    ]
    segments = net.segments[keep].copy()
    stations = net.stations.copy()
    desc = f"as of {on.isoformat()}" + (" (expected openings counted)" if expected else "")
    if forced_open:
        desc += f", opened: {', '.join(sorted(forced_open))}"
    if forced_closed:
        desc += f", closed: {', '.join(sorted(forced_closed))}"
    return replace(net, stations=stations, segments=segments, description=desc)


def normalize_name(name: str) -> str:
    """Fold case, diacritics, apostrophes and separators for name matching.

    Examples
    --------
    >>> normalize_name("Torbat-e Ḥeydarīyeh")
    'torbat e heydariyeh'
    """
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.casefold().replace("'", "").replace("’", "").replace("ʻ", "").replace("ʼ", "")
    for sep in "-_–—.,()/":
        plain = plain.replace(sep, " ")
    return " ".join(plain.split())


def find_station(net: Network, query: str) -> str:
    """Return the id of the station named by an id, name or alternative name.

    Matching ignores case, diacritics and punctuation.

    Parameters
    ----------
    net
        The network.
    query
        A station id (``afg_herat``), name (``Herat``) or alternative name.

    Returns
    -------
    str
        The station id.

    Raises
    ------
    StationNotFoundError
        If nothing matches or the name is ambiguous; the message lists the closest matches.

    Examples
    --------
    >>> find_station(load_network(), "mashhad")
    'irn_mashhad'
    """
    ids = list(net.stations["id"])
    if query in ids:
        return query
    key = normalize_name(query)
    # Names first, then alternative names: "Sarakhs" is Iran's Sarakhs, whose Turkmen twin is
    # named "Sarahs" and lists "Sarakhs" only as an alternative.
    names: dict[str, set[str]] = {}
    primary: dict[str, set[str]] = {}
    for sid, name, alts in zip(net.stations["id"], net.stations["name"], net.stations["alt_names"], strict=True):
        primary.setdefault(normalize_name(name), set()).add(sid)
        for n in [sid, name, *alts]:
            names.setdefault(normalize_name(n), set()).add(sid)
    for table in (primary, names):
        hits = table.get(key, set())
        if len(hits) == 1:
            return next(iter(hits))
        if len(hits) > 1:
            where = dict(
                zip(net.stations["id"], zip(net.stations["name"], net.stations["country"], strict=True), strict=True)
            )
            listed = ", ".join(f"{where[h][0]} ({h}, {where[h][1]})" for h in sorted(hits))
            msg = f"station name {query!r} is ambiguous: it matches {listed}; use an id"
            raise StationNotFoundError(msg)
    close = difflib.get_close_matches(key, list(names), n=5, cutoff=0.6)
    label = dict(zip(net.stations["id"], net.stations["name"], strict=True))
    suggestions = []
    for c in close:
        for sid in sorted(names[c]):
            s = f"{label[sid]} ({sid})"
            if s not in suggestions:
                suggestions.append(s)
    hint = f"; did you mean {', '.join(suggestions[:5])}?" if suggestions else ""
    msg = f"no station named {query!r}{hint}"
    raise StationNotFoundError(msg)


def select_stations(
    net: Network,
    stations: Iterable[str] | None = None,
    *,
    countries: Iterable[str] | None = None,
    roles: Iterable[str] | None = None,
) -> list[str]:
    """Station ids chosen by name or id, by country and by role.

    Parameters
    ----------
    net
        The network.
    stations
        Station ids, names or alternative names (resolved by :func:`corridors.find_station`).
        ``None`` starts from every station.
    countries
        Keep stations in these ISO3 countries.
    roles
        Keep stations with these roles (``port``, ``junction``, ...).

    Returns
    -------
    list of str
        Station ids in the order given (or the network's order), without duplicates.

    Raises
    ------
    StationNotFoundError
        For an unknown station name.
    DataError
        For a country or role no station has, or when nothing is left.

    Examples
    --------
    >>> net = load_network()
    >>> select_stations(net, ["Mashhad", "Herat"])
    ['irn_mashhad', 'afg_herat']
    >>> len(select_stations(net, countries=["CHN"])) > 0
    True
    """
    st = net.stations
    if stations is None:
        ids = list(st["id"])
    else:
        known = set(st["id"])
        ids = list(dict.fromkeys(s if s in known else find_station(net, s) for s in stations))
    if countries is not None:
        wanted = {c.upper() for c in countries}
        unknown = wanted - set(st["country"])
        if unknown:
            known_countries = ", ".join(sorted(set(st["country"])))
            msg = f"no station in {', '.join(sorted(unknown))}; countries in the network: {known_countries}"
            raise DataError(msg)
        country = dict(zip(st["id"], st["country"], strict=True))
        ids = [s for s in ids if country[s] in wanted]
    if roles is not None:
        wanted_roles = set(roles)
        unknown = wanted_roles - set(st["role"])
        if unknown:
            known_roles = ", ".join(sorted(set(st["role"])))
            msg = f"no station has role {', '.join(sorted(unknown))}; roles in the network: {known_roles}"
            raise DataError(msg)
        role = dict(zip(st["id"], st["role"], strict=True))
        ids = [s for s in ids if role[s] in wanted_roles]
    if not ids:
        msg = "the selection leaves no station"
        raise DataError(msg)
    return ids


def with_modes(net: Network, modes: Iterable[str]) -> Network:
    """The network with only the segments of the given modes (all stations kept).

    Examples
    --------
    >>> set(with_modes(load_network(), ["rail"]).segments["mode"])
    {'rail'}
    """
    if "mode" not in net.segments:
        return net
    keep = net.segments["mode"].isin(list(modes)).to_numpy()
    return net if keep.all() else replace(net, segments=net.segments[keep])
