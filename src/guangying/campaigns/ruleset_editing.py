"""Changing a few values of a rule set without losing the organiser's comments.

The rule set is YAML text that quotes the notice in comments; an office
changing the deadline or a character limit through a form must not wipe
those notes. ruamel.yaml edits the document in place and writes it back
with comments, order and quoting as they were.
"""

from collections.abc import Mapping
from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

Path = tuple[str | int, ...]


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(
        type(None), lambda dumper, _value: dumper.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def edit_ruleset_text(text: str, changes: Mapping[Path, Any]) -> str:
    """The same text with the values at `changes`' paths replaced (missing maps are created)."""
    yaml = _yaml()
    document = yaml.load(text)
    if not isinstance(document, dict):
        document = CommentedMap()
    for path, value in changes.items():
        target: Any = document
        for part in path[:-1]:
            if isinstance(target, dict) and not isinstance(target.get(part), (dict, list)):
                target[part] = CommentedMap()
            target = target[part]
        target[path[-1]] = value
    out = StringIO()
    yaml.dump(document, out)
    return out.getvalue()
