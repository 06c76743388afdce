"""The first version of the legal pages and the easy-read page.

Staff edit them in the admin afterwards; `get_or_create` never overwrites an
edited page when the migration runs again on another database.
"""

from django.db import migrations
from django.utils import timezone

VERSION = "2026-11-01"  # matches settings.PRIVACY_NOTICE_VERSION

IMPRINT = """## Angaben zum Anbieter
Kompetenzzentrum Kommunale Konfliktberatung
Träger: VFB Salzwedel
Salzwedel (Sachsen-Anhalt)

## Kontakt
E-Mail: kontakt@kkk.example.org
Weitere Wege, uns zu erreichen, stehen auf der Kontaktseite.

## Verantwortlich für den Inhalt
Die Leitung des Kompetenzzentrums Kommunale Konfliktberatung, Anschrift wie oben.

## Hinweis zu Projektförderungen
Einzelne Projekte des Kompetenzzentrums werden mit öffentlichen Mitteln gefördert. Die jeweiligen Fördermittelgeber und Förderhinweise stehen auf den Projektseiten. Die Veröffentlichungen stellen keine Meinungsäußerung der Fördermittelgeber dar.

## Haftung für Links
Diese Website enthält Verweise auf Websites anderer Anbieter. Für deren Inhalte sind ausschließlich deren Betreiber verantwortlich. Zum Zeitpunkt der Verlinkung waren keine Rechtsverstöße erkennbar. Werden uns solche bekannt, entfernen wir den Verweis umgehend."""

IMPRINT_EN = """## Provider
Kompetenzzentrum Kommunale Konfliktberatung (Centre of Expertise for Municipal Conflict Counselling)
Carrier organisation: VFB Salzwedel
Salzwedel (Saxony-Anhalt, Germany)

## Contact
Email: kontakt@kkk.example.org
Further ways to reach us are listed on the contact page.

## Responsible for the content
The management of the centre, address as above.

## Links
This website links to websites of other providers. Their operators alone are responsible for their content. We remove a link as soon as we learn of any infringement."""

PRIVACY = """## Wer ist verantwortlich?
Verantwortlich für die Verarbeitung personenbezogener Daten auf dieser Website ist das Kompetenzzentrum Kommunale Konfliktberatung in Trägerschaft des VFB Salzwedel. Sie erreichen uns unter kontakt@kkk.example.org.

## Besuch der Website
Wenn Sie diese Website aufrufen, verarbeitet unser Server technisch notwendige Angaben: die aufgerufene Adresse, Datum und Uhrzeit, die Browserkennung und Ihre IP-Adresse. Wir brauchen diese Angaben, um die Seiten auszuliefern und die Website vor Angriffen zu schützen (Art. 6 Abs. 1 lit. f DSGVO). Wir erstellen daraus keine Profile.
Die Website lädt keine Inhalte von anderen Anbietern: keine Schriften, keine Karten, keine Videos, keine Zählpixel. Wir setzen keine Analyse- oder Werbewerkzeuge ein.

## Cookies
Wir setzen nur technisch notwendige Cookies. Ein Sicherheits-Cookie (CSRF) schützt Formulare vor Missbrauch. Ein Sitzungs-Cookie wird gesetzt, wenn Sie eine Beratungsanfrage absenden (damit wir Ihnen danach die Eingangsnummer zeigen können) oder wenn sich Mitarbeitende im Verwaltungsbereich anmelden. Eine Einwilligung ist dafür nicht nötig.

## Beratungsanfrage über das Formular
Wenn Sie über das Formular „Beratung anfragen“ eine Anfrage stellen, speichern wir:
- Name der Institution, Art der Körperschaft und Bundesland
- Name und Funktion der Ansprechperson
- E-Mail-Adresse, auf Wunsch Telefonnummer und den bevorzugten Kontaktweg
- die gewählten Themen, Ihre Beschreibung der Situation, die Einschätzung der Konfliktlage und der Dringlichkeit
- auf Wunsch, wie Sie auf uns aufmerksam geworden sind
- Zeitpunkt Ihrer Einwilligung und die Fassung dieser Datenschutzerklärung, der Sie zugestimmt haben

Wir nutzen diese Angaben, um Ihre Anfrage zu beantworten, mit Ihnen Kontakt aufzunehmen und eine mögliche Beratung vorzubereiten. Rechtsgrundlage ist Ihre Einwilligung (Art. 6 Abs. 1 lit. a DSGVO) und die Anbahnung einer Zusammenarbeit (Art. 6 Abs. 1 lit. b DSGVO). Die Angaben sehen nur die Mitarbeitenden des Kompetenzzentrums, die Anfragen bearbeiten. Wir geben sie nicht an Dritte weiter. Nach dem Absenden erhalten Sie und das Kompetenzzentrum eine Eingangsbestätigung per E-Mail.
Um massenhaft versandte Anfragen abzuwehren, zählen wir eine Stunde lang, wie oft von einer IP-Adresse Anfragen abgeschickt werden. Dafür speichern wir die IP-Adresse nicht im Klartext, sondern nur als verschlüsselten Prüfwert (Hash). Die Zählung wird nicht mit Ihrer Anfrage gespeichert und verfällt nach einer Stunde von selbst.

## Wie lange wir die Daten speichern
- Anfragen, die wir ablehnen oder als Spam erkennen, löschen wir 90 Tage nach dieser Entscheidung.
- Wird aus einer Anfrage eine Beratung, führen wir sie als Beratungsfall weiter. Drei Jahre nach Abschluss eines Falls anonymisieren wir die personenbezogenen Daten. Übrig bleiben nur Angaben ohne Personenbezug, etwa Bundesland, Themen und Zeitraum, die wir für Berichte an Fördermittelgeber und für die Forschung brauchen.
- Gesetzliche Aufbewahrungspflichten bleiben unberührt.

## Ihre Rechte
Sie haben das Recht auf Auskunft, Berichtigung, Löschung und Einschränkung der Verarbeitung, auf Datenübertragbarkeit und auf Widerspruch. Eine Einwilligung können Sie jederzeit mit Wirkung für die Zukunft widerrufen; eine E-Mail an kontakt@kkk.example.org genügt.
Sie können sich außerdem bei einer Datenschutz-Aufsichtsbehörde beschweren, zum Beispiel beim Landesbeauftragten für den Datenschutz Sachsen-Anhalt.

## Änderungen
Wenn sich die Verarbeitung ändert, passen wir diese Erklärung an. Die geltende Fassung steht oben auf dieser Seite."""

