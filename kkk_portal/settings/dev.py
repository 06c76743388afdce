"""Local development: DEBUG on, a throwaway secret key, mails on the console."""

from .base import *

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
require_secret_key(DEBUG, SECRET_KEY)
# The demo logins of `make run` work with the password alone unless STAFF_2FA=true.
STAFF_2FA = env.bool("STAFF_2FA", default=False)
