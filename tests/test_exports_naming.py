"""File names: tokens, every SimpleDateFormat letter with Java's count rules, forbidden
characters, extensions and the default name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from exports.naming import NameContext, NameFormatError, check_format, format_date, render_name

# Tuesday 22 July 2003 12:54:32.978 in Los Angeles (PDT, UTC-7)
T = datetime(2003, 7, 22, 19, 54, 32, 978000, tzinfo=UTC)
LA = "America/Los_Angeles"


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("G", "AD"),
        ("GGGG", "AD"),
        ("y", "2003"),
        ("yy", "03"),
        ("yyy", "2003"),
        ("yyyy", "2003"),
        ("yyyyy", "02003"),
        ("M", "7"),
        ("MM", "07"),
        ("MMM", "Jul"),
        ("MMMM", "July"),
        ("w", "30"),
        ("ww", "30"),
        ("W", "4"),
        ("D", "203"),
        ("DDD", "203"),
        ("d", "22"),
        ("dd", "22"),
        ("F", "4"),
        ("E", "Tue"),
        ("EEE", "Tue"),
        ("EEEE", "Tuesday"),
        ("a", "PM"),
        ("H", "12"),
        ("k", "12"),
        ("K", "0"),
        ("KK", "00"),
        ("h", "12"),
        ("m", "54"),
        ("s", "32"),
        ("S", "978"),
        ("SSSS", "0978"),
        ("z", "PDT"),
        ("zzzz", "Pacific Daylight Time"),
        ("Z", "-0700"),
        ("yyyyMMdd hh:mm:ss z", "20030722 12:54:32 PDT"),
        ("'week' w 'of' yyyy", "week 30 of 2003"),
        ("hh 'o''clock' a", "12 o'clock PM"),
        ("''yy''", "'03'"),
        ("yyyy-MM-dd'T'HH.mm", "2003-07-22T12.54"),
    ],
)
def test_every_pattern_letter(pattern, expected):
    assert format_date(T, pattern, LA) == expected


def test_hour_letters_at_midnight_and_noon():
    midnight = datetime(2024, 1, 1, 0, 5, tzinfo=UTC)
    assert [format_date(midnight, p) for p in ("H", "k", "K", "h", "a")] == [
        "0",
        "24",
        "0",
        "12",
        "AM",
    ]
    noon = datetime(2024, 1, 1, 12, 5, tzinfo=UTC)
    assert [format_date(noon, p) for p in ("H", "k", "K", "h", "a")] == [
        "12",
        "12",
        "0",
        "12",
        "PM",
    ]


def test_week_numbers_follow_java_locale_us():
    # weeks start on Sunday; the week holding 1 January is week 1
    assert format_date(datetime(2024, 12, 31, tzinfo=UTC), "w") == "1"
    assert format_date(datetime(2024, 12, 28, tzinfo=UTC), "w") == "52"
    assert format_date(datetime(2023, 1, 1, tzinfo=UTC), "w W") == "1 1"  # a Sunday
    assert format_date(datetime(2023, 1, 7, tzinfo=UTC), "w W") == "1 1"
    assert format_date(datetime(2023, 1, 8, tzinfo=UTC), "w W F") == "2 2 2"


def test_zone_without_abbreviation_uses_gmt_offset():
    assert format_date(T, "z", "America/Sao_Paulo") == "GMT-03:00"
    assert format_date(T, "Z", "Asia/Kolkata") == "+0530"
    assert format_date(T, "z", "UTC") == "UTC"
    assert (
        format_date(datetime(2024, 1, 15, tzinfo=UTC), "z zzzz", "Europe/Warsaw")
        == "CET Central European Time"
    )


def test_unknown_letter_and_unterminated_quote_are_refused():
    with pytest.raises(NameFormatError, match="unknown pattern letter 'Y'"):
        format_date(T, "YYYY")
    with pytest.raises(NameFormatError, match="unterminated quote"):
        format_date(T, "yyyy 'oops")


def ctx(**kw) -> NameContext:
    base = dict(
        report="AllAttempts",
        account="AcmeWidgets",
        account_uid="acme",
        report_id="42",
        date=datetime(2003, 7, 22, 19, 54, 32, tzinfo=UTC),
        start=datetime(2003, 7, 17, 7, tzinfo=UTC),
        end=datetime(2003, 7, 23, 7, tzinfo=UTC),
        zone=LA,
        campaign="WidgetCampaign",
        subcampaign="Wave1",
        group="ListA",
    )
    base.update(kw)
    return NameContext(**base)


def test_seed_example():
    fmt = "<CAMPAIGN>_<ACCOUNT>_<START:yyyyMMdd>_<END:yyyyMMdd hh:mm:ss z>.txt"
    # END is the last instant covered (exclusive end − 1 ms); ':' may not reach a file name
    assert (
        render_name(fmt, ctx(), "CAMPAIGN", txt=True)
        == "WidgetCampaign_AcmeWidgets_20030717_20030722 11_59_59 PDT.txt"
    )


def test_every_token():
    fmt = "<REPORT>-<CAMPAIGN>-<SUBCAMPAIGN>-<GROUP>-<ACCOUNT>-<ACCOUNT_UID>-<REPORTID>-<DATE:HHmm>"
    assert (
        render_name(fmt, ctx(), "CAMPAIGN", txt=False)
        == "AllAttempts-WidgetCampaign-Wave1-ListA-AcmeWidgets-acme-42-1254.csv"
    )


def test_date_without_format_is_julian_yyddd():
    assert (
        render_name("<START>_<END:>_<DATE>", ctx(), "CAMPAIGN", txt=False)
        == "03198_03203_03203.csv"
    )


def test_extension_follows_the_output_spec():
    assert render_name("x.csv", ctx(), "CAMPAIGN", txt=True) == "x.txt"
    assert render_name("x.txt", ctx(), "CAMPAIGN", txt=False) == "x.csv"
    assert render_name("x", ctx(), "CAMPAIGN", txt=False) == "x.csv"


def test_default_name():
    assert (
        render_name(None, ctx(), "CAMPAIGN", txt=False)
        == "AllAttempts_WidgetCampaign_20030722_125432.csv"
    )
    assert (
        render_name(None, ctx(), "ACCOUNT", txt=True)
        == "AllAttempts_AcmeWidgets_20030722_125432.txt"
    )


@pytest.mark.parametrize("char", list('*?|"/<>:'))
def test_forbidden_characters_in_text_are_refused_by_name(char):
    with pytest.raises(NameFormatError) as e:
        check_format(f"Report{char}x_<DATE:yyyy>")
    assert char in str(e.value).split("the characters ")[1].split(" are not")[0]


def test_message_names_every_forbidden_character_used():
    with pytest.raises(NameFormatError, match=r"the characters : < > are not allowed"):
        check_format("Report <for> : <DATE:yyyy>")


def test_unknown_field_and_bad_date_pattern_are_refused():
    with pytest.raises(NameFormatError, match="unknown field <CLIENT>"):
        check_format("<CLIENT>")
    with pytest.raises(NameFormatError, match="would put /"):
        check_format("<DATE:dd/MM/yyyy>")
    with pytest.raises(NameFormatError, match="takes no date format"):
        check_format("<REPORT:yyyy>")


def test_field_values_cannot_escape_the_folder():
    name = render_name("<CAMPAIGN>", ctx(campaign="../../etc/pass*wd"), "CAMPAIGN", txt=False)
    assert "/" not in name and name == ".._.._etc_pass_wd.csv"
