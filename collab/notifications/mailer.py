"""Hands one message to SMTP (SMTP_URL) or, with none configured, prints it."""

import smtplib
import ssl
import sys
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit


def send(message: EmailMessage, smtp_url: str, timeout: float = 20) -> None:
    if not smtp_url:
        _print(message)
        return
    url = urlsplit(smtp_url)
    options = parse_qs(url.query)
    if url.scheme == "smtps":
        server = smtplib.SMTP_SSL(
            url.hostname,
            url.port or 465,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        server = smtplib.SMTP(url.hostname, url.port or 25, timeout=timeout)
    with server:
        if url.scheme == "smtp" and options.get("starttls", ["0"])[0] in ("1", "true"):
            server.starttls(context=ssl.create_default_context())
        if url.username:
            server.login(unquote(url.username), unquote(url.password or ""))
        server.send_message(message)


def _print(message: EmailMessage) -> None:
    text = message.get_body(("plain",))
    out = sys.stdout
    out.write("\n" + "-" * 72 + "\n")
    for header in ("From", "To", "Subject"):
        out.write(f"{header}: {message[header]}\n")
    out.write("\n" + (text.get_content() if text else "") + "\n" + "-" * 72 + "\n")
    out.flush()
