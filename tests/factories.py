"""Real objects for tests: campaigns from the shipped presets, people, units and works."""

from datetime import date, timedelta
from typing import Any

import factory
import yaml
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from guangying.accounts.models import User
from guangying.campaigns.models import Campaign, CampaignRole, Entrant, EntrantMember
from guangying.rulesets import dump_ruleset, load_preset, parse_ruleset
from guangying.submissions.models import Episode, Work

PASSWORD = "a-Good-pass-2026"
_HASH: dict[str, str] = {}


def password_hash() -> str:
    """One Argon2 hash for every test user: the real hasher, paid once."""
    if "h" not in _HASH:
        _HASH["h"] = make_password(PASSWORD)
    return _HASH["h"]


def preset_rules(key: str, *, closes: date | None = None, opens: date | None = None,
                 **changes: Any) -> tuple[str, Any]:
    """A preset with its dates moved so that tests run on any day."""
    data = dump_ruleset(load_preset(key))
    today = timezone.localdate()
    data["submission"]["closes"] = (closes or today + timedelta(days=30)).isoformat()
    data["submission"]["opens"] = opens.isoformat() if opens else None
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for part in parents:
            target = target[part]
        target[last] = value
    rules = parse_ruleset(data)
    return key, rules


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.LazyFunction(password_hash)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    is_published = True

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Campaign:
        preset = kwargs.pop("preset", "hubei-2026-weiguang")
        closes = kwargs.pop("closes", None)
        rules = kwargs.pop("rules", None)
        organiser = kwargs.pop("organiser", None)
        if rules is None:
            _key, rules = preset_rules(preset, closes=closes)
        campaign = model_class(preset_key=preset, **kwargs)
        text = yaml.safe_dump(dump_ruleset(rules), allow_unicode=True, sort_keys=False)
        campaign.set_rules(text, rules)
        campaign.save()
        if organiser is not None:
            CampaignRole.objects.create(campaign=campaign, user=organiser,
                                        role=CampaignRole.Role.ORGANISER)
        return campaign


class EntrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entrant

    campaign = factory.SubFactory(CampaignFactory)
    kind = Entrant.Kind.UNIT
    name = factory.Sequence(lambda n: f"示例单位{n}")


def member_of(entrant: Entrant, user: User | None = None) -> User:
    user = user or UserFactory()
    EntrantMember.objects.create(entrant=entrant, user=user)
    return user


def organiser_of(campaign: Campaign, user: User | None = None) -> User:
    user = user or UserFactory()
    CampaignRole.objects.create(campaign=campaign, user=user, role=CampaignRole.Role.ORGANISER)
    return user


class WorkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Work
        skip_postgeneration_save = True

    entrant = factory.SubFactory(EntrantFactory)
    campaign = factory.LazyAttribute(lambda o: o.entrant.campaign)
    title = factory.Sequence(lambda n: f"作品{n}")

    @factory.post_generation
    def episodes(self, create: bool, extracted: int | None, **kwargs: Any) -> None:
        if create:
            for number in range(1, (extracted or 1) + 1):
                Episode.objects.create(work=self, number=number)
