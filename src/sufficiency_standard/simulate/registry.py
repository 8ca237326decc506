"""The organisations that provide homes and the homes themselves, shared by every LA.

One registry for the whole region: the same independent provider (with the same Ofsted
provider URN, company number and charity number) and the same children's home (with the
same Ofsted URN) appear in every LA that uses them. Each LA refers to a provider by its
own local ID (simulate/population.py gives them); the registry holds what is national.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sufficiency_standard.simulate import parameters as p
from sufficiency_standard.simulate.geography import District, districts, miles_between
from sufficiency_standard.simulate.parameters import LAParameters

RATINGS = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")
RATING_SHARES = (0.18, 0.62, 0.15, 0.05)

# Kinds of independent provider and the services each runs.
IFA = "fostering agency"
HOMES = "children's homes"
SUPPORT = "supported accommodation"
SCHOOLS = "residential schools"
FAMILY = "parent and child"
MIXED = "homes and fostering"
KIND_SHARES = (
    (IFA, 0.33),
    (HOMES, 0.36),
    (SUPPORT, 0.16),
    (SCHOOLS, 0.05),
    (FAMILY, 0.04),
    (MIXED, 0.06),
)
CLOSING = ("Children's home", "Supported accommodation", "Other")  # some close
CLOSURES_A_YEAR = 0.05
MINIMUM_OF_KIND = {HOMES: 5, IFA: 3, SUPPORT: 2, SCHOOLS: 1, FAMILY: 1}

NAME_WORDS = (
    "Brightwater",
    "Oakfield",
    "Harbour",
    "Meadow",
    "Northgate",
    "Willow",
    "Compass",
    "Horizon",
    "Riverside",
    "Beacon",
    "Kestrel",
    "Foxglove",
    "Summit",
    "Cedar",
    "Lighthouse",
    "Ashdown",
    "Bluebell",
    "Heron",
    "Larkspur",
    "Moorland",
    "Orchard",
    "Pebble",
    "Quayside",
    "Rowan",
    "Saltmarsh",
    "Thistle",
    "Valley",
    "Wren",
    "Yew Tree",
    "Alder",
    "Birchwood",
    "Clearwater",
    "Driftwood",
    "Elmstead",
    "Fernhill",
    "Greenacre",
    "Hollybank",
    "Ivybridge",
    "Juniper",
    "Kingfisher",
    "Linden",
    "Millbrook",
    "Newleaf",
    "Oakridge",
    "Primrose",
    "Redwood",
    "Silverdale",
    "Tamar",
    "Upland",
    "Vale",
    "Westbrook",
    "Amber",
    "Brook",
)
KIND_NAMES = {
    IFA: ("Fostering", "Foster Care", "Family Placements"),
    HOMES: ("Care", "Children's Homes", "Care Group", "Residential Care"),
    SUPPORT: ("Support", "Housing and Support", "Futures", "Young People's Services"),
    SCHOOLS: ("School", "Learning", "Education and Care"),
    FAMILY: ("Family Centre", "Family Assessment", "Parent and Child"),
    MIXED: ("Children's Services", "Child Care", "Childcare Group"),
}


@dataclass
class Organisation:
    """A provider, as it is nationally."""

    index: int
    name: str
    ownership: str  # its own: Private, Voluntary, Local authority, Other public
    kind: str
    base: str  # the district it is based in
    multiplier: float = 1.0  # its prices relative to others for the same needs
    company_number: str | None = None
    ofsted_provider_urn: str | None = None
    charity_number: str | None = None
    private_equity_backed: str | None = None
    owner_la: str | None = None  # for an LA's own services
    size: float = 1.0
    sites: list[int] = field(default_factory=list)  # its settings (indices)
    approved_places: int = 0  # a fostering agency's places in 2023

    def ownership_for(self, la_code: str) -> str:
        """Its ownership as an LA records it: an LA's service is "Local authority" to that
        LA and "Other local authority" to the others."""
        if self.owner_la is not None and self.ownership == "Local authority":
            return "Local authority" if self.owner_la == la_code else "Other local authority"
        return self.ownership

    def national_ids(self) -> dict[str, str]:
        return {
            name: value
            for name, value in (
                ("ofsted_provider_urn", self.ofsted_provider_urn),
                ("company_number", self.company_number),
                ("charity_number", self.charity_number),
            )
            if value is not None
        }


@dataclass
class Site:
    """A setting: a registered home or establishment."""

    index: int
    urn: str
    organisation: int
    setting_type: str
    district: str
    location: str  # sector or district
    places: int | None
    registered: int  # ordinal day
    closed: int | None  # ordinal day it closed
    inspections: list[tuple[int, str]]  # (day, rating), in order
    registration_type: str = "Ofsted"

    def open_on(self, day: int) -> bool:
        return self.registered <= day and (self.closed is None or day < self.closed)

    def rating_on(self, day: int) -> tuple[int | None, str]:
        latest: tuple[int | None, str] = (None, "Not yet inspected")
        for when, rating in self.inspections:
            if when > day:
                break
            latest = (when, rating)
        return latest


@dataclass
class Registry:
    organisations: list[Organisation]
    sites: list[Site]
    dear_provider: int  # the organisation planted as 20% dearer
    la_services: dict[str, dict[str, int]]  # LA code -> service -> organisation
    custody: int  # the Youth Custody Service

    def truth(self) -> dict[str, Any]:
        dear = self.organisations[self.dear_provider]
        return {
            "dear_provider": {
                "name": dear.name,
                "national_ids": dear.national_ids(),
                "multiplier": dear.multiplier,
                "kind": dear.kind,
            },
            "providers": [
                {
                    "name": o.name,
                    "ownership": o.ownership,
                    "kind": o.kind,
                    "national_ids": o.national_ids(),
                    "price_multiplier": round(o.multiplier, 4),
                    "base_district": o.base,
                    "settings": [self.sites[s].urn for s in o.sites],
                }
                for o in self.organisations
            ],
            "settings": [
                {
                    "setting_urn": s.urn,
                    "provider": self.organisations[s.organisation].name,
                    "setting_type": s.setting_type,
                    "location": s.location,
                    "host_la_code": districts()[s.district].la_code,
                    "registered_places": s.places,
                    "registration_date": date.fromordinal(s.registered).isoformat(),
                    "closure_date": None
                    if s.closed is None
                    else date.fromordinal(s.closed).isoformat(),
                }
                for s in self.sites
            ],
        }


class _Numbers:
    """Unique made-up national numbers of each kind."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, make_one) -> str:
        while True:
            value = make_one(self.rng)
            if value not in self.used:
                self.used.add(value)
                return value

    def company(self) -> str:
        if self.rng.random() < 0.05:
            return self.make(lambda r: f"SC{r.randint(100000, 799999)}")
        return self.make(lambda r: f"{r.randint(1000000, 14999999):08d}")

    def charity(self) -> str:
        return self.make(lambda r: f"{r.randint(1000000, 1209999)}")

    def ofsted_provider(self) -> str:
        return self.make(lambda r: f"RP{r.randint(500000, 999999)}")

    def home_urn(self) -> str:
        return self.make(lambda r: f"SC{r.randint(100000, 999999)}")

    def seven_digit_urn(self, first: str) -> str:
        return self.make(lambda r: f"{first}{r.randint(0, 999999):06d}")


