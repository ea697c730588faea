"""Who may watch a work's videos, as named rules checked on every request.

The work's entrant members and the campaign's organisers watch every video
of it, replaced ones included (they are on record). A reviewer watches the
current videos of the handed-in works assigned to them in a round that has
begun, and no other: being a reviewer of the campaign is not enough.
Nobody else.
"""

import rules

from guangying.submissions.models import HANDED_IN_STATES, Attachment, Work
from guangying.submissions.permissions import is_entrant_member, organises_work


@rules.predicate
def reviews_handed_in_work(user: object, work: Work | None) -> bool:
    if work is None or not getattr(user, "is_authenticated", False):
        return False
    if work.state not in HANDED_IN_STATES:
        return False
    from guangying.reviews.models import Assignment, ReviewRound

    return Assignment.objects.filter(work=work, reviewer=user).exclude(
        round__status=ReviewRound.Status.DRAFT).exists()


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
