"""What editors look at: their start page and the difference between two versions.

The start page (`editorial_start_for`) has four boxes for everyone who may change
public content (Redaktion, Leitung): drafts, scheduled items with their times,
items changed in the last `RECENT_DAYS` days and items whose English is missing.
Each box counts per content type, every count links to the content type's admin
list with the matching filter (`?sichtbarkeit=draft`, `?sichtbarkeit=scheduled`,
`?geaendert=14`, `?englisch=fehlt`), and the box lists the `ROWS_PER_BOX` most
relevant items across all types. It takes one query, however much content there
is (a UNION of one bounded part per content type and box).

`version_changes` compares an old version (a simple-history record) with the
current one field by field, for the history pages' "compare" and "restore"
views (`kkk_portal/history_admin.py`).
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import Count, F, Q, Value, Window
from django.db.models.functions import Cast, RowNumber
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from simple_history.models import DeletedObject
from simple_history.utils import get_m2m_reverse_field_name

from .bilingual_admin import EnglishMissingFilter, english_missing_q
from .publishing_admin import PublicationStateFilter
from .richtext import RichTextField, plain_text
from .translation import format_time_range

# Public content types on the start page, in the order editors meet them.
EDITORIAL_MODELS = (
    "publications.newspost",
    "publications.event",
    "publications.publication",
    "projects.project",
    "projects.focusarea",
    "kkk_portal.sitepage",
    "team.teammember",
)
RECENT_DAYS = 14
ROWS_PER_BOX = 10
CHANGED_FIELD = "updated_at"
# Query parameter of the admin lists' "Zuletzt geändert" filter (kkk_portal/history_admin.py).
RECENT_PARAMETER = "geaendert"

DRAFT, SCHEDULED, RECENT, ENGLISH = "draft", "scheduled", "recent", "english"
BOX_TITLES = {
    DRAFT: gettext_lazy("Entwürfe"),
    # Translators: items whose publication time has not come yet.
    SCHEDULED: pgettext_lazy("publication schedule", "Geplant"),
    RECENT: gettext_lazy("In den letzten %(days)s Tagen geändert"),
    ENGLISH: gettext_lazy("Englische Fassung fehlt"),
}
BOX_QUERIES = {
    DRAFT: f"{PublicationStateFilter.parameter_name}=draft",
    SCHEDULED: f"{PublicationStateFilter.parameter_name}=scheduled",
    RECENT: f"{RECENT_PARAMETER}={RECENT_DAYS}",
    ENGLISH: f"{EnglishMissingFilter.parameter_name}=fehlt",
}


def has_changed_field(model: type[models.Model]) -> bool:
    """Does the model record when it was last changed (`updated_at`)?"""
    return any(f.name == CHANGED_FIELD for f in model._meta.concrete_fields)


def recently_changed_q(days: int, now: datetime.datetime | None = None) -> Q:
    """Items changed in the last `days` days (the start page and the admin list filter)."""
    now = now or timezone.now()
    return Q(**{f"{CHANGED_FIELD}__gte": now - datetime.timedelta(days=days)})


@dataclass(frozen=True)
class ContentKind:
    """One public content type as the start page needs it."""

    model: type[models.Model]
    state_field: str
    publish_field: str
    unpublish_field: str

    @property
    def title_field(self) -> str:
        names = {f.name for f in self.model._meta.concrete_fields}
        return "title" if "title" in names else "name"

    @property
    def changelist_url(self) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    def change_url(self, pk: int) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])

    def box_filter(self, box: str, now: datetime.datetime) -> Q | None:
        """The box's condition for this type; None when the box does not apply to it."""
        match box:
            case "draft":
                return Q(**{self.state_field: False})
            case "scheduled":
                return Q(**{self.state_field: True, f"{self.publish_field}__gt": now})
            case "recent":
                return (
                    recently_changed_q(RECENT_DAYS, now) if has_changed_field(self.model) else None
                )
            case "english":
                missing = english_missing_q(self.model)
                return missing if missing else None
        raise ValueError(box)


def content_kinds(user: AbstractBaseUser) -> list[ContentKind]:
    """The public content types `user` may change, in start-page order."""
    kinds = []
    for label in EDITORIAL_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
            continue
        queryset = model._default_manager.get_queryset()
        kinds.append(
            ContentKind(
                model=model,
                state_field=queryset.state_field,
                publish_field=queryset.publish_field,
                unpublish_field=queryset.unpublish_field,
            )
        )
    return kinds


@dataclass(frozen=True)
class TypeCount:
    name: str  # the content type, plural
    count: int
    url: str  # its admin list with the box's filter


