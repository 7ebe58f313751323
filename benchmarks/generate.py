"""Seeded generator of realistic synthetic deals of any size, in the deal file format.

Used by the benchmarks and by tests that need big or varied deals. Everything is
drawn from a ``random.Random(seed)``, so the same arguments always give the same
deal, byte for byte. Only the standard library is needed to generate; PyYAML is
imported only to write YAML.

Library:
    >>> deal = generate_deal(30, seed=1)
    >>> len(deal["people"])
    30
    >>> deal == generate_deal(30, seed=1)
    True

Script:
    ``python benchmarks/generate.py 3000 --seed 7 -o deal.yaml``
    ``python benchmarks/generate.py pipeline 20 -o deals/ --people 30``
"""

from __future__ import annotations

import argparse
import bisect
import copy
import json
import sys
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Any

__all__ = ["dump_deal", "generate_deal", "generate_pipeline", "main", "mutate_deal"]

# --------------------------------------------------------------------------- vocabularies

_PINYIN_SURNAMES = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
    "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo",
    "Zheng", "Liang", "Xie", "Song", "Tang", "Han", "Feng", "Deng", "Cao", "Peng",
)  # fmt: skip
_PINYIN_GIVEN = (
    "Wei", "Fang", "Min", "Jun", "Jing", "Lei", "Yan", "Hui", "Qiang", "Xin",
    "Ying", "Tao", "Hao", "Yu", "Ping", "Gang", "Mei", "Na", "Jie", "Bo",
    "Chao", "Xiaoming", "Yuhan", "Zihan", "Haoran", "Yiming", "Shuang", "Lili", "Jianguo",
    "Xiaoyu",
)  # fmt: skip
_WESTERN_FIRST = (
    "Anna", "James", "Maria", "David", "Sarah", "Michael", "Laura", "Thomas", "Emma",
    "Daniel", "Sophie", "Lukas", "Olivia", "Pierre", "Elena", "Marco", "Hannah",
    "Carlos", "Julia", "Peter", "Chloe", "Ahmed", "Priya", "Kenji", "Nora", "Oliver",
    "Inès", "Mateo", "Grace", "Felix", "José", "François",
)  # fmt: skip
_WESTERN_LAST = (
    "Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Martin", "Schmidt",
    "Müller", "Rossi", "Dubois", "Novak", "Kowalski", "Andersen", "Tanaka", "Patel",
    "Okafor", "Silva", "Nguyen", "Kim", "O'Brien", "Fischer", "Moreau", "Jansen",
    "Larsen", "Costa", "Núñez", "Weber", "Clarke", "Haddad",
)  # fmt: skip

_ACCOUNT_PREFIXES = (
    "Acme", "Globex", "Initech", "Huaxin", "Northwind", "Zhongtai", "Blue River",
    "Contoso", "Tianhe", "Umbrella", "Stark", "Jinling", "Wayne", "Hooli", "Redwood",
    "Pacific Rim", "Longmen", "Vandelay", "Summit", "Dongfang",
)  # fmt: skip
_ACCOUNT_SUFFIXES = (
    "Manufacturing", "Logistics", "Bank", "Retail Group", "Health", "Energy",
    "Insurance", "Telecom", "Foods", "Automotive", "Pharma", "Holdings",
)  # fmt: skip
_PRODUCTS = (
    "ERP replacement", "CRM rollout", "data platform", "security upgrade",
    "cloud migration", "HR suite", "supply chain planning", "analytics renewal",
    "contact center", "MES expansion",
)  # fmt: skip
_STAGES = ("discovery", "qualification", "evaluation", "proposal", "negotiation", "commit")
_CURRENCIES = ("USD", "EUR", "CNY")
_CURRENCY_WEIGHTS = (0.6, 0.2, 0.2)