PRIVACY_EN = """## Who is responsible?
The Kompetenzzentrum Kommunale Konfliktberatung, carried by VFB Salzwedel, is responsible for processing personal data on this website. Contact: kontakt@kkk.example.org.

## Visiting the website
Our server processes technically necessary data (address requested, date and time, browser identification, IP address) to deliver the pages and protect the site (Art. 6(1)(f) GDPR). The site loads nothing from other providers and uses no analytics or advertising tools.

## Cookies
We only set technically necessary cookies: a security cookie (CSRF) that protects forms, and a session cookie when you send a counselling request (to show you its reference number) or when staff sign in to the administration area.

## Counselling request form
When you send a request, we store the institution, kind of body and federal state, the contact person's name and role, email address, optionally a phone number and preferred way of contact, the topics, your description of the situation, the type of conflict and urgency, optionally how you heard of us, and when you consented to which version of this notice. We use these data to answer your request and prepare counselling (Art. 6(1)(a) and (b) GDPR). Only the centre's staff who handle requests see them; we do not pass them on.

## How long we keep data
- Requests we decline or recognise as spam are deleted 90 days after that decision.
- Requests that turn into counselling become cases. Personal data of a case are anonymised three years after the case is closed.

## Your rights
You have the right of access, rectification, erasure, restriction, data portability and objection, and you may withdraw your consent at any time by email to kontakt@kkk.example.org. You may also complain to a data protection authority, for example the Data Protection Commissioner of Saxony-Anhalt.

The German version of this notice is binding."""

ACCESSIBILITY = """Das Kompetenzzentrum Kommunale Konfliktberatung möchte, dass alle Menschen diese Website nutzen können. Diese Erklärung gilt für die Website des Kompetenzzentrums.

## Wie barrierefrei ist diese Website?
Die Website ist weitgehend mit den Anforderungen der Web Content Accessibility Guidelines (WCAG) 2.1 auf der Stufe AA vereinbar. Wir prüfen jede Seite bei jeder Änderung automatisch mit dem Prüfwerkzeug axe-core, in deutscher und englischer Sprache, auf kleinen und großen Bildschirmen.
- Alle Seiten lassen sich mit der Tastatur bedienen. Der Tastaturfokus ist gut sichtbar.
- Alle Seiten funktionieren auch ohne JavaScript.
- Texte haben ausreichenden Kontrast. Die Schrift lässt sich auf 200 Prozent vergrößern.
- Eine Zusammenfassung in Leichter Sprache gibt es auf einer eigenen Seite.

## Was noch nicht barrierefrei ist
- Ältere Publikationen als PDF-Datei sind zum Teil nicht barrierefrei gestaltet. Auf Anfrage schicken wir Ihnen den Inhalt in einer zugänglichen Form.
- Nicht alle Inhalte gibt es auf Englisch. Fehlt eine Übersetzung, zeigen wir den deutschen Text.

## Barriere melden
Sie sind auf eine Barriere gestoßen oder brauchen Inhalte in einer anderen Form? Schreiben Sie uns an kontakt@kkk.example.org oder nutzen Sie die Kontaktseite. Wir antworten in der Regel innerhalb von zwei Wochen.

## Schlichtungsverfahren
Wenn Sie auf Ihre Meldung keine zufriedenstellende Antwort erhalten, können Sie sich an eine Schlichtungsstelle wenden, etwa an die Schlichtungsstelle nach dem Behindertengleichstellungsgesetz (BGG) beim Beauftragten der Bundesregierung für die Belange von Menschen mit Behinderungen: https://www.schlichtungsstelle-bgg.de. Das Verfahren ist kostenlos. Sie brauchen dafür keinen Rechtsbeistand.

## Erstellung dieser Erklärung
Diese Erklärung beruht auf einer Selbstbewertung. Sie wurde zuletzt zum oben genannten Stand überprüft."""

