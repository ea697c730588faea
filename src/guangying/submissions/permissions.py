"""Who may see and change a work, as named rules checked on the server.

A unit member reaches only the works of their own entrant; an organiser
reaches every work of the campaigns they run. Reviewers get access per
assignment once review rounds exist; until then they reach none.
"""

import rules

from guangying.campaigns.permissions import belongs_to, organises

from .models import Attachment, Work
from .workflow import editable_by_entrant


@rules.predicate
def is_entrant_member(user: object, work: Work | None) -> bool:
    return work is not None and belongs_to(user, work.entrant)


@rules.predicate
def organises_work(user: object, work: Work | None) -> bool:
    return work is not None and organises(user, work.campaign)


@rules.predicate
def is_editable(user: object, work: Work | None) -> bool:
    return work is not None and editable_by_entrant(work)


@rules.predicate
def may_view_attachment(user: object, attachment: Attachment | None) -> bool:
    return attachment is not None and (
        is_entrant_member(user, attachment.work) or organises_work(user, attachment.work)
    )


rules.add_perm("submissions.view_work", is_entrant_member | organises_work)
rules.add_perm("submissions.change_work", is_entrant_member & is_editable)
rules.add_perm("submissions.submit_work", is_entrant_member)
rules.add_perm("submissions.withdraw_work", is_entrant_member)
rules.add_perm("submissions.check_work", organises_work)
rules.add_perm("submissions.view_attachment", may_view_attachment)


@rules.predicate
def organises_campaign(user: object, campaign: object) -> bool:
    return campaign is not None and organises(user, campaign)


# The automatic check: the unit reads its own reports to know what to fix; only the
# organiser sees the whole campaign's matrix, re-checks it and waives a rule.
rules.add_perm("submissions.view_check_report", may_view_attachment)
rules.add_perm("submissions.waive_check", organises_work)
rules.add_perm("submissions.view_compliance", organises_campaign)
rules.add_perm("submissions.recheck_campaign", organises_campaign)
