from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from wagtail.log_actions import log
from wagtail.models import APIToken


class Command(BaseCommand):
    help = (
        "Issue an API token for a (service) account and print it once; only its digest is stored. "
        "Bir (servis) hesabı için API anahtarı üretir ve bir kez yazdırır."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="Label of the token (default: 'service token <date>').")

    def handle(self, *args, username, name, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"Kullanıcı bulunamadı / no such user: {username!r}") from None
        if not user.is_active:
            raise CommandError(f"Kullanıcı pasif / user is inactive: {username!r}")
        from django.utils import timezone

        label = name or f"service token {timezone.localdate():%d.%m.%Y}"
        token, plaintext = APIToken.create_token(user=user, name=label)
        log(token, "wagtail.apitoken.create", data={"source": "manage.py api_token"})
        self.stderr.write(
            f"Token '{label}' ({token.prefix}…) for {username}. It is shown only now; store it in the "
            "calling system's secret store. / Anahtar yalnızca şimdi gösterilir."
        )
        self.stdout.write(plaintext)
