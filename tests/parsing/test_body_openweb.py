"""Body rules for open-web pages: boxes beside the article, ruby, drop caps, captions, the
JSON-LD text of a truncated page, and the second opinion asked when our extractor is short.

Each rule has a negative case beside it: the same words in running text stay."""

from __future__ import annotations

import json

import pytest

from crawler.parsing import NotAnArticle, parse_article
from crawler.parsing import second_opinion as so
from crawler.parsing.body import extract_body
from crawler.parsing.page import Page
from tests.helpers.story import PARA, URL, story_article, story_page, story_text

DATED = '<meta property="article:published_time" content="2024-05-14T09:00:00Z">'


# --- boxes and lines beside the article ----------------------------------------------------

def test_spanish_read_also_lines_dropped_anywhere() -> None:
    text = story_text(story_article("<p>Lea también: Otro artículo del mismo diario</p>"
                                    "<p>VEA TAMBIÉN: Más noticias</p>"))
    assert "Lea también" not in text and "VEA TAMBIÉN" not in text
    assert text.count("The council voted") == 5


def test_a_sentence_starting_with_the_same_word_stays() -> None:
    text = story_text(story_article("<p>Lea Müller, the council's planner, said the path would open in spring.</p>"))
    assert "Lea Müller, the council's planner" in text


def test_norwegian_and_german_read_also_lines_dropped() -> None:
    text = story_text(story_article("<p>Les også: Noe helt annet</p><p>Lest auch</p>"))
    assert "Les også" not in text and "Lest auch" not in text


@pytest.mark.parametrize("cls", ["author-bio", "about-the-author", "cookie-consent", "donation-box",
                                 "newsletter-signup"])
def test_named_boxes_inside_the_article_dropped(cls: str) -> None:
    box = f"<div class='{cls}'><p>Jane Roe is a reporter who has covered city politics for ten years, " \
          "and you can support this work or sign up to get it by email every morning.</p></div>"
    text = story_text(story_article(box))
    assert "Jane Roe" not in text
    assert "The council voted" in text


def test_a_writer_word_alone_does_not_drop_a_box() -> None:
    box = "<div class='writer-notes'><p>Jane Roe reported from the riverbank, where the path will start.</p></div>"
    assert "Jane Roe reported" in story_text(story_article(box))


def test_liability_text_ends_the_article() -> None:
    after = ("<p>Haftungsbeschränkung für externe Links: Unsere Webseite enthält Links auf externe Webseiten "
             "Dritter.</p>")
    text = story_text(story_article("", after))
    assert "Haftungsbeschränkung" not in text and "last" in text


def test_newsletter_appeal_mid_article_is_dropped_but_text_after_it_stays() -> None:
    text = story_text(story_article("<p>Never miss the latest news by signing up for our newsletter.</p>"))
    assert "Never miss" not in text
    assert text.rstrip().endswith("last")


def test_date_only_and_published_stamp_lines_dropped() -> None:
    text = story_text(story_article("<p>23.10.2018</p><p>Published: 15:56 BST, 27 April 2024 | Updated: 15:57 BST</p>"))
    assert "23.10.2018" not in text and "Published:" not in text


def test_a_sentence_with_a_date_stays() -> None:
    line = "On 23.10.2018 the council first discussed the path, and the vote was delayed twice."
    assert line in story_text(story_article(f"<p>{line}</p>"))


# --- ruby, drop caps, captions ---------------------------------------------------------------

def test_furigana_dropped_from_ruby_text() -> None:
    body = ("<article>" + "".join(f"<p>{PARA}</p>" for _ in range(2)) +
            "<p>今日は<ruby>東京<rp>(</rp><rt>とうきょう</rt><rp>)</rp></ruby>で会議が開かれ、多くの市民が参加した。</p></article>")
    text = story_text(body)
    assert "今日は東京で会議が開かれ" in text
    assert "とうきょう" not in text


def test_drop_cap_in_its_own_block_joins_its_word() -> None:
    body = ("<article><div class='dropcap'>T</div><p>he council voted on Tuesday to expand the river path, "
            f"a project that residents had requested for years.</p><p>{PARA}</p><p>{PARA}</p></article>")
    blocks = so.extract_body_checked(story_page(body), title="River path to grow").blocks
    assert blocks[0].startswith("The council voted")


def test_inline_drop_cap_stays_joined() -> None:
    body = (f"<article><p><span class='dropcap'>T</span>he council voted again.</p><p>{PARA}</p>"
            f"<p>{PARA}</p></article>")
    assert "The council voted again." in story_text(body)


