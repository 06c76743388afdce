"""Load the centre's real content from `fixtures/centre.toml`.

Idempotent: every record is matched by its natural key (slug, name) and
updated in place, so loading twice leaves exactly the same rows. Every record
passes `full_clean()` before it is saved, inside one transaction: a bad file
changes nothing.
"""

import datetime
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from counselling.models import Topic
from projects.models import FocusArea, Funder, Funding, Municipality, Partner, Project, ProjectState
from publications.models import Event, Publication, Speaker
from team.models import ContactDetails, TeamMember

DEFAULT_PATH = Path(settings.BASE_DIR) / "fixtures" / "centre.toml"


@dataclass
class LoadReport:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)

    def count(self, model, created):
        bucket = self.created if created else self.updated
        name = model._meta.verbose_name_plural
        bucket[str(name)] = bucket.get(str(name), 0) + 1


def _upsert(report, model, lookup, values):
    """update_or_create with validation before the write."""
    obj = model.objects.filter(**lookup).first()
    created = obj is None
    if created:
        obj = model(**lookup)
    for key, value in values.items():
        setattr(obj, key, value)
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save()
    report.count(model, created)
    return obj


def _aware(value):
    """TOML local datetimes are wall-clock times in Europe/Berlin."""
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        return value.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return value


def _decimal(value):
    return None if value is None else Decimal(str(value))


@transaction.atomic
def content_load(*, path=DEFAULT_PATH):
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    report = LoadReport()

    contact = data["contact"]
    existing = ContactDetails.objects.first()
    obj = existing or ContactDetails()
    for key, value in contact.items():
        setattr(obj, key, value)
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save()
    report.count(ContactDetails, existing is None)

    focus = {}
    for item in data["focus_areas"]:
        focus[item["slug"]] = _upsert(
            report,
            FocusArea,
            {"slug": item["slug"]},
            {k: v for k, v in item.items() if k != "slug"},
        )

    municipalities = {}
    for item in data["municipalities"]:
        values = {k: v for k, v in item.items() if k not in {"slug", "district"}}
        values["latitude"] = _decimal(item.get("latitude"))
        values["longitude"] = _decimal(item.get("longitude"))
        values["district"] = municipalities[item["district"]] if "district" in item else None
        municipalities[item["slug"]] = _upsert(report, Municipality, {"slug": item["slug"]}, values)

    funders = {
        item["slug"]: _upsert(
            report,
            Funder,
            {"slug": item["slug"]},
            {k: v for k, v in item.items() if k != "slug"},
        )
        for item in data["funders"]
    }
    partners = {
        item["slug"]: _upsert(
            report,
            Partner,
            {"slug": item["slug"]},
            {k: v for k, v in item.items() if k != "slug"},
        )
        for item in data["partners"]
    }

    projects = {}
    for item in data["projects"]:
        project = _upsert(
            report,
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
        )
        project.focus_areas.set([focus[s] for s in item.get("focus_areas", [])])
        project.municipalities.set([municipalities[s] for s in item.get("municipalities", [])])
        project.partners.set([partners[s] for s in item.get("partners", [])])
        for state in item.get("states", []):
            ProjectState.objects.get_or_create(project=project, state=state)
        for order, line in enumerate(item.get("fundings", [])):
            _upsert(
                report,
                Funding,
                {
                    "project": project,
                    "funder": funders[line["funder"]],
                    "programme": line.get("programme", ""),
                },
                {"notice": line.get("notice", ""), "order": order},
            )
        projects[item["slug"]] = project

    for item in data.get("publications", []):
        publication = _upsert(
            report,
            Publication,
            {"slug": item["slug"]},
            {k: v for k, v in item.items() if k not in {"slug", "projects", "focus_areas"}},
        )
        publication.projects.set([projects[s] for s in item.get("projects", [])])
        publication.focus_areas.set([focus[s] for s in item.get("focus_areas", [])])

    for item in data.get("events", []):
        values = {
            k: _aware(v)
            for k, v in item.items()
            if k not in {"slug", "speakers", "projects", "focus_areas"}
        }
        event = _upsert(report, Event, {"slug": item["slug"]}, values)
        event.projects.set([projects[s] for s in item.get("projects", [])])
        event.focus_areas.set([focus[s] for s in item.get("focus_areas", [])])
        for order, speaker in enumerate(item.get("speakers", [])):
            _upsert(
                report,
                Speaker,
                {"event": event, "name": speaker["name"]},
                {
                    "role": speaker.get("role", ""),
                    "organisation": speaker.get("organisation", ""),
                    "order": order,
                },
            )

    for order, item in enumerate(data.get("topics", [])):
        _upsert(
            report,
            Topic,
            {"name": item["name"]},
            {"name_en": item.get("name_en", ""), "order": order},
        )

    for item in data.get("team", []):
        member = _upsert(
            report,
            TeamMember,
            {"slug": item["slug"]},
            {
                "name": item["name"],
                "role": item["role"],
                "role_en": item.get("role_en", ""),
                "bio": item.get("bio", ""),
                "order": item.get("order", 0),
                "is_example": True,
            },
        )
        member.focus_areas.set([focus[s] for s in item.get("focus_areas", [])])

    return report
