"""One LA's children in care over time: who enters, the homes they live in one after
another, the searches that found them, their needs and what each home costs.

Each child's homes follow a continuous-time Markov chain whose rates depend on the type
of home and the child's age band (parameters.MOVES and EXITS): from each home the child
moves to another (of the same or another type) or leaves care, and leaves at 18 unless
staying put. Children enter as a Poisson process (alone or with brothers and sisters)
at a rate that grows each year, above the rate at which they leave, so the number in
care grows. Everything is drawn from one random stream per LA, so an LA's history
depends only on the seed, its parameters and the registry.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date

from sufficiency_standard.simulate import costs as c
from sufficiency_standard.simulate import needs as n
from sufficiency_standard.simulate import parameters as p
from sufficiency_standard.simulate import searches as s
from sufficiency_standard.simulate.common import (
    YEAR_DAYS,
    birthday,
    id_makers,
    iso,
    pick,
    randint,
    row,
)
from sufficiency_standard.simulate.geography import districts, miles_between
from sufficiency_standard.simulate.registry import (
    FAMILY,
    HOMES,
    IFA,
    MIXED,
    SUPPORT,
    Chooser,
    Organisation,
    Registry,
    Site,
    distance_weighted,
)

CHILD_FIELDS = ("child_id", "birth_month", "sex", "ethnicity", "uasc", "gender")
PLACEMENT_FIELDS = (
    "placement_id",
    "child_id",
    "referral_id",
    "needs_id",
    "start_date",
    "end_date",
    "placement_type",
    "place_code",
    "service_features",
    "staffing_ratio",
    "type_preferred",
    "type_reason",
    "provider_id",
    "setting_urn",
    "host_la_code",
    "placement_location",
    "distance_miles",
    "location_preferable",
    "location_reason",
    "education_disrupted",
    "siblings_placed_together",
    "sourcing_route",
    "crisis_placement",
    "meets_needs",
    "post_18_arrangement",
    "not_costed_reason",
    "end_reason",
)
ETHNICITY = {
    "WBRI": 0.72,
    "WIRI": 0.005,
    "WOTH": 0.04,
    "WIRT": 0.005,
    "WROM": 0.006,
    "MWBC": 0.03,
    "MWBA": 0.01,
    "MWAS": 0.015,
    "MOTH": 0.03,
    "AIND": 0.008,
    "APKN": 0.01,
    "ABAN": 0.005,
    "AOTH": 0.01,
    "BCRB": 0.01,
    "BAFR": 0.025,
    "BOTH": 0.01,
    "CHNE": 0.002,
    "OOTH": 0.02,
    "REFU": 0.004,
    "NOBT": 0.025,
}
UASC_ETHNICITY = {"BAFR": 0.35, "AOTH": 0.25, "OOTH": 0.25, "BOTH": 0.1, "NOBT": 0.05}
PLANNED_END = {"CARPL": 0.55, "LAREQ": 0.15, "CREQO": 0.12, "OTHER": 0.13, "APPRR": 0.05}
BREAKDOWN_END = {"CREQB": 0.5, "CHILD": 0.2, "ALLEG": 0.07, "STAND": 0.08, "CREQO": 0.15}
BREAKDOWN_REASONS = frozenset(BREAKDOWN_END) - {"CREQO"}
K3_FROM = date(2024, 4, 1).toordinal()  # registered supported accommodation (K3)
OLD_CODES_UNTIL = date(2025, 3, 31).toordinal()  # H5, P2 and Z1, until 2024/25
INDEPENDENT = ("Private", "Voluntary")
GROUP_SIZES = {str(size): share for size, share in p.SIBLING_GROUP_SIZES.items()}


@dataclass(slots=True, eq=False)
class Child:
    born: date
    born_day: int
    birthdays: tuple[int, ...]  # at 1, 5, 10, 16 and 18
    sex: str
    uasc: bool
    family_district: str
    family_location: str | None  # blank when unknown or confidential
    complexity: float
    factors: dict[str, float]
    ethnicity: str | None
    gender: str | None
    entered: int = 0
    left: int | None = None
    group: int = 1  # brothers and sisters entering together, the child included
    id: str = ""
    row: dict | None = None
    order: tuple = ()

    def age(self, day: int) -> float:
        return (day - self.born_day) / YEAR_DAYS

    def band(self, day: int) -> int:
        band = 0
        for index, when in enumerate(self.birthdays[:4]):
            if day >= when:
                band = index + 1
        return band


@dataclass(slots=True, eq=False)
class Search:
    child: Child
    day: int
    needed_by: int
    closed: int  # the day its outcome was known
    outcome: str
    placed_type: str
    row_values: dict  # what referral_row is given besides the IDs
    id: str = ""
    row: dict | None = None

    @property
    def emergency(self) -> bool:
        return self.needed_by - self.day <= s.NOTICE_DAYS

    def open_row(self) -> dict:
        """The record as it was while the search was still going on."""
        assert self.row is not None
        return {
            name: ("Ongoing" if name == "outcome" else value)
            for name, value in self.row.items()
            if name not in ("no_home_reason", "offers_received")
        }


@dataclass(slots=True, eq=False)
class Assessment:
    child: Child
    search: Search | None
    day: int
    levels: dict[str, str]
    risks: int = 0  # recorded as present
    id: str = ""
    row: dict | None = None


@dataclass(slots=True, eq=False)
class Placement:
    child: Child
    start: int
    placement_type: str
    place_code: str
    organisation: Organisation
    site: Site | None
    district: str | None
    location: str | None
    search: Search | None
    needs: Assessment | None
    cost_kind: str | None
    details: dict = field(default_factory=dict)
    end: int | None = None
    end_reason: str | None = None
    staying_put: bool = False
    costs: list[c.CostPeriod] = field(default_factory=list)
    id: str = ""
    row: dict | None = None
    risks: int = 0

    @property
    def last_night(self) -> int | None:
        return None if self.end is None else self.end - 1


class LASimulation:
    """One LA's history, from the start of its first period to `horizon`."""

    def __init__(
        self,
        la: p.LAParameters,
        registry: Registry,
        model: p.ModelParameters,
        seed: int,
        start: int,
        horizon: int,
    ) -> None:
        self.la = la
        self.registry = registry
        self.model = model
        self.rng = random.Random(f"{seed}:la:{la.la_code}")
        self.start = start
        self.horizon = horizon
        self.children: list[Child] = []
        self.searches: list[Search] = []
        self.assessments: list[Assessment] = []
        self.placements: list[Placement] = []
        self.transitions: dict[str, dict[str, dict[str, int]]] = {}
        self.sibling_groups: list[tuple[int, bool, int]] = []  # (size, together, day)
        self.provider_ids: dict[int, str] = {}
        self._prepare_choices()

    # -- where homes are ----------------------------------------------------------

    def _prepare_choices(self) -> None:
        la, reg = self.la, self.registry
        table = districts()
        origin = la.districts[0]
        self.own = la.districts
        self.near_family: dict[str, Chooser] = {}
        neighbours = [
            (i, d)
            for i, d in enumerate(table)
            if table[d].la_code != la.la_code and miles_between(origin, d) <= p.NEIGHBOUR_MILES
        ]
        self.district_list = list(table)
        self.neighbours = Chooser.of(
            [(i, math.exp(-miles_between(origin, d) / 20.0)) for i, d in neighbours]
        )

        def sites_of(kind: str) -> list[tuple[int, str, float]]:
            out = []
            for site in reg.sites:
                if site.setting_type != kind:
                    continue
                owner = reg.organisations[site.organisation].owner_la
                if owner is not None and owner != la.la_code and kind == "Children's home":
                    continue  # other LAs' own homes
                out.append((site.index, site.district, float(site.places or 1)))
            return out

        scale = p.DISTANCE_SCALE
        self.homes_in, self.homes_out = distance_weighted(
            sites_of("Children's home"), origin, scale[p.RESIDENTIAL]
        )
        self.supported_in, self.supported_out = distance_weighted(
            sites_of("Supported accommodation"), origin, scale[p.SUPPORTED]
        )
        self.schools = _both(
            distance_weighted(sites_of("Residential special school"), origin, scale[p.SCHOOL])
        )
        self.secure = _both(
            distance_weighted(sites_of("Secure children's home"), origin, scale[p.SECURE])
        )
        self.family_centres = _both(
            distance_weighted(sites_of("Other"), origin, scale[p.PARENT_CHILD])
        )

        def organisations_of(kinds: tuple[str, ...], miles: float) -> Chooser:
            weighted, everywhere = [], []
            for org in reg.organisations:
                if org.kind in kinds:
                    d = miles_between(origin, org.base)
                    everywhere.append((d, org.index, org.size))
                    if d <= p.FARTHEST_MILES:
                        weighted.append((org.index, org.size * math.exp(-d / miles)))
            if not weighted:  # none within reach: the nearest few, however far
                weighted = [(index, size) for _, index, size in sorted(everywhere)[:3]]
            return Chooser.of(weighted)

        self.agencies = organisations_of((IFA, MIXED), scale["foster agency"])
        self.support_providers = organisations_of((SUPPORT,), 40.0)
        self.home_groups = organisations_of((HOMES, MIXED), scale[p.RESIDENTIAL])
        self.family_providers = organisations_of((FAMILY,), 80.0)

    def _own_district_near(self, family: str) -> str:
        chooser = self.near_family.get(family)
        if chooser is None:
            chooser = self.near_family[family] = Chooser.of(
                [(i, math.exp(-miles_between(family, d) / 8.0)) for i, d in enumerate(self.own)]
            )
        return self.own[chooser.draw(self.rng)]

    def _neighbour_district(self) -> str:
        if not self.neighbours:
            return self.rng.choice(self.own)
        return self.district_list[self.neighbours.draw(self.rng)]

    def _open_site(self, chooser: Chooser, day: int) -> Site | None:
        if not chooser:
            return None
        sites = self.registry.sites
        for _ in range(25):
            site = sites[chooser.draw(self.rng)]
            if site.open_on(day) and (site.closed is None or site.closed - day > 14):
                return site
        for index in chooser.items:
            site = sites[index]
            if site.open_on(day) and (site.closed is None or site.closed - day > 14):
                return site
        return None

    # -- children ---------------------------------------------------------------------

    def _new_child(self, born_day: int, *, uasc: bool, family: str | None = None) -> Child:
        rng = self.rng
        born = date.fromordinal(born_day)
        sex = (
            ("M" if rng.random() < 0.92 else "F") if uasc else ("M" if rng.random() < 0.55 else "F")
        )
        if family is None:
            family = rng.choice(self.own)
        known = not uasc and rng.random() < 0.95
        complexity, factors = n.latent_factors(rng)
        ethnicity = pick(rng, UASC_ETHNICITY if uasc else ETHNICITY)
        if rng.random() < 0.03:
            ethnicity = None
        gender = None
        if self.la.records_gender:
            gender = {"M": "Male", "F": "Female"}[sex]
            if rng.random() < 0.015:
                gender = "Non-binary" if rng.random() < 0.7 else "Other"
        child = Child(
            born=born,
            born_day=born_day,
            birthdays=tuple(birthday(born, years) for years in (1, 5, 10, 16, 18)),
            sex=sex,
            uasc=uasc,
            family_district=family,
            family_location=f"{family} {randint(rng, 1, 9)}" if known else None,
            complexity=complexity,
            factors=factors,
            ethnicity=ethnicity,
            gender=gender,
        )
        self.children.append(child)
        return child

    def _age_in_band(self, band: str) -> float:
        low = p.BAND_START_YEARS[p.AGE_BANDS.index(band)]
        high = {0: 1, 1: 5, 2: 10, 3: 16, 4: 18}[p.AGE_BANDS.index(band)]
        return self.rng.uniform(low, high - 0.1)  # not on the eve of a birthday

    def _type_for(self, shares: dict[str, float], child: Child) -> str:
        adjusted = dict(shares)
        if p.RESIDENTIAL in adjusted:
            adjusted[p.RESIDENTIAL] *= self._residential_weight(child)
        return pick(self.rng, adjusted)

    def _residential_weight(self, child: Child) -> float:
        return self.la.residential_propensity * math.exp(
            p.RESIDENTIAL_COMPLEXITY_EFFECT * child.complexity
            - p.RESIDENTIAL_COMPLEXITY_EFFECT**2 / 2
        )

    # -- the simulation ---------------------------------------------------------------

    def run(self) -> None:
        self._seed_stock()
        self._entries()

    def _seed_stock(self) -> None:
        """The children in care at the start, each part way through a placement."""
        rng, t0 = self.rng, self.start
        for _ in range(self.la.children_in_care):
            band = pick(rng, p.STOCK_AGE)
            age = self._age_in_band(band)
            uasc = band == "16-18+" and rng.random() < self.la.uasc_share_16 * 0.8
            child = self._new_child(t0 - round(age * YEAR_DAYS), uasc=uasc)
            kind = self._type_for(p.STOCK_TYPE[band], child)
            rates = self._rates(child, kind, p.AGE_BANDS.index(band))
            total = sum(rates.values())
            elapsed = rng.expovariate(total) * YEAR_DAYS if total > 0 else rng.uniform(0, 900)
            earliest = child.born_day + 1
            if kind in (p.RESIDENTIAL, p.SCHOOL, p.SECURE):
                earliest = child.birthdays[2]
            elif kind == p.SUPPORTED or (kind == p.PARENT_CHILD and band == "16-18+"):
                earliest = child.birthdays[3]
            started = max(earliest, t0 - max(1, round(elapsed)))
            child.entered = started - (randint(rng, 0, 700) if rng.random() < 0.5 else 0)
            child.entered = max(child.born_day + 1, min(child.entered, started))
            self._live(
                child,
                started,
                kind,
                "entry" if rng.random() < 0.4 else "planned move",
                events_from=t0,
            )

    def _entries(self) -> None:
        """Children entering care from the start to the horizon."""
        rng, la = self.rng, self.la
        mean_group = sum(size * share for size, share in p.SIBLING_GROUP_SIZES.items())
        per_day = la.entry_rate * la.children_in_care / YEAR_DAYS / mean_group
        t = float(self.start)
        while True:
            growth = (1 + la.entry_growth) ** ((t - self.start) / YEAR_DAYS)
            t += rng.expovariate(per_day * growth)
            day = int(t)
            if day > self.horizon:
                return
            size = int(pick(rng, GROUP_SIZES))
            self._enter_group(day, size)

    def _enter_group(self, day: int, size: int) -> None:
        rng = self.rng
        band = pick(rng, self.model.entry_age)
        first_age = self._age_in_band(band)
        ages = [first_age]
        for _ in range(size - 1):
            ages.append(min(17.9, max(0.05, first_age + rng.choice((-1, 1)) * rng.uniform(1, 4))))
        family = rng.choice(self.own)
        group = []
        for age in ages:
            uasc = size == 1 and (
                (age >= 16 and rng.random() < self.la.uasc_share_16)
                or (10 <= age < 16 and rng.random() < 0.03)
            )
            child = self._new_child(day - max(1, round(age * YEAR_DAYS)), uasc=uasc, family=family)
            child.entered = day
            child.group = size
            band_index = child.band(day)
            shares = self.model.entry_type[p.AGE_BANDS[band_index]]
            if uasc and band_index == 4:
                shares = {p.SUPPORTED: 0.6, p.FOSTER: 0.4}
            group.append((child, self._type_for(shares, child)))
        together = False
        if size > 1:
            if all(kind == p.FOSTER for _, kind in group):
                together = rng.random() < p.SIBLINGS_PLACED_TOGETHER[size]
            self.sibling_groups.append((size, together, day))
        shared: dict = {}
        for child, kind in group:
            self._live(
                child, day, kind, "entry", siblings=size - 1, together=shared if together else None
            )

    def _rates(self, child: Child, kind: str, band: int) -> dict[str, float]:
        """The hazards (per year) out of a type of home in an age band: "exit" and each
        type moved to."""
        name = p.AGE_BANDS[band]
        rates = dict(self.model.moves.get(name, {}).get(kind, {}))
        if p.RESIDENTIAL in rates:
            rates[p.RESIDENTIAL] *= self._residential_weight(child)
        exit_rate = self.model.exits.get(name, {}).get(kind, 0.0)
        if exit_rate:
            rates["exit"] = exit_rate
        return rates

    def _live(
        self,
        child: Child,
        start: int,
        kind: str,
        reason: str,
        *,
        events_from: int | None = None,
        siblings: int = 0,
        together: dict | None = None,
    ) -> None:
        """A child's placements from `start` until they leave care or the horizon."""
        previous: Placement | None = None
        day = start
        while True:
            placement = self._place(child, day, kind, reason, previous, siblings, together)
            siblings, together = 0, None
            end, next_kind, end_reason = self._next_event(
                child, placement, max(day, events_from or day)
            )
            events_from = None
            if end is None:
                return
            placement.end, placement.end_reason = end, end_reason
            band = p.AGE_BANDS[child.band(end - 1)]
            moved_to = next_kind or "exit"
            counts = self.transitions.setdefault(band, {}).setdefault(kind, {})
            counts[moved_to] = counts.get(moved_to, 0) + 1
            if next_kind is None:
                child.left = end
                return
            if end_reason == "CLOSE":
                reason = "closure"
            elif end_reason in BREAKDOWN_REASONS:
                reason = "breakdown"
            else:
                reason = "planned move"
            previous, day, kind = placement, end, next_kind

    def _next_event(
        self, child: Child, placement: Placement, day: int
    ) -> tuple[int | None, str | None, str | None]:
        """When the placement ends, the type of the next home (None: the child leaves
        care) and the end reason; (None, None, None) if it goes on past the horizon."""
        rng = self.rng
        kind = placement.placement_type
        closure = placement.site.closed if placement.site is not None else None
        current = day
        while True:
            band = child.band(current)
            boundary = child.birthdays[band] if band < 4 else child.birthdays[4]
            rates = self._rates(child, kind, band)
            total = sum(rates.values())
            wait = rng.expovariate(total) * YEAR_DAYS if total > 0 else math.inf
            event = current + max(1, int(wait)) if wait < math.inf else math.inf
            limit = min(boundary, closure or math.inf, self.horizon + 1)
            if event >= limit:
                if closure is not None and limit == closure:
                    moves = {k: v for k, v in rates.items() if k != "exit"} or {kind: 1.0}
                    moves[kind] = moves.get(kind, 0.0) + sum(moves.values())  # like for like
                    return closure, pick(rng, moves), "CLOSE"
                if limit == self.horizon + 1:
                    return None, None, None
                if boundary == child.birthdays[4]:
                    return self._at_eighteen(child, placement)
                current = boundary
                continue
            chosen = pick(rng, rates)
            if chosen == "exit":
                return int(event), None, "LEFTCARE"
            breakdown = 0.25 + (0.2 if kind == p.RESIDENTIAL else 0.0) + 0.1 * child.complexity
            reasons = BREAKDOWN_END if rng.random() < breakdown else PLANNED_END
            return int(event), chosen, pick(rng, reasons)

    def _at_eighteen(self, child: Child, placement: Placement):
        # A placement lasts a night at least, even one made on the eve of 18.
        eighteen = max(child.birthdays[4], placement.start + 1)
        if placement.placement_type == p.FOSTER and self.rng.random() < p.STAYING_PUT_SHARE:
            placement.staying_put = True
            end = eighteen + round(self.rng.uniform(*p.STAYING_PUT_YEARS) * YEAR_DAYS)
            if end > self.horizon:
                return None, None, None
            return end, None, "LEFTCARE"
        return eighteen, None, "LEFTCARE"

    # -- one placement --------------------------------------------------------------

    def _place(
        self,
        child: Child,
        day: int,
        kind: str,
        reason: str,
        previous: Placement | None,
        siblings: int,
        together: dict | None,
    ) -> Placement:
        rng, reg, la = self.rng, self.registry, self.la
        services = reg.la_services[la.la_code]
        band = child.band(day)
        site: Site | None = None
        district: str | None = None
        cost_kind: str | None = None
        subtype = ""
        status_change = False
        if kind == p.FOSTER:
            if (
                previous is not None
                and previous.placement_type == p.FOSTER
                and previous.place_code in ("U3", "U6")
                and reason == "planned move"
                and rng.random() < 0.3
            ):
                # The same carers, now long term: a change of status only.
                status_change = True
                previous.end_reason = "PLACE"
                organisation, site, district = (
                    previous.organisation,
                    previous.site,
                    previous.district,
                )
                code = "U1" if previous.place_code == "U3" else "U4"
                cost_kind = previous.cost_kind
            elif together:
                organisation, site, district = (
                    together["organisation"],
                    together["site"],
                    together["district"],
                )
                code, cost_kind = together["code"], together["cost_kind"]
            else:
                kinship = band <= 2 and rng.random() < 0.18
                if kinship or rng.random() < la.in_house_foster_share:
                    organisation = reg.organisations[services["fostering"]]
                    district = self._own_district_near(child.family_district)
                    if kinship:
                        code = "U3" if rng.random() < 0.7 else "U1"
                        cost_kind = "family and friends"
                    else:
                        code = pick(
                            rng,
                            {"U6": 0.6, "U4": 0.35, "U5": 0.05} if band else {"U6": 0.7, "U5": 0.3},
                        )
                        cost_kind = "in-house foster"
                else:
                    organisation = reg.organisations[self.agencies.draw(rng)]
                    out = rng.random() < la.out_of_area_foster
                    district = (
                        self._neighbour_district()
                        if out
                        else self._own_district_near(child.family_district)
                    )
                    code = pick(rng, {"U6": 0.6, "U4": 0.4})
                    cost_kind = "agency foster"
                    agency = [
                        reg.sites[i]
                        for i in organisation.sites
                        if reg.sites[i].setting_type == "Independent fostering agency"
                    ]
                    if agency and agency[0].open_on(day) and rng.random() < 0.6:
                        site = agency[0]
            if together is not None and not together:
                together.update(
                    organisation=organisation,
                    site=site,
                    district=district,
                    code=code,
                    cost_kind=cost_kind,
                )
        elif kind == p.RESIDENTIAL:
            inside = rng.random() >= la.out_of_area_residential
            site = self._open_site(self.homes_in if inside else self.homes_out, day)
            if site is None:
                site = self._open_site(self.homes_out if inside else self.homes_in, day)
            organisation = (
                reg.organisations[site.organisation]
                if site
                else reg.organisations[self.home_groups.draw(rng)]
            )
            district = site.district if site else rng.choice(self.own)
            code, cost_kind = "K2", p.RESIDENTIAL
        elif kind == p.SCHOOL:
            site = self._open_site(self.schools, day)
            organisation = (
                reg.organisations[site.organisation]
                if site
                else reg.organisations[self.home_groups.draw(rng)]
            )
            district = site.district if site else rng.choice(self.own)
            code, cost_kind = "S1", p.SCHOOL
        elif kind == p.SUPPORTED:
            inside = rng.random() < 0.8
            site = self._open_site(self.supported_in if inside else self.supported_out, day)
            if site is None:
                site = self._open_site(self.supported_out if inside else self.supported_in, day)
            if site is not None:
                organisation, district = reg.organisations[site.organisation], site.district
            else:  # before supported accommodation was registered
                organisation = reg.organisations[self.support_providers.draw(rng)]
                district = self._own_district_near(child.family_district)
            if day >= K3_FROM and (day > OLD_CODES_UNTIL or rng.random() < 0.8):
                code = "K3"
            else:
                code = "H5"
            cost_kind = p.SUPPORTED
        elif kind == p.SECURE:
            site = self._open_site(self.secure, day)
            assert site is not None, "the registry always has an open secure home"
            organisation, district = reg.organisations[site.organisation], site.district
            code, cost_kind = "K1", p.SECURE
        elif kind == p.PARENT_CHILD:
            site = self._open_site(self.family_centres, day)
            if site is not None:
                organisation, district = reg.organisations[site.organisation], site.district
            else:
                organisation = reg.organisations[self.family_providers.draw(rng)]
                district = self._own_district_near(child.family_district)
            code, cost_kind = "R3", p.PARENT_CHILD
        else:
            subtype = self._other_subtype(band, previous)
            organisation = reg.organisations[services["children's services"]]
            if subtype == "parents":
                code, district = "P1", child.family_district
            elif subtype == "adoption":
                with_carers = previous is not None and previous.placement_type == p.FOSTER
                code = (
                    rng.choice(("A3", "A5"))
                    if with_carers and rng.random() < 0.3
                    else rng.choice(("A4", "A6"))
                )
                district = (
                    previous.district
                    if code in ("A3", "A5") and previous
                    else self._own_district_near(child.family_district)
                    if rng.random() < 0.7
                    else self._neighbour_district()
                )
            elif subtype == "custody":
                organisation = reg.organisations[reg.custody]
                code, district = "R5", None
                if previous is not None:
                    previous.end_reason = "CUSTOD"
            elif subtype == "independent living":
                code = "P2" if day <= OLD_CODES_UNTIL else rng.choice(("Z11", "Z12"))
                district = self._own_district_near(child.family_district)
                cost_kind = "independent living"
            else:
                code = "Z1" if day <= OLD_CODES_UNTIL else rng.choice(("Z13", "Z14"))
                district = self._own_district_near(child.family_district)
        location = None
        if district is not None:
            if site is not None and district == site.district:
                location = site.location
            else:
                location = f"{district} {randint(rng, 1, 9)}" if rng.random() < 0.85 else district
        placement = Placement(
            child=child,
            start=day,
            placement_type=kind,
            place_code=code,
            organisation=organisation,
            site=site,
            district=district,
            location=location,
            search=None,
            needs=None,
            cost_kind=cost_kind,
        )
        self.placements.append(placement)
        self._local_provider(organisation)
        if status_change:
            placement.needs = previous.needs if previous else None
            placement.risks = previous.risks if previous else 0
            placement.details["siblings"] = previous.details.get("siblings") if previous else 0
        elif (
            kind == p.OTHER and subtype in ("parents", "adoption", "custody") and rng.random() < 0.7
        ):
            assessment = self._assess(child, None, max(child.entered, day - randint(rng, 0, 60)))
            placement.needs = assessment
            placement.risks = assessment.risks
            placement.details["siblings"] = 0
        else:
            self._search(placement, reason, previous, siblings, together is not None)
        self._finish_placement(placement, reason, subtype)
        return placement

    def _other_subtype(self, band: int, previous: Placement | None) -> str:
        shares = (
            {"adoption": 0.7, "parents": 0.3},
            {"adoption": 0.65, "parents": 0.35},
            {"parents": 0.8, "adoption": 0.2},
            {"parents": 0.65, "custody": 0.15, "other": 0.2},
            {"independent living": 0.6, "parents": 0.15, "custody": 0.1, "other": 0.15},
        )[band]
        return pick(self.rng, shares)

    def _local_provider(self, organisation: Organisation) -> None:
        if organisation.index not in self.provider_ids:
            self.provider_ids[organisation.index] = ""  # numbered in order of first use later

    def _assess(self, child: Child, search: Search | None, day: int) -> Assessment:
        levels = n.risk_levels(self.rng, child.complexity, child.factors, child.age(day), child.sex)
        assessment = Assessment(child=child, search=search, day=day, levels=levels)
        self.assessments.append(assessment)
        # The row (and so the recorded count) is made now: the cost depends on it.
        assessment.row, assessment.risks = n.assessment_row(
            self.rng,
            needs_id="",
            child_id="",
            referral_id=None,
            day_text=iso(day) or "",
            tool=self.la.assessment_tool,
            levels=levels,
            unrecorded=self.la.unrecorded_risks,
            complexity=child.complexity,
            factors=child.factors,
            age=child.age(day),
            uasc=child.uasc,
        )
        return assessment

    def _search(
        self,
        placement: Placement,
        reason: str,
        previous: Placement | None,
        siblings: int,
        with_siblings: bool,
    ) -> None:
        """The search that found the home, and any before it that found none."""
        rng, model = self.rng, self.model
        child, day, kind = placement.child, placement.start, placement.placement_type
        emergency = rng.random() < model.emergency_share.get(reason, 0.3)
        # Earliest possible referral: after the child's birth month began and, for a
        # move, after the previous home began.
        earliest = child.born_day
        if previous is not None:
            earliest = max(earliest, previous.start + 1)
        notice = s.notice_days(rng, emergency, model.planned_notice_mean_days)
        delay = (
            (0 if rng.random() < 0.7 else randint(rng, 1, 2)) if emergency else randint(rng, -5, 21)
        )
        needed_by = min(day, day - delay) if emergency else day - delay
        referral = max(earliest, needed_by - notice)
        needed_by = max(needed_by, referral)
        band_name = p.AGE_BANDS[child.band(day)]
        age = child.age(referral)
        suit = s.suitability(
            rng,
            kind,
            child.age(day),
            needed_by - referral <= s.NOTICE_DAYS,
            model.residential_foster_preferred,
        )
        # Unmet and withdrawn searches before this one.
        unmet = p.UNMET_SEARCH.get(kind, {}).get(band_name, 0.0)
        if rng.random() < unmet:
            gap = randint(rng, 10, 60)
            first = referral - gap
            if first >= earliest:
                closed = min(referral - 1, first + randint(rng, 5, 25))
                self._failed_search(
                    child, first, closed, kind, emergency, suit, siblings, "No suitable home found"
                )
        elif rng.random() < p.WITHDRAWN_SEARCH:
            first = referral - randint(rng, 20, 90)
            if first >= earliest:
                closed = min(referral - 1, first + randint(rng, 3, 30))
                self._failed_search(
                    child, first, closed, kind, emergency, suit, siblings, "Withdrawn"
                )
        search = Search(
            child=child,
            day=referral,
            needed_by=needed_by,
            closed=day,
            outcome="Placed",
            placed_type=kind,
            row_values={},
        )
        self.searches.append(search)
        assessed = min(day, referral + randint(rng, 0, 6))
        assessment = self._assess(child, search, assessed)
        approached, offers = s.approached_and_offers(rng, kind, search.emergency, True)
        search.row_values = dict(
            as_urgency=self.la.notice_as_urgency,
            siblings=siblings,
            family_location=child.family_location,
            age=age,
            suit=suit,
            risk_count=assessment.risks,
            approached=approached,
            offers=offers,
            school_location=self._school_location(child),
        )
        placement.search = search
        placement.needs = assessment if rng.random() < 0.92 else None
        placement.risks = assessment.risks
        placement.details.update(
            suit=suit,
            siblings=siblings,
            together=with_siblings,
            emergency=search.emergency,
        )

    def _failed_search(self, child, first, closed, kind, emergency, suit, siblings, outcome):
        rng = self.rng
        notice = s.notice_days(rng, emergency, self.model.planned_notice_mean_days)
        search = Search(
            child=child,
            day=first,
            needed_by=first + notice,
            closed=closed,
            outcome=outcome,
            placed_type=kind,
            row_values={},
        )
        self.searches.append(search)
        assessment = self._assess(child, search, first + randint(rng, 0, 3))
        approached, offers = s.approached_and_offers(rng, kind, emergency, False)
        search.row_values = dict(
            as_urgency=self.la.notice_as_urgency,
            siblings=siblings,
            family_location=child.family_location,
            age=child.age(first),
            suit=suit,
            risk_count=assessment.risks,
            approached=approached,
            offers=offers if outcome != "Withdrawn" else None,
            school_location=self._school_location(child),
            reason=s.no_home_reason(rng, kind) if outcome == "No suitable home found" else None,
        )

    def _school_location(self, child: Child) -> str | None:
        if child.family_location is None:
            return None
        return f"{child.family_district} {randint(self.rng, 1, 9)}"

    def _finish_placement(self, placement: Placement, reason: str, subtype: str) -> None:
        """Everything about the placement that the searches and needs decide: its fields
        and its cost periods."""
        rng, la, model = self.rng, self.la, self.model
        kind = placement.placement_type
        details = placement.details
        risks = placement.risks
        emergency = details.get("emergency", reason in ("entry", "breakdown"))
        crisis = (
            kind in (p.RESIDENTIAL, p.SUPPORTED) and emergency and rng.random() < p.CRISIS_SHARE
        )
        details["crisis"] = crisis
        features: list[str] = []
        ratio = None
        education = health = additional = 0.0
        if kind == p.RESIDENTIAL:
            if risks >= 6 and rng.random() < 0.5:
                features.append("Solo")
            elif rng.random() < 0.05:
                features.append("Dual")
            if rng.random() < 0.2:
                features.append("Therapeutic")
                health = 0.1
            if rng.random() < 0.08:
                features.append("Care with education")
                education = 0.2
            ratio = "Standard ratio"
            if risks >= 6:
                ratio = "2:1" if rng.random() < 0.2 else "1:1"
                additional = 0.4 if ratio == "2:1" else 0.25
            if crisis:
                features.append("Emergency bed")
        elif kind == p.SCHOOL:
            features.append("Care with education")
            education, ratio = 0.3, "Standard ratio"
        elif kind == p.SECURE:
            ratio = "Standard ratio" if risks < 6 else "1:1"
        elif kind == p.FOSTER:
            ratio = "Not applicable" if rng.random() < 0.5 else None
            if risks >= 4 and rng.random() < 0.35 and placement.cost_kind == "agency foster":
                features.append("Enhanced fostering")
                additional = 0.15
        elif kind == p.PARENT_CHILD:
            features.append("Parent and child")
        elif kind == p.SUPPORTED and crisis:
            features.append("Emergency bed")
        if ratio is not None and rng.random() < 0.08:
            ratio = None
        details.update(features=features or None, ratio=ratio)
        # Distance and location.
        child = placement.child
        miles = None
        if child.family_location is not None and placement.district is not None:
            miles = miles_between(child.family_district, placement.district)
        details["miles"] = miles
        # Costs.
        ownership = placement.organisation.ownership_for(la.la_code)
        if placement.cost_kind is None or (
            placement.cost_kind in ("in-house foster", "family and friends")
            and not la.costs_in_house
        ):
            if kind == p.FOSTER:
                details["not_costed"] = "In-house not costed per placement"
            elif subtype == "custody":
                details["not_costed"] = "Paid by another body"
            elif subtype in ("parents", "adoption"):
                details["not_costed"] = "No cost to the LA"
            else:
                details["not_costed"] = "Not recorded"
            return
        details["ownership"] = ownership
        weekly = c.weekly_price(
            model,
            rng,
            kind=placement.cost_kind,
            placement_type=kind,
            ownership=ownership,
            risks=risks,
            provider_multiplier=placement.organisation.multiplier,
            start=placement.start,
            crisis=crisis,
        )
        details["weekly"] = weekly
        extra = None
        supported = kind in (p.RESIDENTIAL, p.SUPPORTED) or placement.cost_kind == "agency foster"
        if supported and rng.random() < p.EXTRA_SUPPORT_CHANCE + p.EXTRA_SUPPORT_PER_RISK * risks:
            first = placement.start + randint(rng, 14, 200)
            extra = (first, first + randint(rng, 28, 120), rng.uniform(*p.EXTRA_SUPPORT_SHARE))
        details["schedule"] = dict(
            weekly=weekly,
            education=education,
            health=health,
            additional=additional,
            extra_support=extra,
            invoiced=ownership in INDEPENDENT and rng.random() < la.actual_share,
            components=kind in (p.RESIDENTIAL, p.SECURE, p.SCHOOL) or rng.random() < 0.5,
            health_funded=health > 0 and rng.random() < 0.6,
        )

    # -- records --------------------------------------------------------------------

    def finalise(self) -> None:
        """IDs in the order the records were made in time, then every record's row."""
        rng, la = self.rng, self.la
        ids = id_makers(rng, la.id_style, la.la_code)
        self.children.sort(key=lambda ch: (ch.entered, ch.born_day))
        for child in self.children:
            child.id = ids["child"].next()
        self.searches.sort(key=lambda se: se.day)
        for search in self.searches:
            search.id = ids["referral"].next()
        self.assessments.sort(key=lambda a: a.day)
        for assessment in self.assessments:
            assessment.id = ids["needs"].next()
        self.placements.sort(key=lambda pl: pl.start)
        for placement in self.placements:
            placement.id = ids["placement"].next()
        # Local provider IDs, in order of first use.
        first_use: dict[int, int] = {}
        for placement in self.placements:
            first_use.setdefault(placement.organisation.index, placement.start)
        for index in sorted(first_use, key=lambda i: (first_use[i], i)):
            self.provider_ids[index] = ids["provider"].next()
        for child in self.children:
            child.row = self._child_row(child)
        for assessment in self.assessments:
            record = assessment.row
            record["needs_id"] = assessment.id
            record["child_id"] = assessment.child.id
            if assessment.search is not None:
                record["referral_id"] = assessment.search.id
            assessment.row = {name: record[name] for name in n.NEEDS_FIELDS if name in record}
        for search in self.searches:
            self._search_rows(search)
        all_costs = []
        for placement in self.placements:
            self._costs(placement)
            all_costs.extend(placement.costs)
        all_costs.sort(key=lambda cp: (cp.known, cp.start))
        for period in all_costs:
            period.id = ids["cost"].next()
        for placement in self.placements:
            details = placement.details
            schedule = details.get("schedule")
            if placement.costs:
                c.cost_rows(
                    placement.costs,
                    placement.id,
                    components=schedule["components"],
                    contributions=la.records_contributions,
                    health_funded=schedule["health_funded"],
                )
            placement.row = self._placement_row(placement)

    def _costs(self, placement: Placement) -> None:
        schedule = placement.details.get("schedule")
        if schedule is None:
            return
        periods = c.schedule(
            self.model,
            self.rng,
            start=placement.start,
            last_night=placement.last_night,
            horizon=self.horizon,
            weekly=schedule["weekly"],
            education=schedule["education"],
            health=schedule["health"],
            additional=schedule["additional"],
            extra_support=schedule["extra_support"],
            actual_share=0.65,
            invoiced=schedule["invoiced"],
        )
        placement.costs = periods

    def _child_row(self, child: Child) -> dict:
        uasc = "Yes" if child.uasc else "No"
        if self.rng.random() < 0.02:
            uasc = "Unknown"
        return row(
            CHILD_FIELDS,
            (
                child.id,
                f"{child.born.year:04d}-{child.born.month:02d}",
                child.sex,
                child.ethnicity,
                uasc,
                child.gender,
            ),
        )

    def _search_rows(self, search: Search) -> None:
        values = dict(search.row_values)
        reason = values.pop("reason", None)
        search.row = s.referral_row(
            self.rng,
            referral_id=search.id,
            child_id=search.child.id,
            referral_day=search.day,
            needed_by=search.needed_by,
            **values,
            outcome=search.outcome,
            reason=reason,
        )

    def _placement_row(self, placement: Placement) -> dict:
        rng = self.rng
        details = placement.details
        kind = placement.placement_type
        child = placement.child
        suit = details.get("suit")
        miles = details.get("miles")
        age = child.age(placement.start)
        if miles is None:
            preferable = reason_text = None
        elif miles <= 20:
            preferable, reason_text = "Yes", "Not applicable"
        else:
            preferable = "No"
            reason_text = pick(
                rng,
                {
                    "Provision within distance exists but is not available": 0.45,
                    "Provision within distance does not exist": 0.25,
                    "Safeguarding requirement": 0.15 + 0.2 * (placement.risks >= 4),
                    "CYP/parental preference": 0.1,
                    "Legal reasons": 0.05,
                },
            )
        if age < 5:
            disrupted = "Not applicable"
        elif miles is not None and miles > 20:
            disrupted = "Yes" if rng.random() < 0.7 else "No"
        else:
            disrupted = "Yes" if rng.random() < 0.15 else "No"
        ownership = placement.organisation.ownership_for(self.la.la_code)
        route = None
        if kind == p.SECURE:
            route = "Secure welfare" if rng.random() < 0.85 else "Remand"
        elif ownership in INDEPENDENT:
            if kind == p.FOSTER:
                route = pick(
                    rng,
                    {
                        "Regional contract": 0.5,
                        "Local contract or framework": 0.25,
                        "Direct award / off framework": 0.25,
                    },
                )
            elif kind == p.RESIDENTIAL:
                route = pick(
                    rng,
                    {
                        "Direct award / off framework": 0.55,
                        "Regional contract": 0.25,
                        "Block contract": 0.1,
                        "Other regional contract": 0.1,
                    },
                )
            else:
                route = pick(
                    rng,
                    {
                        "Local contract or framework": 0.5,
                        "Direct award / off framework": 0.3,
                        "Block contract": 0.2,
                    },
                )
        type_preferred = suit.type_preferred if suit is not None else None
        meets = pick(
            rng,
            {
                "Completely": 0.35,
                "Mostly": 0.35,
                "Partly": 0.2,
                "Not met": 0.05,
                "Not yet reviewed": 0.05,
            }
            if type_preferred != "No"
            else {
                "Completely": 0.15,
                "Mostly": 0.35,
                "Partly": 0.35,
                "Not met": 0.1,
                "Not yet reviewed": 0.05,
            },
        )
        post18 = None
        if placement.staying_put:
            post18 = "Staying put"
        elif age >= 16:
            post18 = "Not applicable"
        crisis = None
        if kind not in (p.OTHER,):
            crisis = "Yes" if details.get("crisis") else "No"
        siblings = details.get("siblings", 0)
        together = siblings if details.get("together") else 0
        values = (
            placement.id,
            child.id,
            placement.search.id if placement.search else None,
            placement.needs.id if placement.needs else None,
            iso(placement.start),
            iso(placement.end),
            kind,
            placement.place_code,
            details.get("features"),
            details.get("ratio"),
            type_preferred,
            suit.type_reason if suit is not None and type_preferred == "No" else None,
            self.provider_ids[placement.organisation.index],
            placement.site.urn if placement.site else None,
            districts()[placement.district].la_code if placement.district else None,
            placement.location,
            miles,
            preferable,
            reason_text,
            disrupted,
            together,
            route,
            crisis,
            meets,
            post18,
            details.get("not_costed"),
            placement.end_reason if placement.end is not None else None,
        )
        return row(PLACEMENT_FIELDS, values)

    # -- counts for the truth ---------------------------------------------------------

    def in_care_on(self, day: int) -> int:
        return sum(
            1 for ch in self.children if ch.entered <= day and (ch.left is None or ch.left > day)
        )


def _both(pair: tuple[Chooser, Chooser]) -> Chooser:
    inside, outside = pair
    items = inside.items + outside.items
    weights = []
    previous = 0.0
    for cumulative in inside.cumulative:
        weights.append(cumulative - previous)
        previous = cumulative
    previous = 0.0
    for cumulative in outside.cumulative:
        weights.append(cumulative - previous)
        previous = cumulative
    return Chooser.of(list(zip(items, weights, strict=True)))
