"""The demo's invented jury: five reviewers, and the scores the four invented ones hand in.

The demo reviewer (reviewer@example.org) is the one a visitor logs in as, so their works are
left to score by hand; the other four score on their own, with the habits real juries have
(one harsh, one lenient), so that the round's methods give different rankings worth comparing.
Every name and unit is invented.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from guangying.campaigns.models import Campaign, CampaignRole

DEMO_REVIEWER = "reviewer@example.org"
# (e-mail, name, unit, habit): the habit shifts every mark the reviewer gives.
REVIEWERS = [
    (DEMO_REVIEWER, "演示评审专家", "示例评审中心", 0.0),
    ("reviewer2@example.org", "周明哲", "长川市委统战部", 0.0),  # never given 长川's works
    ("reviewer3@example.org", "许静文", "示例传媒学院", -1.5),  # harsh
    ("reviewer4@example.org", "韩立新", "示例电视台", 1.0),  # lenient
    ("reviewer5@example.org", "苏雅楠", "示例文化研究院", 0.0),
]
COMMENTS = [
    "选题小切口，人物真实，情感真挚。",
    "叙事完整，节奏稍慢，结尾可再凝练。",
    "画面精良，解说略显平淡。",
    "主题鲜明，采访扎实，传播力强。",
    "结构清楚，细节打动人，建议压缩开头。",
]


def invited(campaign: Campaign, make_user: Any) -> None:
    """Makes the five reviewers (``make_user(email, name)``) reviewers of the campaign, with their units."""
    for email, name, unit, _habit in REVIEWERS:
        CampaignRole.objects.get_or_create(campaign=campaign, user=make_user(email, name),
                                           role=CampaignRole.Role.REVIEWER, defaults={"unit_name": unit})


def _marks(work_id: int, email: str, criteria: list[Any], habit: float, round_key: str = "",
           ) -> dict[str, str]:
    """Marks from the work's own quality, the reviewer's habit and a little noise, the same every run.

    The noise differs from round to round: a second look is not the first one repeated.
    """
    quality = random.Random(f"work-{work_id}").uniform(5.5, 9.0)
    noise = random.Random(f"{email}-{work_id}-{round_key}")
    marks = {}
    for criterion in criteria:
        scale = criterion.scale_max
        raw = (quality + habit + noise.uniform(-0.8, 0.8)) * scale / 10
        marks[criterion.key] = str(Decimal(str(max(0.0, min(scale, raw)))).quantize(Decimal("0.1")))
    return marks


def hand_in_scores(campaign: Campaign) -> int:
    """The invented reviewers submit every score still open in the campaign's open rounds; how many."""
    from guangying.reviews.models import Assignment, ReviewRound
    from guangying.reviews.rounds import save_score

    habits = {email: habit for email, _name, _unit, habit in REVIEWERS if email != DEMO_REVIEWER}
    count = 0
    assignments = (Assignment.objects.filter(round__campaign=campaign, round__status=ReviewRound.Status.OPEN,
                                             reviewer__email__in=list(habits))
                   .exclude(score__submitted_at__isnull=False)
                   .select_related("round", "reviewer").order_by("pk"))
    for assignment in assignments:
        criteria = list(assignment.round.criteria.all())
        email = assignment.reviewer.email
        key = assignment.round.key
        marks = _marks(assignment.work_id, email, criteria, habits[email], key)
        overall = None
        if not criteria:
            overall = _marks(assignment.work_id, email, [_Hundred()], habits[email], key)["overall"]
        comment = COMMENTS[random.Random(f"{email}-{assignment.work_id}-c").randrange(len(COMMENTS))]
        save_score(assignment, marks, overall=overall, comment=comment, by=assignment.reviewer, submit=True)
        count += 1
    return count


class _Hundred:
    """An overall mark out of 100, for rounds without criteria."""

    key = "overall"
    scale_max = 100
