"""Take the README's screenshots with Playwright and Debian's Chromium.

    .venv/bin/python docs/screenshots.py [BASE_URL]

BASE_URL (default http://127.0.0.1:8000) is a running site with the real content
(`make run`). Writes docs/screenshots/<page>-<language>.png: home, project list
(360 px phone), a project, contact and the request form's confirmation page
(a request is sent for it: use a development database), in German and English.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}
PROJECT = "/projekte/kommunale-integrationsstrategien/"

PAGES = [  # (name, path, viewport, full page)
    ("home", "/", DESKTOP, True),
    ("projects-phone", "/projekte/", PHONE, False),
    ("project", PROJECT, DESKTOP, True),
    ("contact", "/kontakt/", DESKTOP, True),
]

REQUEST = {
    "institution": {"de": "Gemeinde Musterdorf", "en": "Municipality of Sampleton"},
    "contact_name": {"de": "Erika Mustermann", "en": "Erika Mustermann"},
    "contact_role": {"de": "Bürgermeisterin", "en": "Mayor"},
    "email": {"de": "erika@musterdorf.example", "en": "erika@sampleton.example"},
    "situation": {
        "de": "Seit dem Sommer streiten Gemeinderat und eine Bürgerinitiative über den Marktplatz.",
        "en": "Since the summer, the council and a citizens' initiative argue about the square.",
    },
    "involved": {"de": "Gemeinderat, Bürgerinitiative", "en": "Council, citizens' initiative"},
}


def send_request(page, base: str, language: str) -> None:
    prefix = "/en" if language == "en" else ""
    page.goto(f"{base}{prefix}/beratung-anfragen/")
    for name, values in REQUEST.items():
        page.locator(f"#id_{name}").fill(values[language])
    page.locator("#id_body_kind").select_option("gemeinde")
    page.locator("#id_state").select_option("ST")
    page.locator("#id_contact_preference_0").check()
    page.locator("#id_topics_0").check()
    page.locator("#id_conflict_type_0").check()
    page.locator("#id_urgency_1").check()
    page.locator("#id_consent").check()
    page.locator("form.request-form [type=submit]").click()
    page.wait_for_url("**/danke/")


def main(base: str) -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for language in ["de", "en"]:
            prefix = "/en" if language == "en" else ""
            for name, path, viewport, full in PAGES:
                page = browser.new_page(viewport=viewport, locale=language)
                page.goto(base + prefix + path)
                page.screenshot(path=OUT / f"{name}-{language}.png", full_page=full)
                page.close()
            page = browser.new_page(viewport=DESKTOP, locale=language)
            send_request(page, base, language)
            page.screenshot(path=OUT / f"confirmation-{language}.png", full_page=True)
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
