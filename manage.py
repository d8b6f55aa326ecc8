#!/usr/bin/env python
"""Django's command-line utility. Pick a deployable with DJANGO_SETTINGS_MODULE
(default: sync_service.settings, which has every model and the admin)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sync_service.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
