"""`flask reminders send` against a real SMTP server (the `mailbox` fixture): each reminder goes
once however often the command runs, nobody who turned reminders off gets one, the e-mails
carry links and never a figure, and a message the server does not take is tried again."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from core.extensions import db as _db
from core.mail import EmailDelivery
from core.mail_server import html_part, links, text_part
from portal.reminders import claim, site_lead_reminders, staff_digest
from sites.models import ReminderSent, ReturnQuery, ReturnStep
from tests.conftest import free_port
from tests.query_counter import count_queries

BASE = "https://ips.example.org"
LATE_DAY = date(2026, 11, 16)  # October's returns were due on Friday 13 November: late today
LATER_IN_WINDOW = date(2026, 11, 18)  # the same week, and still inside the late window
DUE_SOON_DAY = date(2026, 12, 10)  # November's returns are due on Monday 14 December
SEPTEMBER, OCTOBER, NOVEMBER = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)

# Figures no date, id, count or link in an e-mail could contain by chance.
FIGURES = {
    "referrals": 48311,
    "caseload": 59723,
    "new_to_service": 37219,
    "first_contact_within_4_weeks": 26417,
    "job_starts": 19531,
    "in_work": 28643,
    "sustained_13_weeks": 17389,
    "discharges": 15263,
    "employment_specialists_fte": Decimal("73.25"),
}


@pytest.fixture
def network(app, make, monkeypatch):
    """Three sites in a programme, each with September in: the late one has only a draft of
    October, the on-time one sent October, the quiet one's lead turned reminders off."""
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    programme = make.programme(starts_on=SEPTEMBER, ends_on=date(2027, 12, 31))
    late_site = make.site(name="Late IPS service")
    on_time_site = make.site(name="On time IPS service")
    quiet_site = make.site(name="Quiet IPS service")
    for site in (late_site, on_time_site, quiet_site):
        make.participation(programme, site)
        make.monthly_return(site, SEPTEMBER, **FIGURES)
    make.monthly_return(on_time_site, OCTOBER, **FIGURES)
    make.monthly_return(late_site, OCTOBER, **(FIGURES | {"status": "draft"}))
    return SimpleNamespace(
        late_site=late_site,
        on_time_site=on_time_site,
        late=make.user("site_lead", sites=[late_site]),
        on_time=make.user("site_lead", sites=[on_time_site]),
        quiet=make.user("site_lead", sites=[quiet_site], reminders=False),
        admin=make.user("admin"),
        admin_without=make.user("admin", reminders=False),
    )


def send(app, day: date, exit_code: int = 0):
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", day.isoformat()])
    assert result.exit_code == exit_code, result.output
    return result


def recipients(mailbox) -> Counter:
    return Counter(message["To"] for message in mailbox.messages)


def assert_no_figures(message) -> None:
    body = text_part(message) + (html_part(message) or "") + message["Subject"]
    for name, value in FIGURES.items():
        assert str(value) not in body, name


def test_two_runs_the_same_day_send_each_reminder_once(app, network, mailbox):
    send(app, LATE_DAY)
    send(app, LATE_DAY)

    assert recipients(mailbox) == {network.late.email: 1, network.admin.email: 1}
    reminder, digest = (
        next(m for m in mailbox.messages if m["To"] == person.email)
        for person in (network.late, network.admin)
    )
    assert reminder["Subject"] == "A monthly return is late"
    text = text_part(reminder)
    assert "Late IPS service, October 2026: it was due by 13 November 2026." in text
    assert "It is saved as a draft, not submitted." in text
    assert links(reminder) == [
        f"{BASE}/sites/{network.late_site.id}/returns/2026-10",
        f"{BASE}/account",
    ]
    assert f'href="{BASE}/account"' in html_part(reminder)
    assert "turn off e-mail reminders" in text

    # Late: October at the late site and at the quiet one; awaiting approval: four submitted.
    digest_text = text_part(digest)
    assert "Late returns: 2 months at 2 sites." in digest_text, digest_text
    assert "Returns awaiting approval: 4." in digest_text
    assert "Open queries on returns: none." in digest_text
    assert f"{BASE}/returns/late" in links(digest)
    assert f"{BASE}/account" in links(digest)
    for message in mailbox.messages:
        assert_no_figures(message)

    recorded = set(_db.session.execute(sa.select(ReminderSent.user_id, ReminderSent.key)))
    assert recorded == {
        (network.late.id, f"late:{network.late_site.id}:2026-10"),
        (network.admin.id, "digest:2026-W47"),
    }


def test_another_day_of_the_window_sends_nothing_new(app, network, mailbox):
    send(app, LATE_DAY)
    assert len(mailbox.messages) == 2
    result = send(app, LATER_IN_WINDOW)
    assert len(mailbox.messages) == 2
    assert "sent 0 reminder e-mail(s)" in result.output


