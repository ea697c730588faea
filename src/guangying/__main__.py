"""`python -m guangying <command>` runs the management commands, and `check FILE` the video check.

One entry point for offices that install the package without a project
folder of their own: there is no manage.py to find.
"""

import os
import sys


def _is_file_check(args: list[str]) -> bool:
    """`check` names both Django's system check and the video check; files or --campaign decide.

    `check --help` alone shows the video check's help, since that is the one offices look for;
    its help names `help check` for Django's.
    """
    if not args or args[0] != "check":
        return False
    rest = args[1:]
    if rest in (["-h"], ["--help"]):
        return True
    return any(a == "--campaign" or a.startswith("--campaign=") for a in rest) or any(
        not a.startswith("-") and os.path.isfile(a) for a in rest
    )


def _sweep_before_working() -> None:
    """A worker starting after a crash takes back the video checks its predecessor left running."""
    import django

    django.setup()
    try:
        from guangying.submissions.checking import sweep

        sweep()
    except Exception as error:  # a database not yet migrated must not stop the worker
        print(f"sweep of stale video checks skipped: {error}", file=sys.stderr)


def _command_name(args: list[str]) -> list[str]:
    """`import-folder` as people type it is Django's `import_folder`: commands are module names."""
    if args and "-" in args[0] and not args[0].startswith("-"):
        return [args[0].replace("-", "_"), *args[1:]]
    return args


def main() -> None:
    sys.argv[1:] = _command_name(sys.argv[1:])
    if _is_file_check(sys.argv[1:]):
        from guangying.inspection.cli import main as check_files

        sys.exit(check_files(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guangying.settings")
    from django.core.management import execute_from_command_line

    if sys.argv[1:2] == ["db_worker"]:
        _sweep_before_working()

    execute_from_command_line([sys.argv[0].replace("__main__.py", "guangying"), *sys.argv[1:]])


if __name__ == "__main__":
    main()
