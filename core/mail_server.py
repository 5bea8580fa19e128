"""A local SMTP server for trials and tests (aiosmtpd): it keeps every message it receives, and
can write each to a folder as a .eml file and print a line with its subject and links.

`make run` starts it in the background:  python -m core.mail_server --directory instance/mail
Tests start `Mailbox` in aiosmtpd's Controller on a free port and read `mailbox.messages`.
"""

from __future__ import annotations

import argparse
import re
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+")


def text_part(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    part = message.get_body(preferencelist=("plain",))
    return "" if part is None else cast(EmailMessage, part).get_content()


def html_part(message: EmailMessage) -> str | None:
    part = message.get_body(preferencelist=("html",))
    return None if part is None else cast(EmailMessage, part).get_content()


def links(message: EmailMessage) -> list[str]:
    """The addresses in the message's plain-text body, in order."""
    return LINK.findall(text_part(message))


class Mailbox:
    """An aiosmtpd handler: what it received, in order (thread-safe to read)."""

    def __init__(self, directory: Path | None = None, echo: bool = False) -> None:
        self.directory = directory
        self.echo = echo
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []  # (MAIL FROM, RCPT TO)
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        message = message_from_bytes(raw, policy=policy.default)
        with self._lock:
            self.messages.append(message)
            self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
            number = len(self.messages)
        if self.directory is not None:
            self._keep(message, raw, number, list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def _keep(self, message: EmailMessage, raw: bytes, number: int, to: list[str]) -> None:
        assert self.directory is not None
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = self.directory / f"{stamp}-{number:04d}.eml"
        path.write_bytes(raw)
        if self.echo:
            print(f"[mail] to {', '.join(to)}: {message['Subject']}  (saved in {path})", flush=True)
            for link in links(message):
                print(f"[mail]   link: {link}", flush=True)

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.envelopes.clear()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--directory", type=Path, default=Path("instance/mail"))
    args = parser.parse_args(argv)
    controller = Controller(Mailbox(args.directory, echo=True), hostname=args.host, port=args.port)
    controller.start()
    print(
        f"[mail] local SMTP server on {args.host}:{args.port}; "
        f"messages are saved in {args.directory}/",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
