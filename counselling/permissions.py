"""Who may see what: the three staff groups and the checks shared by admin and views.

Redaktion edits public content only. Beratung works on requests and on the
cases it is assigned to (as counsellor or lead). Leitung sees everything,
including statistics, exports and the case access log.
"""

from django.contrib.auth.management import create_permissions

REDAKTION = "Redaktion"
BERATUNG = "Beratung"
LEITUNG = "Leitung"

# Apps holding public content; apps that do not exist (yet) are skipped.
CONTENT_APPS = ["kkk_portal", "projects", "publications", "team", "pages"]

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
    redaktion.permissions.add(*content)

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


def can_view_case(user, case):
    """The same rule as the admin's queryset, for a single case."""
    from .models import Case

    return Case.objects.visible_to(user).filter(pk=case.pk).exists()


def requires_second_factor(user) -> bool:
    """Must this account confirm a second factor (TOTP) before using the admin?

    Everyone who can see personal data: superusers, Beratung, Leitung, and any account
    holding one of the permissions in `settings.OTP_REQUIRED_PERMISSIONS` (reading
    requests, cases, contact messages, registrations). Accounts that only edit public
    content (Redaktion) may enrol but need not.
    """
    from django.conf import settings

    if not user.is_authenticated:
        return False
    if user.is_superuser or user.groups.filter(name__in=[BERATUNG, LEITUNG]).exists():
        return True
    return any(user.has_perm(perm) for perm in settings.OTP_REQUIRED_PERMISSIONS)