def _pick(rng: random.Random, shares: dict[str, float] | tuple) -> str:
    items = list(shares.items()) if isinstance(shares, dict) else list(shares)
    total = sum(w for _, w in items)
    x = rng.random() * total
    for value, weight in items:
        x -= weight
        if x < 0:
            return value
    return items[-1][0]


def _near(base: str, miles: float, pool: list[str]) -> list[str]:
    return [d for d in pool if miles_between(base, d) <= miles]


def build_registry(
    las: list[LAParameters], rng: random.Random, start: int, end: int, model: p.ModelParameters
) -> Registry:
    """The region's providers and settings, for LAs simulated from `start` to `end`
    (ordinal days)."""
    table = districts()
    english = [d for d, info in table.items() if info.la_code.startswith("E")]
    own = [d for la in las for d in la.districts]
    total = sum(la.children_in_care for la in las)
    numbers = _Numbers(rng)
    organisations: list[Organisation] = []
    sites: list[Site] = []
    names: set[str] = set()

    def name_for(kind: str, ownership: str) -> str:
        while True:
            word = rng.choice(NAME_WORDS)
            suffix = rng.choice(KIND_NAMES[kind])
            if ownership == "Voluntary":
                name = rng.choice(
                    (
                        f"The {word} {suffix} Trust",
                        f"{word} {suffix} Charity",
                        f"{word} Children's Charity",
                    )
                )
            else:
                name = f"{word} {suffix} " + rng.choice(("Ltd", "Ltd", "Limited", "Group Ltd"))
            if name not in names:
                names.add(name)
                return name

    def add_site(
        org: Organisation,
        setting_type: str,
        district: str,
        places: int | None,
        urn: str,
        registered: int | None = None,
    ) -> Site:
        if registered is None:
            # Most homes opened years ago; some open during the simulation.
            if rng.random() < 0.12:
                registered = rng.randint(start, max(start, end - 200))
            else:
                registered = start - rng.randint(60, 365 * 15)
        closed = None
        if setting_type in CLOSING and rng.random() < CLOSURES_A_YEAR * (end - start) / 365:
            first = max(registered + 180, start)
            if first < end:
                closed = rng.randint(first, end)
        inspections: list[tuple[int, str]] = []
        when = registered + rng.randint(150, 330)
        rating = _pick(rng, dict(zip(RATINGS, RATING_SHARES, strict=True)))
        while when <= end + 60:
            inspections.append((when, rating))
            when += rng.randint(300, 420)
            if rng.random() < 0.35:
                rating = _pick(rng, dict(zip(RATINGS, RATING_SHARES, strict=True)))
        site = Site(
            index=len(sites),
            urn=urn,
            organisation=org.index,
            setting_type=setting_type,
            district=district,
            location=f"{district} {rng.randint(1, 9)}" if rng.random() < 0.8 else district,
            places=places,
            registered=registered,
            closed=closed,
            inspections=inspections,
        )
        sites.append(site)
        org.sites.append(site.index)
        return site

    def add_organisation(**kwargs) -> Organisation:
        org = Organisation(index=len(organisations), **kwargs)
        organisations.append(org)
        return org

    def home_places() -> int:
        return _pick(rng, {1: 0.08, 2: 0.15, 3: 0.2, 4: 0.25, 5: 0.12, 6: 0.12, 8: 0.05, 10: 0.03})

    # Each LA's own services.
    la_services: dict[str, dict[str, int]] = {}
    for la in las:
        services: dict[str, int] = {}
        short = la.name.split(" (")[0]
        council = f"{short} Council"
        fostering = add_organisation(
            name=f"{council} Fostering Service",
            ownership="Local authority",
            kind="LA fostering",
            base=la.districts[0],
            owner_la=la.la_code,
            ofsted_provider_urn=numbers.ofsted_provider(),
        )
        services["fostering"] = fostering.index
        homes = add_organisation(
            name=f"{council} Children's Homes",
            ownership="Local authority",
            kind="LA homes",
            base=la.districts[0],
            owner_la=la.la_code,
            ofsted_provider_urn=numbers.ofsted_provider(),
        )
        services["homes"] = homes.index
        for _ in range(max(1, round(la.children_in_care / 180))):
            add_site(
                homes,
                "Children's home",
                rng.choice(la.districts),
                home_places(),
                numbers.home_urn(),
            )
        services["children's services"] = add_organisation(
            name=f"{council} Children's Services",
            ownership="Local authority",
            kind="LA children's services",
            base=la.districts[0],
            owner_la=la.la_code,
        ).index
        la_services[la.la_code] = services

    custody = add_organisation(
        name="Youth Custody Service",
        ownership="Other public",
        kind="custody",
        base="B1",
    ).index

    # Secure children's homes: few, run by LAs far from most.
    reachable = [
        d for d in english if d not in own and 60 <= miles_between(las[0].districts[0], d) <= 180
    ]
    for number in range(max(2, round(total / 7000))):
        pool = reachable if number == 0 and reachable else english
        district = rng.choice([d for d in pool if d not in own] or pool)
        owner = table[district].la_code
        org = add_organisation(
            name=name_for(HOMES, "Local authority").split(" ")[0] + " Secure Children's Home",
            ownership="Local authority",
            kind="secure",
            base=district,
            owner_la=owner,
            ofsted_provider_urn=numbers.ofsted_provider(),
        )
        add_site(
            org,
            "Secure children's home",
            district,
            rng.choice((8, 12, 16, 24)),
            numbers.home_urn(),
            registered=start - rng.randint(3650, 9000),
        )

    # Independent providers, most near the LAs simulated, the rest anywhere in England.
    count = max(20, round(total / 90))
    kinds = [k for k, n in MINIMUM_OF_KIND.items() for _ in range(n)]
    while len(kinds) < count:
        kinds.append(_pick(rng, KIND_SHARES))
    first = None
    for number, kind in enumerate(kinds):
        voluntary = rng.random() < (0.6 if kind == SCHOOLS else 0.25)
        base = rng.choice(own) if rng.random() < 0.6 else rng.choice(english)
        size = math.exp(rng.gauss(0.0, 0.8))
        if number == 0:  # the dear provider: a large private group of homes in the first LA
            voluntary, base, size = False, las[0].districts[0], 3.0
        ownership = "Voluntary" if voluntary else "Private"
        org = add_organisation(
            name=name_for(kind, ownership),
            ownership=ownership,
            kind=kind,
            base=base,
            size=size,
            multiplier=math.exp(rng.gauss(0.0, p.PROVIDER_SPREAD)),
        )
        if first is None:
            first = org.index
        if ownership == "Voluntary":
            org.charity_number = numbers.charity()
            if rng.random() < 0.5:
                org.company_number = numbers.company()
        else:
            org.company_number = numbers.company()
            org.private_equity_backed = _pick(rng, {"Yes": 0.3, "No": 0.6, "Unknown": 0.1})
        if rng.random() < 0.85:
            org.ofsted_provider_urn = numbers.ofsted_provider()
    assert first is not None
    # Prices relative to the others': the others' multipliers average 1 for each kind.
    for kind in sorted({o.kind for o in organisations[first:]}):
        same = [o for o in organisations[first + 1 :] if o.kind == kind]
        if same:
            mean = sum(o.multiplier for o in same) / len(same)
            for o in same:
                o.multiplier /= mean
    dear = organisations[first]
    dear.multiplier = model.dear_provider_multiplier
    independents = [o for o in organisations if o.index >= first]

    # Their settings: homes by size, near their base.
    near_cache: dict[str, list[str]] = {}

    def site_district(org: Organisation) -> str:
        if rng.random() < 0.15:
            return rng.choice(english)
        if org.base not in near_cache:
            near_cache[org.base] = _near(org.base, 45.0, english) or [org.base]
        return rng.choice(near_cache[org.base])

    homes_total = max(8, round(total * 0.035))
    home_owners = [o for o in independents if o.kind in (HOMES, MIXED)]
    weights = [o.size for o in home_owners]
    for org in home_owners:  # every group has a home
        add_site(org, "Children's home", site_district(org), home_places(), numbers.home_urn())
    for _ in range(max(0, homes_total - len(home_owners))):
        org = rng.choices(home_owners, weights)[0]
        add_site(org, "Children's home", site_district(org), home_places(), numbers.home_urn())
    for org in independents:
        if org.kind in (IFA, MIXED):
            org.approved_places = max(20, round(120 * org.size * rng.uniform(0.6, 1.4)))
            add_site(
                org,
                "Independent fostering agency",
                org.base,
                None,
                numbers.home_urn(),
                registered=start - rng.randint(1500, 9000),
            )
        elif org.kind == SUPPORT:
            for _ in range(max(1, round(org.size * 2))):
                # Supported accommodation has been registered with Ofsted since late 2023.
                registered = max(
                    date(2023, 10, 1).toordinal() + rng.randint(0, 270), start - rng.randint(0, 400)
                )
                add_site(
                    org,
                    "Supported accommodation",
                    site_district(org),
                    rng.randint(2, 12),
                    numbers.seven_digit_urn("2"),
                    registered=registered,
                )
        elif org.kind == SCHOOLS:
            for _ in range(rng.randint(1, 3)):
                add_site(
                    org,
                    "Residential special school",
                    site_district(org),
                    rng.randint(20, 60),
                    numbers.seven_digit_urn("1"),
                    registered=start - rng.randint(3000, 12000),
                )
        elif org.kind == FAMILY:
            for _ in range(rng.randint(1, 2)):
                add_site(org, "Other", site_district(org), rng.randint(3, 6), numbers.home_urn())
    return Registry(organisations, sites, dear.index, la_services, custody)


