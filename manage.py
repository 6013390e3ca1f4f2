#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")
    # manage.py is the developer's entry point: development mode unless the environment says
    # otherwise. Servers start through qms/wsgi.py or qms/asgi.py, which never assume it, and
    # production environments set DEBUG=0 (docs/deploy.md), so secrets stay required there.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
