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


# Markers are links. Their target is a circle of MARKER_RADIUS user units: the map is at
# least 20rem (320 px) wide on a 360 px phone, so one unit is >= 0.53 px and the target
# >= 25 px across (WCAG 2.5.8 asks for 24). Targets never overlap: places closer than
# MARKER_SPACING are pushed apart, and a thin line leads back to the true position.
MARKER_RADIUS = 24
MARKER_SPACING = 2 * MARKER_RADIUS + 3


@dataclass(frozen=True)
class Place:
    """A municipality on the map: (x, y) is where its marker sits, (true_x, true_y) the place."""

    municipality: object
    x: float
    y: float
    true_x: float | None = None
    true_y: float | None = None

    @property
    def moved(self) -> bool:
        """True if the marker had to leave the true position to stay distinguishable."""
        return self.true_x is not None and (self.x, self.y) != (self.true_x, self.true_y)


def spread(points: list[tuple[float, float]], *, spacing: float = MARKER_SPACING):
    """Push points apart until no two are closer than `spacing` (a few relaxation rounds).

    Deterministic: identical points part along an angle that depends on their order.
    Points stay inside the map, at least a marker radius from its edges.
    """
    moved = [list(p) for p in points]
    for _ in range(200):
        changed = False
        for i in range(len(moved)):
            for j in range(i + 1, len(moved)):
                dx = moved[j][0] - moved[i][0]
                dy = moved[j][1] - moved[i][1]
                distance = math.hypot(dx, dy)
                if distance >= spacing - 0.01:
                    continue
                if distance < 0.01:
                    angle = (i * 7 + j) * 0.9
                    dx, dy, distance = math.cos(angle), math.sin(angle), 1.0
                push = (spacing - distance) / 2 + 0.05
                ux, uy = dx / distance, dy / distance
                moved[i][0] -= ux * push
                moved[i][1] -= uy * push
                moved[j][0] += ux * push
                moved[j][1] += uy * push
                changed = True
        for point in moved:
            point[0] = min(max(point[0], MARKER_RADIUS), WIDTH - MARKER_RADIUS)
            point[1] = min(max(point[1], MARKER_RADIUS), HEIGHT - MARKER_RADIUS)
        if not changed:
            break
    return [(round(x, 1), round(y, 1)) for x, y in moved]


def places_on_map(municipalities):
    """Those of `municipalities` that have coordinates, with their marker position."""
    located = [
        (m, project(m.longitude, m.latitude))
        for m in municipalities
        if m.latitude is not None and m.longitude is not None
    ]
    markers = spread([xy for _, xy in located])
    return [
        Place(municipality=m, x=x, y=y, true_x=true[0], true_y=true[1])
        for (m, true), (x, y) in zip(located, markers, strict=True)
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
        "marker_radius": MARKER_RADIUS,
    }
