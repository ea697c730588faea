"""Who may download which documents, as named rules checked on the server."""

import rules

from guangying.campaigns.permissions import belongs_to, organises_entrant

# An entrant's package (packages.py): its own members and the campaign's organisers, nobody else.
rules.add_perm("documents.download_package", belongs_to | organises_entrant)
