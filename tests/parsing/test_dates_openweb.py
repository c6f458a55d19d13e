"""Publication dates as open-web pages write them: day-first numbers, month names in many
languages, nested JSON-LD, ``<time>`` offsets, labels, and the traps (USA TODAY, comments).

Each case is a small HTML snippet; the assertion names the date and its offset, or that a
date-only value stays date-only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo

import pytest
from lxml import etree

from crawler.parsing.dates import parse_stamp, zone_for
from crawler.parsing.datesources import htmldate_day, url_date
from crawler.parsing.metadata import DateFields, extract_date_fields, extract_dates
from crawler.parsing.page import Page

NOW = datetime(2024, 3, 6, 12, 0, tzinfo=UTC)
CET = timezone(timedelta(hours=1))
BODY = "<p>" + "Ein langer Absatz über das Thema des Artikels. " * 20 + "</p>"


def _fields(html: str, url: str = "https://example.com/news/story", tz: tzinfo | None = None) -> DateFields:
    """The date fields as the parser reads them: in the zone it picks for the page (its
    language's, ``zone_for``) unless the test names one."""
    page = Page.from_bytes(html, url)
    return extract_date_fields(page, tz or zone_for(None, page.language), NOW)


def _article(header: str = "", head: str = "", after: str = "") -> str:
    return (f"<html><head><title>T</title>{head}</head><body><article><h1>Die Überschrift</h1>{header}"
            f"{BODY}</article>{after}</body></html>")


@pytest.mark.parametrize(("text", "expected"), [
    ("09.09.2017", "2017-09-09"),
    ("9. September 2017", "2017-09-09"),
    ("Samstag, 9. September 2017", "2017-09-09"),
    ("15 августа 2016", "2016-08-15"),
    ("2023年11月02日", "2023-11-02"),
    ("17 de febrero de 2020", "2020-02-17"),
    ("27 juin 2019", "2019-06-27"),
    ("3 marzo 2021", "2021-03-03"),
    ("12 mrt 2022", "2022-03-12"),
    ("5 de janeiro de 2019", "2019-01-05"),
    ("2023년 11월 2일", "2023-11-02"),
    ("06/13/2019", "2019-06-13"),  # the numbers say month first
])
def test_date_only_forms_stay_date_only(text: str, expected: str) -> None:
    stamp = parse_stamp(text, CET, NOW)
    assert stamp is not None and not stamp.has_time
    assert stamp.text() == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("20200924T15:04:34Z", "2020-09-24T15:04:34+00:00"),
    ("01-11-2023 10:29", "2023-11-01T10:29:00+01:00"),
    ("29. Juni 2017, 23:39", "2017-06-29T23:39:00+01:00"),
    ("5 juin 2019 à 10h30", "2019-06-05T10:30:00+01:00"),
    ("Dezember 16th, 2012, 7:05 pm", "2012-12-16T19:05:00+01:00"),
    ("2019-10-19T14:37:24+02:00", "2019-10-19T14:37:24+02:00"),
])
def test_times_keep_their_offset_or_take_the_site_zone(text: str, expected: str) -> None:
    stamp = parse_stamp(text, CET, NOW)
    assert stamp is not None and stamp.text() == expected


@pytest.mark.parametrize("text", ["USA TODAY", "Today's Word", "By Jane Doe, USA TODAY", "Copyright 2019"])
def test_words_that_are_not_dates(text: str) -> None:
    assert parse_stamp(text, UTC, NOW) is None


def test_relative_words_as_whole_tokens() -> None:
    yesterday = parse_stamp("Yesterday at 3:45 pm", UTC, NOW)
    assert yesterday is not None and yesterday.text() == "2024-03-05T15:45:00+00:00"
    zuotian = parse_stamp("昨天 14:00", timezone(timedelta(hours=8)), NOW)
    assert zuotian is not None and zuotian.text() == "2024-03-05T14:00:00+08:00"
    assert parse_stamp("今天上午9时开通试运营", UTC, NOW) is None


