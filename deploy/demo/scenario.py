"""A seeded, plausible scenario of the program in Kukar: women, welfare, training, businesses, a cooperative,
fairs and sales. Plain data only: the driver sends it through the public HTTP APIs, and the end-to-end test
computes the expected indicators from the same objects.

Names and NIKs are generated and fake: NIK serials start at 9 (never issued in this form) and names come from
Faker's id_ID locale.
"""

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from faker import Faker

GK_2024 = 753_332  # Kukar poverty line per capita per month (BPS), the line in force for the scenario's dates

# Rough population weights of the 20 kecamatan (Tenggarong largest); only the proportions matter.
POPULATION_WEIGHT = {
    "64.02.06": 115, "64.02.16": 75, "64.02.03": 65, "64.02.13": 60, "64.02.02": 50, "64.02.04": 50,
    "64.02.05": 45, "64.02.07": 40, "64.02.11": 40, "64.02.14": 40, "64.02.08": 35, "64.02.17": 25,
    "64.02.20": 25, "64.02.15": 20, "64.02.10": 20, "64.02.01": 18, "64.02.19": 14, "64.02.12": 10,
    "64.02.09": 10, "64.02.18": 9,
}
TRAINING_FIELDS_DP3A = ["kerajinan_tangan", "industri_kreatif", "kuliner", "teknologi_informasi"]
TRAINING_FIELDS_DISTRANSNAKER = ["manufaktur", "jasa", "manajemen_usaha"]
SECTORS = ["kuliner", "kuliner", "kuliner", "kerajinan", "fesyen", "perdagangan", "pertanian", "perikanan", "jasa"]
PRODUCT_CATEGORIES = {
    "kuliner": ["amplang", "kerupuk ikan", "kue tradisional", "sambal"],
    "kerajinan": ["anyaman rotan", "manik-manik dayak", "tas purun"],
    "fesyen": ["batik kutai", "sarung tenun ulap doyo"],
    "perdagangan": ["sembako"],
    "pertanian": ["madu kelulut", "gula aren"],
    "perikanan": ["ikan asin", "udang kering"],
    "jasa": ["jahit", "tata rias"],
}
OTHER_PROVINCE_AREAS = ["330101", "350702", "520301", "730401", "320402"]  # transmigrants' first registration


@dataclass
class Woman:
    key: str
    nik: str
    full_name: str
    birth_date: date
    phone: str | None
    kecamatan_code: str
    desa_code: str
    household_size: int
    pekka_category: str
    registered_on: date
    baseline_income: int
    followup_income: int | None = None
    followup_on: date | None = None
    person_ref: str | None = None  # filled by the driver from the registry's answer


@dataclass
class Course:
    key: str
    organizer_opd: str
    field: str
    kecamatan_code: str
    title: str
    starts_on: date
    ends_on: date
    sessions: int
    capacity: int
    participants: list[str] = field(default_factory=list)  # woman keys
    attended: dict[str, int] = field(default_factory=dict)  # sessions present per woman
    completed: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    course_ref: str | None = None


@dataclass
class Business:
    key: str
    owner: str
    sector: str
    kecamatan_code: str
    has_nib: bool
    has_pirt: bool
    has_halal: bool
    started_on: date
    registered_on: date
    reports: list[tuple[str, int, int]] = field(default_factory=list)  # (period, revenue, workers)
    business_ref: str | None = None


@dataclass
class Sale:
    business: str
    channel: str
    amount_idr: int
    quantity: int
    sold_on: date


