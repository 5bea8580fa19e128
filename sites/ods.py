"""Looking an organisation up by its ODS code, for the organisation form's "Find by ODS code".

Two outside services, both public and keyless:
- the NHS Organisation Data Service's ORD API (settings ODS_API_URL): GET {base}/{code} answers
  {"Organisation": {"Name", "OrgId": {"extension"}, "Status", "GeoLoc": {"Location":
  {"PostCode", ...}}, "Roles": {"Role": [{"id", "primaryRole", ...}]}, ...}}, or 404;
- postcodes.io (POSTCODES_API_URL): GET {base}/{postcode} answers {"status": 200, "result":
  {"postcode", "country", "region", "latitude", "longitude", ...}}, or 404 with "error".

Each call waits at most OUTSIDE_SERVICE_TIMEOUT seconds. Every failure (unknown code, a 5xx,
a timeout, no connection, an answer we cannot read) becomes a `LookupFailed` whose message tells
the user what happened and that the form still works by hand. Nothing here writes anything.

Regions: postcodes.io gives England's nine ONS regions (and the country elsewhere); NHS England's
seven regions are built from them (North East and Yorkshire = North East + Yorkshire and The
Humber; Midlands = East + West Midlands). The regions' borders do not match everywhere (parts of
Cumbria and Lincolnshire, for example), so the form shows the region for the user to confirm.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
from flask import current_app

from sites.models import REGIONS

log = logging.getLogger(__name__)

ODS_SERVICE = "The NHS Organisation Data Service"
POSTCODE_SERVICE = "postcodes.io"
CODE = re.compile(r"[A-Z0-9]{3,10}")
POSTCODE = re.compile(r"[A-Z0-9 ]{5,8}")

# postcodes.io's `region` (England) and `country` onto the slugs of sites.models.REGIONS.
ENGLISH_REGIONS = {
    "North East": "north-east-and-yorkshire",
    "Yorkshire and The Humber": "north-east-and-yorkshire",
    "North West": "north-west",
    "East Midlands": "midlands",
    "West Midlands": "midlands",
    "East of England": "east-of-england",
    "London": "london",
    "South East": "south-east",
    "South West": "south-west",
}
COUNTRIES = {"Wales": "wales", "Scotland": "scotland", "Northern Ireland": "northern-ireland"}
# ODS primary roles that are NHS trusts (and Wales's health boards, their counterpart).
NHS_TRUST_ROLES = {"RO197", "RO142"}

# Words that keep their own case when ODS's upper-case names are tidied.
UPPER_WORDS = {"NHS", "UK", "CIC", "ICB", "ICS", "GP", "CCG", "LLP", "PLC", "HM"}
LOWER_WORDS = {"and", "of", "the", "for", "in", "on", "at", "to", "with"}


class LookupFailed(Exception):
    """A lookup that found nothing usable; `message` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class OdsOrganisation:
    code: str
    name: str  # tidied from ODS's upper case: "Bradford District Care NHS Foundation Trust"
    postcode: str | None
    active: bool
    kind: str | None  # "nhs_trust" when its primary role is an NHS trust, else None


@dataclass(frozen=True)
class Place:
    postcode: str
    region: str | None  # a slug of sites.models.REGIONS
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Lookup:
    """What the form is filled from: the organisation, the place of its postcode when
    postcodes.io answered, and otherwise why not (`place_problem`)."""

    organisation: OdsOrganisation
    place: Place | None
    place_problem: str | None = None

    @property
    def region(self) -> str | None:
        return self.place.region if self.place else None

    @property
    def region_label(self) -> str | None:
        return REGIONS.get(self.region) if self.region else None


def _settings() -> tuple[str, str, float]:
    config = current_app.config
    return (
        config["ODS_API_URL"].rstrip("/"),
        config["POSTCODES_API_URL"].rstrip("/"),
        float(config["OUTSIDE_SERVICE_TIMEOUT"]),
    )


def _get_json(service: str, url: str, timeout: float, not_found: str, **params: str) -> Any:
    """The JSON answer of GET url; LookupFailed with a message for every way it can fail."""
    by_hand = "Try again later, or fill in the form by hand."
    try:
        response = requests.get(
            url, params=params, timeout=timeout, headers={"Accept": "application/json"}
        )
    except requests.Timeout:
        log.warning("%s timed out: %s", service, url)
        raise LookupFailed(
            f"{service} did not answer within {timeout:g} seconds. {by_hand}"
        ) from None
    except requests.RequestException as error:
        log.warning("%s could not be reached: %s (%s)", service, url, error)
        raise LookupFailed(f"{service} could not be reached. {by_hand}") from None
    if response.status_code == 404:
        raise LookupFailed(not_found)
    if response.status_code >= 500:
        log.warning("%s answered %s: %s", service, response.status_code, url)
        raise LookupFailed(
            f"{service} is not working at the moment (it answered {response.status_code}). "
            f"{by_hand}"
        )
    if response.status_code != 200:
        log.warning("%s answered %s: %s", service, response.status_code, url)
        raise LookupFailed(
            f"{service} refused the request (it answered {response.status_code}). {by_hand}"
        )
    try:
        return response.json()
    except ValueError:
        log.warning("%s sent an answer that is not JSON: %s", service, url)
        raise LookupFailed(f"{service} sent an answer we could not read. {by_hand}") from None


