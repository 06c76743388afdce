"""What the public sees: one rule for every content type.

An item is public when its publication state is on, its publication time
(where it has one) has come and its unpublication time (where set) has not.
Each content model's queryset has exactly one `published(now=None)` method
built from `PublishedQuerySetMixin`; every list, detail page, feed, sitemap,
search section, calendar file, filter choice and related-items block goes
through it (or through a subquery of it), so a draft, a scheduled or an
expired item never shows up anywhere.
"""

import datetime
from contextvars import ContextVar

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# While a staff preview renders, (model, pk) of the item shown as if it were public.
PREVIEWING: ContextVar[tuple[type[models.Model], int] | None] = ContextVar(
    "previewing", default=None
)


class PublishedQuerySetMixin:
    """Adds `published(now=None)` to a QuerySet class.

    `state_field` is the boolean publication state, `publish_field` the moment the
    item goes public (null means at once) and `unpublish_field` the moment it is
    withdrawn (null means never). Both boundaries are inclusive on the visible
    side: an item is public from `publish_at` on and until just before
    `unpublish_at`.
    """

    state_field = "is_published"
    publish_field = "publish_at"
    unpublish_field = "unpublish_at"

    def published(self, now: datetime.datetime | None = None) -> models.QuerySet:
        now = now or timezone.now()
        start, stop = self.publish_field, self.unpublish_field
        visible = (
            Q(**{self.state_field: True})
            & (Q(**{f"{start}__isnull": True}) | Q(**{f"{start}__lte": now}))
            & (Q(**{f"{stop}__isnull": True}) | Q(**{f"{stop}__gt": now}))
        )
        previewed = PREVIEWING.get()
        if previewed is not None and previewed[0] is self.model._meta.concrete_model:
            # Staff preview (kkk_portal/preview.py): this one item as if it were public.
            visible |= Q(pk=previewed[1])
        return self.filter(visible)


def publish_at_field() -> models.DateTimeField:
    return models.DateTimeField(
        _("Veröffentlichen ab"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "Leer lassen, um sofort zu veröffentlichen. Ein Zeitpunkt in der Zukunft "
            "hält den Eintrag bis dahin verborgen."
        ),
    )


def unpublish_at_field() -> models.DateTimeField:
    return models.DateTimeField(
        _("Verbergen ab"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Leer lassen, wenn der Eintrag nicht automatisch verschwinden soll."),
    )


def schedule_constraint(name: str, publish_field: str = "publish_at") -> models.CheckConstraint:
    """The database refuses an unpublication time not after the publication time."""
    return models.CheckConstraint(
        condition=Q(unpublish_at__isnull=True)
        | Q(**{f"{publish_field}__isnull": True})
        | Q(unpublish_at__gt=F(publish_field)),
        name=name,
        violation_error_message=_(
            "„Verbergen ab“ muss nach dem Zeitpunkt der Veröffentlichung liegen."
        ),
    )
