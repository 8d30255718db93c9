"""One network state: a network, a scenario, a date, expected openings, parameters and overrides.

Every question the package answers is asked of a :class:`NetworkState`. It applies the scenario,
filters the network by date, prices it once (:mod:`corridors.pricing`) and hands out the two
engines that read those prices: the :class:`~corridors.routing.Router` for single routes and the
:class:`~corridors.stategraph.StateGraph` (per criterion) for matrices. Each is built on first use
and kept with the state, so a state asked many questions builds each once; a state for another
date (:meth:`NetworkState.on`) shares the scenario-applied network.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridors._errors import NoRouteError, UsageError
from corridors.network import Network, network_as_of
from corridors.params import Parameters, load_parameters
from corridors.pricing import Criterion, Prices, price_network
from corridors.routing import Constraints, Route, Router
from corridors.scenario import Scenario, apply_scenario, scenario_parameters
from corridors.schema import MODES, parse_date

if TYPE_CHECKING:
    from corridors.stategraph import StateGraph

__all__ = ["DEFAULT_MODES", "NetworkState", "as_date", "check_modes", "network_state", "route", "routes"]

#: Modes used unless asked otherwise: rail only, so a rail question gets a rail answer.
DEFAULT_MODES = frozenset({"rail"})

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class NetworkState:
    """A network as it stands under a scenario on a date, with the parameters that price it.

    Build with :func:`network_state`. Instances are immutable; derived objects (the filtered
    network, prices, router, state graphs) are computed on first use and cached on the instance.

    Attributes
    ----------
    base
        The network as loaded (all statuses), before the scenario.
    as_of
        The date the state stands for.
    params
        The parameters (the scenario's overrides merged in).
    scenario
        The scenario applied, if any.
    expected
        Whether unbuilt segments count from their announced opening.
    open_segments, close_segments
        Segment ids forced open or closed whatever their status.
    modes
        The modes whose segments are used (rail only by default).
    """

    base: Network
    as_of: date
    params: Parameters
    scenario: Scenario | None = None
    expected: bool = False
    open_segments: frozenset[str] = frozenset()
    close_segments: frozenset[str] = frozenset()
    modes: frozenset[str] = DEFAULT_MODES
    _graphs: dict[str, StateGraph] = field(default_factory=dict, repr=False)

    # --- derived ---------------------------------------------------------------------------
    @cached_property
    def full(self) -> Network:
        """The base network with the scenario's changes applied (all statuses)."""
        return apply_scenario(self.base, self.scenario) if self.scenario is not None else self.base

    @cached_property
    def network(self) -> Network:
        """The segments usable on :attr:`as_of` (scenario applied, overrides honoured)."""
        state = network_as_of(
            self.full,
            self.as_of,
            expected=self.expected,
            open_segments=self.open_segments,
            close_segments=self.close_segments,
        )
        if "mode" in state.segments and not set(state.segments["mode"]) <= self.modes:
            keep = state.segments["mode"].isin(self.modes).to_numpy()
            state = replace(state, segments=state.segments[keep].copy())
        if self.modes != DEFAULT_MODES:
            state = replace(state, description=f"{state.description}, modes {'+'.join(sorted(self.modes))}")
        if self.scenario is not None:
            state = replace(state, description=f"scenario '{self.scenario.name}', {state.description}")
        return state

    @cached_property
    def prices(self) -> Prices:
        """Every segment and transfer of :attr:`network` priced (see :mod:`corridors.pricing`)."""
        return price_network(self.network, self.params)

    @cached_property
    def router(self) -> Router:
        """The single-route engine over :attr:`network`, reading :attr:`prices`."""
        return Router(self.network, self.params, full=self.full, as_of=self.as_of, prices=self.prices)

    def state_graph(self, by: str) -> StateGraph:
        """The CSR state graph for criterion ``by`` (built once per state and criterion)."""
        from corridors.stategraph import StateGraph

        if by not in self._graphs:
            self._graphs[by] = StateGraph(self.network, self.params, by=by, prices=self.prices)
        return self._graphs[by]

    @property
    def description(self) -> str:
        """What the state is, in words."""
        return self.network.description

    # --- other states --------------------------------------------------------------------
    def on(self, day: date) -> NetworkState:
        """The same scenario, parameters and overrides on another date (the applied network is shared).

        Examples
        --------
        >>> from corridors import load_network
        >>> s = network_state(load_network(), as_of=date(2020, 1, 1))
        >>> s.on(date(2025, 1, 1)).as_of.year
        2025
        """
        other = replace(self, as_of=day, _graphs={})
        if "full" in self.__dict__:
            other.__dict__["full"] = self.full
        return other

    def fully_built(self) -> NetworkState:
        """The same state with every segment of the (scenario-applied) network open."""
        other = replace(self, open_segments=frozenset(self.full.segments["id"]), close_segments=frozenset(), _graphs={})
        other.__dict__["full"] = self.full
        return other

    # --- questions -----------------------------------------------------------------------
    def constraints(self, **kwargs: Any) -> Constraints:
        """Checked :class:`~corridors.routing.Constraints` (keywords of :meth:`Router.constraints`)."""
        return self.router.constraints(**kwargs)

    def routes(
        self,
        origin: str,
        destination: str,
        *,
        by: str = "distance",
        k: int = 3,
        constraints: Constraints | None = None,
    ) -> list[Route]:
        """The ``k`` best genuinely different routes (see :meth:`Router.routes`)."""
        return self.router.routes(origin, destination, by=by, k=k, constraints=constraints)

    def route(
        self, origin: str, destination: str, *, by: str = "distance", constraints: Constraints | None = None
    ) -> Route:
        """The best route (see :meth:`Router.route`).

        Examples
        --------
        >>> from corridors import load_network
        >>> s = network_state(load_network(), as_of=date(2026, 11, 28))
        >>> s.route("Mashhad", "Sarakhs").km
        165.0
        """
        return self.router.route(origin, destination, by=by, constraints=constraints)

    def route_or_reason(
        self, origin: str, destination: str, *, by: str = "distance", constraints: Constraints | None = None
    ) -> tuple[Route | None, str]:
        """The best route and ``""``, or ``None`` and the reason there is none.

        Examples
        --------
        >>> from corridors import load_network
        >>> s = network_state(load_network(), as_of=date(2026, 11, 28))
        >>> r, why = s.route_or_reason("Mashhad", "Herat")
        >>> r is None and "no route" in why
        True
        """
        try:
            return self.route(origin, destination, by=by, constraints=constraints), ""
        except NoRouteError as exc:
            return None, str(exc)


def network_state(
    net: Network,
    *,
    as_of: date | str | None = None,
    expected: bool = False,
    params: Parameters | None = None,
    params_path: str | Path | None = None,
    scenario: Scenario | None = None,
    open_segments: Iterable[str] = (),
    close_segments: Iterable[str] = (),
    modes: Iterable[str] | None = None,
) -> NetworkState:
    """Build a :class:`NetworkState`.

    Parameters
    ----------
    net
        The network as loaded (all statuses); not modified.
    as_of
        The date; the scenario's date if a scenario is given, else today.
    expected
        Count unbuilt segments from their announced opening (also when the scenario says so).
    params
        Parameters to use as they are. Otherwise they are read from ``params_path`` (the shipped
        file by default) with the scenario's overrides merged in.
    params_path
        A parameters file (ignored when ``params`` is given).
    scenario
        A scenario to apply.
    open_segments, close_segments
        Segment ids forced open or closed.
    modes
        Modes to use (``rail``, ``road``, ``ferry``, ``sea``): the scenario's, else rail only.

    Returns
    -------
    NetworkState

    Raises
    ------
    UsageError
        For an unknown mode (the choices are listed).

    Examples
    --------
    >>> from corridors import load_network
    >>> s = network_state(load_network(), as_of=date(2026, 11, 28))
    >>> s.network.description
    'as of 2026-11-28'
    """
    as_of = as_date(as_of) if as_of is not None else None
    if params is None:
        params = scenario_parameters(scenario, params_path) if scenario is not None else load_parameters(params_path)
    day = as_of or (scenario.date if scenario is not None else date.today())
    chosen = check_modes(modes if modes is not None else (scenario.modes if scenario is not None else DEFAULT_MODES))
    return NetworkState(
        base=net,
        modes=chosen,
        as_of=day,
        params=params,
        scenario=scenario,
        expected=expected or (scenario.expected if scenario is not None else False),
        open_segments=frozenset(open_segments),
        close_segments=frozenset(close_segments),
    )


def check_modes(modes: Iterable[str] | str) -> frozenset[str]:
    """Modes as a set, from names or a comma-separated string; rejects unknown ones.

    Examples
    --------
    >>> sorted(check_modes("rail,ferry"))
    ['ferry', 'rail']
    """
    names = [m.strip() for m in (modes.split(",") if isinstance(modes, str) else modes) if m.strip()]
    bad = [m for m in names if m not in MODES]
    if bad or not names:
        msg = f"unknown mode {', '.join(map(repr, bad)) or '(none given)'}; use one or more of {', '.join(MODES)}"
        raise UsageError(msg)
    return frozenset(names)


def as_date(value: date | str) -> date:
    """A date given as a :class:`datetime.date` or an ISO string (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``).

    Raises
    ------
    UsageError
        For anything else, naming the value.

    Examples
    --------
    >>> as_date("2030-01-01"), as_date(date(2030, 1, 1)) == as_date("2030")
    (datetime.date(2030, 1, 1), True)
    """
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError:
            pass
    msg = f"{value!r} is not a date: give a datetime.date or an ISO string like '2030-01-01'"
    raise UsageError(msg)


def routes(
    net: Network,
    origin: str,
    destination: str,
    *,
    k: int = 3,
    by: Criterion = "distance",
    as_of: date | str | None = None,
    expected: bool = False,
    params: Parameters | None = None,
    open_segments: Iterable[str] = (),
    close_segments: Iterable[str] = (),
    via: Sequence[str] = (),
    avoid_stations: Iterable[str] = (),
    avoid_segments: Iterable[str] = (),
    avoid_countries: Iterable[str] = (),
    avoid_groups: Iterable[str] = (),
    within: Iterable[str] | None = None,
    within_group: str | None = None,
    closed_borders: Iterable[Sequence[str]] = (),
) -> list[Route]:
    """The ``k`` best genuinely different routes between two places on the network as of a date.

    Parameters
    ----------
    net
        The full network (e.g. :func:`corridors.load_network`); not modified.
    origin, destination
        Station ids, names or alternative names (case and diacritics ignored).
    k
        How many routes at most.
    by
        ``distance``, ``time``, ``cost`` or ``generalized``.
    as_of
        The date (a ``date`` or an ISO string); today by default. Only segments open that day are used.
    expected
        Also use unbuilt segments whose expected opening is on or before ``as_of``.
    params
        Routing parameters; the shipped ones by default.
    open_segments, close_segments
        Segment ids forced open or closed.
    via
        Stations to pass through, in order.
    avoid_stations, avoid_segments
        Stations and segments never to use.
    avoid_countries, avoid_groups
        ISO3 countries, and named country groups of the parameters, never to enter.
    within, within_group
        Countries (or a named group) the route must stay in.
    closed_borders
        Pairs of ISO3 codes whose border is closed.

    Returns
    -------
    list of Route

    Raises
    ------
    StationNotFoundError
        For an unknown station name.
    NoRouteError
        If there is no route; the message says why.
    UsageError
        For a malformed date.

    Examples
    --------
    >>> from corridors import load_network
    >>> rs = routes(load_network(), "Tashkent", "Mashhad", k=2, as_of="2026-01-01")
    >>> rs[0].km <= rs[-1].km
    True
    """
    state = network_state(
        net, as_of=as_of, expected=expected, params=params, open_segments=open_segments, close_segments=close_segments
    )
    c = state.constraints(
        via=via,
        avoid_stations=avoid_stations,
        avoid_segments=avoid_segments,
        avoid_countries=avoid_countries,
        avoid_groups=avoid_groups,
        within=within,
        within_group=within_group,
        closed_borders=closed_borders,
    )
    return state.routes(origin, destination, by=by, k=k, constraints=c)


def route(
    net: Network,
    origin: str,
    destination: str,
    *,
    by: Criterion = "distance",
    as_of: date | str | None = None,
    expected: bool = False,
    params: Parameters | None = None,
    open_segments: Iterable[str] = (),
    close_segments: Iterable[str] = (),
    via: Sequence[str] = (),
    avoid_stations: Iterable[str] = (),
    avoid_segments: Iterable[str] = (),
    avoid_countries: Iterable[str] = (),
    avoid_groups: Iterable[str] = (),
    within: Iterable[str] | None = None,
    within_group: str | None = None,
    closed_borders: Iterable[Sequence[str]] = (),
) -> Route:
    """The best route between two places on the network as of a date (parameters as :func:`routes`).

    Examples
    --------
    >>> from corridors import load_network
    >>> r = route(load_network(), "Mashhad", "Bandar Abbas", by="time", as_of=date(2026, 1, 1))
    >>> r.hours > 0 and r.borders == []
    True
    """
    return routes(
        net,
        origin,
        destination,
        k=1,
        by=by,
        as_of=as_of,
        expected=expected,
        params=params,
        open_segments=open_segments,
        close_segments=close_segments,
        via=via,
        avoid_stations=avoid_stations,
        avoid_segments=avoid_segments,
        avoid_countries=avoid_countries,
        avoid_groups=avoid_groups,
        within=within,
        within_group=within_group,
        closed_borders=closed_borders,
    )[0]
