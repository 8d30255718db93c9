"""Exceptions raised by corridors.

Every exception subclasses :class:`CorridorsError` and a built-in exception, so callers can
catch either. Messages name the file, the feature and the field where that applies.
"""

from __future__ import annotations

__all__ = [
    "ChromiumNotFoundError",
    "CorridorsError",
    "DataError",
    "NoRouteError",
    "OptionsError",
    "OutputExistsError",
    "ParameterError",
    "ScenarioError",
    "StationNotFoundError",
    "UsageError",
]


class CorridorsError(Exception):
    """Base class of every error corridors raises on purpose."""


class DataError(CorridorsError, ValueError):
    """A network, parameter, scenario or options file is malformed or inconsistent."""


class ParameterError(DataError):
    """The parameters file (speeds, fees, tariffs, ...) is malformed."""


class ScenarioError(DataError):
    """A scenario file is malformed or names something the network lacks."""


class OptionsError(DataError):
    """An options file is malformed or names something the network lacks."""


class UsageError(CorridorsError, ValueError):
    """A request is malformed (an unknown country code, a bad combination of arguments)."""


class OutputExistsError(CorridorsError, FileExistsError):
    """An output exists and may not be replaced (see :mod:`corridors.output`)."""


class ChromiumNotFoundError(CorridorsError, FileNotFoundError):
    """No Chromium (or Chrome) executable to print the report to PDF."""


class StationNotFoundError(CorridorsError, KeyError):
    """A station name or id does not match any station; the message suggests close matches."""

    def __str__(self) -> str:
        # KeyError quotes its argument; show the message as written.
        return str(self.args[0]) if self.args else ""


class NoRouteError(CorridorsError, LookupError):
    """No route satisfies the request; the message says why in the user's terms."""
