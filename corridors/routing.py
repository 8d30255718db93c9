"""Exact routes over the rail network, with breaks of gauge and border crossings priced.

The search runs on a state-expanded graph whose states are ``(leg, station, train gauge)``:

* running a segment keeps the train's gauge and is possible only on a segment that carries it
  (a ``dual`` segment carries 1520 mm and 1435 mm trains);
* a change of gauge is a move between two states of the same station, priced by the method
  (transloading, bogie exchange) and possible only where the station has that facility;
* a segment whose end stations lie in different countries is a border crossing and carries that
  border's dwell time and fee;
* ordered via-stations are honoured by moving from leg ``i`` to leg ``i + 1`` at the i-th via.

Because every penalty is a cost on a move of this graph, Dijkstra's algorithm on it returns the
exact optimum. Routes are loopless: no station twice, via stations included, so a via never makes
a U-turn. The engine enumerates paths of the state graph in order of cost (Yen's algorithm) and
keeps the first loopless one, which is therefore the best loopless route. Alternatives continue
that enumeration and keep routes that differ enough from the better ones.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx
from shapely import LineString

from corridors._errors import DataError, NoRouteError
from corridors.network import Network, find_station
from corridors.params import Parameters, load_parameters
from corridors.pricing import CRITERIA, TIE_BREAKERS, Prices, check_criterion, price_network, transfer_connects
from corridors.result import BorderCrossing, Constraints, GaugeChange, Leg, Route, Transfer
from corridors.schema import GAUGE_CHANGE_METHODS, carrier_mode, segment_carriers

__all__ = [
    "CRITERIA",
    "BorderCrossing",
    "Constraints",
    "GaugeChange",
    "Leg",
    "Route",
    "Router",
    "Transfer",
]

log = logging.getLogger(__name__)

#: Upper bound on candidate paths examined while looking for loopless routes.
MAX_CANDIDATES = 400

State = tuple[int, str, str]  # (leg index, station id, train gauge)


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Arc:
    kind: str  # "start", "segment", "gauge", "via"
    dst: State
    segment: str = ""
    method: str = ""
    km: float = 0.0
    hours: float = 0.0
    cost: float = 0.0
    border: tuple[str, str, float, float, str] | None = None


@dataclass
class _Path:
    weight: tuple[float, float]
    states: list[Any]  # first is the virtual start None, then States
    arcs: list[_Arc]


class Router:
    """A routing engine for one state of the network and one set of parameters.

    Build it once and ask many queries; :func:`route` and :func:`routes` build one per call.

    Parameters
    ----------
    net
        The network whose segments are all usable (e.g. from :func:`corridors.network_as_of`).
    params
        Routing parameters; the shipped ones by default.
    full
        The complete network (all statuses), used to name the unbuilt segments that would
        connect two places when there is no route.
    as_of
        The date the network stands for, for reports.

    Examples
    --------
    >>> from corridors import load_network, network_as_of
    >>> full = load_network()
    >>> router = Router(network_as_of(full, date(2026, 11, 28)), full=full, as_of=date(2026, 11, 28))
    >>> router.route("Mashhad", "Sarakhs").stations[0]
    'irn_mashhad'
    """

    def __init__(
        self,
        net: Network,
        params: Parameters | None = None,
        *,
        full: Network | None = None,
        as_of: date | None = None,
        prices: Prices | None = None,
    ) -> None:
        self.net = net
        self.full = full
        self.params = params or load_parameters()
        self.as_of = as_of
        self.prices = prices if prices is not None else price_network(net, self.params)
        st = net.stations.set_index("id")
        self._country: dict[str, str] = st["country"].to_dict()
        self._names: dict[str, str] = st["name"].to_dict()
        self._methods: dict[str, tuple[str, ...]] = {
            sid: tuple(m for m in GAUGE_CHANGE_METHODS if m in gc) for sid, gc in st["gauge_change"].items()
        }
        self._seg: dict[str, dict[str, Any]] = {r["id"]: r for r in net.segments.to_dict("records")}
        self._adj: dict[tuple[str, str], list[_Arc]] = {}
        self._gauges_at: dict[str, set[str]] = {}
        self._add_arcs(self.prices)

    def _add_arcs(self, p: Prices) -> None:
        """Arcs of the state graph, every price read from ``p`` (one per segment, direction and gauge)."""
        hours, cost = p.hours.tolist(), p.cost.tolist()
        for k, sid in enumerate(p.segments):
            seg = self._seg[sid]
            seg["km_route"], seg["km_basis"] = float(p.km[k]), p.km_basis[k]
            seg["km_route_by_country"] = p.km_by_country(k)
            seg["wait_h"] = float(p.wait_h[k])
            u, v = seg["from"], seg["to"]
            cu, cv = p.from_country[k], p.to_country[k]
            for a, b, ca, cb in ((u, v, cu, cv), (v, u, cv, cu)):
                border = None
                if ca != cb:
                    border = (ca, cb, float(p.border_dwell_h[k]), float(p.border_fee[k]), p.border_rule[k])
                for g in segment_carriers(p.modes[k], seg["gauge"]):
                    self._adj.setdefault((a, g), []).append(
                        _Arc(
                            "segment",
                            (0, b, g),
                            segment=sid,
                            km=seg["km_route"],
                            hours=hours[k],
                            cost=cost[k],
                            border=border,
                        )
                    )
                    self._gauges_at.setdefault(a, set()).add(g)
        for station, method, h, c in zip(
            p.transfer_station, p.transfer_method, p.transfer_hours.tolist(), p.transfer_cost.tolist(), strict=True
        ):
            kind = "gauge" if method in GAUGE_CHANGE_METHODS else "transfer"
            for a, b in itertools.permutations(sorted(self._gauges_at.get(station, ())), 2):
                if transfer_connects(method, a, b):
                    self._adj.setdefault((station, a), []).append(
                        _Arc(kind, (0, station, b), method=method, hours=h, cost=c)
                    )

    # --- weights ---------------------------------------------------------------------------
    def _weight_fn(self, by: str) -> Any:
        vot = self.params.value_of_time
        by = check_criterion(by)
        tie = TIE_BREAKERS[by]

        def value(arc: _Arc, what: str) -> float:
            if what == "distance":
                return arc.km
            if what == "time":
                return arc.hours
            if what == "cost":
                return arc.cost
            return arc.cost + vot * arc.hours

        def w(arc: _Arc) -> tuple[float, float]:
            return (value(arc, by), value(arc, tie))

        return w

    # --- constraint handling ---------------------------------------------------------------
    def _resolve(self, query: str) -> str:
        return find_station(self.full or self.net, query)

    def constraints(
        self,
        *,
        via: Sequence[str] = (),
        avoid_stations: Iterable[str] = (),
        avoid_segments: Iterable[str] = (),
        avoid_countries: Iterable[str] = (),
        avoid_groups: Iterable[str] = (),
        within: Iterable[str] | None = None,
        within_group: str | None = None,
        closed_borders: Iterable[Sequence[str]] = (),
    ) -> Constraints:
        """Build :class:`Constraints` from names, ids and group names, checking each.

        Country codes are checked against the network's countries (its stations' and those its
        segments run through), groups against the parameters' ``country_groups``; every problem
        is gathered and reported at once, with close names suggested.

        Raises
        ------
        StationNotFoundError
            For an unknown station (close matches suggested).
        UsageError
            For an unknown segment, country code or country group, or a malformed closed border.
        """
        import difflib

        from corridors._errors import UsageError
        from corridors._validate import country_problem, network_countries

        known = network_countries(self.net, self.full)
        problems: list[str] = []

        def country(code: Any, what: str) -> str | None:
            msg = country_problem(code, known)
            if msg is not None:
                problems.append(f"{what}: {msg}")
                return None
            return str(code).upper()

        def group(name: Any, what: str) -> set[str]:
            try:
                return self.params.country_group(str(name))
            except DataError as exc:
                problems.append(f"{what}: {exc}")
                return set()

        countries = {c for code in avoid_countries if (c := country(code, "avoid country")) is not None}
        for g in avoid_groups:
            countries |= group(g, "avoid group")
        allowed: set[str] | None = None
        if within is not None:
            allowed = {c for code in within if (c := country(code, "within")) is not None}
        if within_group:
            allowed = (allowed or set()) | group(within_group, "within group")
        segs = set(avoid_segments)
        all_segments = set(self.full.segments["id"]) if self.full is not None else set(self._seg)
        for s in sorted(segs - all_segments):
            close = difflib.get_close_matches(s, all_segments, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            problems.append(f"avoid segment: unknown segment {s!r}{hint}")
        borders = set()
        for pair in closed_borders:
            codes = [country(c, "closed border") for c in pair]
            if len(codes) != 2 or (codes[0] is not None and codes[0] == codes[1]):
                problems.append(f"closed border: name two different countries, got {list(pair)!r}")
            elif None not in codes:
                borders.add(frozenset(str(c) for c in codes))
        if problems:
            msg = "; ".join(problems)
            raise UsageError(msg)
        return Constraints(
            via=tuple(self._resolve(v) for v in via),
            avoid_stations=frozenset(self._resolve(s) for s in avoid_stations),
            avoid_segments=frozenset(segs),
            avoid_countries=frozenset(countries),
            within=frozenset(allowed) if allowed is not None else None,
            closed_borders=frozenset(borders),
        )

    def _blocked(self, c: Constraints) -> tuple[set[str], set[str]]:
        min_km = self.params.country_passage_min_km
        stations = set(c.avoid_stations)
        for sid, country in self._country.items():
            if country in c.avoid_countries or (c.within is not None and country not in c.within):
                stations.add(sid)
        segments = set(c.avoid_segments)
        for sid, seg in self._seg.items():
            entered = {k for k, km in seg["km_by_country"].items() if km >= min_km}
            if entered & c.avoid_countries or (c.within is not None and entered - c.within):
                segments.add(sid)
            ends = frozenset((self._country[seg["from"]], self._country[seg["to"]]))
            if len(ends) == 2 and ends in c.closed_borders:
                segments.add(sid)
        return stations, segments

    # --- search ----------------------------------------------------------------------------
    def _arcs(self, state: Any, origin: str, vias: tuple[str, ...]) -> Iterator[_Arc]:
        if state is None:
            for g in sorted(self._gauges_at.get(origin, ())):
                yield _Arc("start", (0, origin, g))
            return
        layer, station, gauge = state
        for arc in self._adj.get((station, gauge), ()):
            yield _Arc(
                arc.kind,
                (layer, *arc.dst[1:]),
                arc.segment,
                arc.method,
                arc.km,
                arc.hours,
                arc.cost,
                arc.border,
            )
        if layer < len(vias) and station == vias[layer]:
            yield _Arc("via", (layer + 1, station, gauge))

    def _dijkstra(
        self,
        start: Any,
        origin: str,
        dest: str,
        vias: tuple[str, ...],
        weight: Any,
        blocked_stations: set[str],
        blocked_segments: set[str],
        blocked_states: set[Any],
        blocked_arcs: set[tuple[Any, tuple[str, str, State]]],
        w0: tuple[float, float] = (0.0, 0.0),
    ) -> _Path | None:
        last = len(vias)
        best: dict[Any, tuple[float, float]] = {start: w0}
        prev: dict[Any, tuple[Any, _Arc]] = {}
        counter = itertools.count()
        heap: list[tuple[tuple[float, float], int, Any]] = [(w0, next(counter), start)]
        done: set[Any] = set()
        while heap:
            wt, _, state = heapq.heappop(heap)
            if state in done:
                continue
            done.add(state)
            if state is not None and state[0] == last and state[1] == dest:
                arcs: list[_Arc] = []
                states = [state]
                s = state
                while s != start:
                    p, a = prev[s]
                    arcs.append(a)
                    states.append(p)
                    s = p
                return _Path(wt, states[::-1], arcs[::-1])
            for arc in self._arcs(state, origin, vias):
                nxt = arc.dst
                if nxt in done or nxt in blocked_states or nxt[1] in blocked_stations:
                    continue
                if arc.segment and arc.segment in blocked_segments:
                    continue
                if (state, (arc.kind, arc.segment or arc.method, nxt)) in blocked_arcs:
                    continue
                aw = weight(arc)
                nw = (wt[0] + aw[0], wt[1] + aw[1])
                if nxt not in best or nw < best[nxt]:
                    best[nxt] = nw
                    prev[nxt] = (state, arc)
                    heapq.heappush(heap, (nw, next(counter), nxt))
        return None

    def _paths(
        self, origin: str, dest: str, by: str, c: Constraints, blocked: tuple[set[str], set[str]]
    ) -> Iterator[_Path]:
        """Yield state-graph paths from origin to destination in order of cost (Yen's algorithm)."""
        weight = self._weight_fn(by)
        stations, segments = blocked
        vias = c.via
        first = self._dijkstra(None, origin, dest, vias, weight, stations, segments, set(), set())
        if first is None:
            return
        found = [first]
        yield first
        candidates: list[tuple[tuple[float, float], int, _Path]] = []
        seen = {tuple(first.states)}
        counter = itertools.count()
        while True:
            last = found[-1]
            for i in range(len(last.arcs)):
                spur = last.states[i]
                root_states = last.states[: i + 1]
                blocked_arcs = set()
                for p in found:
                    if p.states[: i + 1] == root_states and len(p.arcs) > i:
                        a = p.arcs[i]
                        blocked_arcs.add((spur, (a.kind, a.segment or a.method, a.dst)))
                root_w = (0.0, 0.0)
                for a in last.arcs[:i]:
                    aw = weight(a)
                    root_w = (root_w[0] + aw[0], root_w[1] + aw[1])
                tail = self._dijkstra(
                    spur,
                    origin,
                    dest,
                    vias,
                    weight,
                    stations,
                    segments,
                    set(last.states[:i]),
                    blocked_arcs,
                    root_w,
                )
                if tail is None:
                    continue
                path = _Path(tail.weight, last.states[:i] + tail.states, last.arcs[:i] + tail.arcs)
                key = tuple(path.states)
                if key not in seen:
                    seen.add(key)
                    heapq.heappush(candidates, (path.weight, next(counter), path))
            if not candidates:
                return
            _, _, best = heapq.heappop(candidates)
            found.append(best)
            yield best

    @staticmethod
    def _loopless(path: _Path) -> bool:
        """No station twice, via stations included: a route through a via station never turns back."""
        visited: set[str] = set()
        prev: str | None = None
        for s in path.states[1:]:
            key = s[1]
            if key != prev:
                if key in visited:
                    return False
                visited.add(key)
            prev = key
        return True

    def _build(self, path: _Path, origin: str, dest: str, by: str, c: Constraints) -> Route:
        legs, borders, changes, moves = [], [], [], []
        stations: list[str] = []
        km_c: dict[str, float] = {}
        coords: list[tuple[float, ...]] = []
        for arc, src in zip(path.arcs, path.states[:-1], strict=True):
            if arc.kind == "segment":
                seg = self._seg[arc.segment]
                a, b = src[1], arc.dst[1]
                legs.append(
                    Leg(
                        arc.segment,
                        seg.get("name") or arc.segment,
                        a,
                        b,
                        arc.dst[2],
                        seg["status"],
                        arc.km,
                        arc.hours,
                        arc.cost,
                        dict(seg["km_route_by_country"]),
                        seg["km_basis"],
                        seg.get("mode") or "rail",
                        seg["wait_h"],
                    )
                )
                for k, v in seg["km_route_by_country"].items():
                    km_c[k] = km_c.get(k, 0.0) + v
                if arc.border:
                    ca, cb, dwell, fee, label = arc.border
                    mode = seg.get("mode") or "rail"
                    borders.append(BorderCrossing(arc.segment, a, b, ca, cb, dwell, fee, label, mode))
                line = list(seg["geometry"].coords)
                if seg["from"] != a:
                    line = line[::-1]
                coords.extend(line if not coords else line[1:])
                if not stations or stations[-1] != a:
                    stations.append(a)
                stations.append(b)
            elif arc.kind == "gauge":
                changes.append(GaugeChange(src[1], src[2], arc.dst[2], arc.method, arc.hours, arc.cost))
            elif arc.kind == "transfer":
                moves.append(Transfer(src[1], carrier_mode(src[2]), carrier_mode(arc.dst[2]), arc.hours, arc.cost))
        km = sum(a.km for a in path.arcs)
        hours = sum(a.hours for a in path.arcs)
        cost = sum(a.cost for a in path.arcs)
        names = {s: self._names.get(s, s) for s in {*stations, origin, dest}}
        return Route(
            origin=origin,
            destination=dest,
            criterion=by,
            as_of=self.as_of.isoformat() if self.as_of else "",
            network=self.net.description,
            parameters=self.params.source,
            cost_unit=self.params.cost_unit,
            stations=stations,
            station_names=names,
            legs=legs,
            borders=borders,
            gauge_changes=changes,
            km=km,
            hours=hours,
            cost=cost,
            generalized=cost + self.params.value_of_time * hours,
            km_by_country=dict(sorted(km_c.items(), key=lambda kv: -kv[1])),
            geometry=LineString(coords),
            via=list(c.via),
            transfers=moves,
        )

    def _check_endpoints(self, origin: str, dest: str, c: Constraints, stations: set[str]) -> None:
        if origin == dest:
            msg = f"origin and destination are the same station ({origin})"
            raise DataError(msg)
        for role, sid in (("origin", origin), ("destination", dest), *(("via station", v) for v in c.via)):
            if sid in stations:
                msg = f"the {role} {self._names.get(sid, sid)} ({sid}) is excluded by the constraints ({c.describe()})"
                raise NoRouteError(msg)

    def routes(
        self,
        origin: str,
        destination: str,
        *,
        by: str = "distance",
        k: int = 3,
        constraints: Constraints | None = None,
        max_overlap: float | None = None,
    ) -> list[Route]:
        """The ``k`` best loopless routes, best first, each genuinely different.

        An alternative is kept only if at most ``max_overlap`` of its kilometres (or of the
        shorter route's) run on segments of a better kept route, so a detour through a siding
        does not count as an alternative.

        Parameters
        ----------
        origin, destination
            Station ids, names or alternative names.
        by
            ``distance`` (km), ``time`` (h), ``cost`` or ``generalized``.
        k
            How many routes at most.
        constraints
            From :meth:`constraints`.
        max_overlap
            Defaults to ``routing.alternatives_max_overlap`` in the parameters.

        Returns
        -------
        list of Route

        Raises
        ------
        NoRouteError
            If there is no route; the message says why.
        """
        c = constraints or Constraints()
        o, d = self._resolve(origin), self._resolve(destination)
        blocked = self._blocked(c)
        self._check_endpoints(o, d, c, blocked[0])
        limit = self.params.alternatives_max_overlap if max_overlap is None else max_overlap
        kept: list[Route] = []
        seen_segments: set[tuple[str, ...]] = set()
        for n, path in enumerate(self._paths(o, d, by, c, blocked)):
            if n >= MAX_CANDIDATES:
                break
            if not self._loopless(path):
                continue
            r = self._build(path, o, d, by, c)
            key = tuple(r.segments)
            if key in seen_segments:
                continue
            seen_segments.add(key)
            if all(_overlap(r, other) <= limit for other in kept):
                kept.append(r)
                if len(kept) >= k:  # stop before Yen's algorithm looks for the next candidate
                    break
        if not kept:
            raise NoRouteError(self._explain(o, d, by, c))
        log.info("%d route(s) %s -> %s by %s", len(kept), o, d, by)
        return kept

    def route(
        self, origin: str, destination: str, *, by: str = "distance", constraints: Constraints | None = None
    ) -> Route:
        """The best loopless route (see :meth:`routes`)."""
        return self.routes(origin, destination, by=by, k=1, constraints=constraints)[0]

    # --- explaining failure ----------------------------------------------------------------
    def _explain(self, o: str, d: str, by: str, c: Constraints) -> str:
        on = f"as of {self.as_of.isoformat()}" if self.as_of else self.net.description
        no, nd = self._names.get(o, o), self._names.get(d, d)
        stations, segments = self._blocked(c)
        g = nx.Graph()
        g.add_nodes_from(self._names)
        for sid, seg in self._seg.items():
            if sid not in segments and seg["from"] not in stations and seg["to"] not in stations:
                g.add_edge(seg["from"], seg["to"])
        unconstrained = Constraints()
        if c != unconstrained:
            try:
                self.route(o, d, by=by)
            except NoRouteError:
                pass
            else:
                return (
                    f"no route from {no} to {nd} {on} satisfies the constraints ({c.describe()}); "
                    "without them there is one"
                )
        if not nx.has_path(g, o, d):
            part = nx.node_connected_component(g, o)
            names = sorted(self._names[s] for s in part)
            msg = (
                f"no route from {no} to {nd} {on}: {nd} is not in {no}'s connected part of the network "
                f"({len(part)} station(s): {', '.join(names[:8])}{' ...' if len(names) > 8 else ''})"
            )
            return msg + self._missing_links(o, d)
        blocked = sorted(
            self._names[s] for s, gs in self._gauges_at.items() if len(gs) > 1 and not self._methods.get(s)
        )
        return (
            f"no route from {no} to {nd} {on}: track connects them, but every path needs a change of gauge "
            f"at a station without a gauge-change facility ({', '.join(blocked) or 'none found'})"
        )

    def _missing_links(self, o: str, d: str) -> str:
        if self.full is None:
            return ""
        g = nx.Graph()
        for rec in self.full.segments.to_dict("records"):
            w = rec["length_geodesic_km"]
            if g.has_edge(rec["from"], rec["to"]) and g[rec["from"]][rec["to"]]["weight"] <= w:
                continue
            g.add_edge(rec["from"], rec["to"], weight=w, rec=rec)
        try:
            path = nx.shortest_path(g, o, d, weight="weight")
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return "; no segment in the data, built or planned, would connect them"
        missing = []
        for a, b in itertools.pairwise(path):
            rec = g[a][b]["rec"]
            if rec["id"] in self._seg:
                continue
            if rec["status"] in ("operational", "closed"):
                when = f"opened {rec['opened']}" + (f", closed {rec['closed']}" if rec["closed"] else "")
            else:
                when = f"expected {rec['expected_opening'] or 'no date announced'}"
            missing.append(f"{rec['id']} ({rec['status']}, {when})")
        if not missing:
            return ""
        return "; the shortest link through segments not open then needs " + ", ".join(missing)


def _overlap(a: Route, b: Route) -> float:
    shared = set(a.segments) & set(b.segments)
    km_shared = sum(leg.km for leg in a.legs if leg.segment in shared)
    return km_shared / max(min(a.km, b.km), 1e-9)
