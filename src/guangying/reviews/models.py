"""Review rounds, their criteria, who reviews what, the scores and the decisions, as records.

The maths (aggregation.py) and the assignment (assignment.py) work on plain data and know
nothing of these tables; `rounds.py` holds the rules of a round's life. Every score keeps its
history in ScoreChange, so an organiser can always see who gave what, when, and what it was
before.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guangying.campaigns.models import Campaign, Entrant
from guangying.submissions.models import Work


class ReviewRound(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("未开始")
        OPEN = "open", _("评审中")
        CLOSED = "closed", _("已结束")

    class Entry(models.TextChoices):
        PASSED = "passed", _("形式审查通过的作品")
        ADVANCED = "advanced", _("上一轮晋级的作品")

    class OthersScores(models.TextChoices):
        NEVER = "never", _("不显示")
        AFTER_OWN = "after_own", _("提交自己的评分后显示")
        ALWAYS = "always", _("始终显示")

    class Method(models.TextChoices):
        MEAN = "mean", _("平均分")
        MEDIAN = "median", _("中位数")
        TRIMMED = "trimmed", _("去掉一个最高分和一个最低分后的平均分")
        ZSCORE = "zscore", _("按评审专家标准化（z 分数）")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="review_rounds")
    key = models.SlugField(_("标识"), max_length=40)
    label = models.CharField(_("名称"), max_length=60)
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)
    note = models.TextField(_("说明"), blank=True)
    opens_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closes_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    entry = models.CharField(_("参评作品"), max_length=10, choices=Entry.choices, default=Entry.PASSED)
    blind = models.BooleanField(_("匿名评审（不显示报送单位）"), default=False)
    others_scores = models.CharField(_("其他专家的评分"), max_length=10, choices=OthersScores.choices,
                                     default=OthersScores.NEVER)
    comment_required = models.BooleanField(_("必须填写评语"), default=False)
    reviewers_change_state = models.BooleanField(_("评审专家可以改变作品状态"), default=False)
    method = models.CharField(_("计分方法"), max_length=10, choices=Method.choices, default=Method.TRIMMED)
    reviewers_per_work = models.PositiveSmallIntegerField(_("每件作品的评审专家人数"), default=3)
    disagreement_threshold = models.DecimalField(_("分歧提示阈值（百分制）"), max_digits=5, decimal_places=1,
                                                 default=20)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("评审轮次")
        verbose_name_plural = _("评审轮次")
        ordering = ["campaign", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="round_key_unique")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.label}"


class RoundCriterion(models.Model):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(_("标识"), max_length=40)
    label = models.CharField(_("评分项"), max_length=60)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=1)
    scale_max = models.PositiveSmallIntegerField(_("满分"), default=10)
    description = models.TextField(_("说明"), blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["round", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "key"], name="criterion_key_unique")]

    def __str__(self) -> str:
        return self.label


class RoundWork(models.Model):
    """A work taking part in a round: those that passed the formal check, or advanced from the last."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="entries")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="review_entries")
    advanced = models.BooleanField(_("晋级下一轮"), default=False)
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("参评作品")
        verbose_name_plural = _("参评作品")
        constraints = [models.UniqueConstraint(fields=["round", "work"], name="round_work_unique")]

    def __str__(self) -> str:
        return f"{self.round.label} · {self.work}"


class Conflict(models.Model):
    """A reviewer's declared conflict of interest with an entrant or one work."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="review_conflicts")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entrant = models.ForeignKey(Entrant, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("利益冲突")
        verbose_name_plural = _("利益冲突")
        constraints = [models.CheckConstraint(
            condition=models.Q(entrant__isnull=False) | models.Q(work__isnull=False),
            name="conflict_names_entrant_or_work")]

    def __str__(self) -> str:
        return f"{self.reviewer} ↔ {self.work or self.entrant}"


class Assignment(models.Model):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="assignments")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="review_assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="review_assignments")
    locked = models.BooleanField(_("手动指定"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评审分配")
        verbose_name_plural = _("评审分配")
        constraints = [models.UniqueConstraint(fields=["round", "work", "reviewer"],
                                               name="one_assignment_per_reviewer")]

    def __str__(self) -> str:
        return f"{self.round.label} · {self.work} · {self.reviewer}"


class Score(models.Model):
    """One reviewer's scores for one work in one round; `values` maps criterion keys to points."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="score")
    values = models.JSONField(_("评分"), default=dict)
    overall = models.DecimalField(_("综合评分"), max_digits=6, decimal_places=1, null=True, blank=True)
    comment = models.TextField(_("评语"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")

    def __str__(self) -> str:
        return str(self.assignment)


class ScoreChange(models.Model):
    """Every save of a score, as it was saved: the audit trail, never edited."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    values = models.JSONField(default=dict)
    overall = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    comment = models.TextField(blank=True)
    submitted = models.BooleanField(default=False)  # a submission (or a change to one), not a draft

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.score} · {self.changed_at:%Y-%m-%d %H:%M}"


class Decision(models.Model):
    """An award or a place on the excellent list, staged by the organiser and released together."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="review_decisions")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="review_decisions")
    award = models.CharField(_("奖项"), max_length=60)
    position = models.PositiveIntegerField(_("名次"), default=0)
    round = models.ForeignKey(ReviewRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    staged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  related_name="+")
    staged_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评审结果")
        verbose_name_plural = _("评审结果")
        constraints = [models.UniqueConstraint(fields=["campaign", "work"], name="one_decision_per_work")]

    def __str__(self) -> str:
        return f"{self.work} · {self.award}"


class AwardLevel(models.Model):
    """One award of the campaign and how many works receive it (no count: as many as the organiser stages).

    Made from the rule set's outcomes; the organiser may rename, reorder and count them
    (一等奖 1、二等奖 2、三等奖 3、优秀作品 …).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="award_levels")
    label = models.CharField(_("奖项"), max_length=60)
    count = models.PositiveSmallIntegerField(_("名额"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)

    class Meta:
        verbose_name = _("奖项设置")
        verbose_name_plural = _("奖项设置")
        ordering = ["campaign", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "label"], name="award_label_unique")]

    def __str__(self) -> str:
        return self.label


class OutgoingMail(models.Model):
    """A message the platform has written and holds until the organiser has read it and sends it."""

    class Kind(models.TextChoices):
        RESULT = "result", _("评审结果通知")
        REMINDER = "reminder", _("评审提醒")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="outgoing_mail")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    round = models.ForeignKey(ReviewRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    entrant = models.ForeignKey(Entrant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    to_email = models.EmailField(_("收件人邮箱"))
    to_name = models.CharField(_("收件人"), max_length=200, blank=True)
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("正文"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                related_name="+")
    failure = models.CharField(_("发送失败原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("待发邮件")
        verbose_name_plural = _("待发邮件")
        ordering = ["campaign", "-created_at", "pk"]
        indexes = [models.Index(fields=["campaign", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.to_email} · {self.subject}"


class ReviewLog(models.Model):
    """Every change to a campaign's review other than a score (which has ScoreChange): who, when, what.

    Assignments added and removed, conflicts declared, settings changed, works advanced,
    decisions staged and released, mail sent. Written once, never edited.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="review_log")
    round = models.ForeignKey(ReviewRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=40)
    text = models.CharField(max_length=500)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["campaign", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} · {self.text}"