@dataclass(frozen=True)
class Row:
    title: str
    type_name: str
    url: str  # the item's change page
    changed: datetime.datetime | None
    publish_at: datetime.datetime | None
    unpublish_at: datetime.datetime | None

    @property
    def publish_text(self) -> str:
        return format_time_range(self.publish_at) if self.publish_at else ""

    @property
    def unpublish_text(self) -> str:
        return format_time_range(self.unpublish_at) if self.unpublish_at else ""


@dataclass(frozen=True)
class Box:
    key: str
    title: str
    total: int
    counts: list[TypeCount]
    rows: list[Row]


@dataclass(frozen=True)
class EditorialStart:
    boxes: list[Box]
    days: int = RECENT_DAYS


_ROW_FIELDS = (
    "row_box",
    "row_kind",
    "row_pk",
    "row_title",
    "row_changed",
    "row_start",
    "row_stop",
    "row_total",
)


def _part(kind: ContentKind, index: int, box: str, condition: Q) -> models.QuerySet:
    """The first `ROWS_PER_BOX` items of one type in one box, each with the full count."""
    changed = (
        F(CHANGED_FIELD)
        if has_changed_field(kind.model)
        # Typed NULL: PostgreSQL reads a bare NULL in a subquery as text.
        else Cast(Value(None), output_field=models.DateTimeField())
    )
    if box == SCHEDULED:
        order = [F(kind.publish_field).asc(), F(kind.title_field).asc(), F("pk").asc()]
    elif has_changed_field(kind.model):
        order = [F(CHANGED_FIELD).desc(), F(kind.title_field).asc(), F("pk").asc()]
    else:
        order = [F(kind.title_field).asc(), F("pk").asc()]
    # Only annotations, always in the same order, so the UNION's columns line up.
    return (
        kind.model._default_manager.filter(condition)
        .annotate(
            row_box=Value(box, output_field=models.CharField()),
            row_kind=Value(index, output_field=models.IntegerField()),
            row_pk=F("pk"),
            row_title=F(kind.title_field),
            row_changed=changed,
            row_start=F(kind.publish_field),
            row_stop=F(kind.unpublish_field),
            # The number of all items of the type in the box, and each item's place.
            row_total=Window(Count("pk")),
            row_number=Window(RowNumber(), order_by=order),
        )
        # A window filter, not a LIMIT: SQLite allows no LIMIT inside a UNION.
        .filter(row_number__lte=ROWS_PER_BOX)
        .order_by()
        .values(*_ROW_FIELDS)
    )


def _row_order(box: str):
    if box == SCHEDULED:
        return lambda row: (row["row_start"], row["row_title"])
    # Newest change first, items without a recorded change last.
    return lambda row: (
        row["row_changed"] is None,
        -(row["row_changed"].timestamp()) if row["row_changed"] else 0,
        row["row_title"],
    )


