"""A real SMTP server on 127.0.0.1 for the tests, which keeps and parses what it receives."""

from __future__ import annotations

import socket
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Keep:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.server.received.append(
            message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        )
        return "250 Message accepted"


class SmtpServer:
    """Started and stopped by the tests, so they can also see what happens while it is down."""

    def __init__(self):
        self.port = free_port()
        self.received: list[EmailMessage] = []
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Keep(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if m["To"] == address]

    def wait_for(self, count: int, seconds: float = 5.0) -> list[EmailMessage]:
        """Mail sent after a response arrives a moment later."""
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received


def text_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
