"""Deploy checks (`manage.py check --deploy`): what only matters on the public site.

Registered with `deploy=True`, so `migrate`, `load_content` and every other command
run on a fresh installation; the release step runs
`manage.py check --deploy --fail-level WARNING` (see README, production). Missing
infrastructure (database, cache, mail server) is refused earlier, by the production
settings themselves. The Impressum's legal details are checked by `team.checks`.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

# Domains reserved for examples (RFC 2606 / RFC 6761): mail there never arrives.
EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net", "example", "invalid", "test")


def _is_example_address(address: str) -> bool:
    domain = address.rpartition("@")[2].strip().strip(">").lower()
    return not domain or any(
        domain == example or domain.endswith(f".{example}") for example in EXAMPLE_DOMAINS
    )


@register(Tags.security, deploy=True)
def check_mail_addresses(app_configs=None, **kwargs) -> list[CheckMessage]:
    """The centre must actually receive its notifications, and mails need a real sender."""
    errors: list[CheckMessage] = []
    for name, purpose in [
        ("CENTRE_NOTIFICATION_EMAIL", "the centre is told about new counselling requests"),
        ("DEFAULT_FROM_EMAIL", "every mail is sent from this address"),
    ]:
        value = str(getattr(settings, name, "") or "")
        if _is_example_address(value):
            errors.append(
                Error(
                    f"{name} is {value!r}, an example address: {purpose}.",
                    hint=f"Set {name} to a real mailbox of the centre.",
                    id="kkk_portal.E001",
                )
            )
    return errors


@register(Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs) -> list[CheckMessage]:
    """Links in mails (to the admin) must point to the public HTTPS address."""
    site_url = str(getattr(settings, "SITE_URL", "") or "")
    parts = urlsplit(site_url)
    host = (parts.hostname or "").lower()
    if (
        parts.scheme != "https"
        or not host
        or host in {"localhost", "127.0.0.1", "::1"}
        or _is_example_address(f"@{host}")
    ):
        return [
            Error(
                f"SITE_URL is {site_url!r}: mails would link staff to an address that is "
                "not the site's public HTTPS address.",
                hint="Set SITE_URL to the site's address, e.g. https://beratung.kommune.de.",
                id="kkk_portal.E002",
            )
        ]
    return []
