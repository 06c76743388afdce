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
from functools import cache, lru_cache
from pathlib import Path

from django.urls import reverse

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


def _ring_path(ring) -> str:
    """A closed outline as compact path data: whole user units (about 1.5 km each,
    precise enough here), one absolute move, then relative line steps with the
    command letter written once ("M312 45l3-2 4 1Z"): about half the bytes of
    absolute coordinates, on every page that shows the map."""
    points = [(round(x), round(y)) for x, y in (project(lon, lat) for lon, lat in ring)]
    points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    (x0, y0), *tail = points
    steps = []
    for (px, py), (x, y) in zip(points, tail, strict=False):
        for delta in (x - px, y - py):
            # A minus sign separates numbers by itself; a positive number needs a space.
            steps.append(str(delta) if delta < 0 or not steps else f" {delta}")
    return f"M{x0} {y0}" + (f"l{''.join(steps)}" if steps else "") + "Z"


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


# A place set larger than this, or one whose markers would have to move further than
# MAX_MOVE to stay apart, is drawn with grouped markers instead: the places closer than
# MARKER_SPACING to a group's first place share its marker, which counts them and leads
# to the list of places (which names every one of them).
SPREAD_MAX = 50
MAX_MOVE = 2 * MARKER_SPACING
SPREAD_ROUNDS = 200


@dataclass(frozen=True)
class Place:
    """A marker on the map: (x, y) is where it sits, (true_x, true_y) the place.

    `municipality` is the place it stands for; a grouped marker stands for `members`
    (the first of them is `municipality`) and links to `href`.
    """

    municipality: object
    x: float
    y: float
    true_x: float | None = None
    true_y: float | None = None
    members: tuple = ()
    href: str = ""

    @property
    def moved(self) -> bool:
        """True if the marker had to leave the true position to stay distinguishable."""
        return self.true_x is not None and (self.x, self.y) != (self.true_x, self.true_y)

    @property
    def is_group(self) -> bool:
        return len(self.members) > 1

    @property
    def others(self) -> int:
        """How many places besides `municipality` this marker stands for."""
        return max(len(self.members) - 1, 0)


def _cell(x: float, y: float, size: float) -> tuple[int, int]:
    return int(x // size), int(y // size)


def _neighbours(grid: dict, cell: tuple[int, int]):
    cx, cy = cell
    for gx in (cx - 1, cx, cx + 1):
        for gy in (cy - 1, cy, cy + 1):
            yield from grid.get((gx, gy), ())


def spread(points: list[tuple[float, float]], *, spacing: float = MARKER_SPACING):
    """Push points apart until no two are closer than `spacing` (a few relaxation rounds).

    Deterministic: pairs are relaxed in index order; identical points part along an
    angle that depends on their order. Points stay inside the map, at least a marker
    radius from its edges. Each round looks only at points in neighbouring cells of a
    grid of `spacing`-sized cells, so a round costs O(n) for evenly spread points.
    """
    moved = [list(p) for p in points]
    for _ in range(SPREAD_ROUNDS):
        grid: dict[tuple[int, int], list[int]] = {}
        for index, (x, y) in enumerate(moved):
            grid.setdefault(_cell(x, y, spacing), []).append(index)
        changed = False
        for i in range(len(moved)):
            # Points move during a round; the grid of its start finds every pair that
            # was close then, and the next round's grid the rest.
            for j in sorted(j for j in _neighbours(grid, _cell(*moved[i], spacing)) if j > i):
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
        if not changed and not _too_close(moved, spacing):
            break
    return [(round(x, 1), round(y, 1)) for x, y in moved]


def _too_close(points, spacing: float) -> bool:
    """Whether any two points are closer than `spacing` (grid look-up, O(n))."""
    grid: dict[tuple[int, int], list[int]] = {}
    for index, (x, y) in enumerate(points):
        grid.setdefault(_cell(x, y, spacing), []).append(index)
    for i, (x, y) in enumerate(points):
        for j in _neighbours(grid, _cell(x, y, spacing)):
            if j > i and math.hypot(points[j][0] - x, points[j][1] - y) < spacing - 0.01:
                return True
    return False


def group(points: list[tuple[float, float]], *, spacing: float = MARKER_SPACING):
    """Indices of `points` grouped: no group's first point is closer than `spacing` to
    another's, and every member is closer than `spacing` to its group's first point
    (the nearest one). Deterministic: groups form in input order. O(n) with a grid."""
    groups: list[list[int]] = []
    grid: dict[tuple[int, int], list[int]] = {}
    for index, (x, y) in enumerate(points):
        cell = _cell(x, y, spacing)
        best = None
        for g in _neighbours(grid, cell):
            lx, ly = points[groups[g][0]]
            distance = math.hypot(lx - x, ly - y)
            if distance < spacing and (best is None or distance < best[0]):
                best = (distance, g)
        if best is None:
            grid.setdefault(cell, []).append(len(groups))
            groups.append([index])
        else:
            groups[best[1]].append(index)
    return groups


@lru_cache(maxsize=32)
def layout(points: tuple[tuple[float, float], ...]) -> tuple:
    """((member indices, marker x, marker y), …) for places at `points` (map units).

    Cached per place set: the pages of one content version draw the same sets again.
    """
    if len(points) <= SPREAD_MAX:
        markers = spread(list(points))
        if all(math.dist(p, m) <= MAX_MOVE for p, m in zip(points, markers, strict=True)):
            return tuple(((i,), *m) for i, m in enumerate(markers))
    groups = group(list(points))
    # The groups' first points are far enough apart; only the map's edges can push
    # two of them together.
    markers = spread([points[g[0]] for g in groups])
    return tuple((tuple(g), *m) for g, m in zip(groups, markers, strict=True))


def places_list_href(state: str) -> str:
    """The list of places of `state` on the page of all places."""
    return f"{reverse('projects:municipality_list')}#places-{state}"


def places_on_map(municipalities, *, group_href=places_list_href):
    """Markers for those of `municipalities` that have coordinates.

    A grouped marker leads to `group_href(state of its first place)`.
    """
    located = [
        (m, project(m.longitude, m.latitude))
        for m in municipalities
        if m.latitude is not None and m.longitude is not None
    ]
    markers = layout(tuple(xy for _, xy in located))
    places = []
    for members, x, y in markers:
        first, true = located[members[0]]
        grouped = len(members) > 1
        places.append(
            Place(
                municipality=first,
                x=x,
                y=y,
                true_x=true[0],
                true_y=true[1],
                members=tuple(located[i][0] for i in members) if grouped else (),
                href=group_href(first.state) if grouped else "",
            )
        )
    return places


def map_context(municipalities, *, highlight_states=()):
    """What `projects/_map.html` needs."""
    places = places_on_map(municipalities)
    highlighted = set(highlight_states) | {
        m.state for p in places for m in (p.members or (p.municipality,))
    }
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
