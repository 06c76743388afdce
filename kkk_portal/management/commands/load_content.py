from django.core.management.base import BaseCommand

from kkk_portal.content import DEFAULT_PATH, content_load


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())


class Command(BaseCommand):
    help = (
        "Load the centre's real content from fixtures/centre.toml: creates what is missing, "
        "updates seed records nobody has edited since, never overwrites an editor's change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(DEFAULT_PATH), help="TOML file to load.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Restore every seed record as the file has it, overwriting editors' changes.",
        )

    def handle(self, *args, path, reset, **options):
        report = content_load(path=path, reset=reset)
        self.stdout.write(
            self.style.SUCCESS(f"Content loaded. Created: {_summary(report.created) or 'nothing'}.")
        )
        if report.updated:
            self.stdout.write(f"Updated from the seed: {_summary(report.updated)}.")
        if report.kept:
            self.stdout.write(
                self.style.WARNING(
                    f"Changed by editors and left as they are: {_summary(report.kept)} "
                    "(--reset restores the seed)."
                )
            )
        # The counsellors' default reply templates (never overwrites an edited one).
        from counselling.services import reply_templates_ensure

        if templates_created := reply_templates_ensure():
            self.stdout.write(f"Reply templates created: {templates_created}.")
