"""The demo's invented reviewers hand in their scores for the rounds under way.

With it, one person can run a whole review in the demo: open a round, assign, let the jury
score (this command), then close, advance and decide as the organiser.
"""

from typing import Any

from django.core.management.base import BaseCommand

from guangying.campaigns.models import Campaign
from guangying.demo.reviewing import hand_in_scores


class Command(BaseCommand):
    help = "The demo's invented reviewers submit their scores in every round under way."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for campaign in Campaign.objects.filter(slug__in=["hubei-2026", "chongqing-2026"]):
            count = hand_in_scores(campaign)
            total += count
            if count:
                self.stdout.write(f"{campaign.rules.short_title or campaign.slug}：提交了 {count} 份评分。")
        if not total:
            self.stdout.write("没有待提交的评分：请先以主办方身份开始一轮评审并分配作品。")
