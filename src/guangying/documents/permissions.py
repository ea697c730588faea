"""Who may download which documents, as named rules checked on the server."""

import rules  # noqa: F401
