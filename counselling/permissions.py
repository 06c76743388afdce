"""Who may see and do what: the one authorization module of the counselling work.

Redaktion edits public content only. Beratung works on requests and on the
cases it is assigned to (as counsellor or lead). Leitung sees everything,
including statistics, exports and the case access log.

Two layers, both checked through `user.has_perm(...)`:

- Database permissions, given to the three groups by `ensure_groups` (and to
  single accounts in the admin): `counselling.view_case`, `…view_all_cases`,
  `…view_statistics` and so on. They say what a person may do in general.
- Named rules (django-rules, registered below), built from those permissions and
  from the object at hand: `user.has_perm("counselling.change_case", case)` is
  true for Leitung and for the case's lead and counsellors. Rules never look at
  group names, so an account given a permission directly is treated like a group
  member. For a rule that shares its name with a database permission, a check
  without an object gives the database permission (both backends are asked).

The rules (see RULES at the end for the list):

- view_case / change_case / delete_case (case): see all cases, or be its lead or counsellor.
- assign_case (case): set lead and counsellors (see all cases and change cases: Leitung).
- view_/change_/delete_counsellingrequest (request): a request without a
  case, or one whose case the person may see.
- make_case (request): turn a visible request into a case.
- view_casedocument / download_document (document): may see the document's case.
- view_statistics: the leadership pages (dashboard, funder report).
- export_cases: the CSV export of all cases.
- see_requester_data: requesters' personal data across cases (export columns, Art. 15).
- manage_reply_templates: edit the reply templates.
- kkk_portal.restore_version (item): restore an old version of public content the
  person may change (never counselling data or visitors' personal data).

The same visibility as a query: `Case.objects.visible_to(user)` and
`requests_visible_to(user, queryset)`.
"""

import rules
from django.contrib.auth.management import create_permissions
from django.db.models import Q, QuerySet

REDAKTION = "Redaktion"
BERATUNG = "Beratung"
LEITUNG = "Leitung"

# Apps holding public content; apps that do not exist (yet) are skipped.
CONTENT_APPS = ["kkk_portal", "projects", "publications", "team", "pages"]
# Models of content apps that hold visitors' personal data: Leitung gets them,
# Redaktion (public content only, no second factor required) does not.
PERSONAL_DATA_MODELS = {
    ("team", "contactmessage"),
    ("team", "contactreply"),
    ("publications", "registration"),
}

# counselling model -> actions for Beratung; Leitung gets every action on every model.
BERATUNG_PERMISSIONS = {
    "topic": ["view"],
    "counsellingrequest": ["view", "change"],
    "case": ["view", "add", "change"],
    "activity": ["view", "add", "change", "delete"],
    "casedocument": ["view", "add", "change", "delete"],
    "casestatuschange": ["view"],
}
LEITUNG_EXTRA = ["view_all_cases", "view_statistics"]
# Whoever holds one of these reads personal data and always needs the second factor.
PERSONAL_DATA_PERMISSIONS = ("counselling.view_counsellingrequest", "counselling.view_case")
# Written by the system only: Leitung may look, nobody edits.
READ_ONLY_MODELS = {"caseaccesslog", "casestatuschange", "casenumbersequence"}


