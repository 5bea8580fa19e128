"""Importing monthly returns from CSV: POST /api/v1/returns/import, the service behind it and the
upload, preview and import pages. Every row or none, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import re
import tracemalloc
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.errors import ValidationFailed
from sites.models import MonthlyReturn, ReturnSector, ReturnUpload, ReturnVersion, UserSite
from sites.returns import rules as return_rules
from sites.returns.importing import reader, writer

URL = "/api/v1/returns/import"
HEADER = ",".join(reader.HEADER)
GOOD = {
    "referrals": "10",
    "caseload": "40",
    "new_to_service": "8",
    "first_contact_within_4_weeks": "6",
    "job_starts": "3",
    "in_work": "15",
    "sustained_13_weeks": "2",
    "employment_specialists_fte": "2.0",
    "discharges": "4",
}


def line(site_id, month: str, **figures) -> str:
    values = {"site_id": str(site_id), "month": month, **GOOD, **figures}
    return ",".join(values[name] for name in reader.HEADER)


def csv_of(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def send(caller, text: str | bytes, content_type: str = "text/csv"):
    body = text.encode() if isinstance(text, str) else text
    return caller.post(URL, data=body, content_type=content_type)


def rows_of(response) -> list[dict]:
    body = response.get_json()
    assert response.status_code == 422, body
    assert body["error"]["code"] == "validation_failed"
    return body["error"]["rows"]


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def find(db, site, month: date) -> MonthlyReturn:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(MonthlyReturn).where(
            MonthlyReturn.site_id == site.id, MonthlyReturn.month == month
        )
    )


def snapshot(db) -> dict[str, list]:
    """Every row of the tables an import writes, in id order."""
    tables = [MonthlyReturn, ReturnVersion, ReturnSector, AuditEvent]
    return {
        model.__tablename__: db.session.execute(
            sa.select(model.__table__).order_by(model.__table__.c.id)
        ).all()
        for model in tables
    }


def return_audits(db) -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.table_name == "monthly_return", AuditEvent.user_id.is_not(None))
        .order_by(AuditEvent.id)
    ).all()


# --- a good file ---------------------------------------------------------------------------------


def test_a_good_file_creates_and_amends_returns_keeping_their_versions(api, make, db):
    bradford, berkshire = make.site(name="Bradford IPS"), make.site(name="Berkshire IPS")
    # Submitted before versions were kept: the import first keeps these figures as version 1.
    make.monthly_return(bradford, date(2024, 1, 1), job_starts=3, sectors={"retail": 3})
    make.monthly_return(bradford, date(2024, 2, 1), job_starts=2, sectors={"education": 2})
    caller = api("admin")

    response = send(
        caller,
        csv_of(
            line(bradford.id, "2024-01", caseload="44"),  # job starts unchanged: keeps sectors
            line(bradford.id, "2024-02", job_starts="4"),  # breakdown no longer adds up: dropped
            line(bradford.id, "2024-03"),
            line(berkshire.id, "2024-03", employment_specialists_fte="2.5"),
        ),
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"imported": 4, "warnings": []}
    january = find(db, bradford, date(2024, 1, 1))
    assert (january.caseload, january.job_starts, january.version) == (44, 3, 2)
    assert january.sector_counts() == {"retail": 3}
    assert [(v.number, v.source, v.figures["caseload"]) for v in january.versions] == [
        (1, "earlier", 40),
        (2, "import", 44),
    ]
    assert january.versions[0].figures["sectors"] == {"retail": 3}
    assert january.versions[1].figures["sectors"] == {"retail": 3}
    assert january.versions[1].saved_by_id == caller.user.id

    february = find(db, bradford, date(2024, 2, 1))
    assert february.job_starts == 4
    assert february.sector_counts() == {}
    assert [
        (v.number, v.figures["job_starts"], v.figures["sectors"]) for v in february.versions
    ] == [
        (1, 2, {"education": 2}),
        (2, 4, {}),
    ]

    march = find(db, berkshire, date(2024, 3, 1))
    assert march.status == "submitted"
    assert march.employment_specialists_fte == Decimal("2.50")
    assert march.submitted_by_id == caller.user.id
    assert [(v.number, v.source) for v in march.versions] == [(1, "import")]
    assert march.versions[0].figures == {
        **{name: int(GOOD[name]) for name in return_rules.COUNTS},
        "employment_specialists_fte": "2.50",
        "sectors": {},
    }

    # One audit event per return created or amended, by the importing user.
    audits = {audit.record_id: audit for audit in return_audits(db)}
    bradford_march = find(db, bradford, date(2024, 3, 1))
    assert {(a.record_id, a.action, a.user_id) for a in audits.values()} == {
        (january.id, "update", caller.user.id),
        (february.id, "update", caller.user.id),
        (bradford_march.id, "create", caller.user.id),
        (march.id, "create", caller.user.id),
    }
    assert (audits[january.id].before, audits[january.id].after) == (
        {"caseload": 40},
        {"caseload": 44},
    )
    assert (audits[february.id].before, audits[february.id].after) == (
        {"job_starts": 2, "sectors": {"education": 2}},
        {"job_starts": 4, "sectors": {}},
    )
    created = audits[march.id].after
    assert (created["site_id"], created["month"], created["status"]) == (
        berkshire.id,
        "2024-03-01",
        "submitted",
    )
    assert created["employment_specialists_fte"] == "2.50"


def test_a_row_the_same_as_the_return_held_writes_nothing(api, make, db):
    site = make.site()
    make.monthly_return(site, date(2024, 1, 1))
    caller = api("admin")
    before = snapshot(db)

    response = send(caller, csv_of(line(site.id, "2024-01")))

    assert response.get_json() == {"imported": 1, "warnings": []}
    assert snapshot(db) == before


def test_a_draft_is_submitted_by_the_import(api, make, db):
    site = make.site()
    make.monthly_return(site, date(2024, 1, 1), status="draft", caseload=None)
    caller = api("site_lead", sites=[site])

    response = send(caller, csv_of(line(site.id, "2024-01")))

    assert response.status_code == 200
    january = find(db, site, date(2024, 1, 1))
    assert (january.status, january.caseload, january.submitted_by_id) == (
        "submitted",
        40,
        caller.user.id,
    )
    assert [(v.number, v.source) for v in january.versions] == [(1, "import")]
    audit = return_audits(db)[0]
    assert audit.before == {
        "caseload": None,
        "status": "draft",
        "submitted_at": None,
        "submitted_by_id": None,
    }
    assert audit.after["status"] == "submitted"


def test_warnings_do_not_stop_the_import_and_are_listed(api, make, db):
    site = make.site()
    response = send(
        api("admin"),
        csv_of(
            line(site.id, "2024-01"),
            line(site.id, "2024-02", caseload="60", employment_specialists_fte="2"),  # 30 each
        ),
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "imported": 2,
        "warnings": [
            {
                "row": 3,
                "messages": [
                    "Caseload per specialist is 30.0, above 25 (IPS expects 20 or fewer): check "
                    "the caseload and the full-time equivalent"
                ],
            }
        ],
    }
    assert count(db, MonthlyReturn) == 2


def test_columns_may_come_in_any_order_and_blank_rows_are_skipped(api, make, db):
    site = make.site()
    header = ",".join(reversed(reader.HEADER))
    row = ",".join(reversed(line(site.id, "2024-01").split(",")))
    response = send(api("admin"), f"\ufeff{header}\r\n{row}\r\n,,,,,,,,,,\r\n\r\n")
    assert response.get_json() == {"imported": 1, "warnings": []}
    assert find(db, site, date(2024, 1, 1)).caseload == 40


# --- every row or none ---------------------------------------------------------------------------


def test_a_file_whose_last_row_is_bad_leaves_the_database_as_it_was(api, make, db):
    sites = [make.site() for _ in range(5)]
    make.monthly_return(sites[0], date(2000, 1, 1), caseload=30)  # amended by the first batch
    caller = api("admin")
    lines = [
        line(site.id, f"{2000 + i // 12}-{i % 12 + 1:02d}") for site in sites for i in range(250)
    ]
    lines.append(line(sites[1].id, "2024-05", in_work="41"))  # row 1,252: past the first batch
    before = snapshot(db)
    assert len(before["monthly_return"]) == 1

    response = send(caller, csv_of(*lines))

    assert rows_of(response) == [
        {"row": 1252, "fields": {"in_work": ["must be no more than the caseload (40)"]}}
    ]
    assert response.get_json()["error"]["message"] == "1 row has errors: nothing was imported."
    assert snapshot(db) == before


def test_the_service_rolls_back_what_it_wrote_when_a_later_row_is_bad(make, db):
    sites = [make.site(), make.site()]  # 750 months each: the portal's years hold no more
    admin = make.user("admin")
    lines = [line(sites[i % 2].id, f"{2000 + i // 24}-{i // 2 % 12 + 1:02d}") for i in range(1_500)]
    lines.append(line(sites[0].id, "1999-12", caseload="x"))
    before = snapshot(db)

    with pytest.raises(ValidationFailed) as failed:
        writer.import_returns(io.BytesIO(csv_of(*lines).encode()), admin, today=date(2130, 1, 1))

    assert failed.value.extra["rows"] == [
        {"row": 1502, "fields": {"caseload": [return_rules.WHOLE]}}
    ]
    assert snapshot(db) == before


def test_errors_are_listed_for_the_first_200_rows_and_the_rest_counted(api, make, db):
    site = make.site()
    lines = [
        line(site.id, f"{2000 + i // 12}-{i % 12 + 1:02d}", referrals="-1") for i in range(250)
    ]

    body = send(api("admin"), csv_of(*lines)).get_json()["error"]

    assert [row["row"] for row in body["rows"]] == list(range(2, 202))
    assert body["rows_not_listed"] == 50
    assert body["message"] == "250 rows have errors: nothing was imported."
    assert count(db, MonthlyReturn) == 0


# --- each rule, as a row error with its row number -----------------------------------------------

CASES = [
    ({"referrals": "abc"}, {"referrals": [return_rules.WHOLE]}),
    ({"discharges": "-1"}, {"discharges": [return_rules.WHOLE]}),
    ({"caseload": ""}, {"caseload": [return_rules.REQUIRED]}),
    ({"job_starts": "100001"}, {"job_starts": [return_rules.TOO_BIG]}),
    (
        {"employment_specialists_fte": "2.555"},
        {"employment_specialists_fte": [return_rules.FTE_PLACES]},
    ),
    (
        {"employment_specialists_fte": "two"},
        {"employment_specialists_fte": [return_rules.FTE_NUMBER]},
    ),
    (
        {"employment_specialists_fte": "1000"},
        {"employment_specialists_fte": [return_rules.FTE_TOO_BIG]},
    ),
    ({"in_work": "41"}, {"in_work": ["must be no more than the caseload (40)"]}),
    (
        {"first_contact_within_4_weeks": "9"},
        {
            "first_contact_within_4_weeks": [
                "must be no more than the number new to the service (8)"
            ]
        },
    ),
    ({"month": "2999-01"}, {"month": ["must not be in the future"]}),
    ({"month": "2024-13"}, {"month": ["must be a month, like 2024-03"]}),
    ({"month": "March 2024"}, {"month": ["must be a month, like 2024-03"]}),
    ({"site_id": "twelve"}, {"site_id": ["must be a site's id number, like 12"]}),
    ({"site_id": ""}, {"site_id": ["is needed: the number of the site the return is for"]}),
    ({"site_id": "987654"}, {"site_id": ["there is no site 987654"]}),
    # The site's submitted return for October 2023 has 1 job start.
    (
        {"sustained_13_weeks": "2"},
        {"sustained_13_weeks": ["must be no more than the job starts of October 2023 (1)"]},
    ),
]


@pytest.mark.parametrize(("change", "fields"), CASES)
def test_each_rule_is_a_row_error_with_its_row_number(api, make, db, change, fields):
    site = make.site()
    make.monthly_return(site, date(2023, 10, 1), job_starts=1)
    values = {"site_id": str(site.id), "month": "2024-01", **GOOD, "sustained_13_weeks": "1"}
    values |= change
    bad = ",".join(values[name] for name in reader.HEADER)
    text = csv_of(line(site.id, "2023-11"), line(site.id, "2023-12"), bad, line(site.id, "2024-02"))

    response = send(api("admin"), text)

    assert rows_of(response) == [{"row": 4, "fields": fields}]
    assert count(db, MonthlyReturn) == 1


def test_a_row_with_the_wrong_number_of_values_is_an_error(api, make, db):
    site = make.site()
    text = csv_of(line(site.id, "2024-01"), f"{site.id},2024-02,1,2,3")
    assert rows_of(send(api("admin"), text)) == [
        {"row": 3, "fields": {"values": ["has 5 values: the header has 11"]}}
    ]


def test_a_row_may_have_several_errors(api, db):
    text = csv_of(line(987654, "2999-01", in_work="50", discharges="x"))
    assert rows_of(send(api("admin"), text)) == [
        {
            "row": 2,
            "fields": {
                "site_id": ["there is no site 987654"],
                "month": ["must not be in the future"],
                "in_work": ["must be no more than the caseload (40)"],
                "discharges": [return_rules.WHOLE],
            },
        }
    ]


def test_the_same_site_and_month_twice_is_an_error(api, make, db):
    site, other = make.site(), make.site()
    text = csv_of(
        line(site.id, "2024-01"),
        line(other.id, "2024-01"),
        line(site.id, "2024-01", caseload="41"),
        line(site.id, "2024-01"),
    )
    assert rows_of(send(api("admin"), text)) == [
        {
            "row": 4,
            "fields": {"month": ["repeats row 2: there is one return for each site and month"]},
        },
        {
            "row": 5,
            "fields": {"month": ["repeats row 2: there is one return for each site and month"]},
        },
    ]
    assert count(db, MonthlyReturn) == 0


# --- the 13-week check against month-3 in the same file ------------------------------------------


@pytest.mark.parametrize("reverse", [False, True], ids=["in-order", "month-3-later"])
def test_sustained_is_checked_against_month_3_in_the_same_file(api, make, db, reverse):
    site = make.site()
    make.monthly_return(site, date(2024, 1, 1), job_starts=5)  # the file's figure wins
    lines = [
        line(site.id, "2024-01", job_starts="1"),
        line(site.id, "2024-04", sustained_13_weeks="2"),
    ]
    if reverse:
        lines.reverse()

    response = send(api("admin"), csv_of(*lines))

    assert rows_of(response) == [
        {
            "row": 2 if reverse else 3,
            "fields": {
                "sustained_13_weeks": ["must be no more than the job starts of January 2024 (1)"]
            },
        }
    ]


def test_month_3_in_the_file_may_allow_what_the_database_would_not(api, make, db):
    site = make.site()
    make.monthly_return(site, date(2024, 1, 1), job_starts=1)
    text = csv_of(
        line(site.id, "2024-04", sustained_13_weeks="3"), line(site.id, "2024-01", job_starts="4")
    )
    assert send(api("admin"), text).get_json() == {"imported": 2, "warnings": []}


def test_a_draft_for_month_3_does_not_limit_sustained(api, make, db):
    site = make.site()
    make.monthly_return(site, date(2024, 1, 1), job_starts=0, status="draft")
    text = csv_of(line(site.id, "2024-04", sustained_13_weeks="3"))
    assert send(api("admin"), text).status_code == 200


# --- who may send what ---------------------------------------------------------------------------


def test_a_site_lead_cannot_import_returns_for_another_site(api, make, db):
    own, other = make.site(), make.site()
    caller = api("site_lead", sites=[own])
    text = csv_of(line(own.id, "2024-01"), line(other.id, "2024-01"), line(987654, "2024-01"))

    response = send(caller, text)

    assert rows_of(response) == [
        {"row": 3, "fields": {"site_id": [f"you cannot send returns for site {other.id}"]}},
        {"row": 4, "fields": {"site_id": ["you cannot send returns for site 987654"]}},
    ]
    assert count(db, MonthlyReturn) == 0


def test_a_site_lead_imports_for_their_own_sites(api, make, db):
    first, second = make.site(), make.site()
    caller = api("site_lead", sites=[first, second])
    response = send(caller, csv_of(line(first.id, "2024-01"), line(second.id, "2024-01")))
    assert response.get_json() == {"imported": 2, "warnings": []}


@pytest.mark.parametrize("role", ["trainer", "funder"])
def test_other_roles_may_not_import(api, make, db, role):
    site = make.site()
    response = send(
        api(role, sites=[site]) if role == "trainer" else api(role),
        csv_of(line(site.id, "2024-01")),
    )
    assert response.status_code == 403
    assert count(db, MonthlyReturn) == 0


def test_no_token_is_401(client, db):
    assert client.post(URL, data=HEADER, content_type="text/csv").status_code == 401


# --- the file itself -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "problems"),
    [
        (HEADER.replace(",discharges", ""), ["is missing the column discharges"]),
        (
            HEADER.replace("month", "period"),
            ["is missing the column month", "has column that should not be there: period"],
        ),
        (HEADER + ",name", ["has column that should not be there: name"]),
        (HEADER + ",month", ["names the column month twice"]),
        (HEADER + ",site_name,site_name", ["names the column site_name twice"]),
        (HEADER + ",sector_mining", ["has column that should not be there: sector_mining"]),
        (HEADER + ",", ["has column that should not be there: (no name, column 12)"]),
    ],
)
def test_a_wrong_header_is_422_naming_the_problem(api, make, db, header, problems):
    site = make.site()
    response = send(api("admin"), csv_of(line(site.id, "2024-01"), header=header))
    body = response.get_json()["error"]
    assert response.status_code == 422
    assert body["fields"] == {"header": problems}
    assert body["message"] == (
        f"The first row of the file must name its columns: {HEADER}. It may also name site_name "
        "and the columns of job starts by sector: sector_construction, "
        "sector_health_and_social_care, sector_education, sector_retail, sector_hospitality, "
        "sector_admin_and_finance, sector_engineering_and_trades, sector_animal_care, "
        "sector_other."
    )
    assert count(db, MonthlyReturn) == 0


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        (
            HEADER + "\n",
            {"file": ["has no returns: add a row under the header for each site and month"]},
        ),
        (
            HEADER + "\n,,,,,,,,,,\n\n",
            {"file": ["has no returns: add a row under the header for each site and month"]},
        ),
        ("", {"file": [f"is empty: its first row must name the columns {HEADER}"]}),
        (
            b"\xff\xfes\x00i\x00t\x00e\x00",
            {"file": ["is not UTF-8 text (near row 1): save it as CSV UTF-8"]},
        ),
    ],
    ids=["header-only", "blank-rows", "empty", "utf-16"],
)
def test_a_file_without_returns_is_422(api, db, text, fields):
    response = send(api("admin"), text)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/form-data"])
def test_a_body_that_is_not_csv_is_400(api, make, db, content_type):
    site = make.site()
    response = send(api("admin"), csv_of(line(site.id, "2024-01")), content_type=content_type)
    assert response.status_code == 400
    assert response.get_json()["error"] == {
        "code": "bad_request",
        "message": "Send the file as CSV text, with Content-Type: text/csv.",
    }
    assert count(db, MonthlyReturn) == 0


def test_a_file_over_the_size_limit_is_413(api, make, db, monkeypatch):
    site = make.site()
    text = csv_of(*(line(site.id, f"{2000 + i // 12}-{i % 12 + 1:02d}") for i in range(100)))
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", len(text) - 1)
    caller = api("admin")

    response = caller.post(
        URL,
        input_stream=io.BytesIO(text.encode()),
        content_type="text/csv",
        headers={**caller.headers, "Content-Length": str(len(text))},
    )

    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert count(db, MonthlyReturn) == 0


def test_the_openapi_document_describes_the_import(api):
    operation = api("funder").get("/api/v1/openapi.json").get_json()["paths"][URL]["post"]
    assert "text/csv" in operation["requestBody"]["content"]
    assert "the header as row 1, so the first return is row 2" in operation["description"]
    assert {"200", "400", "413", "422"} <= set(operation["responses"])


# --- streaming -----------------------------------------------------------------------------------


def test_twenty_thousand_rows_import_through_the_service(make, db):
    sites = [make.site() for _ in range(100)]
    admin = make.user("admin")
    lines = (
        line(site.id, f"{2000 + i // 12}-{i % 12 + 1:02d}", job_starts=str(2 + i % 3))
        for site in sites
        for i in range(200)
    )
    text = csv_of(*lines).encode()
    seen = []

    result = writer.import_returns(
        io.BytesIO(text), admin, on_progress=lambda done, total: seen.append((done, total))
    )
    db.session.commit()

    assert (result.imported, result.created, result.amended) == (20_000, 20_000, 0)
    assert seen[0] == (1_000, 20_000) and seen[-1] == (20_000, 20_000) and len(seen) == 20
    assert count(db, MonthlyReturn) == 20_000
    assert count(db, ReturnVersion) == 20_000
    assert len(return_audits(db)) == 20_000
    total = db.session.scalar(sa.select(sa.func.sum(MonthlyReturn.job_starts)))
    assert total == 100 * (67 * 2 + 67 * 3 + 66 * 4)


def peak_memory_of_import(caller, body: bytes) -> int:
    """The most memory (bytes) Python held at once while the API imported `body`."""
    stream = io.BytesIO(body)
    tracemalloc.start()
    try:
        response = caller.post(
            URL,
            input_stream=stream,
            content_type="text/csv",
            headers={**caller.headers, "Content-Length": str(len(body))},
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200, response.get_json()
    return peak


def test_the_api_reads_the_body_as_a_stream(api, make, db):
    """Six more megabytes of body cost (far) less than a megabyte more memory: the body is read in
    chunks, never held whole. (Held whole, the difference would be 6 MB at least.) The padding
    is blank rows of spaces, cheap to read, so the test is quick."""
    sites = [make.site() for _ in range(5)]
    caller = api("admin")
    returns = [line(s.id, f"{2000 + i // 12}-{i % 12 + 1:02d}") for s in sites for i in range(40)]
    padding = " " * 100_000 + ",,,,,,,,,,"

    def body(padding_rows: int) -> bytes:
        return csv_of(*returns[:100], *[padding] * padding_rows, *returns[100:]).encode()

    small, big = body(10), body(70)
    assert len(big) - len(small) > 6_000_000
    send(caller, csv_of(line(sites[0].id, "1999-01")))  # compile and cache the statements first

    small_peak = peak_memory_of_import(caller, small)
    db.session.execute(sa.delete(AuditEvent))
    db.session.execute(sa.delete(ReturnVersion))
    db.session.execute(sa.delete(MonthlyReturn))
    db.session.commit()
    big_peak = peak_memory_of_import(caller, big)

    assert count(db, MonthlyReturn) == 200
    assert big_peak - small_peak < 1_000_000, (small_peak, big_peak)


# --- the pages: upload, preview, import ----------------------------------------------------------


def upload(client, text: str, filename: str = "returns.csv"):
    return client.post(
        "/returns/import",
        data={"file": (io.BytesIO(text.encode()), filename)},
        content_type="multipart/form-data",
    )


def test_the_upload_page_explains_the_file(client, login_as, db):
    login_as("site_lead")
    response = client.get("/returns/import")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'type="file"' in html and 'name="file"' in html
    assert "site_id, month, referrals, caseload" in html
    assert "no individual&#39;s details belong in the file" in html
    assert 'href="/returns/import/template.csv"' in html


@pytest.mark.parametrize(
    ("text", "filename", "message"),
    [
        ("a,b\n1,2\n", "returns.csv", "The header is missing the columns site_id, month"),
        (HEADER + "\n", "returns.csv", "The file has no returns: add a row under the header"),
        (HEADER + "\n", "returns.xlsx", "The selected file must be a CSV"),
    ],
)
def test_an_upload_that_is_not_a_file_of_returns_is_refused(
    client, login_as, db, text, filename, message
):
    login_as("admin")
    response = upload(client, text, filename)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert message in html
    assert count(db, ReturnUpload) == 0


def test_an_upload_without_a_file_is_refused(client, login_as, db):
    login_as("admin")
    response = client.post("/returns/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Select a CSV file of returns" in response.get_data(as_text=True)


def test_an_upload_over_the_size_limit_is_refused(client, login_as, make, db, monkeypatch):
    from sites.returns.importing import views as import_views

    site = make.site()
    login_as("admin")
    text = csv_of(line(site.id, "2024-01"))
    monkeypatch.setattr(import_views, "MAX_FILE_BYTES", len(text) - 1)
    response = upload(client, text)
    assert response.status_code == 422
    assert "The selected file must be smaller than 20 MB" in response.get_data(as_text=True)
    assert count(db, ReturnUpload) == 0


def test_upload_preview_with_an_error_then_fix_and_import(client, login_as, make, db):
    site = make.site(name="Bradford IPS")
    user = login_as("site_lead", sites=[site])
    bad = csv_of(
        line(site.id, "2024-01"), line(site.id, "2024-02", in_work="41"), line(site.id, "2024-03")
    )

    response = upload(client, bad)
    assert response.status_code == 302
    first = db.session.scalar(sa.select(ReturnUpload))
    assert response.headers["Location"] == f"/returns/import/{first.id}"
    assert (first.user_id, first.filename) == (user.id, "returns.csv")

    html = client.get(f"/returns/import/{first.id}").get_data(as_text=True)
    assert "Bradford IPS" in html
    assert (
        "<strong>In work</strong>: must be no more than the caseload (40) (the file has “41”)"
        in html
    )
    assert "1 row has errors" in html
    assert "Nothing can be imported yet" in html
    assert "data-import-progress" not in html  # no import button while a row is bad
    summary = re.findall(r'nhsuk-summary-list__value"\s*>\s*([\d,]+)', html)
    # rows; new, replacing submitted, replacing drafts, no change; with errors, with warnings
    assert summary == ["3", "2", "0", "0", "0", "1", "0"]

    fixed = bad.replace(",41,", ",15,")
    response = upload(client, fixed)
    second = db.session.scalar(sa.select(ReturnUpload))
    assert count(db, ReturnUpload) == 1  # the older upload is gone
    assert response.headers["Location"] == f"/returns/import/{second.id}"
    html = client.get(f"/returns/import/{second.id}").get_data(as_text=True)
    assert "Every row can be imported." in html
    assert "Import 3 returns" in html

    response = client.post(f"/returns/import/{second.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        "/returns/import/result?imported=3&created=3&amended=0&unchanged=0&warnings=0"
    )
    assert count(db, MonthlyReturn) == 3
    assert count(db, ReturnUpload) == 0
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 returns imported" in html
    assert 'href="/returns/import"' in html


def test_the_preview_pages_through_the_rows_in_file_order(client, login_as, make, db):
    site = make.site()
    login_as("admin")
    lines = [line(site.id, f"{2000 + i // 12}-{i % 12 + 1:02d}") for i in range(250)]
    lines[219] = line(site.id, "2018-04", caseload="x")  # row 221
    upload(client, csv_of(*lines))
    upload_id = db.session.scalar(sa.select(ReturnUpload.id))

    html = client.get(f"/returns/import/{upload_id}?page=3").get_data(as_text=True)
    assert "Rows 201 to 250 of 250" in html
    assert '<td class="nhsuk-table__cell">202</td>' in html
    assert '<td class="nhsuk-table__cell">251</td>' in html
    assert '<td class="nhsuk-table__cell">201</td>' not in html
    assert "<strong>Caseload</strong>: must be a whole number, 0 or more (the file has “x”)" in html

    html = client.get(f"/returns/import/{upload_id}?show=problems").get_data(as_text=True)
    assert "Rows 1 to 1 of 1" in html
    assert '<td class="nhsuk-table__cell">221</td>' in html


def test_another_users_upload_is_not_found(client, login_as, make, db):
    owner = make.user("admin")
    stored = ReturnUpload(user_id=owner.id, filename="theirs.csv", content=HEADER.encode())
    db.session.add(stored)
    db.session.commit()
    login_as("admin")
    assert client.get(f"/returns/import/{stored.id}").status_code == 404
    assert client.post(f"/returns/import/{stored.id}").status_code == 404
    assert count(db, ReturnUpload) == 1


def test_the_import_can_answer_a_stream_of_progress(client, login_as, make, db):
    sites = [make.site() for _ in range(10)]
    login_as("admin")
    lines = [line(s.id, f"{2000 + i // 12}-{i % 12 + 1:02d}") for s in sites for i in range(250)]
    upload(client, csv_of(*lines))
    upload_id = db.session.scalar(sa.select(ReturnUpload.id))

    response = client.post(
        f"/returns/import/{upload_id}", headers={"Accept": "application/x-ndjson"}
    )

    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    lines = [json.loads(text) for text in response.get_data(as_text=True).splitlines()]
    assert lines == [
        {"done": 1_000, "total": 2_500},
        {"done": 2_000, "total": 2_500},
        {"done": 2_500, "total": 2_500},
        {
            "imported": 2_500,
            "url": "/returns/import/result?imported=2500&created=2500&amended=0&unchanged=0"
            "&warnings=0",
        },
    ]
    assert count(db, MonthlyReturn) == 2_500
    assert count(db, ReturnUpload) == 0


def test_a_row_gone_bad_since_the_preview_imports_nothing(client, login_as, make, db):
    site = make.site()
    lead = login_as("site_lead", sites=[site])
    upload(
        client, csv_of(line(site.id, "2024-01"), line(site.id, "2024-04", sustained_13_weeks="3"))
    )
    upload_id = db.session.scalar(sa.select(ReturnUpload.id))
    db.session.execute(sa.delete(UserSite).where(UserSite.user_id == lead.id))
    db.session.commit()

    response = client.post(
        f"/returns/import/{upload_id}", headers={"Accept": "application/x-ndjson"}
    )
    lines = [json.loads(text) for text in response.get_data(as_text=True).splitlines()]
    assert lines[-1] == {
        "error": {"message": "2 rows have errors: nothing was imported."},
        "url": f"/returns/import/{upload_id}",
    }
    assert count(db, MonthlyReturn) == 0
    assert count(db, ReturnUpload) == 1

    response = client.post(f"/returns/import/{upload_id}")
    assert response.headers["Location"] == f"/returns/import/{upload_id}"
    assert count(db, MonthlyReturn) == 0
