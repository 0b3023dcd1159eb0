"""Numbers and texts as clients send them: ASCII digits within the INTEGER range; texts put on one line."""
import pytest

from shop.inputs import MAX_ID, one_line, page_number, whole_number


@pytest.mark.parametrize("raw", ["²", "1²", "٣", "１", "-1", "+1", " 1", "1 ", "1.0", "", None, 5, "1_000",
                                 str(MAX_ID + 1), "9" * 5000])
def test_a_whole_number_is_ascii_digits_within_the_id_range(raw):
    assert whole_number(raw) is None


def test_whole_numbers_and_pages_read_plain_digits():
    assert whole_number("0") == 0 and whole_number(str(MAX_ID)) == MAX_ID
    assert page_number("3") == 3 and page_number("²") == page_number("0") == page_number(str(10**20)) == 1


def test_one_line_turns_every_line_break_and_control_character_into_a_space():
    assert one_line("Микро\r\nзелень\x00\x07\u2028\x85курс") == "Микро зелень курс"
