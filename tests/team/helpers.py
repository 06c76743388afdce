"""What the tests of the contact form send."""

VALID_CONTACT = {
    "name": "Jana Presse",
    "email": "jana@zeitung.example",
    "organisation": "Beispielzeitung",
    "topic": "presse",
    "message": "Ich schreibe über kommunale Konflikte und hätte Fragen an Sie.",
    "consent": "on",
    "website": "",
}
