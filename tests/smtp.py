"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives and can be told to fail."""

import email
import email.policy
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    #: The client's (host, port): one value per SMTP connection.
    peer: tuple = ()
    #: The MAIL FROM parameters as the client sent them, e.g. ["BODY=8BITMIME", "SMTPUTF8"].
    mail_options: list[str] = field(default_factory=list)
    #: The message's bytes as they arrived (before any parsing).
    data: bytes = b""


@dataclass
class RecordingHandler:
    received: list[Received] = field(default_factory=list)
    #: An SMTP answer to give instead of accepting, e.g. "451 4.3.0 try later" or "550 5.1.1 no such user".
    fail_with: str | None = None
    #: The same for one recipient only: {"amina@example.com": "550 5.1.1 no such user"}.
    fail_for: dict[str, str] = field(default_factory=dict)
    #: Whether EHLO offers 8BITMIME (aiosmtpd offers it; an old relay may not).
    offer_8bitmime: bool = True
    #: The EHLO answer lines of the last connection, as the client read them.
    features: list[str] = field(default_factory=list)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd's name
        session.host_name = hostname
        if not self.offer_8bitmime:
            responses = [line for line in responses if line[4:].upper() != "8BITMIME"]
        self.features = list(responses)
        return responses

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        answer = self.fail_with or next((self.fail_for[r] for r in envelope.rcpt_tos if r in self.fail_for), None)
        if answer:
            return answer
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message,
                tuple(session.peer),
                list(envelope.mail_options),
                envelope.original_content,
            )
        )
        return "250 OK"


class SMTPServer:
    """Start, stop (a closed port is a server down) and restart on the same port."""

    def __init__(self, port: int, *, smtputf8: bool = False):
        self.port = port
        self.handler = RecordingHandler()
        #: Whether EHLO offers SMTPUTF8 (RFC 6531): addresses with a non-ASCII local part.
        self.smtputf8 = smtputf8
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.handler.received]

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=self.smtputf8)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def fail_with(self, answer: str | None) -> None:
        self.handler.fail_with = answer

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until at least `count` messages arrived; returns them."""
        deadline = time.monotonic() + timeout
        while len(self.handler.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages
