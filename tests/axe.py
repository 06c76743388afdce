"""axe-core from the axe-playwright-python wheel: no network at run time."""

from pathlib import Path

import axe_playwright_python

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
_AXE_JS = None


def _axe_source():
    global _AXE_JS
    if _AXE_JS is None:
        _AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
    return _AXE_JS


def axe_violations(page):
    """Run axe-core (WCAG 2.1 A/AA) on the current page and return its violations."""
    page.evaluate(_axe_source())  # evaluated, not a <script> tag: CSP cannot block it
    result = page.evaluate("opts => axe.run(document, opts)", WCAG)
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]],
        }
        for v in result["violations"]
    ]


def assert_no_axe_violations(page):
    violations = axe_violations(page)
    assert violations == [], f"axe-core violations on {page.url}: {violations}"
