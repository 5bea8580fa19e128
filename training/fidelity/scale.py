"""Pure data: the IPS Supported Employment Fidelity Scale, the one home of the scale in the portal.

The 25-item scale (the 2008 revision by Becker, Swanson, Bond and colleagues, as used by UK
reviewers) lives here and nowhere else: its sections, items, the anchors for each score and the
bands a total falls in. The review form, the API, the heatmap and the exports all read it from
this module; training.fidelity.scoring scores reviews against it. The anchors are our own
plain-English summaries of what each score means, not the published wording. Standard library
only.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

MIN_SCORE = 1
MAX_SCORE = 5
MIN_TOTAL = 25
MAX_TOTAL = 125

SECTIONS: Mapping[str, str] = MappingProxyType(
    {"staffing": "Staffing", "organisation": "Organisation", "services": "Services"}
)

BANDS = {"exemplary": "Exemplary", "good": "Good", "fair": "Fair", "not_ips": "Not IPS"}

BAND_RANGES: Mapping[str, tuple[int, int]] = MappingProxyType(
    {"exemplary": (115, 125), "good": (100, 114), "fair": (74, 99), "not_ips": (25, 73)}
)


_SHOWN_LIMIT = 10**6


def shown_value(value: object, otherwise: str) -> str:
    """A short, safe rendering of a value for a message (never str() of a huge number)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < _SHOWN_LIMIT:
        return str(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 20 else value[:20] + "...")
    return otherwise


def no_such_item_message(number: object) -> str:
    return (
        f"There is no item {shown_value(number, 'with that number')}: the scale has items 1 to 25"
    )


@dataclass(frozen=True)
class FidelityItem:
    """One item of the scale: what it looks at, and what each score from 1 to 5 means."""

    number: int
    section: str
    name: str
    description: str
    anchors: Mapping[int, str] = field(hash=False)


@dataclass(frozen=True)
class FidelitySection:
    """A section of the scale with its items, in the scale's order."""

    slug: str
    label: str
    items: tuple[FidelityItem, ...]


def _item(number: int, section: str, name: str, description: str, *anchors: str) -> FidelityItem:
    """An item, with its anchors given from score 1 to score 5."""
    assert len(anchors) == MAX_SCORE, f"item {number} needs {MAX_SCORE} anchors"
    return FidelityItem(
        number=number,
        section=section,
        name=name,
        description=description,
        anchors=MappingProxyType(dict(enumerate(anchors, start=MIN_SCORE))),
    )


