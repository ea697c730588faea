"""Who may watch a work's videos, as named rules checked on every request.

The work's entrant members and the campaign's organisers watch every video
of it, replaced ones included (they are on record). Reviewers of the
campaign watch the current videos of works that were handed in; a reviewer
assignment will narrow this to the works assigned to them. Nobody else.
"""

import rules

from guangying.campaigns.models import CampaignRole
from guangying.submissions.models import HANDED_IN_STATES, Attachment, Work
from guangying.submissions.permissions import is_entrant_member, organises_work


@rules.predicate
def reviews_handed_in_work(user: object, work: Work | None) -> bool:
    if work is None or not getattr(user, "is_authenticated", False):
        return False
    if work.state not in HANDED_IN_STATES:
        return False
    return CampaignRole.objects.filter(
        campaign_id=work.campaign_id, user=user, role=CampaignRole.Role.REVIEWER
    ).exists()


may_watch_work = is_entrant_member | organises_work | reviews_handed_in_work


@rules.predicate
def may_watch_video(user: object, attachment: Attachment | None) -> bool:
    if attachment is None or attachment.kind != Attachment.VIDEO:
        return False
    work = attachment.work
    if is_entrant_member(user, work) or organises_work(user, work):
        return True
    return attachment.superseded_at is None and reviews_handed_in_work(user, work)


rules.add_perm("playback.watch_work", may_watch_work)
rules.add_perm("playback.watch_video", may_watch_video)
