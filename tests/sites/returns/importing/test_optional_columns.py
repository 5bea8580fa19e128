"""The optional columns of a CSV of returns: site_name, checked against site_id, and job starts
by sector, checked as the return form checks them. The contract's header alone still imports."""

from __future__ import annotations

from datetime import date

import pytest

from sites.models import MonthlyReturn
from sites.returns import rules as return_rules
from sites.returns.importing import reader
from tests.sites.returns.importing.test_import import (
    GOOD,
    URL,
    count,
    csv_of,
    find,
    line,
    return_audits,
    rows_of,
    send,
)

# The header of API.md, written out: the contract, whatever the code's constants say.
CONTRACT_HEADER = (
    "site_id,month,referrals,caseload,new_to_service,first_contact_within_4_weeks,job_starts,"
    "in_work,sustained_13_weeks,employment_specialists_fte,discharges"
)
SECTORS_HEADER = CONTRACT_HEADER + ",sector_retail,sector_education"
NAMED_HEADER = CONTRACT_HEADER + ",site_name"


def test_the_contracts_header_alone_still_imports(api, make, db):
    site = make.site()
    make.monthly_return(site, date(2024, 1, 1), job_starts=3, sectors={"retail": 3})
    text = csv_of(
        line(site.id, "2024-01", caseload="44"),  # the breakdown held still adds up: kept
        line(site.id, "2024-02"),
        header=CONTRACT_HEADER,
    )

    response = send(api("admin"), text)

    assert response.status_code == 200
    assert response.get_json() == {"imported": 2, "warnings": []}
    january = find(db, site, date(2024, 1, 1))
    assert (january.caseload, january.sector_counts()) == (44, {"retail": 3})
    assert find(db, site, date(2024, 2, 1)).sector_counts() == {}


# --- job starts by sector ------------------------------------------------------------------------


def test_sector_columns_fill_the_returns_sectors(api, make, db):
    site = make.site()
    make.monthly_return(site, date(2024, 1, 1), job_starts=3, sectors={"construction": 3})
    caller = api("site_lead", sites=[site])
    text = csv_of(
        line(site.id, "2024-01") + ",2,1",  # replaces the breakdown held
        line(site.id, "2024-02") + ",,3",  # a blank cell counts as 0
        line(site.id, "2024-03", job_starts="0", sustained_13_weeks="0") + ",,",
        header=SECTORS_HEADER,
    )

    response = send(caller, text)

    assert response.get_json() == {"imported": 3, "warnings": []}
    january = find(db, site, date(2024, 1, 1))
    assert january.sector_counts() == {"retail": 2, "education": 1}
    assert [v.figures["sectors"] for v in january.versions] == [
        {"construction": 3},
        {"education": 1, "retail": 2},
    ]
    february = find(db, site, date(2024, 2, 1))
    assert february.sector_counts() == {"education": 3}
    assert february.versions[0].figures["sectors"] == {"education": 3}
    assert find(db, site, date(2024, 3, 1)).sector_counts() == {}
    audits = {audit.record_id: audit for audit in return_audits(db)}
    assert (audits[january.id].before, audits[january.id].after) == (
        {"sectors": {"construction": 3}},
        {"sectors": {"education": 1, "retail": 2}},
    )
    assert audits[february.id].after["sectors"] == {"education": 3}


def test_the_same_breakdown_again_changes_nothing(api, make, db):
    site = make.site()
    held = make.monthly_return(site, date(2024, 1, 1), sectors={"retail": 2, "education": 1})
    response = send(api("admin"), csv_of(line(site.id, "2024-01") + ",2,1", header=SECTORS_HEADER))
    assert response.status_code == 200
    assert find(db, site, date(2024, 1, 1)).version == held.version
    assert return_audits(db) == []


