"""Pages of a campaign: the public notice, the organiser's desk, joining and registering."""

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guangying.rulesets import (
    RuleSetError,
    blank_ruleset_text,
    load_preset,
    parse_ruleset_text,
    preset_text,
)
from guangying.rulesets.describe import technical_rows
from guangying.submissions.models import HANDED_IN_STATES, Attachment, Work, WorkState
from guangying.submissions.readiness import submission_problems

from .forms import (
    AffiliationForm,
    BasicSettingsForm,
    CreateCampaignForm,
    EntrantForm,
    IndividualSignUpForm,
    RuleSetForm,
    StaffInviteForm,
    UnitImportForm,
)
from .models import Campaign, CampaignRole, Entrant, EntrantMember, StaffInvitation
from .ruleset_editing import edit_ruleset_text
from .tasks import send_staff_invitation, send_unit_invitation
from .unit_import import parse_pasted, parse_xlsx

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def campaign_for(request: HttpRequest, slug: str, perm: str) -> Campaign:
    """The campaign if the person holds `perm` on it; otherwise it does not exist for them."""
    campaign = get_object_or_404(Campaign, slug=slug)
    if not request.user.has_perm(perm, campaign):
        raise Http404
    return campaign


def home(request: HttpRequest) -> HttpResponse:
    published = list(Campaign.objects.filter(is_published=True))
    context: dict[str, Any] = {
        "campaigns": [c for c in published if c.is_open_for_submission()],
        "past": [c for c in published if not c.is_open_for_submission()
                 and c.submission_closes_at < timezone.now()],
    }
    if request.user.is_authenticated:
        context["organised"] = Campaign.objects.filter(
            roles__user=request.user, roles__role=CampaignRole.Role.ORGANISER
        ).distinct()
        if request.user.is_superuser:
            context["organised"] = Campaign.objects.all()
        context["entrants"] = (
            Entrant.objects.filter(memberships__user=request.user)
            .select_related("campaign")
            .order_by("-campaign__created_at")
        )
        from guangying.reviews.models import Assignment

        waiting = dict(
            Assignment.objects.filter(reviewer=request.user, round__status="open")
            .exclude(score__submitted_at__isnull=False)
            .values_list("round__campaign").annotate(n=Count("pk")).values_list("round__campaign", "n"))
        context["reviewing"] = [
            (campaign, waiting.get(campaign.pk, 0)) for campaign in Campaign.objects.filter(
                roles__user=request.user, roles__role=CampaignRole.Role.REVIEWER).distinct()]
    return render(request, "campaigns/home.html", context)


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    from guangying.reviews import decisions

    campaign = campaign_for(request, slug, "campaigns.view_campaign")
    mine = []
    if request.user.is_authenticated:
        mine = list(campaign.entrants.filter(memberships__user=request.user))
    return render(request, "campaigns/detail.html", {
        "campaign": campaign, "rules": campaign.rules, "my_entrants": mine,
        "technical": technical_rows(campaign.rules),
        "is_open": campaign.is_open_for_submission(),
        "can_manage": request.user.has_perm("campaigns.manage_campaign", campaign),
        "results": decisions.released_groups(campaign),
        "file_naming": campaign.rules.file_naming.in_words(
            english=(get_language() or "").startswith("en"),
            individuals="individual" in campaign.rules.entrants.kinds,
        ) if campaign.rules.file_naming else "",
    })


@login_required
def create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("campaigns.create_campaign"):
        raise Http404
    form = CreateCampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["preset"]
        text = preset_text(key) if key else blank_ruleset_text()
        rules = load_preset(key) if key else parse_ruleset_text(text)
        campaign = Campaign(slug=form.cleaned_data["slug"], preset_key=key, created_by=request.user)
        campaign.set_rules(text, rules)
        with transaction.atomic():
            campaign.save()
            CampaignRole.objects.create(
                campaign=campaign, user=request.user, role=CampaignRole.Role.ORGANISER
            )
        messages.success(request, _("活动已创建。请核对规则后发布。"))
        return redirect("campaigns:settings", slug=campaign.slug)
    return render(request, "campaigns/create.html", {"form": form})


