"""Sending one plain-text email through the operator's SMTP server (SMTP_* settings)."""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from tinyeclipse.config import Settings
from tinyeclipse.notifications.errors import DeliveryFailed


def build(settings: Settings, to: str, content: dict[str, str]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = content["subject"]
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    if content.get("reply_to"):
        message["Reply-To"] = content["reply_to"]
    # UTF-8 text; the email package picks a transfer encoding under which long lines and non-ASCII survive.
    message.set_content(content["text"])
    return message


def send(settings: Settings, to: str, content: dict[str, str]) -> None:
    """Deliver once; raises DeliveryFailed (permanent when the server refused the address or the sender)."""
    if not settings.smtp_host:
        raise DeliveryFailed("SMTP_HOST is not set (email is off)", permanent=True)
    message = build(settings, to, content)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                smtp.login(settings.smtp_user, password)
            smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        # The operator's credentials, not this message: worth another try once they are fixed.
        raise DeliveryFailed(f"SMTP login as {settings.smtp_user} refused ({exc.smtp_code})") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryFailed(f"the SMTP server refused {to}", permanent=True) from exc
    except smtplib.SMTPResponseException as exc:
        # 5xx is the server's final no; 4xx (greylisting, a full queue) is worth another try.
        reason = f"SMTP {exc.smtp_code}: {exc.smtp_error.decode(errors='replace')}"
        raise DeliveryFailed(reason, permanent=500 <= exc.smtp_code < 600) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"SMTP {settings.smtp_host}:{settings.smtp_port}: {exc or type(exc).__name__}") from exc