def test_a_one_letter_block_without_a_drop_cap_class_is_not_glued() -> None:
    body = f"<article><p>{PARA}</p><div class='grade'>A</div><p>Brilliant work.</p><p>{PARA}</p></article>"
    assert "ABrilliant" not in story_text(body)


def test_captions_stay_on_images_not_in_the_text() -> None:
    fig = ("<figure><img src='/a.jpg' width='600' height='400'><figcaption>The riverbank in May, seen from the "
           "bridge</figcaption></figure>")
    html = (f"<html><head><title>River path to grow</title>{DATED}</head><body><h1>River path to grow</h1>"
            f"{story_article(fig)}</body></html>")
    record = parse_article(html.encode(), URL)
    assert "The riverbank in May" not in record.body_text
    assert any(img.caption and "riverbank" in img.caption for img in record.images)


# --- JSON-LD articleBody ---------------------------------------------------------------------

def _ld(body: str) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "River path to grow",
            "articleBody": body}
    return f"<script type='application/ld+json'>{json.dumps(data)}</script>"


def test_truncated_visible_body_read_whole_from_jsonld() -> None:
    full = "\n".join(f"{PARA}Part {i}." for i in range(8))
    visible = f"<article><p>{PARA}Part 0.</p><p>Subscribe to read the rest.</p></article>"
    text = story_text(visible, _ld(full))
    assert "Part 7." in text and text.count("The council voted") == 8


def test_glued_jsonld_sentences_are_split_into_blocks() -> None:
    flat = "".join(f"{PARA.strip()} Section {i} ends here.Another" for i in range(6))
    blocks = so._split_text(flat)
    assert len(blocks) > 1 and all(len(b) < len(flat) for b in blocks)


def test_jsonld_body_not_used_when_the_visible_body_is_whole() -> None:
    full = "\n".join(f"{PARA}Part {i}." for i in range(3))
    visible = "<article>" + "".join(f"<p>{PARA}Part {i}.</p>" for i in range(3)) + \
              "<p>A closing sentence that only the page has, with more words in it.</p></article>"
    text = story_text(visible, _ld(full))
    assert "A closing sentence that only the page has" in text


def test_jsonld_of_another_text_does_not_replace_the_body() -> None:
    other = "\n".join("A different article about the harbour and its ferries, told at length." for _ in range(20))
    visible = "<article>" + "".join(f"<p>{PARA}Part {i}.</p>" for i in range(2)) + "</article>"
    text = story_text(visible, _ld(other))
    assert "harbour" not in text


# --- the second opinion ------------------------------------------------------------------------

def test_second_opinion_used_when_our_body_is_too_short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(so, "trafilatura_body", lambda page: [PARA + str(i) for i in range(5)])
    html = (f"<html><head><title>River path to grow</title>{DATED}</head><body><h1>River path to grow</h1>"
            "<p>Short.</p></body></html>").encode()
    record = parse_article(html, URL)
    assert record.body_text.count("The council voted") == 5
    assert record.body_html and record.body_html.startswith("<p>")


def test_short_page_still_rejected_when_the_second_opinion_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(so, "trafilatura_body", lambda page: [])
    html = (b"<html><head><title>River path to grow</title></head><body><h1>River path to grow</h1>"
            b"<p>Short.</p></body></html>")
    with pytest.raises(NotAnArticle, match="too short"):
        parse_article(html, URL)