_STANCES = ("ally", "neutral", "blocker", "unknown")
_STANCE_WEIGHTS = (0.25, 0.35, 0.10, 0.30)
_STYLES = ("analytical", "driver", "expressive", "amiable")
_CONTEXTS = ("former_colleague", "classmate", "hometown", "friend", "family", "partner", "project")
# Customers mostly know each other from work.
_CUSTOMER_CONTEXT_WEIGHTS = (0.2, 0.08, 0.07, 0.15, 0.03, 0.02, 0.45)

# Department: (executive title, director title, manager titles, staff titles, p(user) of staff).
_DEPARTMENTS: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...], float]] = {
    "Finance": (
        "CFO",
        "Director of Finance",
        ("Finance Manager", "Procurement Manager", "Controller"),
        ("Financial Analyst", "Accountant", "Treasury Analyst", "Buyer"),
        0.3,
    ),
    "IT": (
        "CIO",
        "Director of IT",
        ("IT Manager", "Infrastructure Manager", "Applications Manager"),
        ("Engineer", "Systems Analyst", "Database Administrator", "Network Engineer",
         "Software Engineer", "Security Analyst"),
        0.7,
    ),
    "Operations": (
        "COO",
        "Director of Operations",
        ("Operations Manager", "Plant Manager", "Supply Chain Manager"),
        ("Operations Analyst", "Planner", "Logistics Coordinator", "Quality Engineer"),
        0.7,
    ),
    "Legal": (
        "General Counsel",
        "Director of Legal",
        ("Legal Manager", "Compliance Manager"),
        ("Legal Counsel", "Paralegal", "Compliance Analyst"),
        0.1,
    ),
    "Sales": (
        "VP Sales",
        "Director of Sales",
        ("Regional Sales Manager", "Sales Operations Manager"),
        ("Account Manager", "Sales Analyst", "Sales Representative"),
        0.6,
    ),
    "HR": (
        "CHRO",
        "Director of HR",
        ("HR Manager", "Talent Manager"),
        ("HR Specialist", "Recruiter", "HR Analyst"),
        0.4,
    ),
    "Marketing": (
        "CMO",
        "Director of Marketing",
        ("Marketing Manager", "Product Marketing Manager"),
        ("Marketing Analyst", "Content Specialist", "Digital Marketing Specialist"),
        0.4,
    ),
}  # fmt: skip
# The CEO's direct reports after the assistant, in the order they are hired.
_EXEC_ORDER = ("Finance", "IT", "Operations", "Legal", "Sales", "HR", "Marketing")
_EXECUTIVE = "Executive"  # the CEO and the assistant

_SELLER_TITLES = (
    "Sales Engineer", "Solutions Architect", "Sales Director", "Customer Success Manager",
    "Executive Sponsor", "Account Executive", "Partner Manager", "Solutions Consultant",
)  # fmt: skip
_PARTNER_TITLES = (
    "Implementation Consultant", "Reseller Account Manager", "Industry Advisor",
    "Systems Integrator Lead", "Independent Consultant", "Auditor",
)  # fmt: skip

_ROLE_NOTES = {
    "champion": "Sponsors the project internally.",
    "economic_buyer": "Cares about payback period.",
    "gatekeeper": "Controls the CEO's calendar.",
    "technical_buyer": "Wants a reference architecture and a security review.",
    "coach": "Tells us how the committee really decides.",
}

_HISTORY_DAYS = 200  # last_contact dates fall within this many days before as_of
_ASSESSED_DAYS = 180


# --------------------------------------------------------------------------- helpers


def _slug(text: str) -> str:
    """ASCII slug: accents folded, other characters turned into single dashes."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out: list[str] = []
    dash = False
    for char in folded.lower():
        if char.isalnum():
            out.append(char)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    return "".join(out).strip("-") or "x"


def _name(rng: Random, pinyin_share: float) -> str:
    """A person's name: Chinese pinyin (surname first) or Western (given name first)."""
    if rng.random() < pinyin_share:
        return f"{rng.choice(_PINYIN_SURNAMES)} {rng.choice(_PINYIN_GIVEN)}"
    return f"{rng.choice(_WESTERN_FIRST)} {rng.choice(_WESTERN_LAST)}"


