"""Register fixtures: an internal auditor, and factories for risks, opportunities and stakeholders
with the department's own wording (the processes and parties of seed 001)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from qms.review.models import Influence, Risk, RiskKind, Stakeholder, StakeholderKind
from qms.roles import Role

FAR_FUTURE = dt.date(2099, 12, 31)
_serial = itertools.count(1)


@pytest.fixture
def english(settings):
    """The admin and the pack in English (the site default is Turkish), so tests read the words as
    written in the code."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def auditor(make_user):
    return make_user(Role.INTERNAL_AUDITOR, unit="HİŞM", username="ic.tetkikci")


@pytest.fixture
def make_risk(mr):
    """make_risk(likelihood=3, impact=4, **fields) -> a saved risk (owner: the representative)."""

    def factory(likelihood: int = 3, impact: int = 4, **fields) -> Risk:
        n = next(_serial)
        defaults = {
            "kind": RiskKind.RISK,
            "description": f"Çağrı karşılama oranının hedefin altına düşmesi ({n})",
            "process": "Çağrı karşılama",
            "treatment": "Yoğun saatlerde ek vardiya.",
            "owner": mr,
            "review_date": FAR_FUTURE,
        }
        defaults.update(fields)
        return Risk.objects.create(likelihood=likelihood, impact=impact, **defaults)

    return factory


@pytest.fixture
def make_stakeholder(mr):
    """make_stakeholder(**fields) -> a saved, active stakeholder."""

    def factory(**fields) -> Stakeholder:
        n = next(_serial)
        defaults = {
            "name": f"Vatandaşlar ({n})",
            "kind": StakeholderKind.EXTERNAL,
            "needs": "Başvurusuna zamanında ve doğru yanıt almak.",
            "influence": Influence.HIGH,
            "monitoring": "Memnuniyet anketleri, şikâyet analizleri.",
            "owner": mr,
        }
        defaults.update(fields)
        return Stakeholder.objects.create(**defaults)

    return factory


__all__ = ["FAR_FUTURE", "auditor", "english", "make_risk", "make_stakeholder"]