def test_second_opinion_not_asked_when_our_body_is_sure(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(page: Page) -> list[str]:
        raise AssertionError("trafilatura must not run on a confident page")
    monkeypatch.setattr(so, "trafilatura_body", fail)
    assert "The council voted" in story_text(story_article(""))


def test_clearly_better_needs_much_more_text_that_holds_ours() -> None:
    ours = [PARA * 3]
    assert not so._clearly_better(ours, ours + ["One more line."], 200)
    assert so._clearly_better(ours, ours * 3, 200)
    # much longer but about something else: only a short body gives way to it
    other = ["A different article about the harbour and its ferries, told at length. " * 12]
    assert not so._clearly_better([PARA * 8], other * 3, 200)
    assert so._clearly_better([PARA], other * 3, 200)


def test_real_trafilatura_reads_a_copy_of_the_tree() -> None:
    page = story_page(story_article(""))
    before = len(list(page.tree.iter()))
    blocks = so.trafilatura_body(page)
    assert any("The council voted" in b for b in blocks)
    assert len(list(page.tree.iter())) == before  # our tree untouched


def test_extract_body_alone_is_unchanged_by_the_checks() -> None:
    page = story_page(story_article(""))
    assert extract_body(page).blocks[:1] == so.extract_body_checked(page).blocks[:1]


def test_unmarked_drop_cap_before_a_lower_case_paragraph_joins_it() -> None:
    body = (f"<article><div id='main'><span class='x1'>T</span><p><a href='/t'>urkey</a>, Poland and the islands "
            f"were removed from the list on Thursday.</p><p>{PARA}</p><p>{PARA}</p></div></article>")
    assert "Turkey, Poland and the islands" in story_text(body)


def test_a_capital_letter_before_a_capitalised_paragraph_stays_apart() -> None:
    body = f"<article><p>{PARA}</p><span>B</span><p>Brilliant work, said the mayor.</p><p>{PARA}</p></article>"
    assert "BBrilliant" not in story_text(body)


def test_a_short_text_both_readers_find_is_a_short_article(monkeypatch: pytest.MonkeyPatch) -> None:
    line = "The council approved the river path on Tuesday; work starts in the autumn, the mayor said."
    monkeypatch.setattr(so, "trafilatura_body", lambda page: [line])
    html = (f"<html><head><title>River path to grow</title>{DATED}</head><body><h1>River path to grow</h1>"
            f"<article><p>{line}</p><p>{line.replace('mayor', 'planner')}</p></article></body></html>").encode()
    record = parse_article(html, URL)
    assert "The council approved" in record.body_text


def test_a_short_text_nobody_else_finds_is_still_too_short(monkeypatch: pytest.MonkeyPatch) -> None:
    line = "The council approved the river path on Tuesday; work starts in the autumn, the mayor said."
    monkeypatch.setattr(so, "trafilatura_body", lambda page: ["Something else entirely, a menu line."])
    html = (f"<html><head><title>River path to grow</title>{DATED}</head><body><h1>River path to grow</h1>"
            f"<article><p>{line}</p><p>{line.replace('mayor', 'planner')}</p></article></body></html>").encode()
    with pytest.raises(NotAnArticle, match="too short"):
        parse_article(html, URL)


def test_linked_teaser_box_inside_the_article_dropped() -> None:
    box = ("<div class='teaser-absatz'><a href='/other-story'><h3>Minister resigns</h3><p>The minister had long "
           "been criticised as overwhelmed by the flood. mehr</p></a></div>")
    assert "criticised as overwhelmed" not in story_text(story_article(box))


def test_lead_paragraph_named_teaser_without_links_stays() -> None:
    lead = "<p class='article-teaser'>Long forgotten today, the timber trade was once a pillar of the region.</p>"
    assert "Long forgotten today" in story_text(story_article(lead))


def test_messenger_and_privacy_policy_signup_lines_dropped() -> None:
    box = ("<p>Get the latest news to your phone Join us on WhatsApp</p>"
           "<p>Our members get offers from us and our partners. You can check out at any time. "
           "Read our Privacy Policy</p>")
    text = story_text(story_article(box))
    assert "WhatsApp" not in text and "Privacy Policy" not in text


@pytest.mark.parametrize("line", [
    "¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular en este enlace.",
    "Wir respektieren deine Privatsphäre und geben keine Daten weiter.",
    "Sie sind aktuell nicht eingeloggt.",
])
def test_channel_privacy_and_login_prompts_dropped(line: str) -> None:
    assert line[:20] not in story_text(story_article(f"<p>{line}</p>"))


def test_newsletter_appeal_at_the_end_cuts_the_tail() -> None:
    after = "<p>JOIN Our FREE Plant Care Newsletter</p><p>Get tips every week.</p>"
    text = story_text(story_article("", after))
    assert "Newsletter" not in text and "Get tips" not in text and text.rstrip().endswith("last")


def test_picture_credit_with_copyright_sign_does_not_end_the_article() -> None:
    tail = "".join(f"<p>{PARA}tail {i}</p>" for i in range(3))
    text = story_text(story_article("<p>© Imago/Zoonar/Phil Bird</p>" + tail))
    assert "Imago" not in text and "tail 2" in text


def test_copyright_line_at_the_end_still_ends_the_article() -> None:
    text = story_text(story_article("", "<p>© 2024 Example Media GmbH</p><p>Impressum and contact</p>"))
    assert "Example Media" not in text and text.rstrip().endswith("last")


def test_initials_before_a_capitalised_sentence_are_not_a_drop_cap() -> None:
    body = (f"<article><p>{PARA}</p><span class='initial'>JD</span><p>The mayor spoke first.</p>"
            f"<p>{PARA}</p></article>")
    assert "JDThe" not in story_text(body)


def test_author_bio_paragraph_at_the_end_dropped() -> None:
    after = "<p>Candice Sealey is the Founder & Principal Consultant at Ignite, a marketing firm.</p>"
    text = story_text(story_article("", after))
    assert "Candice Sealey" not in text and text.rstrip().endswith("last")


def test_a_closing_sentence_about_a_person_stays() -> None:
    after = "<p>Maria Lopez is the third mayor to approve the path since 2019.</p>"
    assert "Maria Lopez is the third mayor" in story_text(story_article("", after))


# --- hidden dialogs, reference lists, caption boxes, container choice ----------------------

LONG = ("Each of the authors reports grants, fees and holdings from several institutes, foundations "
        "and firms, listed here in full as the journal's policy requires for every paper, year and role. ")


def test_modal_dialog_is_hidden_until_opened() -> None:
    modal = "<div class='modal fade' id='disclosures'><div class='modal__body'>" + "".join(
        f"<p>{LONG}{i}</p>" for i in range(12)) + "</div></div>"
    text = story_text(story_article("", modal))
    assert "journal's policy" not in text and "last" in text


def test_open_modal_and_invisible_box() -> None:
    assert "journal's policy" in story_text(f"<div class='modal show'><p>{LONG}</p><p>{LONG}</p></div>")
    assert "journal's policy" not in story_text(story_article(f"<div class='invisible'><p>{LONG}</p></div>"))


def test_reference_list_does_not_outscore_the_article() -> None:
    refs = "<ol class='article-references'>" + "".join(
        f"<li><p>Doe J, Roe R, Poe P. A study of paths, rivers and towns, vol. {i}, pp. 1-9, 2019.</p></li>"
        for i in range(40)) + "</ol>"
    text = story_text(story_article("") + refs)
    assert "A study of paths" not in text and "last" in text


def test_author_label_line_at_the_end_cuts_the_author_box() -> None:
    text = story_text(story_article("", "<p>Autor</p><p>Jane Roe</p><p>Jane Roe writes about towns.</p>"))
    assert "Jane Roe" not in text and text.rstrip().endswith("last")


def test_legend_box_under_a_picture_is_a_caption() -> None:
    legend = "<div class='legend'><div class='content'>The river path near the old mill in spring.</div></div>"
    text = story_text(story_article(f"<div class='pic'><img src='/a.jpg' alt=''></div>{legend}"))
    assert "old mill" not in text and "last" in text


def _own(body: str) -> str:
    """The own extractor's text alone (no second opinion)."""
    return "\n".join(extract_body(story_page(body), title="River path to grow", captions=False).blocks)


def test_short_box_named_content_does_not_outrank_long_unnamed_text() -> None:
    # teasers each in a "field-content" box: the class word is worth less on a short box
    # than the article's own long paragraphs in a box with no telling name
    teasers = "".join(f"<div class='views-row'><div class='field-content'><p>Teaser {i}: a short, one-line "
                      f"summary of another story, with a few words.</p></div></div>" for i in range(6))
    article = "<div class='field-item'>" + "".join(f"<p>{PARA}{i}</p>" for i in range(3)) + "</div>"
    text = _own(f"<div class='node'>{article}</div><div class='region'><div class='view'>{teasers}</div></div>")
    assert "Teaser" not in text and PARA.strip()[:40] in text


def test_sections_after_an_empty_layout_row_join() -> None:
    def section(i: int) -> str:
        return (f"<div class='wide'><div class='box'><div class='row'><div class='col'></div></div>"
                f"<div class='row'><div class='col-8'><h2>Part {i}</h2><p>{PARA}{i}a</p><p>{PARA}{i}b</p>"
                f"</div></div></div></div>")
    text = _own(section(1) + section(2) + section(3))
    assert all(f"{PARA.strip()} {i}b" in text for i in (1, 2, 3))


def test_teaser_list_after_the_article_goes() -> None:
    teasers = "<p>LATEST NEWS</p>" + "".join(
        f"<p>Other headline {i}</p><p>The council of a nearby town said on Monday that the bridge...</p>"
        f"<p>Posted on April {i + 1}, 2022</p>" for i in range(4))
    text = _own(story_article("", teasers))
    assert "Other headline" not in text and "LATEST" not in text and text.rstrip().endswith("last")


def test_one_sentence_ending_in_an_ellipsis_stays() -> None:
    text = _own(story_article("", "<p>And then the mayor said...</p>"))
    assert "the mayor said..." in text


def test_question_and_sign_up_call_at_the_end_goes() -> None:
    text = _own(story_article("", "<p>Do you want to be informed of our actions? Sign up here</p>"))
    assert "Sign up" not in text and text.rstrip().endswith("last")


def test_social_and_newsletter_pointer_at_the_end_goes() -> None:
    line = "<p>Write to the desk, find us on Facebook, Twitter and Instagram or get our weekly newsletter</p>"
    text = _own(story_article("", line))
    assert "newsletter" not in text and text.rstrip().endswith("last")


# --- rules added for the open web, each with the case it must leave alone ---------------------

def test_flattened_jsonld_promos_are_split_off_and_dropped() -> None:
    flat = (f"{PARA.strip()} The work starts soon.VEA TAMBIÉN: Otro artículo del diario "
            f"{PARA.strip()} It ends in spring.¡Mira lo que tiene nuestro canal de YouTube! {PARA.strip()} The end.")
    blocks = so._split_text(flat * 2)
    assert any(b.startswith("VEA TAMBIÉN") for b in blocks) and any(b.startswith("¡Mira") for b in blocks)
    # abbreviations and host names are no sentence ends
    whole = ("The EE.UU. said so, and example.com agreed on it. " * 20).strip()
    assert so._split_text(whole) == [whole]


def test_short_visible_body_gives_way_to_a_much_longer_declared_text() -> None:
    full = "\n".join(f"{PARA}Part {i}." for i in range(8))
    visible = ("<article><p>Opinion</p><p>Jane Roe</p>"
               "<p>A standfirst about the river path, not in the text.</p></article>")
    text = story_text(visible, _ld(full))
    assert "Part 7." in text and "standfirst" not in text


def test_article_nested_in_an_unclosed_sidebar_is_read() -> None:
    # the widget's <div> is never closed: the parser nests the article in the <aside>
    html = (f"<html><head><title>River path to grow</title>{DATED}</head><body>"
            "<aside class='sidebar'><div id='nav_menu-3' class='widget'><ul><li><a href='/a'>Home</a></li></ul>"
            "<article class='post'><h1>River path to grow</h1>"
            + "".join(f"<p>{PARA}{i}</p>" for i in range(4)) + "</article></body></html>").encode()
    assert parse_article(html, URL).body_text.count("The council voted") == 4


def test_a_sidebar_of_teaser_articles_stays_out() -> None:
    teasers = "".join(f"<article class='teaser'><h3>Other story {i}</h3><p>{PARA}teaser {i}</p></article>"
                      for i in range(3))
    html = (f"<html><head><title>River path to grow</title>{DATED}</head><body><h1>River path to grow</h1>"
            f"{story_article('')}<aside class='sidebar'>{teasers}</aside></body></html>").encode()
    assert "teaser" not in parse_article(html, URL).body_text


def test_second_opinion_leaves_out_the_headline_and_a_cookie_notice() -> None:
    blocks = ["River path to grow | Local | Example News | 23.05.2011", "River path to grow", "Local",
              "We use cookies to improve our offer. More in the privacy statement.", PARA]
    kept = [b for b in so._without_headline(blocks, "River path to grow") if not so._is_furniture_line(b)]
    assert kept == ["Local", PARA]
    assert so._without_headline(["River path to grow fast, the council says, as work begins."],
                                "River path to grow") == ["River path to grow fast, the council says, as work begins."]


@pytest.mark.parametrize("line", [
    "Beitragsbild: Titelseite der FAZ vom 2.4.2019, Ausriss.",
    "ANZEIGE - Heute mal ausgehen/bestellen? Wie wäre es mit:",
])
def test_label_lines_dropped_anywhere(line: str) -> None:
    text = story_text(story_article(f"<p>{line}</p>"))
    assert line not in text and text.count("The council voted") == 5


def test_a_sentence_about_an_advert_stays() -> None:
    line = "Anzeige - so nannte der Rat den Aushang, der seit Montag am Rathaus hängt und viel Kritik erntet."
    assert line in story_text(story_article(f"<p>{line}</p>"))


@pytest.mark.parametrize("end", ["<p>Auteur : Kossivi Tiassou</p><p>Edition : M-A. Pioerron</p><p>Permalien</p>",
                                 "<p>News Now is not responsible for the opinions, statements or media content"
                                 " presented by contributors.</p>",
                                 "<p>Be Sociable, Share!</p><p>TrackBack URL</p>"])
def test_end_matter_cut(end: str) -> None:
    text = story_text(story_article("", after=end))
    assert text.endswith("last") and text.count("The council voted") == 5


def test_author_label_with_a_sentence_stays() -> None:
    line = "Autor: der Text des Rats nennt keinen, und so bleibt offen, wer den Weg entworfen hat."
    assert line in story_text(story_article(f"<p>{line}</p>"))
