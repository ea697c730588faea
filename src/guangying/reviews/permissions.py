"""Who may run a campaign's review, as named rules checked on the server.

The organisers run the rounds: open and close them, assign, read the results and advance
works. Reviewers' own rules (their assigned works only) come with their workspace.
"""

import rules

from guangying.campaigns.permissions import organises

rules.add_perm("reviews.manage_reviews", organises)


@rules.predicate
def is_assigned_reviewer(user: object, assignment: object) -> bool:
    """The reviewer the work was assigned to, once the round has begun."""
    if assignment is None or not getattr(user, "is_authenticated", False):
        return False
    return assignment.reviewer_id == user.pk and assignment.round.status != "draft"


rules.add_perm("reviews.score_assignment", is_assigned_reviewer)


@rules.predicate
def has_review_work(user: object) -> bool:
    """Someone with works to review in a round that has begun: the page header links to them."""
    if not getattr(user, "is_authenticated", False):
        return False
    from .models import Assignment

    return Assignment.objects.filter(reviewer=user).exclude(round__status="draft").exists()


rules.add_perm("reviews.review_works", has_review_work)