def test_due_soon_reminders_go_once_to_each_lead_who_wants_them(app, network, mailbox):
    send(app, DUE_SOON_DAY)
    send(app, DUE_SOON_DAY)

    assert recipients(mailbox) == {
        network.late.email: 1,
        network.on_time.email: 1,
        network.admin.email: 1,  # a new week's digest
    }
    reminder = next(m for m in mailbox.messages if m["To"] == network.on_time.email)
    assert reminder["Subject"] == "A monthly return is due soon"
    assert "On time IPS service, November 2026: due by 14 December 2026." in text_part(reminder)
    assert links(reminder)[0] == f"{BASE}/sites/{network.on_time_site.id}/returns/2026-11"
    for message in mailbox.messages:
        assert_no_figures(message)


def test_nothing_is_sent_outside_the_windows(app, network, mailbox):
    send(app, date(2026, 11, 30))  # October's late window closed on 20 November
    assert recipients(mailbox) == {network.admin.email: 1}


def test_a_message_the_server_does_not_take_is_tried_again_next_run(
    app, network, mailbox, monkeypatch
):
    listening = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    failed = send(app, LATE_DAY, exit_code=1)
    assert "2 e-mail(s) could not be sent" in failed.stderr
    assert mailbox.messages == []
    assert _db.session.scalar(sa.select(sa.func.count(ReminderSent.id))) == 0
    statuses = _db.session.scalars(sa.select(EmailDelivery.status)).all()
    assert statuses == ["failed", "failed"]

    monkeypatch.setitem(app.config, "MAIL_PORT", listening)
    send(app, LATE_DAY)
    assert recipients(mailbox) == {network.late.email: 1, network.admin.email: 1}


def test_without_base_url_nothing_is_sent(app, network, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", None)
    result = send(app, LATE_DAY, exit_code=1)
    assert "Set BASE_URL" in result.stderr
    assert mailbox.messages == []


def test_a_claim_is_taken_once(db, make):
    user = make.user("admin")
    assert claim([(user.id, "a"), (user.id, "b")]) == {(user.id, "a"), (user.id, "b")}
    assert claim([(user.id, "b"), (user.id, "c")]) == {(user.id, "c")}


def test_the_digest_counts_open_queries_and_asks_to_reopen_since_the_last_approval(db, make):
    site = make.site()
    lead, admin = make.user("site_lead", sites=[site]), make.user("admin")
    asked = make.monthly_return(site, SEPTEMBER, status="approved")
    asked_before = make.monthly_return(site, OCTOBER, status="approved")
    queried = make.monthly_return(site, NOVEMBER)
    moves = [
        (asked, "approve", admin),
        (asked, "ask_to_reopen", lead),
        (asked_before, "approve", admin),
        (asked_before, "ask_to_reopen", lead),
        (asked_before, "reopen", admin),
        (asked_before, "approve", admin),
    ]
    for record, move, actor in moves:
        _db.session.add(
            ReturnStep(return_id=record.id, move=move, status="approved", actor_id=actor.id)
        )
    _db.session.add_all(
        [
            ReturnQuery(return_id=queried.id, text="Open", status="open", raised_by_id=admin.id),
            ReturnQuery(return_id=queried.id, text="Done", status="closed", raised_by_id=admin.id),
        ]
    )
    _db.session.commit()
    digest = staff_digest(LATE_DAY)
    assert (digest.awaiting_approval, digest.open_queries, digest.asks_to_reopen) == (1, 1, 1)


@pytest.mark.commits
def test_two_runs_at_once_claim_a_reminder_once(app, db, make):
    """The second run's claim waits for the first run's transaction, then finds the key taken."""
    user = make.user("admin")
    keys = [(user.id, "digest:2026-W47")]
    second: dict[str, set] = {}

    def second_run() -> None:
        with app.app_context():
            second["claimed"] = claim(keys)
            _db.session.commit()

    with app.app_context():
        first = claim(keys)
        thread = threading.Thread(target=second_run)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second claim should wait for the first transaction"
        _db.session.commit()
    thread.join(10)
    assert first == set(keys)
    assert second["claimed"] == set()
    assert _db.session.scalar(sa.select(sa.func.count(ReminderSent.id))) == 1


def test_what_is_due_takes_the_same_queries_for_more_sites(app, db, make):
    programme = make.programme(starts_on=date(2026, 1, 1), ends_on=date(2027, 12, 31))

    def add_sites(n: int) -> None:
        for _ in range(n):
            site = make.site()
            make.participation(programme, site)
            make.user("site_lead", sites=[site])

    def statements() -> int:
        _db.session.expire_all()
        with count_queries(_db.engine) as sent:
            site_lead_reminders(LATE_DAY)
            staff_digest(LATE_DAY)
        return len(sent)

    add_sites(2)
    few = statements()
    add_sites(6)
    assert len(site_lead_reminders(LATE_DAY)) == 8
    assert statements() == few


def test_no_digest_in_a_week_with_nothing_to_tell(app, make, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    make.user("admin")
    send(app, LATE_DAY)
    assert mailbox.messages == []
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(ReminderSent)) == 0
