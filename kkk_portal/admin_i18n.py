"""The admin's JavaScript translations, completed where Django's German catalog lags behind.

Django 5.2's admin scripts ask for "Choose all %s", "Remove all %s" and a few more
strings of the two-box selector (`filter_horizontal`), but its German catalog
(`django/contrib/admin/locale/de/LC_MESSAGES/djangojs.po`) still holds only the
older "Choose all"/"Remove all". The browser then shows English in the German
admin. This view serves Django's catalog plus these strings; the URL
`admin:jsi18n` is answered by it (kkk_portal/urls.py puts it before the admin's own).
"""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog

# msgid of Django's admin JS -> German text (the source language; English is Django's msgid).
MISSING_GERMAN = {
    "(click to clear)": _("(zum Leeren anklicken)"),
    'Choose %s by selecting them and then select the "Choose" arrow button.': _(
        "%s auswählen: markieren und dann den Pfeil „Auswählen“ wählen."
    ),
    "Choose all %s": _("Alle %s auswählen"),
    "Choose selected %s": _("Markierte %s auswählen"),
    'Remove %s by selecting them and then select the "Remove" arrow button.': _(
        "%s entfernen: markieren und dann den Pfeil „Entfernen“ wählen."
    ),
    "Remove all %s": _("Alle %s entfernen"),
    "Remove selected %s": _("Markierte %s entfernen"),
}


# The rich-text editor's toolbar titles (django-prose-editor 0.28 hard-codes them in
# English, outside gettext) -> their text in the admin's language, for every language.
# static/js/prose-editor-labels.js relabels the buttons with these entries.
EDITOR_TOOLBAR = {
    "bold": _("Fett"),
    "italic": _("Kursiv"),
    "heading %s": _("Überschrift %s"),
    "paragraph": _("Absatz"),
    "unordered list": _("Aufzählung"),
    "ordered list": _("Nummerierte Liste"),
    "blockquote": _("Zitat"),
    "insert link": _("Link einfügen"),
    "remove link": _("Link entfernen"),
    "undo": _("Rückgängig"),
    "redo": _("Wiederherstellen"),
    "horizontal rule": _("Trennlinie"),
}


class AdminJavaScriptCatalog(JavaScriptCatalog):
    # The rich-text editor reads `window.gettext` too: its German dialog texts come along.
    packages = ["django.contrib.admin", "django_prose_editor"]

    def get_catalog(self) -> dict:
        catalog = super().get_catalog()
        for msgid, text in EDITOR_TOOLBAR.items():
            catalog[msgid] = str(text)
        if (get_language() or "").split("-")[0] == "de":
            for msgid, text in MISSING_GERMAN.items():
                catalog.setdefault(msgid, str(text))
        return catalog