def clean_code(text: str | None) -> str:
    """An ODS code as the service knows it (upper case, no spaces); LookupFailed when it cannot
    be one, before anything is asked."""
    code = re.sub(r"\s+", "", text or "").upper()
    if not CODE.fullmatch(code):
        raise LookupFailed("Enter an ODS code of 3 to 10 letters and numbers, like RXE")
    return code


def tidy_name(name: str) -> str:
    """ODS's upper-case names in the case people write them: NHS stays NHS, "and" is lower."""
    words = []
    for index, word in enumerate(name.split()):
        bare = word.strip("(),.'")
        if bare.upper() in UPPER_WORDS:
            words.append(word.upper())
        elif index and bare.lower() in LOWER_WORDS:
            words.append(word.lower())
        else:
            words.append("-".join(part.capitalize() for part in word.split("-")))
    return " ".join(words)


def _primary_role(organisation: dict[str, Any]) -> str | None:
    roles = (organisation.get("Roles") or {}).get("Role") or []
    for role in roles if isinstance(roles, list) else []:
        if isinstance(role, dict) and role.get("primaryRole"):
            return role.get("id")
    return None


def find_organisation(code_text: str | None) -> OdsOrganisation:
    """The organisation with this ODS code, from the NHS Organisation Data Service."""
    code = clean_code(code_text)
    base, _, timeout = _settings()
    answer = _get_json(
        ODS_SERVICE,
        f"{base}/{quote(code)}",
        timeout,
        f"{ODS_SERVICE} has no organisation with the code {code}. Check the code, or fill in "
        "the form by hand.",
        _format="json",
    )
    record = answer.get("Organisation") if isinstance(answer, dict) else None
    name = record.get("Name") if isinstance(record, dict) else None
    if not isinstance(name, str) or not name.strip():
        log.warning("%s answered without a name for %s", ODS_SERVICE, code)
        raise LookupFailed(
            f"{ODS_SERVICE} sent an answer we could not read. Fill in the form by hand."
        )
    location = (record.get("GeoLoc") or {}).get("Location") or {}
    postcode = location.get("PostCode") if isinstance(location, dict) else None
    org_id = record.get("OrgId") or {}
    return OdsOrganisation(
        code=str(org_id.get("extension") or code).upper() if isinstance(org_id, dict) else code,
        name=tidy_name(name.strip()),
        postcode=postcode.strip().upper() if isinstance(postcode, str) and postcode else None,
        active=record.get("Status") == "Active",
        kind="nhs_trust" if _primary_role(record) in NHS_TRUST_ROLES else None,
    )


def region_of(region: str | None, country: str | None) -> str | None:
    """Our region slug from postcodes.io's `region` (England) or `country` (elsewhere)."""
    if region in ENGLISH_REGIONS:
        return ENGLISH_REGIONS[region]
    return COUNTRIES.get(country or "")


def find_place(postcode_text: str) -> Place:
    """The region and coordinates of a postcode, from postcodes.io."""
    postcode = " ".join((postcode_text or "").upper().split())
    if not POSTCODE.fullmatch(postcode):
        raise LookupFailed(f"{postcode_text!r} is not a postcode {POSTCODE_SERVICE} can look up.")
    _, base, timeout = _settings()
    answer = _get_json(
        POSTCODE_SERVICE,
        f"{base}/{quote(postcode)}",
        timeout,
        f"{POSTCODE_SERVICE} does not know the postcode {postcode}.",
    )
    result = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(result, dict):
        log.warning("%s answered without a result for %s", POSTCODE_SERVICE, postcode)
        raise LookupFailed(f"{POSTCODE_SERVICE} sent an answer we could not read.")
    latitude, longitude = result.get("latitude"), result.get("longitude")
    located = all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in (latitude, longitude)
    )
    return Place(
        postcode=str(result.get("postcode") or postcode),
        region=region_of(result.get("region"), result.get("country")),
        latitude=float(latitude) if located else None,
        longitude=float(longitude) if located else None,
    )


def look_up(code_text: str | None) -> Lookup:
    """The organisation of an ODS code and its postcode's place. LookupFailed when the ODS
    answer is missing; a postcodes.io failure only leaves the place out, with the reason."""
    organisation = find_organisation(code_text)
    if organisation.postcode is None:
        return Lookup(organisation, None, "The NHS record has no postcode to find the region by.")
    try:
        place = find_place(organisation.postcode)
    except LookupFailed as failed:
        return Lookup(organisation, None, failed.message)
    return Lookup(organisation, place)
