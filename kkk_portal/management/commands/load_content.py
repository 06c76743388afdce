from django.core.management.base import BaseCommand

from kkk_portal.content import DEFAULT_PATH, content_load


class Command(BaseCommand):
    help = "Load (or refresh) the centre's real content from fixtures/centre.toml. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(DEFAULT_PATH), help="TOML file to load.")

    def handle(self, *args, path, **options):
        report = content_load(path=path)
        created = ", ".join(f"{n} {name}" for name, n in report.created.items()) or "nothing"
        self.stdout.write(self.style.SUCCESS(f"Content loaded. Created: {created}."))
        if report.updated:
            updated = ", ".join(f"{n} {name}" for name, n in report.updated.items())
            self.stdout.write(f"Already present and refreshed: {updated}.")
