"""A map of Germany drawn as inline SVG on the server: no tiles, no JavaScript.

Projection: equirectangular with the longitude scaled by cos(51°), the
latitude through the middle of Germany, so shapes keep roughly their true
proportions there (the error is a few per cent at the northern and southern
borders, invisible at this size):

    x = (lon - WEST) * cos(51°) * SCALE
    y = (NORTH - lat) * SCALE

The state outlines come from `projects/geodata/germany_states.json` (see the
README there). Their SVG paths are computed once per process and cached.
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kkk_portal.enums import Bundesland

DATA_FILE = Path(__file__).parent / "geodata" / "germany_states.json"

# Bounding box of the outlines (degrees), with a small margin.
WEST, EAST = 5.75, 15.15
SOUTH, NORTH = 47.2, 55.15
COS_LAT = math.cos(math.radians(51))
WIDTH = 600  # SVG user units; the image scales with its container
SCALE = WIDTH / ((EAST - WEST) * COS_LAT)
HEIGHT = round((NORTH - SOUTH) * SCALE)


def project(longitude, latitude):
    """(x, y) in SVG user units for a WGS84 position, rounded to 0.1."""
    x = (float(longitude) - WEST) * COS_LAT * SCALE
    y = (NORTH - float(latitude)) * SCALE
    return round(x, 1), round(y, 1)


def _ring_path(ring):
    """Whole user units are precise enough for outlines (1 unit is about 1.5 km)."""
    points = [(round(x), round(y)) for x, y in (project(lon, lat) for lon, lat in ring)]
    points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    head, *tail = points
    return f"M{head[0]} {head[1]}" + "".join(f"L{x} {y}" for x, y in tail) + "Z"


@dataclass(frozen=True)
class StateShape:
    code: str
    path: str


@cache
def state_shapes():
    """The 16 states as SVG path data, in the order of `Bundesland`. Cached."""
    states = json.loads(DATA_FILE.read_text(encoding="utf-8"))["states"]
    return tuple(
        StateShape(code=code, path="".join(_ring_path(ring) for ring in states[code]))
        for code in Bundesland.values
    )


@dataclass(frozen=True)
class Place:
    """A municipality on the map."""

    municipality: object
    x: float
    y: float


def places_on_map(municipalities):
    """Those of `municipalities` that have coordinates, with their map position."""
    return [
        Place(municipality=m, x=x, y=y)
        for m in municipalities
        if m.latitude is not None and m.longitude is not None
        for x, y in [project(m.longitude, m.latitude)]
    ]


def map_context(municipalities, *, highlight_states=()):
    """What `projects/_map.html` needs."""
    places = places_on_map(municipalities)
    highlighted = set(highlight_states) | {p.municipality.state for p in places}
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "states": [
            {"code": s.code, "path": s.path, "active": s.code in highlighted}
            for s in state_shapes()
        ],
        "places": places,
    }