def _unit(rng: Random, low: float, high: float) -> float:
    """A uniform number in ``[low, high]`` rounded to two decimals and kept within 0..1."""
    return min(1.0, max(0.0, round(rng.uniform(low, high), 2)))


def _days_before(as_of: date, days: int) -> str:
    """An ISO date ``days`` days before ``as_of``."""
    return (as_of - timedelta(days=days)).isoformat()


def _recent_days(rng: Random) -> int:
    """Days since a contact: skewed to recent, within ``_HISTORY_DAYS``."""
    return int(_HISTORY_DAYS * rng.random() ** 2)


def _split_sides(n_people: int) -> tuple[int, int, int]:
    """Numbers of customer, seller and partner people for a deal of ``n_people``."""
    sellers = max(1, round(n_people * 0.08))
    partners = round(n_people * 0.04)
    if n_people >= 20:
        partners = max(1, partners)
    partners = min(partners, n_people - sellers)
    return n_people - sellers - partners, sellers, partners


class _Picker:
    """Weighted random choice from a fixed list, O(log n) a draw."""

    def __init__(self, items: Sequence[int], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def pick(self, rng: Random) -> int:
        """Draw one item."""
        index = bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.items[min(index, len(self.items) - 1)]


class _Ties:
    """The relationship list under construction, refusing duplicates and self-ties."""

    def __init__(self, rng: Random, as_of: date) -> None:
        self.rng = rng
        self.as_of = as_of
        self.items: list[dict[str, Any]] = []
        self._seen: set[tuple[str, str, str]] = set()

    @staticmethod
    def key(a: str, b: str, kind: str) -> tuple[str, str, str]:
        """Duplicate key: symmetric kinds ignore direction."""
        if kind in ("knows", "conflicts_with") and b < a:
            a, b = b, a
        return (kind, a, b)

    def add(
        self,
        a: str,
        b: str,
        kind: str,
        strength: float,
        *,
        context: str | None = None,
        contact: bool = False,
    ) -> bool:
        """Add a tie unless it is a self-tie or repeats one; True when added."""
        if a == b:
            return False
        key = self.key(a, b, kind)
        if key in self._seen:
            return False
        self._seen.add(key)
        tie: dict[str, Any] = {"from": a, "to": b, "kind": kind, "strength": strength}
        if context is not None:
            tie["context"] = context
        if contact:
            tie["last_contact"] = _days_before(self.as_of, _recent_days(self.rng))
        self.items.append(tie)
        return True


# --------------------------------------------------------------------------- customer side


def _build_tree(rng: Random, n_customers: int) -> tuple[list[int], list[int], list[str]]:
    """The customer hierarchy, breadth first from the CEO with a fan-out of 3-8.

    Returns:
        ``(parent, depth, department)`` per customer index; index 0 is the CEO
        (parent -1) and index 1, when present, the CEO's assistant.
    """
    parent = [-1]
    depth = [0]
    dept = [_EXECUTIVE]
    if n_customers == 1:
        return parent, depth, dept
    # The CEO: an assistant plus executives in a fixed order of importance.
    fan_out = min(rng.randint(3, 8), n_customers - 1)
    parent.append(0)
    depth.append(1)
    dept.append(_EXECUTIVE)
    queue: list[int] = []
    for name in _EXEC_ORDER[: fan_out - 1]:
        queue.append(len(parent))
        parent.append(0)
        depth.append(1)
        dept.append(name)
    head = 0
    while len(parent) < n_customers and head < len(queue):
        boss = queue[head]
        head += 1
        fan_out = min(rng.randint(3, 8), n_customers - len(parent))
        for _ in range(fan_out):
            queue.append(len(parent))
            parent.append(boss)
            depth.append(depth[boss] + 1)
            dept.append(dept[boss])
    return parent, depth, dept


def _customers(
    rng: Random, n_customers: int, as_of: date, width: int
) -> tuple[list[dict[str, Any]], list[int], list[str]]:
    """The customer-side people, CEO first, with titles, roles, influence and stance.

    Returns:
        ``(people, depth, department)``; ``width`` is the digits of the id counter.
    """
    if n_customers == 0:
        return [], [], []
    parent, depth, dept = _build_tree(rng, n_customers)
    has_reports = [False] * n_customers
    for boss in parent:
        if boss >= 0:
            has_reports[boss] = True

    titles: list[str] = []
    roles: list[list[str]] = []
    influence: list[float] = []
    for i in range(n_customers):
        role: list[str] = []
        if i == 0:
            title, level = "CEO", (0.9, 1.0)
            role.append("decision_maker")
        elif dept[i] == _EXECUTIVE:
            title, level = "Executive Assistant", (0.3, 0.5)
            role.append("gatekeeper")
        else:
            exec_title, director, managers, staff, p_user = _DEPARTMENTS[dept[i]]
            if depth[i] == 1:
                title = exec_title
                level = (0.8, 0.95) if dept[i] == "Finance" else (0.65, 0.9)
            elif has_reports[i] and depth[i] == 2:
                title, level = director, (0.5, 0.75)
            elif has_reports[i]:
                title, level = rng.choice(managers), (0.3, 0.6)
            else:
                title, level = rng.choice(staff), (0.05, 0.4)
                if title != "Buyer" and rng.random() < p_user:
                    role.append("user")
            if title == "CFO":
                role.append("economic_buyer")
            elif title in ("CIO", "Director of IT"):
                role.append("technical_buyer")
            elif title == "COO" and rng.random() < 0.5:
                role.append("influencer")
            if title == "Procurement Manager" or (title == "Buyer" and rng.random() < 0.2):
                role.append("procurement")
            if title in ("General Counsel", "Legal Counsel", "Legal Manager"):
                role.append("legal")
        titles.append(title)
        roles.append(role)
        influence.append(_unit(rng, *level))

    # Every deal of some size has someone in procurement and in legal: retitle a staff leaf.
    leaves = [i for i in range(2, n_customers) if not has_reports[i] and depth[i] >= 2]
    for role_name, title in (("procurement", "Procurement Manager"), ("legal", "Legal Counsel")):
        if n_customers >= 6 and leaves and not any(role_name in r for r in roles):
            i = leaves.pop(rng.randrange(len(leaves)))
            titles[i] = title
            roles[i] = [role_name]
            dept[i] = "Finance" if role_name == "procurement" else "Legal"
            influence[i] = _unit(rng, 0.3, 0.55)

    # A few champions (people with power), coaches and influencers.
    champions: set[int] = set()
    if n_customers >= 4:
        powerful = [i for i in range(2, n_customers) if has_reports[i] or depth[i] == 1]
        if not powerful:
            powerful = list(range(2, n_customers))
        for i in rng.sample(powerful, min(len(powerful), max(1, round(n_customers * 0.01)))):
            roles[i].append("champion")
            champions.add(i)
            influence[i] = min(1.0, round(influence[i] + 0.1, 2))
        others = [i for i in range(2, n_customers) if i not in champions]
        for role_name, share in (("coach", 0.01), ("influencer", 0.02)):
            for i in rng.sample(others, min(len(others), max(1, round(n_customers * share)))):
                if role_name not in roles[i]:
                    roles[i].append(role_name)

    people: list[dict[str, Any]] = []
    for i in range(n_customers):
        name = _name(rng, 0.55)
        person: dict[str, Any] = {
            "id": f"c-{i + 1:0{width}d}-{_slug(name)}",
            "name": name,
            "title": titles[i],
            "side": "customer",
            "roles": roles[i],
            "influence": influence[i],
        }
        if i in champions:
            stance = rng.choices(_STANCES, weights=(0.7, 0.2, 0.0, 0.1))[0]
        elif "coach" in roles[i]:
            stance = rng.choices(_STANCES, weights=(0.6, 0.3, 0.0, 0.1))[0]
        else:
            stance = rng.choices(_STANCES, weights=_STANCE_WEIGHTS)[0]
        person["stance"] = stance
        if stance != "unknown" and rng.random() < 0.7:
            person["assessed"] = _days_before(as_of, rng.randint(0, _ASSESSED_DAYS))
        if rng.random() < 0.4:
            person["style"] = rng.choice(_STYLES)
        if parent[i] >= 0:
            person["reports_to"] = ""  # filled below, once every id is known
        for role_name in roles[i]:
            if role_name in _ROLE_NOTES and rng.random() < 0.5:
                person["notes"] = _ROLE_NOTES[role_name]
                break
        people.append(person)
    for i in range(1, n_customers):
        people[i]["reports_to"] = people[parent[i]]["id"]
    return people, depth, dept


# --------------------------------------------------------------------------- the deal


def _deal(
    n_people: int,
    *,
    seed: int,
    ties_per_person: float,
    deal_id: str | None,
    as_of: str,
    account: str | None,
) -> dict[str, Any]:
    if n_people < 1:
        raise ValueError(f"n_people must be at least 1, not {n_people}")
    if ties_per_person < 0:
        raise ValueError(f"ties_per_person must not be negative, not {ties_per_person}")
    day = date.fromisoformat(as_of)
    rng = Random(seed)
    width = max(4, len(str(n_people)))
    n_customers, n_sellers, n_partners = _split_sides(n_people)

    if account is None:
        account = f"{rng.choice(_ACCOUNT_PREFIXES)} {rng.choice(_ACCOUNT_SUFFIXES)}"
    product = rng.choice(_PRODUCTS)
    people, depth, dept = _customers(rng, n_customers, day, width)

    sellers: list[dict[str, Any]] = []
    for k in range(n_sellers):
        name = _name(rng, 0.5)
        title = "Account Executive" if k == 0 else _SELLER_TITLES[(k - 1) % len(_SELLER_TITLES)]
        number = n_customers + k + 1
        sellers.append(
            {
                "id": f"s-{number:0{width}d}-{_slug(name)}",
                "name": name,
                "title": title,
                "side": "seller",
            }
        )
    partners: list[dict[str, Any]] = []
    for k in range(n_partners):
        name = _name(rng, 0.5)
        number = n_customers + n_sellers + k + 1
        partners.append(
            {
                "id": f"p-{number:0{width}d}-{_slug(name)}",
                "name": name,
                "title": rng.choice(_PARTNER_TITLES),
                "side": "partner",
            }
        )

    ties = _Ties(rng, day)
    target = round(ties_per_person * n_people)
    ids = [p["id"] for p in people]
    # Sellers: a few warm-ish ties each, aimed a little towards influential people.
    if ids:
        aim = _Picker(range(len(ids)), [0.2 + p["influence"] for p in people])
        for k, seller in enumerate(sellers):
            wanted = rng.randint(4, 8) if k == 0 else rng.randint(2, 6)
            for _ in range(wanted * 5):
                if wanted == 0:
                    break
                context = rng.choice(_CONTEXTS) if rng.random() < 0.6 else None
                if ties.add(
                    seller["id"],
                    ids[aim.pick(rng)],
                    "knows",
                    _unit(rng, 0.3, 0.95),
                    context=context,
                    contact=True,
                ):
                    wanted -= 1
    # Partners: know one of our people and a few executives.
    executives = [i for i in range(len(ids)) if depth[i] <= 2 or people[i]["influence"] >= 0.6]
    for partner in partners:
        ties.add(
            sellers[rng.randrange(len(sellers))]["id"],
            partner["id"],
            "knows",
            _unit(rng, 0.4, 0.9),
            context="partner",
            contact=True,
        )
        if executives:
            for i in rng.sample(executives, min(len(executives), rng.randint(2, 4))):
                context = rng.choice(_CONTEXTS) if rng.random() < 0.7 else None
                ties.add(
                    partner["id"],
                    ids[i],
                    "knows",
                    _unit(rng, 0.3, 0.95),
                    context=context,
                    contact=rng.random() < 0.6,
                )

    # Customers among themselves: a heavy-tailed sociability, favouring the same department.
    if len(ids) >= 2:
        social = [min(40.0, rng.paretovariate(1.5)) for _ in ids]
        everyone = _Picker(range(len(ids)), social)
        members: dict[str, list[int]] = {}
        for i, name in enumerate(dept):
            members.setdefault(name, []).append(i)
        same = {
            name: _Picker(group, [social[i] for i in group])
            for name, group in members.items()
            if len(group) >= 2
        }
        conflicts = round(target * 0.01) if len(ids) >= 10 else 0
        if len(ids) >= 10:
            conflicts = max(1, conflicts)
        budget = max(0, target - len(ties.items))
        conflicts = min(conflicts, budget)
        made = attempts = 0
        while made < conflicts and attempts < conflicts * 20:
            attempts += 1
            a, b = everyone.pick(rng), everyone.pick(rng)
            if ties.add(ids[a], ids[b], "conflicts_with", _unit(rng, 0.3, 0.9)):
                made += 1
        wanted = budget - made
        made = attempts = 0
        while made < wanted and attempts < wanted * 20 + 100:
            attempts += 1
            a = everyone.pick(rng)
            group = same.get(dept[a])
            b = group.pick(rng) if group is not None and rng.random() < 0.7 else everyone.pick(rng)
            if rng.random() < 0.65:
                context = (
                    rng.choices(_CONTEXTS, weights=_CUSTOMER_CONTEXT_WEIGHTS)[0]
                    if rng.random() < 0.4
                    else None
                )
                added = ties.add(
                    ids[a],
                    ids[b],
                    "knows",
                    _unit(rng, 0.2, 0.95),
                    context=context,
                    contact=rng.random() < 0.35,
                )
            else:
                added = ties.add(
                    ids[a], ids[b], "influences", _unit(rng, 0.3, 0.9), contact=rng.random() < 0.2
                )
            if added:
                made += 1

    deal_info: dict[str, Any] = {
        "id": deal_id if deal_id is not None else f"{_slug(account)}-{_slug(product)}",
        "name": f"{account} {product}",
        "account": account,
        "stage": rng.choice(_STAGES),
        "value": int(round(rng.uniform(40_000, 2_500_000), -3)),
        "currency": rng.choices(_CURRENCIES, weights=_CURRENCY_WEIGHTS)[0],
        "close_date": (day + timedelta(days=rng.randint(20, 240))).isoformat(),
        "owner": sellers[0]["id"],
        "as_of": day.isoformat(),
    }
    return {
        "version": 1,
        "deal": deal_info,
        "people": people + sellers + partners,
        "relationships": ties.items,
    }


def generate_deal(
    n_people: int,
    *,
    seed: int = 0,
    ties_per_person: float = 10.0,
    deal_id: str | None = None,
    as_of: str = "2026-11-20",
    decision_share: float = 0.0,
) -> dict[str, Any]:
    """Generate a valid synthetic deal as a plain, JSON-serialisable dict.

    About 88% of the people are on the customer side (a CEO-rooted hierarchy
    written with ``reports_to``), 8% on ours (at least one; the first is the
    owner) and 4% partners (at least one from 20 people on).

    Args:
        n_people: Number of people, at least 1.
        seed: Seed of the private random generator; same arguments, same deal.
        ties_per_person: Relationships (not counting the ``reports_to``
            shorthand) per person; fewer when a tiny deal has no room for them.
        deal_id: The deal's id; default: slug of the account and product.
        as_of: ISO date the deal describes; ``last_contact`` and ``assessed``
            dates fall before it.
        decision_share: Share of the customers (drawn with a generator of their
            own, so 0 leaves the deal as it was) whose influence is raised to
            0.8-1.0, which makes them decision-makers: a big organisation
            rated by people who find many of its people influential.

    Returns:
        ``{"version": 1, "deal": {...}, "people": [...], "relationships": [...]}``
        with dates as ISO strings.

    Raises:
        ValueError: ``n_people`` below 1, negative ``ties_per_person`` or a bad date.
    """
    deal = _deal(
        n_people,
        seed=seed,
        ties_per_person=ties_per_person,
        deal_id=deal_id,
        as_of=as_of,
        account=None,
    )
    if decision_share > 0:
        rng = Random(f"decision-makers {seed}")
        for person in deal["people"]:
            if person["side"] == "customer" and rng.random() < decision_share:
                person["influence"] = _unit(rng, 0.8, 1.0)
    return deal


def generate_pipeline(
    n_deals: int, *, people_per_deal: int = 30, seed: int = 0
) -> list[dict[str, Any]]:
    """Generate a pipeline: deals with their own seeds, ids, accounts, values and stages.

    Args:
        n_deals: Number of deals.
        people_per_deal: People in each deal.
        seed: Seed of the pipeline; each deal's seed is drawn from it.

    Returns:
        The deals, in the format of :func:`generate_deal`; ids are unique and
        accounts differ as long as there are enough account names (240).
    """
    rng = Random(seed)
    names = [f"{p} {s}" for p in _ACCOUNT_PREFIXES for s in _ACCOUNT_SUFFIXES]
    accounts = rng.sample(names, min(n_deals, len(names)))
    seeds = rng.sample(range(1, 2**31), n_deals) if n_deals > 0 else []
    deals = []
    for k in range(n_deals):
        account = accounts[k] if k < len(accounts) else rng.choice(names)
        deals.append(
            _deal(
                people_per_deal,
                seed=seeds[k],
                ties_per_person=10.0,
                deal_id=f"deal-{k + 1:03d}-{_slug(account)}",
                as_of="2026-11-20",
                account=account,
            )
        )
    return deals


# --------------------------------------------------------------------------- mutation


def mutate_deal(deal: dict[str, Any], *, seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A changed copy of a deal and the list of what changed, for "what changed" tests.

    Flips the stance of two customers, removes one customer or partner who is
    not the owner and manages nobody (with all their relationships), and adds
    one customer who reports to an existing customer and whom one of our
    people knows. Nothing else changes; the input is left as it was.

    Args:
        deal: A deal dict in the deal file format (from :func:`generate_deal`).
        seed: Seed of the changes.

    Returns:
        ``(changed, changes)`` where ``changes`` is
        ``{"stance_changes": {id: (old, new)}, "added": [ids], "removed": [ids]}``.
    """
    rng = Random(seed)
    new = copy.deepcopy(deal)
    people: list[dict[str, Any]] = new.setdefault("people", [])
    relationships: list[dict[str, Any]] = new.setdefault("relationships", [])
    owner = new.get("deal", {}).get("owner")

    managers = {p["reports_to"] for p in people if p.get("reports_to")}
    managers |= {r["to"] for r in relationships if r.get("kind") == "reports_to"}
    removable = [
        p["id"]
        for p in people
        if p.get("side", "customer") != "seller" and p["id"] != owner and p["id"] not in managers
    ]
    removed: list[str] = []
    if removable:
        gone = rng.choice(removable)
        removed.append(gone)
        new["people"] = people = [p for p in people if p["id"] != gone]
        new["relationships"] = relationships = [
            r for r in relationships if r["from"] != gone and r["to"] != gone
        ]

    customers = [p for p in people if p.get("side", "customer") == "customer"]
    stance_changes: dict[str, tuple[str, str]] = {}
    for person in rng.sample(customers, min(2, len(customers))):
        old = person.get("stance", "unknown")
        person["stance"] = rng.choice([s for s in _STANCES if s != old])
        stance_changes[person["id"]] = (old, person["stance"])

    taken = {p["id"] for p in people}
    name = _name(rng, 0.55)
    number = len(people) + len(removed) + 1
    while (new_id := f"c-{number:04d}-{_slug(name)}") in taken:
        number += 1
    person = {
        "id": new_id,
        "name": name,
        "title": rng.choice(_DEPARTMENTS["IT"][3]),
        "side": "customer",
        "roles": ["user"],
        "influence": _unit(rng, 0.05, 0.4),
        "stance": rng.choice(_STANCES),
    }
    if customers:
        person["reports_to"] = rng.choice(customers)["id"]
    people.append(person)
    sellers = [p["id"] for p in people if p.get("side") == "seller"]
    if sellers:
        as_of = date.fromisoformat(str(new.get("deal", {}).get("as_of", "2026-11-20")))
        relationships.append(
            {
                "from": rng.choice(sellers),
                "to": new_id,
                "kind": "knows",
                "strength": _unit(rng, 0.3, 0.95),
                "context": rng.choice(_CONTEXTS),
                "last_contact": _days_before(as_of, rng.randint(0, 7)),
            }
        )
    return new, {"stance_changes": stance_changes, "added": [new_id], "removed": removed}


# --------------------------------------------------------------------------- output and CLI


def dump_deal(deal: dict[str, Any], fmt: str = "yaml") -> str:
    """The text of a deal file: ``"yaml"`` (as PyYAML ``safe_dump`` writes it) or ``"json"``."""
    if fmt == "json":
        return json.dumps(deal, ensure_ascii=False, indent=2) + "\n"
    if fmt != "yaml":
        raise ValueError(f"unknown format {fmt!r}; expected 'yaml' or 'json'")
    import yaml

    # libyaml's emitter writes the same text as yaml.safe_dump, three times faster.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text: str = yaml.dump(deal, Dumper=dumper, sort_keys=False, allow_unicode=True)
    return text


def _format_for(fmt: str | None, output: str | None) -> str:
    if fmt is not None:
        return fmt
    if output is not None and Path(output).suffix.lower() == ".json":
        return "json"
    return "yaml"


def _deal_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="generate.py",
        description="Write a synthetic deal file of N people.",
        epilog="Pipelines: generate.py pipeline N_DEALS -o DIR [--people 30] [--seed S]",
    )
    parser.add_argument("n_people", type=int, metavar="N", help="number of people")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ties-per-person", type=float, default=10.0)
    parser.add_argument("--deal-id", default=None)
    parser.add_argument("--as-of", default="2026-11-20")
    parser.add_argument(
        "--decision-share",
        type=float,
        default=0.0,
        help="share of customers made decision-makers by influence 0.8-1.0",
    )
    parser.add_argument(
        "--format",
        choices=("yaml", "json"),
        default=None,
        help="default: from the -o extension, else yaml",
    )
    parser.add_argument("-o", "--output", default=None, help="file (default: stdout)")
    args = parser.parse_args(argv)
    if args.n_people < 1:
        parser.error("N must be at least 1")
    deal = generate_deal(
        args.n_people,
        seed=args.seed,
        ties_per_person=args.ties_per_person,
        deal_id=args.deal_id,
        as_of=args.as_of,
        decision_share=args.decision_share,
    )
    text = dump_deal(deal, _format_for(args.format, args.output))
    if args.output is None:
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0


def _pipeline_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="generate.py pipeline", description="Write one synthetic deal file per deal into DIR."
    )
    parser.add_argument("n_deals", type=int, metavar="N_DEALS")
    parser.add_argument("-o", "--output", required=True, metavar="DIR")
    parser.add_argument("--people", type=int, default=30, help="people per deal (default 30)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("yaml", "json"), default="yaml")
    args = parser.parse_args(argv)
    if args.n_deals < 0 or args.people < 1:
        parser.error("N_DEALS must be >= 0 and --people >= 1")
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    for deal in generate_pipeline(args.n_deals, people_per_deal=args.people, seed=args.seed):
        path = folder / f"{deal['deal']['id']}.{args.format}"
        path.write_text(dump_deal(deal, args.format), encoding="utf-8")
        print(path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "pipeline":
        return _pipeline_command(args[1:])
    return _deal_command(args)


if __name__ == "__main__":
    sys.exit(main())