@dataclass
class Scenario:
    women: list[Woman]
    courses: list[Course]
    businesses: list[Business]
    coop_members: list[str]
    coop_kecamatan: str
    coop_formed_on: date
    fair_name: str
    fair_kecamatan: str
    fair_starts_on: date
    booth_businesses: list[str]
    listings: list[tuple[str, str, str, int]]  # (business, channel, category, price)
    sales: list[Sale]
    placements: list[tuple[str, str, bool, int, date]]  # (woman, course key, formal, wage, placed_on)
    aid: list[tuple[str, str, date]]  # (woman, kind, provided_on)
    capital: list[tuple[str, str, int, date]]  # (business, source, amount, disbursed_on)
    # Businesses selling at the fair through a shared booth (a PEKKA gerai), not a booth of their own.
    shared_booth: list[str] = field(default_factory=list)

    def woman(self, key: str) -> Woman:
        return self._women[key]

    def __post_init__(self) -> None:
        self._women = {w.key: w for w in self.women}


def _desa_codes() -> dict[str, list[str]]:
    path = Path(__file__).resolve().parents[1] / "kecamatan.csv"
    codes: dict[str, list[str]] = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            desa = [f"{row['code']}.{2000 + i}" for i in range(1, int(row["desa"]) + 1)]
            kel = [f"{row['code']}.{1000 + i}" for i in range(1, int(row["kelurahan"]) + 1)]
            codes[row["code"]] = desa + kel
    return codes


def _month_after(day: date, months: int) -> str:
    index = day.year * 12 + day.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _nik(rng: random.Random, kecamatan_code: str, birth: date, serial: int) -> str:
    if rng.random() < 0.12:
        area = rng.choice(OTHER_PROVINCE_AREAS)
    else:
        area = "6402" + kecamatan_code[-2:]
    return f"{area}{birth.day + 40:02d}{birth.month:02d}{birth.year % 100:02d}{9000 + serial % 1000:04d}"