def test_jsonld_nested_in_main_entity() -> None:
    ld = ('{"@context": "https://schema.org", "@type": "WebPage", "mainEntity": {"@type": "NewsArticle",'
          ' "datePublished": "2021-03-04T08:15:00+01:00", "dateModified": "2021-03-05T09:00:00+01:00"}}')
    fields = _fields(_article(head=f'<script type="application/ld+json">{ld}</script>'))
    assert fields.published_at == "2021-03-04T08:15:00+01:00"
    assert fields.modified_at == "2021-03-05T09:00:00+01:00"
    assert fields.published_raw == "2021-03-04T08:15:00+01:00"


def test_jsonld_graph_article_before_webpage() -> None:
    ld = ('{"@graph": [{"@type": "WebPage", "datePublished": "2019-01-01T00:00:00+00:00"},'
          ' {"@type": "Article", "datePublished": "2021-06-07T10:00:00+02:00"}]}')
    assert _fields(_article(head=f'<script type="application/ld+json">{ld}</script>')).published_at == \
        "2021-06-07T10:00:00+02:00"


def test_broken_jsonld_with_compact_value() -> None:
    ld = '{"@type": "NewsArticle", "datePublished": 20200924T15:04:34Z, }'
    fields = _fields(_article(head=f'<script type="application/ld+json">{ld}</script>'))
    assert fields.published_at == "2020-09-24T15:04:34+00:00"


def test_time_element_keeps_its_offset() -> None:
    html = _article('<p class="meta"><time datetime="2023-04-28T18:16:04+02:00">28.04.2023</time></p>')
    assert _fields(html).published_at == "2023-04-28T18:16:04+02:00"


def test_day_first_time_attribute() -> None:
    html = _article('<div><time datetime="01-11-2023 10:29">1. November</time></div>')
    assert _fields(html, tz=CET).published_at == "2023-11-01T10:29:00+01:00"


def test_date_only_header_stays_date_only() -> None:
    fields = _fields(_article('<p class="byline">Von Anna Muster, Samstag, 9. September 2017</p>'), tz=CET)
    assert fields.published_at == "2017-09-09"
    assert fields.published_raw == "Samstag, 9. September 2017"  # the date as written, weekday included
    assert extract_dates(Page.from_bytes(_article('<p>Samstag, 9. September 2017</p>'), "https://e.com/a"),
                         CET, NOW) == ("2017-09-09", None)


def test_published_label_before_updated_label() -> None:
    header = "<p><span>更新时间：2024-01-03 09:00</span> <span>发布时间：2024-01-02 08:30</span></p>"
    fields = _fields(_article(header), tz=timezone(timedelta(hours=8)))
    assert fields.published_at == "2024-01-02T08:30:00+08:00"
    assert fields.modified_at == "2024-01-03T09:00:00+08:00"
    assert (fields.published_raw, fields.modified_raw) == ("2024-01-02 08:30", "2024-01-03 09:00")


def test_english_published_and_updated() -> None:
    fields = _fields(_article("<p>Updated: March 5, 2024</p><p>Published: March 1, 2024</p>"))
    assert fields.published_at == "2024-03-01"
    assert fields.modified_at == "2024-03-05"


def test_other_label_is_not_the_publication_date() -> None:
    html = _article("<p>Registriert: 18.09.2008, 05:56</p><p>Erscheinungsdatum:</p><p>14.08.2017</p>")
    fields = _fields(html, url="https://example.com/2017/09/09/buch")
    assert fields.published_at == "2017-09-09"  # the URL's day, not the other labels' dates


def test_usa_today_byline_is_no_date() -> None:
    html = _article("<p class='byline'>Jane Doe USA TODAY</p><nav><a>Today's Word</a></nav>")
    fields = _fields(html, url="https://example.com/story/news/politics/")
    assert fields.published_at is None or not fields.published_at.startswith("2024-03-06")


def test_comment_and_related_timestamps_are_ignored() -> None:
    comments = ('<div id="comments"><div class="comment"><time datetime="2024-02-20T10:00:00+01:00">20.02.2024'
                '</time></div></div>')
    related = ('<div class="related-posts"><time datetime="2024-02-01T10:00:00+01:00">01.02.2024</time></div>')
    html = (f"<html><body><h1>Die Überschrift</h1><div>{BODY}</div>{related}{comments}"
            '<p class="meta">Veröffentlicht am 12.02.2024</p></body></html>')
    assert _fields(html).published_at == "2024-02-12"


