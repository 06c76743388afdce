"""Deploy check: the imprint must carry what German law requires before the site goes live.

Registered with `deploy=True`: `migrate`, `load_content` and other commands run on
an empty installation, while `manage.py check --deploy` (the release step) fails
as long as the centre's contact record lacks a part of the imprint (§ 5 DDG:
provider, postal address, email, a second quick way of contact, who represents
the carrier; § 18 Abs. 2 MStV: the person responsible for the content).
"""

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DatabaseError


@register(Tags.database, deploy=True)
def check_imprint_details(app_configs=None, **kwargs) -> list[CheckMessage]:
    from .models import ContactDetails

    try:
        contact = ContactDetails.objects.first()
    except DatabaseError as error:
        return [
            Error(
                f"The centre's contact record cannot be read ({error}).",
                hint="Run `manage.py migrate`, then fill in Team und Kontakt › Kontaktdaten.",
                id="team.E001",
            )
        ]
    gaps = contact.imprint_gaps() if contact else [str(ContactDetails._meta.verbose_name)]
    if not gaps:
        return []
    return [
        Error(
            "The Impressum lacks legally required details: " + ", ".join(gaps) + ".",
            hint="Fill them in the admin under Team und Kontakt › Kontaktdaten; "
            "the Impressum shows them above its text.",
            obj=contact,
            id="team.E002",
        )
    ]