def ensure_groups(apps, using="default"):
    """Create the groups and give them their permissions (adds, never removes).

    Used by the data migration and again after every `migrate`, so models added
    later to a content app reach Redaktion and Leitung too.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in apps.get_app_configs():
        if not app_config.models:
            continue
        if not getattr(app_config, "models_module", None):
            # Historical app configs in migrations lack it; create_permissions needs it.
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)

    installed = {config.label for config in apps.get_app_configs()}
    content_apps = [label for label in CONTENT_APPS if label in installed]
    content = Permission.objects.using(using).filter(content_type__app_label__in=content_apps)
    counselling = Permission.objects.using(using).filter(content_type__app_label="counselling")

    redaktion, _ = Group.objects.using(using).get_or_create(name=REDAKTION)
    personal = Q()
    for app_label, model in PERSONAL_DATA_MODELS:
        personal |= Q(content_type__app_label=app_label, content_type__model=model)
    redaktion.permissions.add(*(content.exclude(personal) if personal else content))

    beratung, _ = Group.objects.using(using).get_or_create(name=BERATUNG)
    codenames = [
        f"{action}_{model}" for model, actions in BERATUNG_PERMISSIONS.items() for action in actions
    ]
    beratung.permissions.add(*counselling.filter(codename__in=codenames))

    leitung, _ = Group.objects.using(using).get_or_create(name=LEITUNG)
    leitung_counselling = [
        p
        for p in counselling.select_related("content_type")
        if p.content_type.model not in READ_ONLY_MODELS or p.codename.startswith("view_")
    ]
    leitung.permissions.add(*content, *leitung_counselling)
    # Leitung looks after staff accounts: it sees login lockouts and lifts one early
    # by deleting its record (django-axes, when installed).
    lockouts = Permission.objects.using(using).filter(
        content_type__app_label="axes",
        codename__in=["view_accessattempt", "delete_accessattempt"],
    )
    leitung.permissions.add(*lockouts)


# --- Rules -------------------------------------------------------------------------


def db_perm(codename: str) -> rules.Predicate:
    """Holds the database permission `counselling.<codename>` (via group or account).

    Asks the permission backends' permission sets, never `has_perm`, so a rule of the
    same name cannot call itself.
    """
    perm = f"counselling.{codename}"

    @rules.predicate(name=f"db_perm:{codename}")
    def check(user) -> bool:
        return bool(user.is_active and (user.is_superuser or perm in user.get_all_permissions()))

    return check


@rules.predicate
def is_active_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


@rules.predicate
def no_object(user, obj) -> bool:
    """Asked without an object: the general permission only."""
    return obj is None


@rules.predicate
def is_case_member(user, case) -> bool:
    """Lead counsellor or one of the counsellors of `case`."""
    if case is None or not user.is_authenticated:
        return False
    if case.lead_counsellor_id == user.pk:
        return True
    prefetched = getattr(case, "_prefetched_objects_cache", {}).get("counsellors")
    if prefetched is not None:  # the case page prefetches them: no query
        return any(member.pk == user.pk for member in prefetched)
    # Asked many times per page (every inline's permissions): one query per case and person.
    known = case.__dict__.setdefault("_case_member_cache", {})
    if user.pk not in known:
        known[user.pk] = case.counsellors.filter(pk=user.pk).exists()
    return known[user.pk]


sees_all_cases = db_perm("view_all_cases")
may_open_case = sees_all_cases | is_case_member


@rules.predicate
def may_open_case_of_request(user, request) -> bool:
    """A request without a case is open to every counsellor; one with a case is as
    confidential as its case."""
    if request is None:
        return False
    case = getattr(request, "case", None)
    return case is None or may_open_case(user, case)


@rules.predicate
def may_open_document_case(user, document) -> bool:
    return document is not None and may_open_case(user, document.case)


view_case = is_active_staff & db_perm("view_case") & (no_object | may_open_case)
change_case = is_active_staff & db_perm("change_case") & (no_object | may_open_case)
delete_case = is_active_staff & db_perm("delete_case") & (no_object | may_open_case)
assign_case = is_active_staff & db_perm("change_case") & sees_all_cases
view_request = (
    is_active_staff & db_perm("view_counsellingrequest") & (no_object | may_open_case_of_request)
)
change_request = (
    is_active_staff & db_perm("change_counsellingrequest") & (no_object | may_open_case_of_request)
)
delete_request = (
    is_active_staff & db_perm("delete_counsellingrequest") & (no_object | may_open_case_of_request)
)
make_case = (
    is_active_staff
    & db_perm("add_case")
    & db_perm("change_counsellingrequest")
    & (no_object | may_open_case_of_request)
)
view_document = (
    is_active_staff & db_perm("view_casedocument") & (no_object | may_open_document_case)
)
view_statistics = is_active_staff & db_perm("view_statistics")
export_cases = view_statistics & sees_all_cases
see_requester_data = (
    is_active_staff & sees_all_cases & db_perm("view_counsellingrequest") & db_perm("view_case")
)
manage_reply_templates = is_active_staff & db_perm("change_replytemplate")


@rules.predicate
def may_change_public_content(user, obj) -> bool:
    """`obj` is public content (a content app, no visitors' personal data) the user may
    change; counselling data never is."""
    if obj is None:
        return False
    opts = obj._meta
    if opts.app_label not in CONTENT_APPS or (opts.app_label, opts.model_name) in (
        PERSONAL_DATA_MODELS
    ):
        return False
    return user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


restore_version = is_active_staff & may_change_public_content

RULES = {
    "counselling.view_case": view_case,
    "counselling.change_case": change_case,
    "counselling.delete_case": delete_case,
    "counselling.assign_case": assign_case,
    "counselling.view_counsellingrequest": view_request,
    "counselling.change_counsellingrequest": change_request,
    "counselling.delete_counsellingrequest": delete_request,
    "counselling.make_case": make_case,
    "counselling.view_casedocument": view_document,
    "counselling.download_document": view_document,
    "counselling.view_statistics": view_statistics,
    "counselling.export_cases": export_cases,
    "counselling.see_requester_data": see_requester_data,
    "counselling.manage_reply_templates": manage_reply_templates,
    "kkk_portal.restore_version": restore_version,
}
for _name, _predicate in RULES.items():
    rules.set_perm(_name, _predicate)


def requests_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The requests `user` may open, as a query: the rule view_counsellingrequest for many.

    Each row is annotated with `case_visible` (may the user open the request's case?).
    """
    from django.db.models import BooleanField, Exists, OuterRef, Value

    from .models import Case, CounsellingRequest

    queryset = CounsellingRequest.objects.all() if queryset is None else queryset
    if not user.has_perm("counselling.view_counsellingrequest"):
        return queryset.none().annotate(case_visible=Value(False, output_field=BooleanField()))
    if user.has_perm("counselling.view_all_cases"):
        return queryset.annotate(case_visible=Value(True, output_field=BooleanField()))
    visible = Case.objects.visible_to(user)
    return queryset.filter(Q(case__isnull=True) | Q(case__in=visible.values("pk"))).annotate(
        case_visible=Exists(visible.filter(pk=OuterRef("case")))
    )


def can_view_case(user, case) -> bool:
    """Kept for callers of the old helper: the rule `counselling.view_case` on `case`."""
    return user.has_perm("counselling.view_case", case)


def requires_second_factor(user) -> bool:
    """Must this account confirm a second factor (TOTP) before using the admin?

    Everyone who can see personal data: superusers, anyone who may read requests or
    cases (Beratung, Leitung), and any account holding one of the permissions in
    `settings.OTP_REQUIRED_PERMISSIONS` (reading requests, cases, contact messages,
    registrations). Accounts that only edit public content (Redaktion) may enrol but
    need not. Decided by permission, not by group name.
    """
    from django.conf import settings

    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    required = {*PERSONAL_DATA_PERMISSIONS, *settings.OTP_REQUIRED_PERMISSIONS}
    return any(user.has_perm(perm) for perm in required)
