"""corridors: a transit corridor network modeller for Iran, Afghanistan and Central Asia.

Load the shipped regional rail network (or your own, in the same schema), look at it as of a
date, and find exact routes with breaks of gauge and border crossings priced.

Examples
--------
>>> import corridors
>>> net = corridors.load_network()
>>> r = corridors.route(net, "Tashkent", "Termez", by="time")
>>> r.km > 0
True
"""

from importlib.metadata import PackageNotFoundError, version

from corridors._errors import (
    CorridorsError,
    DataError,
    NoRouteError,
    OptionsError,
    OutputExistsError,
    ParameterError,
    ScenarioError,
    StationNotFoundError,
    UsageError,
)
from corridors._validate import Problem
from corridors.convert import graph_from_gdfs, graph_to_gdfs
from corridors.io import to_geojson, to_geopackage, to_graphml
from corridors.network import (
    Network,
    find_station,
    is_open,
    load_network,
    network_as_of,
    network_from_gdfs,
    validate_network,
)
from corridors.params import Parameters, load_parameters
from corridors.pricing import CRITERIA, Prices, price_network
from corridors.routing import Constraints, Route, Router
from corridors.state import NetworkState, network_state, route, routes

try:
    __version__ = version("corridors")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "CRITERIA",
    "Constraints",
    "CorridorsError",
    "DataError",
    "Network",
    "NetworkState",
    "NoRouteError",
    "OptionsError",
    "OutputExistsError",
    "ParameterError",
    "Parameters",
    "Prices",
    "Problem",
    "Route",
    "Router",
    "ScenarioError",
    "StationNotFoundError",
    "UsageError",
    "__version__",
    "find_station",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "is_open",
    "load_network",
    "load_parameters",
    "network_as_of",
    "network_from_gdfs",
    "network_state",
    "price_network",
    "route",
    "routes",
    "to_geojson",
    "to_geopackage",
    "to_graphml",
    "validate_network",
]
