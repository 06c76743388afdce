"""The tests' one HTML reader (tests/html.py) reads pages as a person and a browser do."""

from tests import html

PAGE = """<!doctype html><html><head><title>Start</title><style>p{}</style></head><body>
<h1>Kontakt &amp; Anfahrt</h1><!-- a comment -->
<p class="lead"><a href="/team/">Team</a>, <strong>Beratung</strong> (neu).</p>
<img src="/a.png" alt="Karte der Kommunen"><script>var x = "versteckt";</script>
<form id="f"><input type="hidden" name="csrfmiddlewaretoken" value="tok">
<input name="q" value="Bautzen"><input type="checkbox" name="a" checked>
<input type="checkbox" name="b"><input type="file" name="file">
<select name="year"><option value="">Alle</option><option value="2021">2021</option></select>
<select name="m" multiple><option value="1" selected>1</option>
<option value="2" selected>2</option></select>
<textarea name="t">
Zeile</textarea><input type="submit" name="go" value="Los"></form></body></html>"""


def test_texts_read_like_a_person():
    assert html.texts(PAGE, "h1") == ["Kontakt & Anfahrt"]
    assert html.text(PAGE, "p.lead") == "Team, Beratung (neu)."
    assert html.links(PAGE, "p a") == [("/team/", "Team")]
    assert html.attrs(PAGE, "img", "alt") == ["Karte der Kommunen"]


def test_visible_text_leaves_out_scripts_styles_and_comments():
    assert html.visible_text(PAGE).startswith("Start Kontakt & Anfahrt Team, Beratung (neu).")
    assert "versteckt" not in html.visible_text(PAGE)
    assert "comment" not in html.visible_text(PAGE)
    assert "Karte der Kommunen" in html.visible_text(PAGE, attributes=True)
    assert "Karte der Kommunen" not in html.visible_text(PAGE)


def test_form_fields_are_what_a_browser_sends():
    assert html.form_fields(PAGE, "form#f") == [
        ("csrfmiddlewaretoken", "tok"),
        ("q", "Bautzen"),
        ("a", "on"),
        ("year", ""),
        ("m", "1"),
        ("m", "2"),
        ("t", "Zeile"),
    ]
    assert html.csrf_token(PAGE) == "tok"
