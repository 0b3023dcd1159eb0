"""Whatever a stored text holds, e-mail headers stay one line each and CSV cells neither run nor break."""
import csv
import io

import pytest

from shop.admin.csvfile import csv_bytes
from shop.mail.outbox import _build
from shop.models import OutboxMessage


@pytest.mark.parametrize("text", ["Заказ\r\nBcc: all@example.kz", "Заказ\n", "Заказ\x0b\x0c", "Заказ\u2028x",
                                  "Заказ\x85", "Заказ\x1c"])
def test_e_mail_headers_never_carry_line_breaks_whatever_was_stored(text):
    message = OutboxMessage(recipient=f"buyer@example.kz{text[-1]}", subject=text, body_text="Текст",
                            body_html="", attachments=[{"filename": f"cohort-1{text[-1]}.ics",
                                                        "content_type": "text/calendar", "content": "BEGIN"}])
    email = _build(message, "shop@example.kz")
    raw = email.as_bytes()
    assert b"Bcc:" not in raw.split(b"\n\n", 1)[0].replace(b"Bcc: all", b"")  # no header was injected
    for name in ("To", "Subject"):
        assert "\n" not in email[name] and "\r" not in email[name]
    assert email["Subject"].startswith("Заказ")


def test_csv_cells_never_start_a_formula_or_carry_control_characters():
    data = csv_bytes(["Имя"], [["=1+1"], [" =1+1"], ["\n@SUM(A1)"], ["＝1+1"], ["Дана\x00\x07"], ["\u2028-5"], [12]])
    rows = [row[0] for row in csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")][1:]
    assert rows[:4] == ["'=1+1", "' =1+1", "'\n@SUM(A1)", "'＝1+1"]
    assert rows[4:] == ["Дана", "'-5", "12"]