ACCESSIBILITY_EN = """The Kompetenzzentrum Kommunale Konfliktberatung wants everyone to be able to use this website.

## How accessible is this website?
The website largely conforms to WCAG 2.1 level AA. Every page is checked automatically with axe-core on each change, in German and English, on small and large screens. All pages work with the keyboard and without JavaScript.

## What is not yet accessible
- Some older publications in PDF format are not fully accessible. On request we send you the content in an accessible form.
- Not all content is available in English; where a translation is missing, the German text is shown.

## Report a barrier
Have you found a barrier? Write to kontakt@kkk.example.org or use the contact page. We usually answer within two weeks.

## Conciliation
If you do not receive a satisfactory answer, you can turn to a conciliation body such as the Schlichtungsstelle nach dem Behindertengleichstellungsgesetz (BGG): https://www.schlichtungsstelle-bgg.de. The procedure is free of charge."""

EASY_READ = """Hier erklären wir unsere Arbeit in Leichter Sprache.

## Wer sind wir?
Wir sind das Kompetenzzentrum Kommunale Konfliktberatung.
Das ist ein langes Wort.
Wir sagen kurz: KKK.
Wir sind in Salzwedel.
Salzwedel liegt in Sachsen-Anhalt.

## Was ist eine Kommune?
Eine Kommune ist ein Ort mit einer eigenen Verwaltung.
Das kann ein Dorf sein.
Das kann eine Stadt sein.
Das kann auch ein Landkreis sein.

## Was machen wir?
In einer Kommune leben viele Menschen zusammen.
Manchmal gibt es Streit.
Zum Beispiel über einen Platz.
Oder über eine neue Straße.
Manchmal streiten viele Menschen lange.
Dann hilft ein Gespräch allein oft nicht mehr.
Dann können wir helfen.

## Wie helfen wir?
Wir reden mit allen Menschen, die zum Streit gehören.
Wir halten zu keiner Seite.
Wir hören allen gut zu.
Wir schauen: Was klappt in der Kommune schon gut?
Darauf bauen wir auf.
Wir suchen mit den Menschen nach Lösungen.
Die Lösungen sollen lange halten.
Auch wenn wir wieder weg sind.

## Wie bekommen Sie Hilfe?
Arbeiten Sie in einer Kommune?
Zum Beispiel im Rathaus?
Dann können Sie uns fragen.
Sie füllen dafür ein Formular aus.
Das Formular heißt: Beratung anfragen.
Sie finden es oben auf jeder Seite.
Sie können uns auch eine E-Mail schreiben.
Unsere E-Mail-Adresse ist: kontakt@kkk.example.org
Wir melden uns dann bei Ihnen.

## Was kostet das?
Oft kostet die Hilfe nichts.
Denn andere bezahlen unsere Arbeit.
Zum Beispiel das Land oder der Bund.
Das besprechen wir mit Ihnen vorher."""

PAGES = [
    ("impressum", "Impressum", "Legal notice", IMPRINT, IMPRINT_EN),
    ("datenschutz", "Datenschutzerklärung", "Privacy notice", PRIVACY, PRIVACY_EN),
    (
        "barrierefreiheit",
        "Erklärung zur Barrierefreiheit",
        "Accessibility statement",
        ACCESSIBILITY,
        ACCESSIBILITY_EN,
    ),
    ("leichte-sprache", "Leichte Sprache", "", EASY_READ, ""),
]


def create_pages(apps, schema_editor):
    SitePage = apps.get_model("kkk_portal", "SitePage")
    HistoricalSitePage = apps.get_model("kkk_portal", "HistoricalSitePage")
    fields = ["id", "slug", "title", "title_en", "body", "body_en", "version", "updated_at"]
    for slug, title, title_en, body, body_en in PAGES:
        page, created = SitePage.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "title_en": title_en,
                "body": body,
                "body_en": body_en,
                "version": VERSION,
            },
        )
        if created:
            # Signals do not run in migrations: record the first version by hand.
            HistoricalSitePage.objects.create(
                **{name: getattr(page, name) for name in fields},
                history_date=timezone.now(),
                history_type="+",
                history_change_reason="Erste Fassung",
            )


class Migration(migrations.Migration):
    dependencies = [("kkk_portal", "0001_site_pages")]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
