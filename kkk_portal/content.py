"""Load the centre's real content from `fixtures/centre.toml` without undoing edits.

Every seed record gets a fingerprint (`ContentFingerprint`): a hash of all its
stored values – fields, many-to-many links and child rows such as funding lines
or speakers – taken right after loading. On the next run:

- a record that is missing is created;
- a record that still matches its fingerprint has not been touched by anyone,
  so a corrected seed may update it (and it gets a new fingerprint);
- a record that no longer matches was changed by an editor – in the admin, the
  shell or SQL – and is left exactly as it is;
- a record an editor deleted stays deleted.

Records loaded before fingerprints existed count as edited when the admin log or
the change history shows a person's change, otherwise they are adopted.
`content_load(reset=True)` (`load_content --reset`) restores the seed everywhere.

Everything runs in one transaction and every record passes `full_clean()`
before it is saved: a bad file changes nothing. A record is only saved when a
value really changes, so `updated_at` (and the sitemap's `lastmod`) stay put.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import tomllib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from counselling.models import Topic
from projects.models import FocusArea, Funder, Funding, Municipality, Partner, Project, ProjectState
from publications.models import Event, NewsPost, Publication, Speaker
from team.models import ContactDetails

from .models import ContentFingerprint, SitePage
from .richtext import RichTextField, to_rich_html

DEFAULT_PATH = Path(settings.BASE_DIR) / "fixtures" / "centre.toml"
# Stored values that say nothing about the content.
# search_vector: derived from the texts by a database trigger (kkk_portal/search.py).
IGNORED_FIELDS = {"id", "created_at", "updated_at", "singleton", "search_vector"}


@dataclass
class LoadReport:
    """What a run did, counted per kind of record (verbose plural names)."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)  # edited by a person: left alone
    kept_keys: list[str] = field(default_factory=list)

    def count(self, bucket: str, model: type[models.Model], key: str = "") -> None:
        counts = getattr(self, bucket)
        name = str(model._meta.verbose_name_plural)
        counts[name] = counts.get(name, 0) + 1
        if bucket == "kept":
            self.kept_keys.append(key)


@dataclass
class Seed:
    """One record as the seed file wants it."""

    key: str  # stable name of the record in the seed, e.g. "projects.project:slug"
    model: type[models.Model]
    lookup: dict  # how to find a record loaded before fingerprints existed
    values: dict  # concrete field values
    m2m: dict = field(default_factory=dict)  # name -> list of related objects
    children: Callable | None = None  # (obj) -> None: writes child rows
    child_state: Callable | None = None  # (obj) -> JSON-able state of the child rows


def _aware(value):
    """TOML local datetimes are wall-clock times in Europe/Berlin."""
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        return value.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return value


def _decimal(value):
    return None if value is None else Decimal(str(value))


def _state(obj: models.Model, seed: Seed) -> dict:
    """Everything stored about `obj` that a person could have changed."""
    state = {}
    for f in obj._meta.concrete_fields:
        if f.name in IGNORED_FIELDS:
            continue
        state[f.name] = f.value_to_string(obj)
    for f in obj._meta.many_to_many:
        if f.remote_field.through._meta.auto_created:
            state[f"m2m:{f.name}"] = sorted(getattr(obj, f.name).values_list("pk", flat=True))
    if seed.child_state:
        state["children"] = seed.child_state(obj)
    return state


