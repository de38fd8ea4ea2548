"""A throwaway SMTP server for the mail tests: Debian's aiosmtpd, run by
/usr/bin/python3 (scripts/setup.sh --test installs python3-aiosmtpd).

    smtp_sink.py MAILDIR [PORT]

Listens on 127.0.0.1 at PORT (0, the default, lets the system choose) and prints
the port it listens on. Every message accepted is stored in MAILDIR/new, one file
per recipient, with an X-Envelope-To header naming that recipient. A recipient
whose address starts with "refused" is answered 550 (permanent), one starting
with "busy" 451 (temporary).
"""

import asyncio
import itertools
import os
import sys

from aiosmtpd.smtp import SMTP

counter = itertools.count()


class Sink:
    def __init__(self, maildir):
        self.maildir = maildir

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("refused"):
            return "550 5.1.1 No such user here"
        if local.startswith("busy"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        for rcpt in envelope.rcpt_tos:
            name = f"{os.getpid()}.{next(counter)}.sink"
            tmp = os.path.join(self.maildir, "tmp", name)
            with open(tmp, "wb") as f:
                f.write(f"X-Envelope-To: {rcpt}\r\n".encode("ascii"))
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
            os.rename(tmp, os.path.join(self.maildir, "new", name))
        return "250 2.0.0 Message accepted for delivery"


async def main():
    maildir = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    handler = Sink(maildir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test"), "127.0.0.1", port, reuse_address=True
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