@login_required
def settings_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Common values through a form; everything else in the full rule-set editor."""
    campaign = campaign_for(request, slug, "campaigns.manage_campaign")
    action = None
    if request.method == "POST":
        action = request.POST.get("action") or ("full" if "ruleset_text" in request.POST else "basic")
    basic = BasicSettingsForm(request.POST if action == "basic" else None, rules=campaign.rules)
    form = RuleSetForm(request.POST if action == "full" else None,
                       initial={"ruleset_text": campaign.ruleset_text})
    problems: list[str] = []
    if action == "basic" and basic.is_valid():
        changes = basic.changes()
        if not changes:
            messages.info(request, _("没有改动。"))
            return redirect("campaigns:settings", slug=campaign.slug)
        text = edit_ruleset_text(campaign.ruleset_text, changes)
        try:
            rules = parse_ruleset_text(text)
        except RuleSetError as error:
            problems = list(error.messages)
        else:
            campaign.set_rules(text, rules)
            campaign.save()
            messages.success(request, _("已保存。"))
            return redirect("campaigns:settings", slug=campaign.slug)
    if action == "full" and form.is_valid():
        campaign.set_rules(form.cleaned_data["ruleset_text"], form.rules)
        campaign.save()
        messages.success(request, _("规则集已保存。"))
        return redirect("campaigns:settings", slug=campaign.slug)
    if action:
        messages.error(request, _("未保存：请按下面的提示修改。您的修改仍在页面上。"))
    return render(request, "campaigns/settings.html", {
        "campaign": campaign, "form": form, "basic": basic, "problems": problems,
        "show_full": action == "full",
    })


@login_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, "campaigns.manage_campaign")
    campaign.is_published = request.POST.get("publish") == "1"
    if campaign.is_published and campaign.published_at is None:
        campaign.published_at = timezone.now()
    campaign.save(update_fields=["is_published", "published_at", "updated_at"])
    messages.success(request, _("活动已发布。") if campaign.is_published else _("活动已撤回，不再公开。"))
    return redirect("campaigns:dashboard", slug=campaign.slug)


def _entrant_rows(campaign: Campaign) -> list[dict[str, Any]]:
    entrants = list(
        campaign.entrants.annotate(
            members=Count("memberships", distinct=True),
            drafts=Count("works", filter=Q(works__state=WorkState.DRAFT), distinct=True),
            handed_in=Count("works", filter=Q(works__state__in=HANDED_IN_STATES), distinct=True),
            passed=Count("works", filter=Q(works__state=WorkState.PASSED), distinct=True),
            returned=Count("works", filter=Q(works__state=WorkState.RETURNED), distinct=True),
        ).order_by("kind", "name")  # Meta.ordering does not apply to a grouped query
    )
    required = {d.key for d in campaign.rules.required_documents if d.per == "work"}
    present: dict[int, set[str]] = defaultdict(set)
    for work_id, kind in Attachment.objects.filter(
        work__campaign=campaign, superseded_at__isnull=True
    ).values_list("work_id", "kind"):
        present[work_id].add(kind)
    missing_by_entrant: dict[int, int] = defaultdict(int)
    for work in Work.objects.filter(campaign=campaign, state__in=[WorkState.DRAFT, *HANDED_IN_STATES]):
        if required - present[work.pk]:
            missing_by_entrant[work.entrant_id] += 1
    rows = []
    for entrant in entrants:
        low, high = entrant.min_works, entrant.max_works
        rows.append({
            "entrant": entrant,
            "min": low,
            "max": high,
            "below_min": low is not None and entrant.handed_in < low,
            "missing_documents": missing_by_entrant[entrant.pk],
        })
    return rows


@login_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, "campaigns.manage_campaign")
    rows = _entrant_rows(campaign)
    states = dict(
        Work.objects.filter(campaign=campaign).values_list("state").annotate(n=Count("pk"))
    )
    now = timezone.now()
    return render(request, "campaigns/dashboard.html", {
        "campaign": campaign, "rules": campaign.rules, "rows": rows,
        "states": [(s, label, states.get(s, 0)) for s, label in WorkState.choices],
        "closes_at": campaign.submission_closes_at,
        "time_left": campaign.submission_closes_at - now if now < campaign.submission_closes_at
        else None,
        "entrant_count": len(rows),
        "joined_count": sum(1 for r in rows if r["entrant"].members),
    })


@login_required
def units(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, "campaigns.manage_campaign")
    form = UnitImportForm(request.POST or None, request.FILES or None)
    report: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("spreadsheet")
        if upload is not None:
            result = parse_xlsx(upload, upload.size or 0)
        else:
            result = parse_pasted(form.cleaned_data["pasted"])
        created, skipped = [], []
        for row in result.rows:
            try:
                with transaction.atomic():
                    entrant, made = Entrant.objects.get_or_create(
                        campaign=campaign, kind=Entrant.Kind.UNIT, name=row.name, affiliation="",
                        defaults={
                            "contact_name": row.contact_name, "contact_phone": row.contact_phone,
                            "contact_email": row.contact_email, "quota_max": row.quota_max,
                            "created_by": request.user,
                        },
                    )
            except IntegrityError:
                made = False
            if made:
                created.append(entrant)
                if form.cleaned_data["send_emails"] and entrant.contact_email:
                    transaction.on_commit(
                        lambda pk=entrant.pk: send_unit_invitation.enqueue(pk)
                    )
            else:
                skipped.append(row.name)
        report = {"created": created, "skipped": skipped, "problems": result.problems}
        if created:
            messages.success(request, _("已添加 %(n)s 个单位。") % {"n": len(created)})
        if not created and not skipped:
            messages.error(request, _("没有添加任何单位，请查看下面的说明。"))
        form = UnitImportForm()
    entrants = campaign.entrants.annotate(members=Count("memberships")).order_by("kind", "name")
    return render(request, "campaigns/units.html", {
        "campaign": campaign, "form": form, "entrants": entrants, "report": report,
    })


@login_required
def entrant_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = campaign_for(request, slug, "campaigns.manage_campaign")
    entrant = get_object_or_404(Entrant, pk=pk, campaign=campaign)
    form = EntrantForm(request.POST or None, instance=entrant)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "regenerate":
            entrant.regenerate_invitation()
            entrant.save(update_fields=["invitation_token", "invitation_active"])
            messages.success(request, _("已生成新的邀请链接，旧链接作废。"))
            return redirect("campaigns:entrant_edit", slug=slug, pk=pk)
        if action == "disable":
            entrant.invitation_active = False
            entrant.save(update_fields=["invitation_active"])
            messages.success(request, _("邀请链接已停用。"))
            return redirect("campaigns:entrant_edit", slug=slug, pk=pk)
        if action == "email":
            if entrant.contact_email:
                send_unit_invitation.enqueue(entrant.pk)
                messages.success(request, _("邀请邮件已排队发送至 %(e)s。") % {"e": entrant.contact_email})
            else:
                messages.error(request, _("请先填写联系邮箱。"))
            return redirect("campaigns:entrant_edit", slug=slug, pk=pk)
        if form.is_valid():
            try:
                with transaction.atomic():
                    form.save()
            except IntegrityError:
                form.add_error("name", _("同名的报送主体已存在。"))
            else:
                messages.success(request, _("已保存。"))
                return redirect("campaigns:units", slug=slug)
    members = entrant.memberships.select_related("user")
    return render(request, "campaigns/entrant_edit.html", {
        "campaign": campaign, "entrant": entrant, "form": form, "members": members,
        "invite_link": request.build_absolute_uri(entrant.invitation_url()),
    })


@login_required
def people(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, "campaigns.manage_campaign")
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = StaffInvitation.objects.create(
            campaign=campaign, created_by=request.user, **form.cleaned_data
        )
        transaction.on_commit(lambda: send_staff_invitation.enqueue(invitation.pk))
        messages.success(request, _("邀请已发出：%(e)s") % {"e": invitation.email})
        return redirect("campaigns:people", slug=slug)
    return render(request, "campaigns/people.html", {
        "campaign": campaign, "form": form,
        "roles": campaign.roles.select_related("user").order_by("role", "created_at"),
        "pending": campaign.invitations.filter(accepted_at__isnull=True).order_by("-created_at"),
    })


def _sign_up_or_login(request: HttpRequest, form_class: type, **kwargs: Any) -> Any:
    """For pages that need an account: a sign-up form for newcomers, or the signed-in person."""
    if request.user.is_authenticated:
        return request.user, None
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if user is not None:
            login(request, user, backend=AUTH_BACKEND)
            return user, form
    return None, form


def join(request: HttpRequest, token: str) -> HttpResponse:
    """A unit's invitation link: anyone holding it may join the unit's account."""
    entrant = Entrant.objects.filter(invitation_token=token).select_related("campaign").first()
    if entrant is None or not entrant.invitation_active:
        return render(request, "campaigns/join_invalid.html", status=404)
    from guangying.accounts.forms import SignUpForm

    user, form = (request.user, None) if request.user.is_authenticated else (None, None)
    if request.method == "POST":
        user, form = _sign_up_or_login(request, SignUpForm)
        if user is not None:
            EntrantMember.objects.get_or_create(entrant=entrant, user=user)
            messages.success(request, _("已加入「%(u)s」。") % {"u": entrant.name})
            return redirect("campaigns:entrant", slug=entrant.campaign.slug, pk=entrant.pk)
    elif user is None:
        form = SignUpForm()
    return render(request, "campaigns/join.html", {
        "entrant": entrant, "campaign": entrant.campaign, "form": form,
        "already": user is not None and entrant.memberships.filter(user=user).exists(),
    })


def accept_staff(request: HttpRequest, token: str) -> HttpResponse:
    invitation = StaffInvitation.objects.filter(token=token).select_related("campaign").first()
    if invitation is None or invitation.accepted_at is not None:
        return render(request, "campaigns/join_invalid.html", status=404)
    from guangying.accounts.forms import SignUpForm

    form = None
    if request.method == "POST":
        user, form = _sign_up_or_login(request, SignUpForm)
        if user is not None:
            with transaction.atomic():
                locked = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
                if locked.accepted_at is not None:
                    return render(request, "campaigns/join_invalid.html", status=404)
                CampaignRole.objects.get_or_create(
                    campaign=invitation.campaign, user=user, role=invitation.role,
                    defaults={"unit_name": invitation.unit_name},
                )
                locked.accepted_at = timezone.now()
                locked.accepted_by = user
                locked.save(update_fields=["accepted_at", "accepted_by"])
            messages.success(request, _("您已成为「%(c)s」的%(r)s。") % {
                "c": invitation.campaign, "r": invitation.get_role_display()})
            if invitation.role == CampaignRole.Role.ORGANISER:
                return redirect("campaigns:dashboard", slug=invitation.campaign.slug)
            return redirect("home")
    elif not request.user.is_authenticated:
        form = SignUpForm(initial={"email": invitation.email, "name": invitation.name})
    return render(request, "campaigns/accept_staff.html", {
        "invitation": invitation, "campaign": invitation.campaign, "form": form,
    })


def register(request: HttpRequest, slug: str) -> HttpResponse:
    """Individuals enter themselves where the campaign admits them, naming their unit."""
    campaign = campaign_for(request, slug, "campaigns.view_campaign")
    rules = campaign.rules
    if not rules.admits("individual"):
        messages.error(request, _("本活动只接受单位报送，个人请通过所在单位报送。"))
        return redirect(campaign)
    if not campaign.is_open_for_submission():
        messages.error(request, _("本活动当前不在报送期内。"))
        return redirect(campaign)
    require_unit = rules.entrants.individual_requires_unit
    if request.user.is_authenticated:
        mine = campaign.entrants.filter(kind=Entrant.Kind.INDIVIDUAL,
                                        memberships__user=request.user).first()
        if mine is not None:
            messages.info(request, _("您已报名本活动，请在这里继续。"))
            return redirect("campaigns:entrant", slug=slug, pk=mine.pk)
        form = AffiliationForm(request.POST or None, require_unit=require_unit)
    else:
        form = IndividualSignUpForm(request.POST or None)
        form.fields["affiliation"].required = require_unit
    if request.method == "POST" and form.is_valid():
        # An individual's entry is theirs alone: a namesake in the same unit gets an
        # entry of their own, never a membership in someone else's (and their works).
        name = request.user.name if request.user.is_authenticated else form.cleaned_data["name"]
        affiliation = form.cleaned_data.get("affiliation", "")
        taken = _("「%(unit)s」已有一位名叫「%(name)s」的个人报名。如果是您本人，请用当初报名的账户登录；"
                  "否则请把所在单位写得更具体（如院系、部门），以便区分。") % {
                      "unit": affiliation, "name": name}
        entrant = None
        if campaign.entrants.filter(kind=Entrant.Kind.INDIVIDUAL, name=name,
                                    affiliation=affiliation).exists():
            form.add_error("affiliation", taken)
        else:
            try:
                with transaction.atomic():
                    # None if the address was registered meanwhile; the form then says so.
                    user = request.user if request.user.is_authenticated else form.save()
                    if user is not None:
                        entrant = Entrant.objects.create(
                            campaign=campaign, kind=Entrant.Kind.INDIVIDUAL, name=user.name,
                            affiliation=affiliation, contact_name=user.name,
                            contact_phone=user.phone, contact_email=user.email,
                            invitation_active=False,
                        )
                        EntrantMember.objects.create(entrant=entrant, user=user)
            except IntegrityError:  # a namesake registered in the same instant
                entrant = None
                form.add_error("affiliation", taken)
        if entrant is not None:
            if not request.user.is_authenticated:
                login(request, user, backend=AUTH_BACKEND)
            messages.success(request, _("报名成功，现在可以创建作品了。"))
            return redirect("campaigns:entrant", slug=slug, pk=entrant.pk)
    return render(request, "campaigns/register.html", {"campaign": campaign, "form": form})


@login_required
def entrant(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The unit's (or individual's) desk: its works against the quota and the deadline."""
    entrant = get_object_or_404(Entrant.objects.select_related("campaign"), pk=pk,
                                campaign__slug=slug)
    if not request.user.has_perm("campaigns.view_entrant", entrant):
        raise Http404
    campaign = entrant.campaign
    works = list(entrant.works.exclude(state=WorkState.WITHDRAWN).order_by("created_at"))
    for work in works:
        work.campaign = campaign  # one rule set for all rows, parsed once
        work.problems = (
            submission_problems(work) if work.state in (WorkState.DRAFT, WorkState.RETURNED) else []
        )
    live = [w for w in works if w.state != WorkState.REJECTED]
    handed_in = sum(1 for w in works if w.state in HANDED_IN_STATES)
    limit = entrant.max_works
    now = timezone.now()
    return render(request, "campaigns/entrant.html", {
        "campaign": campaign, "rules": campaign.rules, "entrant": entrant, "works": works,
        "handed_in": handed_in, "live": len(live), "limit": limit, "minimum": entrant.min_works,
        "can_create": campaign.is_open_for_submission() and (limit is None or len(live) < limit)
        and request.user.has_perm("campaigns.create_work", entrant),
        "closes_at": campaign.submission_closes_at,
        "time_left": campaign.submission_closes_at - now if now < campaign.submission_closes_at
        else None,
        "members": entrant.memberships.select_related("user"),
        "is_member": entrant.memberships.filter(user=request.user).exists(),
    })
