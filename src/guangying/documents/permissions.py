"""Who may download which documents, as named rules checked on the server."""

import rules

from guangying.campaigns.permissions import belongs_to, organises_entrant

# An entrant's package (packages.py): its own members and the campaign's organisers, nobody else.
rules.add_perm("documents.download_package", belongs_to | organises_entrant)

# The notices' forms, lists and the published list (word.py, published.py, views.py): a work's
# forms and pledges go to its entrant's members and the organisers; an entrant's list to its
# members and the organisers; the lists across all entrants and the published list to the
# organisers alone.
from guangying.campaigns.permissions import organises  # noqa: E402
from guangying.submissions.permissions import is_entrant_member, organises_work  # noqa: E402

rules.add_perm("documents.download_work_documents", is_entrant_member | organises_work)
rules.add_perm("documents.download_entrant_documents", belongs_to | organises_entrant)
rules.add_perm("documents.manage_campaign_documents", organises)
