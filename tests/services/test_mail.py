"""The outbox is sent through a real (tiny, local) SMTP server when one is configured."""

import socketserver
import threading

import pytest
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Outbox


class SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept messages (no TLS, no auth)."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        data = False
        lines = []
        while line := self.rfile.readline():
            if data:
                if line == b".\r\n":
                    self.server.messages.append(b"".join(lines).decode())
                    lines, data = [], False
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line)
                continue
            command = line.strip().upper()
            if command.startswith(b"EHLO") or command.startswith(b"HELO"):
                self.wfile.write(b"250 test\r\n")
            elif command == b"DATA":
                data = True
                self.wfile.write(b"354 go ahead\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_invitation_is_sent_by_smtp_when_configured(app, world, as_role, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.server_address[1], MAIL_USE_TLS=False)
    try:
        p = world.partnership
        r = as_role("facilitator").post(
            f"/p/{p.id}/members/invite",
            data={"email": "lena@example.org", "role": "member", "city": p.cities[1].id},
        )
        assert r.status_code == 200
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_USE_TLS=True)
    assert len(smtp_server.messages) == 1
    assert "lena@example.org" in smtp_server.messages[0]
    message = db.session.scalars(select(Outbox)).one()
    assert message.sent_at is not None and message.error is None


def test_without_smtp_the_message_waits_in_the_outbox(world, as_role):
    p = world.partnership
    as_role("facilitator").post(
        f"/p/{p.id}/members/invite",
        data={"email": "lena@example.org", "role": "member", "city": p.cities[1].id},
    )
    message = db.session.scalars(select(Outbox)).one()
    assert message.sent_at is None and "/invite/" in message.body
    html = as_role("admin").get("/admin/outbox").get_data(as_text=True)
    assert "lena@example.org" in html and "waiting" in html


def test_unreachable_smtp_keeps_the_message_and_the_change(app, world, as_role):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port, MAIL_USE_TLS=False)
    try:
        p = world.partnership
        r = as_role("facilitator").post(
            f"/p/{p.id}/members/invite",
            data={"email": "lena@example.org", "role": "member", "city": p.cities[1].id},
        )
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_USE_TLS=True)
    assert r.status_code == 200
    message = db.session.scalars(select(Outbox)).one()
    assert message.sent_at is None and message.error == "ConnectionRefusedError"