def generate(n_women: int = 200, *, seed: int = 7, start: date = date(2025, 1, 6)) -> Scenario:
    rng = random.Random(seed)
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    desa = _desa_codes()
    kec_codes = list(POPULATION_WEIGHT)
    weights = [POPULATION_WEIGHT[k] for k in kec_codes]

    women: list[Woman] = []
    for i in range(n_women):
        kec = rng.choices(kec_codes, weights)[0]
        birth = date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28))
        household = rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7])
        pekka = rng.choices(["none", "productive", "child_marriage_risk", "elderly"], [60, 25, 5, 10])[0]
        per_capita = int(GK_2024 * rng.uniform(0.45, 1.8))
        followup = None
        if rng.random() < 0.7:
            followup = int(per_capita * household * rng.uniform(0.9, 1.9))
        women.append(
            Woman(
                key=f"w{i}",
                nik=_nik(rng, kec, birth, i),
                full_name=fake.name_female(),
                birth_date=birth,
                phone=f"08{rng.randint(11, 99)}{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.8 else None,
                kecamatan_code=kec,
                desa_code=rng.choice(desa[kec]),
                household_size=household,
                pekka_category=pekka,
                registered_on=start + timedelta(days=rng.randint(0, 60)),
                baseline_income=per_capita * household,
                followup_income=followup,
                followup_on=date(2025, 11, 3) if followup is not None else None,
            )
        )

    courses: list[Course] = []
    pool = [w.key for w in women]
    rng.shuffle(pool)
    n_courses = max(1, n_women // 25)
    for c in range(n_courses):
        if not pool:
            break
        dp3a = c % 3 != 2
        field_ = rng.choice(TRAINING_FIELDS_DP3A if dp3a else TRAINING_FIELDS_DISTRANSNAKER)
        kec = rng.choices(kec_codes, weights)[0]
        starts = date(2025, 3, 3) + timedelta(days=14 * (c % 12))
        sessions = rng.choice([4, 6, 8])
        course = Course(
            key=f"c{c}", organizer_opd="dp3a" if dp3a else "distransnaker", field=field_, kecamatan_code=kec,
            title=f"Pelatihan {field_.replace('_', ' ').title()} {c + 1}", starts_on=starts,
            ends_on=starts + timedelta(days=sessions * 2), sessions=sessions, capacity=rng.choice([20, 25, 30]),
        )
        take = min(len(pool), rng.randint(12, course.capacity))
        course.participants, pool = pool[:take], pool[take:]
        for w in course.participants:
            roll = rng.random()
            if roll < 0.12:
                course.dropped.append(w)
                course.attended[w] = rng.randint(0, sessions // 2)
            else:
                present = sessions if roll < 0.75 else rng.randint(int(sessions * 0.75 + 0.999), sessions)
                course.attended[w] = present
                course.completed.append(w)
        courses.append(course)

    businesses: list[Business] = []
    completed_on = {w: c.ends_on for c in courses for w in c.completed}
    for i, w in enumerate(women):
        trained = w.key in completed_on
        if rng.random() < (0.45 if trained else 0.2):
            after = completed_on.get(w.key, date(2025, 4, 1))
            started = after + timedelta(days=rng.choice([20, 45, 90, 150, 240]))
            sector = rng.choice(SECTORS)
            revenue = rng.randint(8, 60) * 100_000
            businesses.append(
                Business(
                    key=f"b{i}", owner=w.key, sector=sector, kecamatan_code=w.kecamatan_code,
                    has_nib=rng.random() < 0.5, has_pirt=sector == "kuliner" and rng.random() < 0.6,
                    has_halal=sector == "kuliner" and rng.random() < 0.3, started_on=started,
                    registered_on=started + timedelta(days=3),
                    reports=[
                        (_month_after(started, 1), revenue, 1),
                        (_month_after(started, 4), int(revenue * rng.uniform(0.8, 1.6)), rng.randint(1, 3)),
                    ],
                )
            )

    biz_keys = [b.key for b in businesses]
    booth = biz_keys[: min(len(biz_keys), 30)]
    by_key = {b.key: b for b in businesses}
    listings = []
    for b in biz_keys[: min(len(biz_keys), 40)]:
        channel = rng.choice(["trade_fair", "modern_retail", "digital"])
        listings.append((b, channel, rng.choice(PRODUCT_CATEGORIES[by_key[b].sector]), rng.randint(2, 50) * 5_000))
    sales = [
        Sale(b, "trade_fair", rng.randint(3, 40) * 50_000, rng.randint(5, 80), date(2025, 8, 16)) for b in booth
    ] + [
        Sale(b, ch, rng.randint(2, 20) * 25_000, rng.randint(1, 30), date(2025, 9, rng.randint(1, 28)))
        for b, ch, _, _ in listings
        if ch != "trade_fair"
    ]
    distransnaker_done = [(w, c.key) for c in courses if c.organizer_opd == "distransnaker" for w in c.completed]
    placements = [
        (w, c, rng.random() < 0.7, rng.randint(30, 55) * 100_000, date(2025, 10, 1))
        for w, c in distransnaker_done[: max(1, len(distransnaker_done) // 2)]
    ]
    coop_members = [w.key for w in women if w.kecamatan_code == "64.02.06"][:12] or [women[0].key]
    aid = [(w.key, rng.choice(["legal_assistance", "social_aid", "counselling"]), date(2025, 6, 2)) for w in women[::9]]
    capital = [(b, rng.choice(["kur", "dp3a_grant", "diskop_grant"]), rng.randint(2, 20) * 1_000_000, date(2025, 7, 1))
               for b in biz_keys[::5]]
    # Drawn last, so every figure above stays what it was: a PEKKA gerai's shared booth sells six more businesses'
    # products at the fair, each sale recorded against its own business.
    shared_booth = biz_keys[30:36]
    sales += [Sale(b, "trade_fair", rng.randint(3, 40) * 50_000, rng.randint(5, 80), date(2025, 8, 16))
              for b in shared_booth]
    return Scenario(
        women=women, courses=courses, businesses=businesses, coop_members=coop_members, shared_booth=shared_booth,
        coop_kecamatan="64.02.06", coop_formed_on=date(2025, 5, 5), fair_name="Pameran Produk Perempuan Kukar 2025",
        fair_kecamatan="64.02.06", fair_starts_on=date(2025, 8, 15), booth_businesses=booth, listings=listings,
        sales=sales, placements=placements, aid=aid, capital=capital,
    )
