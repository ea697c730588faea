"""`python -m guangying <command>` runs the management commands.

One entry point for offices that install the package without a project
folder of their own: there is no manage.py to find.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guangying.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0].replace("__main__.py", "guangying"), *sys.argv[1:]])


if __name__ == "__main__":
    main()
