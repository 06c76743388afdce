"""Reply templates: the default texts and how placeholders are filled in.

A template is only a starting point: the counsellor sees the filled-in text,
edits it and then sends it (`services.case_reply_send`). Placeholders are
replaced by name only; any other brace in a text stays as it is, so a stray
"{" never breaks a reply.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils import formats, timezone, translation

from .models import Case, ReplyTemplate

PLACEHOLDERS = ("name", "institution", "reference", "case_reference", "date", "counsellor")
PLACEHOLDER_PATTERN = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


@dataclass(frozen=True)
class DefaultTemplate:
    name: str
    order: int
    subject: str
    body: str
    subject_en: str
    body_en: str


# Facts only from the case itself: no names, addresses or promises that are not in
# the data. Staff edit these texts in the admin ("Antwortvorlagen").
DEFAULT_TEMPLATES = [
    DefaultTemplate(
        name="Bestätigung des Erstgesprächs",
        order=10,
        subject="Ihre Anfrage {reference}: unser Erstgespräch",
        body=(
            "Guten Tag {name},\n\n"
            "vielen Dank für Ihre Anfrage {reference} für {institution}. Hiermit bestätigen "
            "wir unser Erstgespräch am [Datum, Uhrzeit] ([Ort oder Video-/Telefonverbindung]).\n\n"
            "Im Gespräch möchten wir die Situation vor Ort besser verstehen und mit Ihnen "
            "klären, ob und wie wir Sie unterstützen können. Wenn der Termin nicht passt, "
            "antworten Sie bitte auf diese Mail.\n\n"
            "Mit freundlichen Grüßen\n{counsellor}\n"
            "Kompetenzzentrum Kommunale Konfliktberatung"
        ),
        subject_en="Your request {reference}: our first meeting",
        body_en=(
            "Dear {name},\n\n"
            "Thank you for your request {reference} on behalf of {institution}. We hereby "
            "confirm our first meeting on [date, time] ([place or video/phone link]).\n\n"
            "In this meeting we would like to understand the local situation better and "
            "discuss with you whether and how we can support you. If the date does not suit "
            "you, please reply to this email.\n\n"
            "Kind regards\n{counsellor}\n"
            "Kompetenzzentrum Kommunale Konfliktberatung"
        ),
    ),
    DefaultTemplate(
        name="Terminvorschläge",
        order=20,
        subject="Ihre Anfrage {reference}: Terminvorschläge",
        body=(
            "Guten Tag {name},\n\n"
            "vielen Dank für Ihre Anfrage {reference}. Für ein erstes Gespräch schlagen wir "
            "Ihnen folgende Termine vor:\n\n"
            "- [Datum, Uhrzeit]\n- [Datum, Uhrzeit]\n- [Datum, Uhrzeit]\n\n"
            "Bitte teilen Sie uns mit, welcher Termin Ihnen passt, oder nennen Sie uns "
            "einen anderen.\n\n"
            "Mit freundlichen Grüßen\n{counsellor}\n"
            "Kompetenzzentrum Kommunale Konfliktberatung"
        ),
        subject_en="Your request {reference}: proposed dates",
        body_en=(
            "Dear {name},\n\n"
            "Thank you for your request {reference}. For a first conversation we propose "
            "the following dates:\n\n"
            "- [date, time]\n- [date, time]\n- [date, time]\n\n"
            "Please let us know which date suits you, or suggest another one.\n\n"
            "Kind regards\n{counsellor}\n"
            "Kompetenzzentrum Kommunale Konfliktberatung"
        ),
    ),
    DefaultTemplate(
        name="Absage mit Hinweis auf andere Unterstützung",
        order=30,
        subject="Ihre Anfrage {reference}",
        body=(
            "Guten Tag {name},\n\n"
            "vielen Dank für Ihre Anfrage {reference}. Wir haben sie sorgfältig "
            "geprüft und können Sie in diesem Fall leider nicht selbst beraten.\n\n"
            "Unterstützung finden Sie möglicherweise bei anderen Beratungsangeboten in Ihrem "
            "Bundesland oder bei den zuständigen Stellen Ihrer Kommune. Gern können Sie sich "
            "mit einem neuen Anliegen wieder an uns wenden.\n\n"
            "Mit freundlichen Grüßen\n{counsellor}\n"
            "Kompetenzzentrum Kommunale Konfliktberatung"
        ),
        subject_en="Your request {reference}",
        body_en=(
            "Dear {name},\n\n"
            "Thank you for your request {reference}. We have considered it "
            "carefully and unfortunately cannot provide counselling ourselves in this case.\n\n"
            "You may find support from other counselling services in your federal state or "
            "from the responsible bodies of your municipality. You are welcome to contact us "
            "again with a new concern.\n\n"
            "Kind regards\n{counsellor}\n"
            "Kompetenzzentrum Kommunale Konfliktberatung"
        ),
    ),
]


def placeholder_values(
    *, case: Case, counsellor: AbstractBaseUser, today: datetime.date | None = None
) -> dict[str, str]:
    """What each placeholder stands for in a reply about `case`, in the active language.

    {date} is today's date (the day the reply is written).
    """
    request = case.request
    day = today or timezone.localdate()
    return {
        "name": request.contact_name if request else "",
        "institution": request.institution if request else "",
        "reference": request.reference if request else case.reference,
        "case_reference": case.reference,
        "date": formats.date_format(day, "SHORT_DATE_FORMAT"),
        "counsellor": counsellor.get_full_name() or counsellor.get_username(),
    }


def fill(text: str, values: dict[str, str]) -> str:
    """Replace the known placeholders; everything else stays untouched."""
    return PLACEHOLDER_PATTERN.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def reply_language(case: Case) -> str:
    """The language replies go out in: the one the request was made in (German by default)."""
    language = (case.request.language if case.request else "") or "de"
    return "en" if language.startswith("en") else "de"


def template_text(
    *, template: ReplyTemplate, case: Case, counsellor: AbstractBaseUser
) -> tuple[str, str, str]:
    """(subject, body, language) of `template` filled in for `case`.

    English when the request was made in English and the template has an English
    text; German otherwise.
    """
    language = reply_language(case)
    if language == "en" and template.subject_en and template.body_en:
        subject, body = template.subject_en, template.body_en
    else:
        language, subject, body = "de", template.subject, template.body
    with translation.override(language):
        values = placeholder_values(case=case, counsellor=counsellor)
    return fill(subject, values), fill(body, values), language