def test_utc_time_moves_to_the_pages_own_offset() -> None:
    ld = '{"@type": "NewsArticle", "datePublished": "2023-11-09T03:28:35Z"}'
    script = '<script>var meta = {"publish": "2023-11-08T22:28:35-05:00"};</script>'
    fields = _fields(_article(head=f'<script type="application/ld+json">{ld}</script>{script}'))
    assert fields.published_at == "2023-11-08T22:28:35-05:00"
    assert fields.published_raw == "2023-11-09T03:28:35Z"


def test_utc_time_follows_visible_wall_clock() -> None:
    ld = '{"@type": "NewsArticle", "datePublished": "2019-10-18T22:04:00Z"}'
    html = _article("<p>19. Oktober 2019 00:04 Uhr</p>", head=f'<script type="application/ld+json">{ld}</script>')
    assert _fields(html).published_at == "2019-10-19T00:04:00+02:00"


def test_url_day() -> None:
    for url, day in (("https://example.com/2019/10/22/story/", "2019-10-22"),
                     ("https://example.com/a/20030331_Rede.html", "2003-03-31")):
        found = url_date(url, UTC, NOW)
        assert found is not None and found[0].text() == day
    assert url_date("https://example.com/article/123456789012", UTC, NOW) is None


def test_htmldate_last_resort_is_date_only_and_leaves_the_tree() -> None:
    html = ("<html><body><div><h2>Eintrag</h2><p>" + "Text " * 60 + "</p>"
            "<div class='entry-meta'>am 06.05.2018</div></div></body></html>")
    page = Page.from_bytes(html, "https://example.com/eintrag")
    before = etree.tostring(page.tree)
    found = htmldate_day(page, UTC, NOW)
    assert found is not None and found[0].text() == "2018-05-06"
    assert etree.tostring(page.tree) == before


# --- the day the page shows against its machine values (dates2) -------------------------------

def _ld(published: str, modified: str | None = None) -> str:
    extra = f', "dateModified": "{modified}"' if modified else ""
    ld = f'{{"@type": "NewsArticle", "datePublished": "{published}"{extra}}}'
    return f'<script type="application/ld+json">{ld}</script>'


def test_header_date_beats_a_machine_value_of_another_day() -> None:
    html = _article("<p>Von Anna Muster</p><p>12.01.2022</p>", head=_ld("2017-08-21T13:09:00Z"))
    assert _fields(html).published_at == "2022-01-12"


def test_header_date_that_is_the_update_date_leaves_the_original() -> None:
    html = _article("<p>12.01.2022</p>", head=_ld("2021-11-29T14:13:37Z", "2022-01-12T14:27:30Z"))
    assert _fields(html).published_at == "2021-11-29T14:13:37+00:00"


def test_url_day_confirms_the_machine_value_against_the_header() -> None:
    html = _article("<p>12.01.2022</p>", head=_ld("2021-11-29T14:13:37Z"))
    assert _fields(html, "https://example.com/2021/11/29/story").published_at == "2021-11-29T14:13:37+00:00"


def test_relative_header_time_never_replaces_a_machine_value() -> None:
    html = _article("<p>3 hours ago</p>", head=_ld("2021-11-29T14:13:37Z"))
    assert _fields(html).published_at == "2021-11-29T14:13:37+00:00"


def test_january_first_machine_value_is_a_placeholder() -> None:
    html = _article("<p>12.01.2022, 12:00</p>", head=_ld("2021-01-01T11:00:00Z", "2022-01-12T10:00:00Z"))
    assert _fields(html).published_at.startswith("2022-01-12")


def test_month_first_header_date_agrees_with_the_machine_value() -> None:
    html = _article("<p>06/01/2020</p>", head=_ld("2020-06-01T10:00:00Z"))
    assert _fields(html).published_at == "2020-06-01T10:00:00+00:00"


def test_bare_january_first_is_a_year_and_the_update_date_dates_the_page() -> None:
    head = '<meta itemprop="dateCreated" content="01/01/2004">'
    html = _article("<p>Updated June 13, 2019</p>", head=head)
    assert _fields(html).published_at == "2019-06-13"


def test_page_without_headline_keeps_a_flagged_guess() -> None:
    html = f"<html><body><div>{BODY}</div></body></html>"
    fields = _fields(html, "https://example.com/2020/04/28/story")
    assert fields.published_at == "2020-04-28" and fields.published_guessed
    assert not _fields(_article("<p>12.01.2022</p>")).published_guessed