def editorial_start_for(*, user: AbstractBaseUser) -> EditorialStart | None:
    """The editors' start page for `user`; None for people who change no public content.

    One query, however much content there is: a UNION of one part per content type
    and box, each part holding its first `ROWS_PER_BOX` rows and its full count.
    """
    kinds = content_kinds(user)
    if not kinds:
        return None
    now = timezone.now()
    boxes = list(BOX_TITLES)
    parts = []
    for box in boxes:
        for index, kind in enumerate(kinds):
            condition = kind.box_filter(box, now)
            if condition is not None:
                parts.append(_part(kind, index, box, condition))
    fetched = list(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else list(parts[0])
    result = []
    for box in boxes:
        found = sorted((r for r in fetched if r["row_box"] == box), key=_row_order(box))
        totals: dict[int, int] = {}
        for row in found:
            totals[row["row_kind"]] = row["row_total"]
        counts = [
            TypeCount(
                name=str(capfirst(kind.model._meta.verbose_name_plural)),
                count=totals[index],
                url=f"{kind.changelist_url}?{BOX_QUERIES[box]}",
            )
            for index, kind in enumerate(kinds)
            if totals.get(index)
        ]
        rows = [
            Row(
                title=row["row_title"],
                type_name=str(capfirst(kinds[row["row_kind"]].model._meta.verbose_name)),
                url=kinds[row["row_kind"]].change_url(row["row_pk"]),
                changed=row["row_changed"],
                publish_at=row["row_start"],
                unpublish_at=row["row_stop"],
            )
            for row in found[:ROWS_PER_BOX]
        ]
        result.append(
            Box(
                key=box,
                title=str(BOX_TITLES[box]) % {"days": RECENT_DAYS},
                total=sum(c.count for c in counts),
                counts=counts,
                rows=rows,
            )
        )
    return EditorialStart(boxes=result)


# --- Comparing versions ---------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    name: str  # the field's attribute name
    label: str  # its verbose name
    old: str | SafeString  # the old version's value, as shown
    new: str | SafeString  # the current value, as shown
    word_diff: SafeString | None = None  # long texts: the words removed and added
    restored: bool = True  # does "restore this version" bring the old value back?


@dataclass(frozen=True)
class VersionComparison:
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def restorable(self) -> list[FieldChange]:
        return [c for c in self.changes if c.restored]

    @property
    def kept(self) -> list[FieldChange]:
        return [c for c in self.changes if not c.restored]


def _object_name(value: object) -> str:
    if isinstance(value, DeletedObject):
        return gettext("(gelöscht)")
    return str(value)


def _display(model: type[models.Model], name: str, value: object) -> str:
    """A field's value as an editor reads it (German labels, local times, plain text)."""
    model_field = model._meta.get_field(name)
    if isinstance(model_field, models.ManyToManyField):
        reverse_name = get_m2m_reverse_field_name(model_field)
        names = sorted(_object_name(row[reverse_name]) for row in value or [])
        return ", ".join(names) or "–"
    if value is None or value == "":
        return "–"
    if isinstance(model_field, models.BooleanField):
        return gettext("ja") if value else gettext("nein")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        return _object_name(value)
    if isinstance(model_field, models.FileField):
        return str(getattr(value, "name", value) or "–")
    if isinstance(value, datetime.datetime):
        return format_time_range(value)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(model_field, RichTextField):
        return plain_text(str(value))
    return str(value)


def word_diff(old: str, new: str) -> SafeString:
    """The words of `old` and `new` with removed ones in <del> and added ones in <ins>.

    Every word is HTML-escaped; only the markers are markup.
    """
    old_words, new_words = old.split(), new.split()
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    parts: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(conditional_escape(" ".join(old_words[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            parts.append(format_html("<del>{}</del>", " ".join(old_words[i1:i2])))
        if tag in ("insert", "replace"):
            parts.append(format_html("<ins>{}</ins>", " ".join(new_words[j1:j2])))
    return mark_safe(" ".join(parts))  # noqa: S308 - every part is escaped above


LONG_TEXT = 120  # characters above which a text change is shown word by word


def version_changes(
    *,
    old: models.Model,
    current: models.Model,
    kept_fields: Iterable[str] = (),
) -> VersionComparison:
    """Field-by-field difference between two historical records of one item.

    `old` and `current` are simple-history records (`current` usually the latest);
    unchanged fields are left out, and so are the bookkeeping fields (`updated_at`).
    Fields in `kept_fields` are marked as not restored.
    """
    model = old.instance_type
    kept = set(kept_fields)
    delta = current.diff_against(
        old, excluded_fields=[CHANGED_FIELD, "created_at"], foreign_keys_are_objs=True
    )
    order = {f.name: index for index, f in enumerate(model._meta.get_fields())}
    changes = []
    for change in sorted(delta.changes, key=lambda c: order.get(c.field, len(order))):
        model_field = model._meta.get_field(change.field)
        old_text = _display(model, change.field, change.old)
        new_text = _display(model, change.field, change.new)
        if old_text == new_text and not isinstance(model_field, models.ManyToManyField):
            continue  # e.g. rich text whose markup changed but not its words
        diff = None
        if (
            isinstance(model_field, RichTextField | models.TextField)
            or max(len(old_text), len(new_text)) > LONG_TEXT
        ):
            diff = word_diff(
                "" if old_text == "–" else old_text, "" if new_text == "–" else new_text
            )
        changes.append(
            FieldChange(
                name=change.field,
                label=str(capfirst(model_field.verbose_name)),
                old=old_text,
                new=new_text,
                word_diff=diff,
                restored=change.field not in kept,
            )
        )
    return VersionComparison(changes=changes)


def version_label(version: models.Model) -> str:
    """ "Version vom 3. Dezember 2026, 10:15 Uhr (MEZ)" for a historical record."""
    return gettext("Version vom %(when)s") % {"when": format_time_range(version.history_date)}


# --- Restoring a version ------------------------------------------------------------


def restore_kept_fields(model: type[models.Model]) -> set[str]:
    """Fields that "restore this version" leaves as they are now.

    The publication state and times: restoring brings back what an item said, not
    whether or when the public sees it (a published item shows the restored text at
    once, a draft stays a draft). The address (`slug`): set once, then stable; a
    restored version does not move the item's page (kkk_portal/slugs.py).
    """
    queryset = model._default_manager.get_queryset()
    kept = {"slug"}
    for name in ("state_field", "publish_field", "unpublish_field"):
        if hasattr(queryset, name):
            kept.add(getattr(queryset, name))
    return kept


def restorable_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields an old version brings back: editable, recorded in the history, not kept."""
    history_model = model._meta.simple_history_manager_attribute
    tracked = {f.name for f in getattr(model, history_model).model.tracked_fields}
    kept = restore_kept_fields(model)
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name in tracked and f.name not in kept
    ]
