"""Who may do what with campaigns and entrants, as named rules.

Views ask `user.has_perm("campaigns.manage_campaign", campaign)`; the
answer is decided here and nowhere else.
"""

import rules

from .models import Campaign, CampaignRole, Entrant


@rules.predicate
def is_platform_admin(user: object) -> bool:
    return bool(getattr(user, "is_active", False) and (user.is_staff or user.is_superuser))


@rules.predicate
def organises(user: object, campaign: Campaign | None) -> bool:
    if campaign is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return CampaignRole.objects.filter(
        campaign=campaign, user=user, role=CampaignRole.Role.ORGANISER
    ).exists()


@rules.predicate
def is_published(user: object, campaign: Campaign | None) -> bool:
    return campaign is not None and campaign.is_published


@rules.predicate
def organises_entrant(user: object, entrant: Entrant | None) -> bool:
    return entrant is not None and organises(user, entrant.campaign)


@rules.predicate
def belongs_to(user: object, entrant: Entrant | None) -> bool:
    if entrant is None or not getattr(user, "is_authenticated", False):
        return False
    return entrant.memberships.filter(user=user).exists()


rules.add_perm("campaigns.create_campaign", is_platform_admin)
rules.add_perm("campaigns.view_campaign", is_published | organises)
rules.add_perm("campaigns.manage_campaign", organises)
rules.add_perm("campaigns.view_entrant", belongs_to | organises_entrant)
rules.add_perm("campaigns.manage_entrant", organises_entrant)
rules.add_perm("campaigns.create_work", belongs_to)