def test_relative_time_element_gives_its_datetime_attribute() -> None:
    html = _article('<p>Start date <time datetime="2020-03-18T12:22:42-0400">1 minute ago</time></p>')
    assert _fields(html).published_at == "2020-03-18T12:22:42-04:00"


def test_date_line_above_the_headline() -> None:
    html = ("<html><body><article><div class='head'><div>Entertainment News</div>"
            "<div>January 19, 2020 / 12:25 PM / Updated 8 hours ago</div><h1>Die Überschrift</h1></div>"
            f"<p>Jill Serjeant</p>{BODY}</article></body></html>")
    assert _fields(html, tz=UTC).published_at == "2020-01-19T12:25:00+00:00"


def test_date_line_above_the_headline_beats_a_far_teaser_date() -> None:
    teasers = "".join(f"<li><a href='/n{i}'>Andere Nachricht Nummer {i}</a></li>" for i in range(8))
    html = ("<html><body><div><p>02.02.2022 10:16 Uhr - Bundesliga</p><h1>Die Überschrift</h1>"
            f"<ul>{teasers}</ul><p>30.01.2022</p>{BODY}</div></body></html>")
    assert _fields(html).published_at == "2022-02-02T10:16:00+00:00"


def test_erschienen_label_in_a_footer_line() -> None:
    html = _article(after="<p>Letzte Änderung: 31.10.2023 - 14:49:39<br>Erschienen am: 01.11.2023<br>Lesungen: 61</p>")
    assert _fields(html).published_at == "2023-11-01"


def test_a_piece_that_is_only_a_date_beats_a_date_inside_a_title() -> None:
    html = _article("<h2>Sieger der Rennen (2020/7/11-12, 18 Pferde)</h2><p>2020年07月12日</p>")
    assert _fields(html).published_at == "2020-07-12"


def test_utc_midnight_of_a_central_european_page_keeps_the_local_day() -> None:
    head = '<meta property="article:published_time" content="2021-11-04T23:00Z">'
    html = _article(head=head).replace("<html>", '<html lang="de">')
    assert _fields(html).published_at.startswith("2021-11-05T00:00:00+01:00")
    assert _fields(_article(head=head).replace("<html>", '<html lang="en">')).published_at.startswith("2021-11-04")


def test_document_record_date_yields_to_a_time_element() -> None:
    head = '<meta name="dcterms.date" content="2022-01-21T09:43+01:00">'
    meta = '<div class="article-meta"><time datetime="2022-01-25T08:00:00+01:00">25.01.2022</time></div>'
    html = _article(after=meta, head=head)
    assert _fields(html).published_at == "2022-01-25T08:00:00+01:00"


def test_aside_meta_box_is_the_articles_own() -> None:
    html = _article('<aside class="meta"><p><time datetime="2022-01-21">21.01.2022 - 13:30</time></p></aside>',
                    head='<meta name="date" content="2022-1-26T14:32:06+02:00">')
    assert _fields(html).published_at.startswith("2022-01-21")


def test_dateline_with_a_two_digit_year() -> None:
    assert _fields(_article("<em>( Pescasseroli, 14 Gennaio 20 )</em>")).published_at == "2020-01-14"
    assert parse_stamp("the 5 May 20 dogs", UTC, NOW) is None


def test_update_label_anywhere_with_its_value_in_the_next_element() -> None:
    html = _article(after='<div><label>Letzte Änderung:</label><div>14.01.2022 um 09:25</div></div>'
                          '<footer><p>Partner seit 09.03.2016</p></footer>')
    assert _fields(html).published_at.startswith("2022-01-14")


def test_date_attribute_of_a_header_element() -> None:
    html = _article('<div class="timeline"><div data-date="18. März 2020"></div><i>1945</i><i>2020</i></div>',
                    after='<footer><p>Fotos vom 01.07.2019</p></footer>')
    assert _fields(html).published_at == "2020-03-18"


def test_overflow_hidden_headline_is_visible() -> None:
    html = ('<html><body><main class="tw-overflow-hidden"><article><h1>Elder: Aus dem Ghetto</h1>'
            f'<p>1. Februar 2022 , Daniel Dillenburg</p>{BODY}</article></main></body></html>')
    assert _fields(html).published_at == "2022-02-01"