@dataclass
class Chooser:
    """Draws one of many weighted items fast (cumulative weights and a bisection)."""

    items: list[int]
    cumulative: list[float]

    @classmethod
    def of(cls, weighted: list[tuple[int, float]]) -> Chooser:
        items, cumulative, running = [], [], 0.0
        for item, weight in weighted:
            if weight > 0:
                running += weight
                items.append(item)
                cumulative.append(running)
        return cls(items, cumulative)

    def __bool__(self) -> bool:
        return bool(self.items)

    def draw(self, rng: random.Random) -> int:
        x = rng.random() * self.cumulative[-1]
        return self.items[min(bisect_right(self.cumulative, x), len(self.items) - 1)]


def distance_weighted(
    candidates: list[tuple[int, str, float]], origin: str, scale: float
) -> tuple[Chooser, Chooser]:
    """Two choosers over (item, district, weight) candidates, seen from `origin` (an LA's
    main district): those in the LA, chosen by weight, and the others, by weight times
    exp(-miles / scale) and never farther than FARTHEST_MILES (unless none is nearer,
    when the nearest few are the others)."""
    table: dict[str, District] = districts()
    origin_la = table[origin].la_code
    inside, outside = [], []
    for item, district, weight in candidates:
        if table[district].la_code == origin_la:
            inside.append((item, weight))
            continue
        miles = miles_between(origin, district)
        if miles <= p.FARTHEST_MILES:
            outside.append((item, weight * math.exp(-miles / scale)))
    if not inside and not outside and candidates:
        # None within reach: the nearest few, however far.
        nearest = sorted(candidates, key=lambda c: (miles_between(origin, c[1]), c[0]))[:3]
        outside = [(item, weight) for item, _, weight in nearest]
    return Chooser.of(inside), Chooser.of(outside)