@pytest.mark.parametrize(
    ("cells", "fields"),
    [
        (",1,1", {"sectors": ["add up to 2; they must add up to the job starts (3)"]}),
        (",,", {"sectors": ["add up to 0; they must add up to the job starts (3)"]}),
        (",-1,4", {"sector_retail": [return_rules.WHOLE]}),
        (
            ",x,3.0",
            {"sector_retail": [return_rules.WHOLE], "sector_education": [return_rules.WHOLE]},
        ),
        (",100001,0", {"sector_retail": [return_rules.TOO_BIG]}),
    ],
    ids=["short", "blank", "negative", "not-numbers", "too-big"],
)
def test_sector_cells_are_checked_as_the_form_checks_them(api, make, db, cells, fields):
    site = make.site()
    text = csv_of(
        line(site.id, "2024-01") + ",2,1", line(site.id, "2024-02") + cells, header=SECTORS_HEADER
    )
    assert rows_of(send(api("admin"), text)) == [{"row": 3, "fields": fields}]
    assert count(db, MonthlyReturn) == 0


# --- site_name -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["Bradford IPS", "  bradford   ips ", "BRADFORD IPS", ""],
    ids=["same", "case-and-spaces", "capitals", "blank"],
)
def test_a_site_name_that_names_the_site_or_is_blank_imports(api, make, db, written):
    site = make.site(name="Bradford IPS")
    text = csv_of(f'{line(site.id, "2024-01")},"{written}"', header=NAMED_HEADER)
    assert send(api("admin"), text).get_json() == {"imported": 1, "warnings": []}


def test_a_site_name_with_curly_quotes_names_the_site(api, make, db):
    site = make.site(name="St John's IPS")
    text = csv_of(f"{line(site.id, '2024-01')},St John\u2019s IPS", header=NAMED_HEADER)
    assert send(api("admin"), text).status_code == 200


def test_a_site_name_that_is_another_sites_is_an_error_and_imports_nothing(api, make, db):
    bradford, berkshire = make.site(name="Bradford IPS"), make.site(name="Berkshire IPS")
    caller = api("site_lead", sites=[bradford, berkshire])
    text = csv_of(
        f"{line(bradford.id, '2024-01')},Bradford IPS",
        f"{line(bradford.id, '2024-02')},Berkshire IPS",  # the id typed wrong
        header=NAMED_HEADER,
    )

    assert rows_of(send(caller, text)) == [
        {
            "row": 3,
            "fields": {
                "site_name": [
                    f"does not match site {bradford.id}, which is Bradford IPS: check the site_id"
                ]
            },
        }
    ]
    assert count(db, MonthlyReturn) == 0


def test_a_site_lead_is_not_told_the_name_of_a_site_they_cannot_send_for(api, make, db):
    own, other = make.site(name="Bradford IPS"), make.site(name="Secret IPS")
    caller = api("site_lead", sites=[own])
    text = csv_of(f"{line(other.id, '2024-01')},Bradford IPS", header=NAMED_HEADER)

    response = send(caller, text)

    assert rows_of(response) == [
        {"row": 2, "fields": {"site_id": [f"you cannot send returns for site {other.id}"]}}
    ]
    assert "Secret" not in response.get_data(as_text=True)


def test_columns_of_the_template_may_come_in_any_order(api, make, db):
    site = make.site(name="Bradford IPS")
    values = {"site_id": str(site.id), "site_name": "Bradford IPS", "month": "2024-01", **GOOD}
    values |= {column: "0" for column in reader.SECTOR_COLUMNS} | {"sector_other": "3"}
    names = list(reversed(reader.TEMPLATE_HEADER))
    text = csv_of(",".join(values[name] for name in names), header=",".join(names).upper())

    assert send(api("admin"), text).get_json() == {"imported": 1, "warnings": []}
    assert find(db, site, date(2024, 1, 1)).sector_counts() == {"other": 3}


def test_the_openapi_document_names_the_optional_columns(api):
    document = api("funder").get("/api/v1/openapi.json").get_json()
    description = document["paths"][URL]["post"]["description"]
    for column in reader.OPTIONAL:
        assert f"`{column}`" in description
