"""A small SMTP server for isogap's mail tests, built on aiosmtpd.

It listens on a free loopback port, prints the port on its first line of
output, and saves every message it accepts into FOLDER as NNN.eml (the raw
bytes) and NNN.json (what Python's own e-mail parser reads from them: the
decoded To, Subject and body, any defects, and whether the session used TLS
and which user signed in), so the Go tests check the mail with a parser
other than Go's.

    smtpd.py FOLDER [--host 127.0.0.1] [--auth USER:PASS]
                    [--starttls CERT KEY] [--smtps CERT KEY]
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Saver:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        to = msg["To"]
        addr = to.addresses[0] if to is not None and to.addresses else None
        info = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None
            or server.transport.get_extra_info("ssl_object") is not None,
            "user": session.auth_data.login.decode()
            if session.authenticated and isinstance(session.auth_data, LoginPassword)
            else "",
            "to_name": addr.display_name if addr else "",
            "to_addr": addr.addr_spec if addr else "",
            "from": str(msg["From"]),
            "subject": str(msg["Subject"]),
            "date": str(msg["Date"]),
            "message_id": str(msg["Message-ID"]),
            "content_type": msg.get_content_type(),
            "charset": msg.get_content_charset(),
            "body": msg.get_content(),
            "defects": [type(d).__name__ for d in msg.defects]
            + [type(d).__name__ for h in msg.values() for d in getattr(h, "defects", ())],
        }
        base = os.path.join(self.folder, "%03d" % self.count)
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        with open(base + ".json.tmp", "w") as f:
            json.dump(info, f)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 Message accepted for delivery"


def tls_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("folder")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--auth", help="USER:PASS the server accepts (AUTH PLAIN and LOGIN)")
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--smtps", nargs=2, metavar=("CERT", "KEY"))
    a = p.parse_args()

    def authenticator(server, session, envelope, mechanism, data):
        user, _, password = a.auth.partition(":")
        ok = isinstance(data, LoginPassword) and data == (user.encode(), password.encode())
        # handled=False lets aiosmtpd answer a failure with 535 itself.
        return AuthResult(success=ok, handled=ok, auth_data=data)

    handler = Saver(a.folder)
    kwargs = dict(hostname="isogap-test", ident="isogap test server")
    if a.auth:
        # Offered without TLS too: the client must be the one that refuses.
        kwargs.update(authenticator=authenticator, auth_require_tls=False)
    if a.starttls:
        kwargs["tls_context"] = tls_context(*a.starttls)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, **kwargs),
        host=a.host,
        port=0,
        ssl=tls_context(*a.smtps) if a.smtps else None,
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
