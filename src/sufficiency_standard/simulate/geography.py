"""Where children's families live and where their homes are: postcode districts, their
centroids, and the local authority each district is in.

The standard measures distance as the straight line between the centroids of two postcode
districts (docs/reference/definitions.md#distance), so the simulator needs a centroid for
every district it uses. The project holds no national table of centroids, so this module
carries its own: real postcode districts with approximate centroids (to a mile or two),
enough to make distances that are consistent within the simulated data and close to
real ones. They are for synthetic data only.

The South West districts are listed one by one under their real local authority. Outside
the South West each postcode area is given a few of its districts around one point (its
main town); those districts are shared out among synthetic LAs (codes with a 9 after
the type, such as E08900012), so every English district belongs to exactly one LA of the
catalogue. Welsh districts belong to their real Welsh authorities (W06), which never
submit (the standard's LA codes are English) but host placements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

EARTH_RADIUS_MILES = 3958.8


@dataclass(frozen=True)
class District:
    code: str  # "TA1"
    lat: float
    lon: float
    la_code: str  # the LA the district is in


# The 14 South West LAs the brief names: code, name, districts (code, lat, lon).
SOUTH_WEST: tuple[tuple[str, str, tuple[tuple[str, float, float], ...]], ...] = (
    (
        "E06000066",
        "Somerset",
        (
            ("TA1", 51.015, -3.100),
            ("TA2", 51.035, -3.120),
            ("TA6", 51.128, -3.003),
            ("TA8", 51.240, -2.990),
            ("TA20", 50.873, -2.960),
            ("TA21", 50.978, -3.227),
            ("TA24", 51.200, -3.480),
            ("BA4", 51.190, -2.550),
            ("BA5", 51.210, -2.650),
            ("BA11", 51.230, -2.320),
            ("BA16", 51.125, -2.740),
            ("BA20", 50.940, -2.635),
            ("BA21", 50.955, -2.625),
        ),
    ),
    (
        "E10000008",
        "Devon",
        (
            ("EX1", 50.725, -3.510),
            ("EX2", 50.710, -3.525),
            ("EX4", 50.735, -3.535),
            ("EX8", 50.620, -3.410),
            ("EX10", 50.680, -3.240),
            ("EX14", 50.800, -3.190),
            ("EX16", 50.900, -3.490),
            ("EX20", 50.740, -4.000),
            ("EX31", 51.080, -4.060),
            ("EX39", 51.020, -4.210),
            ("TQ9", 50.430, -3.690),
            ("TQ12", 50.530, -3.610),
            ("PL19", 50.550, -4.140),
        ),
    ),
    (
        "E06000023",
        "Bristol",
        (
            ("BS1", 51.454, -2.593),
            ("BS2", 51.462, -2.580),
            ("BS3", 51.440, -2.600),
            ("BS4", 51.432, -2.560),
            ("BS5", 51.462, -2.550),
            ("BS6", 51.472, -2.600),
            ("BS7", 51.485, -2.585),
            ("BS10", 51.502, -2.603),
            ("BS11", 51.492, -2.680),
            ("BS13", 51.412, -2.610),
            ("BS14", 51.412, -2.560),
        ),
    ),
    (
        "E06000026",
        "Plymouth",
        (
            ("PL1", 50.370, -4.150),
            ("PL2", 50.385, -4.160),
            ("PL3", 50.392, -4.130),
            ("PL4", 50.375, -4.120),
            ("PL5", 50.410, -4.170),
            ("PL6", 50.420, -4.110),
            ("PL7", 50.390, -4.050),
            ("PL9", 50.355, -4.090),
        ),
    ),
    (
        "E06000027",
        "Torbay",
        (
            ("TQ1", 50.470, -3.520),
            ("TQ2", 50.475, -3.550),
            ("TQ3", 50.440, -3.580),
            ("TQ4", 50.420, -3.570),
            ("TQ5", 50.390, -3.515),
        ),
    ),
    (
        "E06000022",
        "Bath and North East Somerset",
        (
            ("BA1", 51.385, -2.365),
            ("BA2", 51.370, -2.360),
            ("BA3", 51.290, -2.450),
            ("BS31", 51.412, -2.500),
            ("BS39", 51.310, -2.500),
        ),
    ),
    (
        "E06000024",
        "North Somerset",
        (
            ("BS20", 51.480, -2.770),
            ("BS21", 51.440, -2.850),
            ("BS22", 51.360, -2.930),
            ("BS23", 51.345, -2.975),
            ("BS24", 51.330, -2.935),
            ("BS48", 51.430, -2.760),
        ),
    ),
    (
        "E06000025",
        "South Gloucestershire",
        (
            ("BS15", 51.460, -2.500),
            ("BS16", 51.485, -2.520),
            ("BS30", 51.440, -2.470),
            ("BS32", 51.535, -2.555),
            ("BS34", 51.510, -2.570),
            ("BS35", 51.610, -2.520),
            ("BS37", 51.540, -2.410),
        ),
    ),
    (
        "E06000030",
        "Swindon",
        (
            ("SN1", 51.560, -1.780),
            ("SN2", 51.580, -1.790),
            ("SN3", 51.565, -1.740),
            ("SN5", 51.570, -1.840),
            ("SN25", 51.600, -1.790),
        ),
    ),
    (
        "E06000054",
        "Wiltshire",
        (
            ("SP1", 51.075, -1.790),
            ("SP2", 51.070, -1.820),
            ("SP4", 51.170, -1.780),
            ("SN8", 51.420, -1.730),
            ("SN10", 51.350, -1.990),
            ("SN14", 51.460, -2.160),
            ("SN15", 51.460, -2.110),
            ("SN16", 51.585, -2.100),
            ("BA12", 51.205, -2.180),
            ("BA14", 51.320, -2.210),
        ),
    ),
    (
        "E06000058",
        "Bournemouth, Christchurch and Poole",
        (
            ("BH1", 50.725, -1.860),
            ("BH8", 50.740, -1.850),
            ("BH9", 50.750, -1.880),
            ("BH11", 50.760, -1.920),
            ("BH12", 50.740, -1.940),
            ("BH14", 50.720, -1.950),
            ("BH15", 50.715, -1.985),
            ("BH23", 50.740, -1.770),
        ),
    ),
    (
        "E06000059",
        "Dorset",
        (
            ("DT1", 50.715, -2.440),
            ("DT3", 50.640, -2.470),
            ("DT4", 50.610, -2.460),
            ("DT6", 50.730, -2.760),
            ("DT9", 50.950, -2.520),
            ("DT11", 50.860, -2.160),
            ("BH20", 50.690, -2.110),
            ("BH21", 50.800, -1.980),
            ("SP8", 51.040, -2.280),
        ),
    ),
    (
        "E06000052",
        "Cornwall",
        (
            ("TR1", 50.263, -5.050),
            ("TR7", 50.412, -5.080),
            ("TR11", 50.150, -5.070),
            ("TR14", 50.210, -5.300),
            ("TR15", 50.233, -5.230),
            ("TR18", 50.120, -5.540),
            ("PL14", 50.455, -4.465),
            ("PL15", 50.637, -4.360),
            ("PL25", 50.340, -4.790),
            ("PL31", 50.470, -4.720),
            ("EX23", 50.830, -4.545),
        ),
    ),
    (
        "E10000013",
        "Gloucestershire",
        (
            ("GL1", 51.862, -2.245),
            ("GL2", 51.850, -2.275),
            ("GL4", 51.840, -2.215),
            ("GL5", 51.745, -2.220),
            ("GL7", 51.718, -1.968),
            ("GL11", 51.683, -2.355),
            ("GL16", 51.795, -2.610),
            ("GL20", 51.993, -2.155),
            ("GL50", 51.900, -2.080),
            ("GL51", 51.900, -2.110),
            ("GL52", 51.912, -2.060),
        ),
    ),
)

# Postcode areas outside the South West: area, main town, centre (lat, lon), the numbers
# of some of its real districts, and the local authority type (E06 unitary, E08
# metropolitan, E09 London, E10 county) that synthetic LAs there are given.
ENGLAND_AREAS: tuple[tuple[str, str, float, float, tuple[str, ...], str], ...] = (
    ("B", "Birmingham", 52.480, -1.900, ("1", "5", "6", "10", "23"), "08"),
    ("CV", "Coventry", 52.408, -1.510, ("1", "2", "3", "6"), "08"),
    ("WV", "Wolverhampton", 52.586, -2.128, ("1", "2", "3", "10"), "08"),
    ("WS", "Walsall", 52.586, -1.982, ("1", "2", "3"), "08"),
    ("DY", "Dudley", 52.512, -2.088, ("1", "2", "4"), "08"),
    ("ST", "Stoke-on-Trent", 53.017, -2.180, ("1", "3", "4", "6"), "06"),
    ("WR", "Worcester", 52.192, -2.220, ("1", "2", "3", "5"), "10"),
    ("HR", "Hereford", 52.056, -2.716, ("1", "2", "4"), "06"),
    ("SY", "Shrewsbury", 52.708, -2.754, ("1", "2", "3"), "06"),
    ("TF", "Telford", 52.678, -2.447, ("1", "2", "3"), "06"),
    ("NG", "Nottingham", 52.954, -1.150, ("1", "2", "3", "5", "7"), "06"),
    ("DE", "Derby", 52.922, -1.476, ("1", "21", "22", "23", "24"), "06"),
    ("LE", "Leicester", 52.636, -1.133, ("1", "2", "3", "4", "5"), "06"),
    ("NN", "Northampton", 52.240, -0.900, ("1", "2", "3", "4"), "06"),
    ("LN", "Lincoln", 53.230, -0.540, ("1", "2", "6"), "10"),
    ("PE", "Peterborough", 52.573, -0.243, ("1", "2", "3", "4"), "06"),
    ("CB", "Cambridge", 52.205, 0.122, ("1", "2", "3", "4"), "10"),
    ("NR", "Norwich", 52.630, 1.297, ("1", "2", "3", "4", "5"), "10"),
    ("IP", "Ipswich", 52.059, 1.155, ("1", "2", "3", "4"), "10"),
    ("CO", "Colchester", 51.890, 0.903, ("1", "2", "3", "4"), "10"),
    ("CM", "Chelmsford", 51.736, 0.469, ("1", "2", "3"), "10"),
    ("SS", "Southend-on-Sea", 51.538, 0.714, ("1", "2", "3"), "06"),
    ("LU", "Luton", 51.879, -0.418, ("1", "2", "3", "4"), "06"),
    ("MK", "Milton Keynes", 52.041, -0.760, ("1", "2", "3", "4"), "06"),
    ("SG", "Stevenage", 51.902, -0.202, ("1", "2", "4"), "10"),
    ("AL", "St Albans", 51.753, -0.336, ("1", "2", "3", "4"), "10"),
    ("HP", "Hemel Hempstead", 51.753, -0.473, ("1", "2", "3"), "10"),
    ("OX", "Oxford", 51.752, -1.258, ("1", "2", "3", "4"), "10"),
    ("RG", "Reading", 51.454, -0.973, ("1", "2", "4", "6"), "06"),
    ("SL", "Slough", 51.511, -0.595, ("1", "2", "3"), "06"),
    ("GU", "Guildford", 51.236, -0.570, ("1", "2", "4"), "10"),
    ("RH", "Redhill", 51.240, -0.170, ("1", "2", "10", "11"), "10"),
    ("ME", "Medway", 51.385, 0.510, ("1", "2", "4", "5"), "06"),
    ("CT", "Canterbury", 51.280, 1.080, ("1", "2", "3"), "10"),
    ("TN", "Tunbridge Wells", 51.132, 0.263, ("1", "2", "4"), "10"),
    ("BN", "Brighton", 50.828, -0.139, ("1", "2", "3"), "06"),
    ("PO", "Portsmouth", 50.805, -1.087, ("1", "2", "3", "4"), "06"),
    ("SO", "Southampton", 50.909, -1.404, ("14", "15", "16", "17"), "06"),
    ("SP", "Andover", 51.211, -1.493, ("10", "11"), "10"),
    ("E", "East London", 51.525, -0.040, ("1", "2", "3", "5", "8"), "09"),
    ("N", "North London", 51.560, -0.110, ("1", "4", "7", "15", "17"), "09"),
    ("NW", "North West London", 51.545, -0.170, ("1", "2", "5", "6", "10"), "09"),
    ("SE", "South East London", 51.470, -0.060, ("1", "5", "6", "13", "15"), "09"),
    ("SW", "South West London", 51.460, -0.170, ("2", "4", "9", "11", "17"), "09"),
    ("W", "West London", 51.510, -0.260, ("2", "3", "5", "10", "12"), "09"),
    ("EN", "Enfield", 51.652, -0.081, ("1", "2", "3"), "09"),
    ("HA", "Harrow", 51.580, -0.336, ("1", "2", "3"), "09"),
    ("UB", "Uxbridge", 51.530, -0.430, ("1", "2", "3", "8"), "09"),
    ("TW", "Twickenham", 51.447, -0.335, ("1", "2", "3"), "09"),
    ("IG", "Ilford", 51.560, 0.082, ("1", "2", "3"), "09"),
    ("RM", "Romford", 51.577, 0.183, ("1", "2", "3"), "09"),
    ("CR", "Croydon", 51.372, -0.100, ("0", "2", "7"), "09"),
    ("BR", "Bromley", 51.405, 0.015, ("1", "2", "3"), "09"),
    ("DA", "Dartford", 51.446, 0.216, ("1", "2", "5"), "09"),
    ("KT", "Kingston upon Thames", 51.410, -0.300, ("1", "2", "3"), "09"),
    ("SM", "Sutton", 51.362, -0.193, ("1", "2", "3"), "09"),
    ("M", "Manchester", 53.480, -2.242, ("1", "4", "8", "13", "40"), "08"),
    ("L", "Liverpool", 53.408, -2.980, ("1", "4", "6", "8", "11"), "08"),
    ("WA", "Warrington", 53.390, -2.597, ("1", "2", "4", "5"), "06"),
    ("CH", "Chester", 53.191, -2.890, ("1", "2", "3", "4"), "06"),
    ("CW", "Crewe", 53.098, -2.441, ("1", "2", "9"), "06"),
    ("SK", "Stockport", 53.408, -2.158, ("1", "2", "3", "4"), "08"),
    ("OL", "Oldham", 53.541, -2.118, ("1", "4", "8", "9"), "08"),
    ("BL", "Bolton", 53.578, -2.429, ("1", "2", "3", "4"), "08"),
    ("WN", "Wigan", 53.545, -2.632, ("1", "2", "3", "5"), "08"),
    ("PR", "Preston", 53.763, -2.703, ("1", "2", "5"), "10"),
    ("BB", "Blackburn", 53.748, -2.482, ("1", "2", "5"), "06"),
    ("FY", "Blackpool", 53.818, -3.050, ("1", "2", "3", "4"), "06"),
    ("LA", "Lancaster", 54.047, -2.801, ("1", "3", "4"), "10"),
    ("CA", "Carlisle", 54.892, -2.932, ("1", "2", "3"), "06"),
    ("LS", "Leeds", 53.800, -1.549, ("1", "6", "8", "9", "11", "14"), "08"),
    ("BD", "Bradford", 53.795, -1.759, ("1", "3", "5", "7", "8"), "08"),
    ("HX", "Halifax", 53.721, -1.862, ("1", "2", "3"), "08"),
    ("HD", "Huddersfield", 53.646, -1.782, ("1", "2", "3", "4"), "08"),
    ("WF", "Wakefield", 53.683, -1.499, ("1", "2", "3", "10"), "08"),
    ("S", "Sheffield", 53.381, -1.470, ("1", "2", "5", "8", "9"), "08"),
    ("DN", "Doncaster", 53.523, -1.133, ("1", "2", "4", "5"), "08"),
    ("HU", "Hull", 53.745, -0.337, ("1", "3", "5", "8", "9"), "06"),
    ("YO", "York", 53.959, -1.082, ("1", "10", "24", "26", "31"), "06"),
    ("HG", "Harrogate", 53.992, -1.541, ("1", "2", "3"), "06"),
    ("DL", "Darlington", 54.524, -1.553, ("1", "2", "3"), "06"),
    ("TS", "Middlesbrough", 54.574, -1.235, ("1", "3", "4", "5", "6"), "06"),
    ("DH", "Durham", 54.776, -1.576, ("1", "2", "3", "7"), "06"),
    ("SR", "Sunderland", 54.906, -1.381, ("1", "2", "3", "4"), "08"),
    ("NE", "Newcastle upon Tyne", 54.973, -1.614, ("1", "4", "6", "15", "28"), "08"),
)

# Welsh districts that host placements from English LAs (real W06 codes).
WALES: tuple[tuple[str, str, tuple[tuple[str, float, float], ...]], ...] = (
    ("W06000015", "Cardiff", (("CF10", 51.476, -3.177), ("CF11", 51.478, -3.200))),
    ("W06000022", "Newport", (("NP19", 51.593, -2.972), ("NP20", 51.584, -3.003))),
    ("W06000011", "Swansea", (("SA1", 51.622, -3.940), ("SA2", 51.615, -3.975))),
)

# Districts of an area around its centre, about two to four miles apart.
_OFFSETS = ((0.0, 0.0), (0.030, -0.040), (-0.030, 0.045), (0.045, 0.040), (-0.040, -0.050))
_OFFSETS += ((0.060, -0.005), (-0.060, 0.000))

SYNTHETIC_LAS = 150 - len(SOUTH_WEST)  # the catalogue holds 150 LAs, as England nearly does


@dataclass(frozen=True)
class LAArea:
    """A submitting LA of the catalogue and its postcode districts."""

    la_code: str
    name: str
    districts: tuple[str, ...]
    synthetic: bool


@cache
def catalogue() -> tuple[tuple[LAArea, ...], dict[str, District]]:
    """Every LA of the catalogue (the 14 South West LAs first, then the synthetic ones in
    order) and every district by code."""
    districts: dict[str, District] = {}
    areas: list[LAArea] = []
    for code, name, listed in SOUTH_WEST:
        for district, lat, lon in listed:
            districts[district] = District(district, lat, lon, code)
        areas.append(LAArea(code, name, tuple(d for d, _, _ in listed), synthetic=False))
    # England outside the South West, district by district, shared out in order among
    # the synthetic LAs (each a run of neighbouring districts).
    england: list[tuple[str, float, float, str, str]] = []
    for area, town, lat, lon, numbers, kind in ENGLAND_AREAS:
        for (dlat, dlon), number in zip(_OFFSETS, numbers, strict=False):
            england.append((f"{area}{number}", lat + dlat, lon + dlon, town, kind))
    count = SYNTHETIC_LAS
    bounds = [round(i * len(england) / count) for i in range(count + 1)]
    for i in range(count):
        chunk = england[bounds[i] : bounds[i + 1]]
        town, kind = chunk[0][3], chunk[0][4]
        code = f"E{kind}9{i + 1:05d}"
        for district, lat, lon, _, _ in chunk:
            districts[district] = District(district, lat, lon, code)
        areas.append(
            LAArea(
                code, f"Synthetic LA {i + 1:03d} ({town} area)", tuple(c[0] for c in chunk), True
            )
        )
    for code, _name, listed in WALES:
        for district, lat, lon in listed:
            districts[district] = District(district, lat, lon, code)
    return tuple(areas), districts


def la_areas() -> tuple[LAArea, ...]:
    return catalogue()[0]


def districts() -> dict[str, District]:
    return catalogue()[1]


def district_of(location: str) -> str:
    """The district of a sector or district ("TA1 2" -> "TA1")."""
    return location.split(" ", 1)[0]


@cache
def miles_between(a: str, b: str) -> float:
    """The standard's distance: the straight line between the centroids of two districts,
    in miles to one decimal place; 0 within one district."""
    if a == b:
        return 0.0
    table = districts()
    one, two = table[a], table[b]
    lat1, lon1, lat2, lon2 = map(math.radians, (one.lat, one.lon, two.lat, two.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    miles = 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))
    return max(0.1, round(miles, 1))


def centre_of(codes: tuple[str, ...]) -> tuple[float, float]:
    table = districts()
    return (
        sum(table[c].lat for c in codes) / len(codes),
        sum(table[c].lon for c in codes) / len(codes),
    )