ITEMS: tuple[FidelityItem, ...] = (
    # Staffing
    _item(
        1,
        "staffing",
        "Caseload size",
        "How many people each full-time employment specialist supports at once.",
        "Each full-time employment specialist supports 41 or more people.",
        "Each full-time employment specialist supports 31 to 40 people.",
        "Each full-time employment specialist supports 26 to 30 people.",
        "Each full-time employment specialist supports 21 to 25 people.",
        "Each full-time employment specialist supports 20 people or fewer.",
    ),
    _item(
        2,
        "staffing",
        "Employment services staff",
        "Whether employment specialists spend their working time on employment support alone.",
        "Employment specialists spend less than 60% of their time on employment support.",
        "Employment specialists spend 60% to 74% of their time on employment support.",
        "Employment specialists spend 75% to 89% of their time on employment support.",
        "Employment specialists spend 90% to 95% of their time on employment support.",
        "Employment specialists spend 96% or more of their time on employment support.",
    ),
    _item(
        3,
        "staffing",
        "Vocational generalists",
        "Whether one employment specialist carries each person through every stage of support, "
        "from engagement to support in work.",
        "Employment specialists only refer people on to other providers of employment support.",
        "Employment specialists hold a caseload but pass people to other services for most "
        "stages of support.",
        "Employment specialists deliver some stages of support themselves and hand the rest to "
        "others.",
        "Employment specialists deliver nearly every stage of support, handing on only one.",
        "Each employment specialist delivers every stage: engagement, assessment, job finding, "
        "job start and support in work.",
    ),
    # Organisation
    _item(
        4,
        "organisation",
        "Integration of rehabilitation with mental health treatment through team assignment",
        "Whether employment specialists belong to one or two mental health teams that refer "
        "nearly all of their caseload.",
        "Employment specialists work in a separate employment service, apart from mental health "
        "treatment.",
        "Employment specialists cover three or more teams, or teams supply under half of their "
        "caseload.",
        "Employment specialists belong to one or two teams that supply 50% to 74% of their "
        "caseload.",
        "Employment specialists belong to one or two teams that supply 75% to 89% of their "
        "caseload.",
        "Employment specialists belong to one or two teams that supply 90% or more of their "
        "caseload.",
    ),
    _item(
        5,
        "organisation",
        "Integration of rehabilitation with mental health treatment through frequent team "
        "member contact",
        "How closely employment specialists work with their mental health team day to day: "
        "weekly meetings, shared decisions, shared records, nearby desks and raising work for "
        "people not yet referred.",
        "At most one of the five signs of close working with the mental health team is in place.",
        "Two of the five signs of close working with the mental health team are in place.",
        "Three of the five signs of close working with the mental health team are in place.",
        "Four of the five signs of close working with the mental health team are in place.",
        "All five are in place: weekly team meetings, shared decisions, notes in the clinical "
        "record, desks close by, and prompting the team about work.",
    ),
    _item(
        6,
        "organisation",
        "Collaboration between employment specialists and vocational rehabilitation counsellors "
        "and other employment services",
        "How often employment specialists talk with outside employment and benefits services "
        "(in the UK, for example, Jobcentre Plus work coaches) about people they both support.",
        "Employment specialists and outside employment services talk less than once a quarter, "
        "or not at all.",
        "Employment specialists and outside employment services discuss shared people at least "
        "once a quarter.",
        "Employment specialists and outside employment services discuss shared people at least "
        "once a month.",
        "They have planned face-to-face meetings at least quarterly, or discuss shared people "
        "every week.",
        "They meet face to face at least monthly and are in touch about shared people every week.",
    ),
    _item(
        7,
        "organisation",
        "Vocational unit",
        "Whether employment specialists work as a team with a shared leader, supervising cases "
        "together, sharing job leads and covering for one another.",
        "Employment specialists work alone and are not part of an employment team.",
        "Employment specialists share a supervisor but do not meet as a group or cover for each "
        "other.",
        "Employment specialists share a supervisor and talk over cases, but do not cover for each "
        "other.",
        "Two or more specialists and a leader meet for group supervision at least fortnightly and "
        "cover for each other.",
        "Two or more full-time specialists and a leader hold weekly case-based group supervision, "
        "share job leads and cover for each other.",
    ),
    _item(
        8,
        "organisation",
        "Role of employment supervisor",
        "Whether a dedicated team leader supervises no more than ten specialists, meets them "
        "weekly, links with clinical leads, coaches them in the field and reviews outcomes.",
        "At most one of the five parts of the team leader's role is in place.",
        "Two of the five parts of the team leader's role are in place.",
        "Three of the five parts of the team leader's role are in place.",
        "Four of the five parts of the team leader's role are in place.",
        "All five are in place: ten or fewer specialists, weekly supervision, links with clinical "
        "leads, monthly coaching in the field and quarterly outcome goals.",
    ),
    _item(
        9,
        "organisation",
        "Zero exclusion criteria",
        "Whether everyone who wants to work can get help, whatever their diagnosis, history or "
        "apparent readiness, and whether referrals are sought from everywhere.",
        "A written policy keeps people out, for example because of drug or alcohol use, "
        "violence or being judged not ready.",
        "Most people are kept out in practice, even without a written rule.",
        "Some people are screened out, formally or informally.",
        "Nobody is screened out, but referrals are not actively sought from many sources.",
        "Nobody is screened out, and referrals are invited from many sources, including people "
        "referring themselves.",
    ),
    _item(
        10,
        "organisation",
        "Agency focus on competitive employment",
        "How far the whole organisation promotes paid work: asking about work at assessment and "
        "review, posters and leaflets, sharing success stories and tracking job outcomes.",
        "At most one of the five ways of promoting paid work across the organisation is in place.",
        "Two of the five ways of promoting paid work across the organisation are in place.",
        "Three of the five ways of promoting paid work across the organisation are in place.",
        "Four of the five ways of promoting paid work across the organisation are in place.",
        "All five: work asked about at intake and at every review, publicity on display, "
        "success stories shared and job rates reported quarterly.",
    ),
    _item(
        11,
        "organisation",
        "Executive team support for supported employment",
        "Whether senior leaders understand IPS, review it through quality checks, sit on its "
        "steering group, champion it to staff and help solve its problems.",
        "At most one of the five signs of senior leadership support is in place.",
        "Two of the five signs of senior leadership support are in place.",
        "Three of the five signs of senior leadership support are in place.",
        "Four of the five signs of senior leadership support are in place.",
        "All five are in place: leaders know IPS, review it, join the steering group, set goals "
        "for staff and tackle barriers.",
    ),
    # Services
    _item(
        12,
        "services",
        "Work incentives planning (benefits advice)",
        "Whether everyone is offered full, personal advice on how work will affect their "
        "benefits, before starting a job and whenever hours or pay change.",
        "Benefits advice is not readily available to most people on the caseload.",
        "People are only pointed towards benefits advice elsewhere, with no help to get it.",
        "Some people are helped to get personal benefits advice, but it is not offered to "
        "everyone.",
        "Everyone is offered personal advice from someone trained in benefits before starting a "
        "job.",
        "Everyone is offered trained benefits advice before a job and whenever hours or pay "
        "change, plus help reporting earnings.",
    ),
    _item(
        13,
        "services",
        "Disclosure",
        "Whether specialists help people make an informed choice about what, if anything, to "
        "tell an employer about their mental health.",
        "None of the five parts of good practice on disclosure is in place, or only one.",
        "Two of the five parts of good practice on disclosure are in place.",
        "Three of the five parts of good practice on disclosure are in place.",
        "Four of the five parts of good practice on disclosure are in place.",
        "All five: disclosure is never required, its pros and cons, adjustments and wording are "
        "discussed, and it is revisited.",
    ),
    _item(
        14,
        "services",
        "Ongoing, work-based vocational assessment",
        "Whether assessment is a short, practical start that keeps being updated from real jobs, "
        "rather than testing before any job search.",
        "People go through office-based tests, work samples or long assessments before any job "
        "search.",
        "People are assessed by doing tasks in a sheltered or unpaid setting.",
        "Assessment relies on interviews at the start and is rarely updated afterwards.",
        "Assessment carries on in real jobs and is updated, but draws mainly on the person alone.",
        "A vocational profile is built in a few meetings, draws on several sources and is "
        "updated after every job.",
    ),
    _item(
        15,
        "services",
        "Rapid search for competitive job",
        "How soon after joining the service a person, or their specialist, first meets an "
        "employer face to face about a paid job.",
        "On average, the first face-to-face employer contact comes 271 days (about nine months) "
        "or more after joining.",
        "On average, the first face-to-face employer contact comes 151 to 270 days after joining.",
        "On average, the first face-to-face employer contact comes 61 to 150 days after joining.",
        "On average, the first face-to-face employer contact comes 31 to 60 days after joining.",
        "On average, the first face-to-face employer contact comes within 30 days (about four "
        "weeks) of joining.",
    ),
    _item(
        16,
        "services",
        "Individualised job search",
        "Whether employer contacts follow each person's own preferences, strengths and needs, "
        "set out in a job search plan, rather than whatever jobs are easy to find.",
        "Under 25% of employer contacts reflect the person's own preferences and needs.",
        "25% to 49% of employer contacts reflect the person's own preferences and needs.",
        "50% to 74% of employer contacts reflect the person's own preferences and needs.",
        "75% to 89% of employer contacts reflect the person's own preferences and needs.",
        "90% or more of employer contacts fit the person's own choices, guided by a job search "
        "plan kept up to date.",
    ),
    _item(
        17,
        "services",
        "Job development: frequent employer contact",
        "How many face-to-face meetings with employers each specialist has each week for the "
        "people looking for work, and whether these are recorded and reviewed.",
        "Specialists meet employers in person fewer than twice a week for particular people.",
        "Specialists meet employers about twice a week, or keep no record of employer contacts.",
        "Specialists meet employers about four times a week and record it; the leader checks "
        "monthly.",
        "Specialists meet employers about five times a week and record it; the leader checks "
        "monthly.",
        "Specialists meet employers six or more times a week, with a record the leader checks "
        "every week.",
    ),
    _item(
        18,
        "services",
        "Job development: quality of employer contact",
        "Whether specialists build lasting relationships with employers, learning what they need "
        "and showing how a particular person could meet it.",
        "Specialists rarely meet employers, or only when dropping off application forms.",
        "Specialists ask employers about vacancies and pass the leads on to people to follow up.",
        "Specialists follow up advertised vacancies, introduce the service and ask for an "
        "interview.",
        "Specialists meet employers in person, vacancy or not, and speak up for a person's "
        "strengths.",
        "Specialists build relationships over several planned visits, learning the employer's "
        "needs and matching people to them.",
    ),
    _item(
        19,
        "services",
        "Diversity of job types",
        "Whether people are helped into many different kinds of work rather than the same few "
        "kinds of job.",
        "Under half of the jobs people hold are of different types.",
        "Between 50% and 59% of the jobs people hold are of different types.",
        "Between 60% and 69% of the jobs people hold are of different types.",
        "Between 70% and 84% of the jobs people hold are of different types.",
        "85% or more of the jobs people hold are of different types.",
    ),
    _item(
        20,
        "services",
        "Diversity of employers",
        "Whether people are helped into jobs with many different employers rather than a few "
        "regular ones.",
        "Under half of the jobs people hold are with different employers.",
        "Between 50% and 59% of the jobs people hold are with different employers.",
        "Between 60% and 69% of the jobs people hold are with different employers.",
        "Between 70% and 84% of the jobs people hold are with different employers.",
        "85% or more of the jobs people hold are with different employers.",
    ),
    _item(
        21,
        "services",
        "Competitive jobs",
        "Whether the jobs people get are ordinary, lasting, paid jobs open to anyone, at or "
        "above the minimum wage, not set aside or time-limited placements.",
        "Fewer than 65% of the jobs people get are ordinary, open, permanent paid jobs.",
        "Between 65% and 74% of the jobs people get are ordinary, open, permanent paid jobs.",
        "Between 75% and 84% of the jobs people get are ordinary, open, permanent paid jobs.",
        "Between 85% and 94% of the jobs people get are ordinary, open, permanent paid jobs.",
        "95% or more of the jobs people get are ordinary, open, permanent paid jobs.",
    ),
    _item(
        22,
        "services",
        "Individualised follow-along supports",
        "Whether people in work get support shaped to them, from several people, including help "
        "for employers and with moving on in their career.",
        "Most people get no support once they have started a job.",
        "About half of people in work get a narrow range of support, mostly from the specialist.",
        "Most people in work get a narrow range of support, mostly from the specialist.",
        "People in work get varied support suited to them and their job, with employer support "
        "on request.",
        "People in work get varied support suited to them, employer support on request, and "
        "help with career development.",
    ),
    _item(
        23,
        "services",
        "Time-unlimited follow-along supports",
        "Whether in-work support continues as long as the person wants it, with close contact "
        "around a job start and a quick response when a job ends.",
        "Specialists stop meeting people face to face a month after they start a job.",
        "Specialists meet fewer than half of working people face to face for four months after "
        "a job start.",
        "Specialists meet at least half of working people face to face for four months after "
        "a job start.",
        "Specialists meet working people weekly for the first month, then monthly for a year or "
        "more if wanted.",
        "Contact before a start, within three days of it, weekly then monthly for a year, a "
        "planned handover, and quick contact after a job ends.",
    ),
    _item(
        24,
        "services",
        "Community-based services",
        "How much of their time employment specialists spend out in the community rather than "
        "in the office.",
        "Specialists spend under 30% of their working hours out in the community.",
        "Specialists spend 30% to 39% of their working hours out in the community.",
        "Specialists spend 40% to 49% of their working hours out in the community.",
        "Specialists spend 50% to 64% of their working hours out in the community.",
        "Specialists spend 65% or more of their working hours out in the community.",
    ),
    _item(
        25,
        "services",
        "Assertive engagement and outreach by integrated treatment team",
        "Whether the team keeps reaching out to people who drift away instead of closing their "
        "case, until they say they no longer want help with work.",
        "At most two of the six ways of keeping people engaged are in use.",
        "Three of the six ways of keeping people engaged are in use.",
        "Four of the six ways of keeping people engaged are in use.",
        "Five of the six ways of keeping people engaged are in use.",
        "All six: no closure for missed appointments or time limits, attempts recorded, team "
        "outreach, visits, joint visits and family contact.",
    ),
)

ITEMS_BY_NUMBER: Mapping[int, FidelityItem] = MappingProxyType({i.number: i for i in ITEMS})
ITEM_NUMBERS = range(1, len(ITEMS) + 1)


def items_by_section() -> tuple[FidelitySection, ...]:
    """The sections in the scale's order, each with its items in order."""
    return tuple(
        FidelitySection(slug, label, tuple(i for i in ITEMS if i.section == slug))
        for slug, label in SECTIONS.items()
    )


def item(number: int) -> FidelityItem:
    """The item with this number; KeyError when the scale has no such item."""
    if isinstance(number, bool) or not isinstance(number, int) or number not in ITEMS_BY_NUMBER:
        raise KeyError(no_such_item_message(number))
    return ITEMS_BY_NUMBER[number]


# Bands


# Scoring clean scores: {item number: score}


# Checking raw scores, e.g. {"7": 4} from JSON or a form