def _digest(obj: models.Model, seed: Seed) -> str:
    fresh = type(obj).objects.get(pk=obj.pk)
    text = json.dumps(_state(fresh, seed), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _untouched_since_rich_text(obj: models.Model, seed: Seed, digest: str) -> bool:
    """A fingerprint taken before rich text (migration kkk_portal 0008) of an untouched record.

    Then its rich-text fields hold exactly the converted seed text, and the record
    with the seed's plain text in those fields matches the old fingerprint.
    """
    fresh = type(obj).objects.get(pk=obj.pk)
    state = _state(fresh, seed)
    rich = [f for f in fresh._meta.concrete_fields if isinstance(f, RichTextField)]
    for f in rich:
        raw = seed.values.get(f.name, f.get_default())
        if getattr(fresh, f.name) != to_rich_html(raw):
            return False
        state[f.name] = raw
    text = json.dumps(state, sort_keys=True, default=str)
    return bool(rich) and hashlib.sha256(text.encode()).hexdigest() == digest


def _edited_by_a_person(obj: models.Model) -> bool:
    """For records loaded before fingerprints existed: did anyone change them?"""
    content_type = ContentType.objects.get_for_model(type(obj))
    logged = LogEntry.objects.filter(
        content_type=content_type, object_id=str(obj.pk), action_flag=CHANGE
    ).exists()
    if logged:
        return True
    history = getattr(obj, "history", None)
    return bool(history is not None and history.filter(history_user__isnull=False).exists())


def _complete(seed: Seed) -> dict:
    """The seed's values plus the default of every field it leaves out.

    A seed record is defined by the file alone: a value removed from the file
    (an invented date, a placeholder address) is removed from the database too.
    """
    values = {}
    for f in seed.model._meta.concrete_fields:
        if f.name in IGNORED_FIELDS or f.name in seed.lookup or not f.editable:
            continue
        values[f.name] = f.get_default()
    values.update(seed.values)
    for f in seed.model._meta.concrete_fields:
        if isinstance(f, RichTextField) and f.name in values:
            # The file keeps readable plain text / "## " / "- " markup; stored is HTML.
            values[f.name] = to_rich_html(values[f.name])
    return values


def _write(obj: models.Model, seed: Seed) -> bool:
    """Put the seed's values into `obj`; save only what differs. True if anything did."""
    adding = obj._state.adding
    before = None if adding else _state(obj, seed)
    changed = adding
    known = {f.name for f in seed.model._meta.concrete_fields}
    unknown = {name: _("Unbekanntes Feld.") for name in seed.values if name not in known}
    for name, value in _complete(seed).items():
        if name in known and getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    if changed or unknown:
        try:
            obj.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise ValidationError({**error.message_dict, **unknown}) from error
        if unknown:  # a typo in the file must not pass silently
            raise ValidationError(unknown)
        obj.save()
    for name, related in seed.m2m.items():
        getattr(obj, name).set(related)
    if seed.children:
        seed.children(obj)
    return adding or before != _state(obj, seed)


def _sync(report: LoadReport, seed: Seed, *, reset: bool) -> models.Model | None:
    fingerprint = ContentFingerprint.objects.filter(key=seed.key).first()
    if fingerprint:
        obj = seed.model.objects.filter(pk=fingerprint.object_id).first()
        if obj is None and not reset:
            report.count("kept", seed.model, seed.key)  # deleted by an editor
            return None
    else:
        obj = seed.model.objects.filter(**seed.lookup).first()

    if obj is None:
        obj = seed.model(**seed.lookup)
        _write(obj, seed)
        report.count("created", seed.model)
    else:
        if fingerprint:
            edited = _digest(obj, seed) != fingerprint.digest and not _untouched_since_rich_text(
                obj, seed, fingerprint.digest
            )
        else:
            edited = _edited_by_a_person(obj)
        if edited and not reset:
            report.count("kept", seed.model, seed.key)
            return obj
        report.count("updated" if _write(obj, seed) else "unchanged", seed.model)

    ContentFingerprint.objects.update_or_create(
        key=seed.key, defaults={"object_id": obj.pk, "digest": _digest(obj, seed)}
    )
    return obj


def _fundings_writer(lines: list[dict], funders: dict) -> Callable:
    def write(project: Project) -> None:
        wanted = []
        for order, line in enumerate(lines):
            values = {
                "programme_en": line.get("programme_en", ""),
                "notice": line.get("notice", ""),
                "notice_en": line.get("notice_en", ""),
                "order": order,
            }
            funding, _created = Funding.objects.get_or_create(
                project=project,
                funder=funders[line["funder"]],
                programme=line.get("programme", ""),
                defaults=values,
            )
            if any(getattr(funding, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(funding, k, v)
                funding.full_clean(validate_unique=False, validate_constraints=False)
                funding.save()
            wanted.append(funding.pk)
        project.fundings.exclude(pk__in=wanted).delete()

    return write


def _project_children(lines: list[dict], funders: dict, states: list[str]) -> Callable:
    write_fundings = _fundings_writer(lines, funders)

    def write(project: Project) -> None:
        write_fundings(project)
        for state in states:
            ProjectState.objects.get_or_create(project=project, state=state)
        project.extra_states.exclude(state__in=states).delete()

    return write


def _project_child_state(project: Project) -> dict:
    return {
        "fundings": list(
            project.fundings.order_by("order", "pk").values_list(
                "funder_id", "programme", "programme_en", "notice", "notice_en", "order"
            )
        ),
        "states": sorted(project.extra_states.values_list("state", flat=True)),
    }


def _speakers_writer(speakers: list[dict]) -> Callable:
    def write(event: Event) -> None:
        names = []
        for order, item in enumerate(speakers):
            values = {
                "role": item.get("role", ""),
                "role_en": item.get("role_en", ""),
                "organisation": item.get("organisation", ""),
                "order": order,
            }
            speaker, created = Speaker.objects.get_or_create(
                event=event, name=item["name"], defaults=values
            )
            if not created and any(getattr(speaker, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(speaker, k, v)
                speaker.full_clean(validate_unique=False, validate_constraints=False)
                speaker.save()
            names.append(item["name"])
        event.speakers.exclude(name__in=names).delete()

    return write


def _event_child_state(event: Event) -> list:
    return list(
        event.speakers.order_by("order", "pk").values_list(
            "name", "role", "role_en", "organisation", "order"
        )
    )


def _plain(item: dict, *skip: str) -> dict:
    return {k: v for k, v in item.items() if k not in {"slug", *skip}}


@transaction.atomic
def content_load(*, path: Path | str = DEFAULT_PATH, reset: bool = False) -> LoadReport:
    """Create, update or keep every seed record of `path` (see the module docstring)."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    report = LoadReport()

    def sync(seed: Seed):
        return _sync(report, seed, reset=reset)

    contact = dict(data["contact"])
    sync(
        Seed(
            "team.contactdetails",
            ContactDetails,
            {"singleton": True},
            contact,
        )
    )

    focus = {}
    for item in data["focus_areas"]:
        focus[item["slug"]] = sync(
            Seed(
                f"projects.focusarea:{item['slug']}",
                FocusArea,
                {"slug": item["slug"]},
                _plain(item),
            )
        )

    municipalities = {}
    for item in data["municipalities"]:
        values = _plain(item, "district")
        values["ags"] = item.get("ags", "")
        values["latitude"] = _decimal(item.get("latitude"))
        values["longitude"] = _decimal(item.get("longitude"))
        values["district"] = municipalities.get(item.get("district"))
        municipalities[item["slug"]] = sync(
            Seed(
                f"projects.municipality:{item['slug']}",
                Municipality,
                {"slug": item["slug"]},
                values,
            )
        )

    funders = {}
    for item in data["funders"]:
        values = {"name_en": "", "short_name": "", "is_generic": False, **_plain(item)}
        funders[item["slug"]] = sync(
            Seed(f"projects.funder:{item['slug']}", Funder, {"slug": item["slug"]}, values)
        )

    partners = {
        item["slug"]: sync(
            Seed(
                f"projects.partner:{item['slug']}",
                Partner,
                {"slug": item["slug"]},
                _plain(item),
            )
        )
        for item in data["partners"]
    }

    def present(mapping: dict, slugs: list[str]) -> list:
        """Related seed records, minus those an editor deleted."""
        return [mapping[s] for s in slugs if mapping.get(s) is not None]

    projects = {}
    for item in data["projects"]:
        states = item.get("states", [])
        projects[item["slug"]] = sync(
            Seed(
                f"projects.project:{item['slug']}",
                Project,
                {"slug": item["slug"]},
                {
                    "title": item["title"],
                    "title_en": item.get("title_en", ""),
                    "summary": item["summary"],
                    "summary_en": item.get("summary_en", ""),
                    "description": item.get("description", ""),
                    "description_en": item.get("description_en", ""),
                    "start_date": item["start"],
                    "end_date": item.get("end"),
                    "commissioned_by": partners.get(item.get("commissioned_by")),
                },
                m2m={
                    "focus_areas": present(focus, item.get("focus_areas", [])),
                    "municipalities": present(municipalities, item.get("municipalities", [])),
                    "partners": present(partners, item.get("partners", [])),
                },
                children=_project_children(
                    [line for line in item.get("fundings", []) if funders.get(line["funder"])],
                    funders,
                    states,
                ),
                child_state=_project_child_state,
            )
        )

    for item in data.get("publications", []):
        values = {"date": None, "authors": "", **_plain(item, "projects", "focus_areas")}
        sync(
            Seed(
                f"publications.publication:{item['slug']}",
                Publication,
                {"slug": item["slug"]},
                values,
                m2m={
                    "projects": present(projects, item.get("projects", [])),
                    "focus_areas": present(focus, item.get("focus_areas", [])),
                },
            )
        )

    events = {}
    for item in data.get("events", []):
        values = {
            k: _aware(v) for k, v in _plain(item, "speakers", "projects", "focus_areas").items()
        }
        events[item["slug"]] = sync(
            Seed(
                f"publications.event:{item['slug']}",
                Event,
                {"slug": item["slug"]},
                values,
                m2m={
                    "projects": present(projects, item.get("projects", [])),
                    "focus_areas": present(focus, item.get("focus_areas", [])),
                },
                children=_speakers_writer(item.get("speakers", [])),
                child_state=_event_child_state,
            )
        )

    for item in data.get("news", []):
        values = {k: _aware(v) for k, v in _plain(item, "event", "projects", "focus_areas").items()}
        values["event"] = events.get(item.get("event"))
        sync(
            Seed(
                f"publications.newspost:{item['slug']}",
                NewsPost,
                {"slug": item["slug"]},
                values,
                m2m={
                    "projects": present(projects, item.get("projects", [])),
                    "focus_areas": present(focus, item.get("focus_areas", [])),
                },
            )
        )

    for order, item in enumerate(data.get("topics", [])):
        sync(
            Seed(
                f"counselling.topic:{item['name']}",
                Topic,
                {"name": item["name"]},
                {"name_en": item.get("name_en", ""), "order": order},
            )
        )

    for item in data.get("pages", []):
        sync(
            Seed(
                f"kkk_portal.sitepage:{item['slug']}",
                SitePage,
                {"slug": item["slug"]},
                _plain(item),
            )
        )

    return report
