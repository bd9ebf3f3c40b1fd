"""Her journey as her page lists it (``entrypoints/journey_lines.py``): one dated line per step, oldest first,
naming the OPD, dates and money the Indonesian way; steps without a date last."""

from datetime import date
from uuid import uuid4

from registry.entrypoints.journey_lines import lines


def test_steps_come_in_date_order_with_their_opd_and_indonesian_dates_and_money() -> None:
    course, business = uuid4(), uuid4()
    journey = {
        "courses": [{"course_ref": course, "organizer_opd": "distransnaker", "field": "kuliner",
                     "kecamatan_code": "64.02.06", "starts_on": date(2026, 8, 3), "ends_on": date(2026, 8, 14),
                     "status": "completed", "enrolled_on": date(2026, 8, 1), "completed_on": date(2026, 8, 17),
                     "attendance_rate": 0.875, "certified": True, "dropped_on": None, "drop_reason": None},
                    {"course_ref": uuid4(), "organizer_opd": None, "field": None, "kecamatan_code": None,
                     "starts_on": None, "ends_on": None, "status": "dropped", "enrolled_on": None,
                     "completed_on": None, "attendance_rate": None, "certified": None,
                     "dropped_on": date(2026, 2, 1), "drop_reason": "biaya"}],
        "placements": [{"placement_ref": uuid4(), "course_ref": course, "sector": "kuliner", "formal": False,
                        "monthly_wage_idr": 1_500_000, "placed_on": date(2026, 9, 1)}],
        "market": [{"kind": "booth", "business_ref": business, "fair_ref": uuid4(), "channel": "trade_fair",
                    "amount_idr": None, "quantity": None, "on_date": None},
                   {"kind": "sale", "business_ref": business, "fair_ref": None, "channel": "digital",
                    "amount_idr": 2_250_000, "quantity": 9, "on_date": date(2026, 9, 2)}],
    }
    got = [(step["tanggal"], step["opd"], step["text"]) for step in lines(journey, {str(business): "Amplang Bu Siti"})]
    assert got == [
        ("1 Februari 2026", "—", "Berhenti dari pelatihan (jadwalnya belum diterima); alasan: biaya"),
        ("1 Agustus 2026", "Distransnaker",
         "Terdaftar di pelatihan kuliner di Tenggarong (3 Agustus 2026 – 14 Agustus 2026)"),
        ("17 Agustus 2026", "Distransnaker", "Lulus pelatihan kuliner di Tenggarong, kehadiran 88%, bersertifikat"),
        ("1 September 2026", "Distransnaker", "Bekerja di sektor kuliner (informal), upah Rp 1.500.000 sebulan"),
        ("2 September 2026", "Disperindag", "Penjualan Amplang Bu Siti di pasar digital: 9 barang, Rp 2.250.000"),
        ("Tanggal belum diketahui", "Disperindag", "Mendapat stan pameran untuk Amplang Bu Siti"),
    ]


def test_an_empty_journey_has_no_lines() -> None:
    assert lines({"courses": [], "placements": [], "market": []}, {}) == []
