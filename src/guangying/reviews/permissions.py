"""Who may run a campaign's review, as named rules checked on the server.

The organisers run the rounds: open and close them, assign, read the results and advance
works. Reviewers' own rules (their assigned works only) come with their workspace.
"""

import rules

from guangying.campaigns.permissions import organises

rules.add_perm("reviews.manage_reviews", organises)
