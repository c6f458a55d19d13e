"""Body rules for lines that point away from the article, boxes about its author, licence and
post-meta lines, and a recipe's ingredients (the open-web snippet pages' error kinds).

Hand-written minimal pages, several languages where the rule is multilingual; each rule has a
negative case beside it: the same words in running text, or a reference the article shows, stay."""

from __future__ import annotations

import pytest

from tests.helpers.story import story_article, story_text


def _kept_whole(text: str) -> bool:
    return text.count("The council voted") == 5


# --- a paragraph that is one worded link ----------------------------------------------------

@pytest.mark.parametrize("line", [
    "Hier das Einzel-Tableau in Pune",
    "&gt;&gt; Wegen Corona: Wirt muss sein Lokal auf Mallorca schließen &lt;&lt;",
    "-La historia de la mujer de 77 años que acaba de graduarse",
    "Full results of the state swim meet",
])
def test_a_paragraph_that_is_one_link_is_dropped(line: str) -> None:
    text = story_text(story_article(f"<p><a href='/other/story'>{line}</a></p>"))
    plain = line.replace("&gt;", ">").replace("&lt;", "<")
    assert plain not in text
    assert _kept_whole(text)


@pytest.mark.parametrize("line", ["http://amzn.to/2iJFhRj", "www.autoracing.com.br", "12", "Pune"])
def test_a_linked_address_or_number_stays(line: str) -> None:
    """A source list or page numbers: the article shows the reference itself."""
    text = story_text(story_article(f"<p><a href='https://elsewhere.example.com/x'>{line}</a></p>"))
    assert line in text


def test_a_sentence_with_a_link_inside_stays() -> None:
    line = "<p>The mayor said the <a href='/plan'>new plan for the river path</a> was final.</p>"
    text = story_text(story_article(line))
    assert "The mayor said the new plan for the river path was final." in text


# --- a linked "here" at the end of a short line ----------------------------------------------

@pytest.mark.parametrize("line", [
    "Alles über nachhaltige Wanderschuhe findest Du <a href='/schuhe'>hier</a>.",
    "Our full guide to the river path is <a href='/guide'>here</a>.",
    "Todas las fotos del acto, <a href='/fotos'>aquí</a>",
    "Toutes les photos sont <a href='/photos'>ici</a> !",
])
def test_a_short_here_pointer_is_dropped(line: str) -> None:
    text = story_text(story_article(f"<p>{line}</p>"))
    assert line.split("<a")[0].strip() not in text
    assert _kept_whole(text)


def test_a_bracketed_graphic_pointer_and_a_long_sentence_stay() -> None:
    long = ("The council published the complete list of objections, the replies of the planning office and "
            "the minutes of every hearing <a href='/minutes'>here</a>.")
    graphic = "<p>(Graphic: River levels across the county - <a href='/g'>here</a>)</p>"
    text = story_text(story_article(f"{graphic}<p>{long}</p>"))
    assert "(Graphic: River levels across the county - here)" in text
    assert "the minutes of every hearing here." in text


# --- newsletter signup prompts ------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "Never miss the latest news by signing up to our newsletter today!",
    "Melde dich jetzt für unseren Newsletter an!",
    "Pour rester informé inscrivez-vous à la newsletter",
    "Suscríbete a nuestro boletín y recibe las noticias cada mañana",
])
def test_a_newsletter_prompt_is_dropped_mid_article(line: str) -> None:
    text = story_text(story_article(f"<p>{line}</p>"))
    assert line not in text
    assert _kept_whole(text)


def test_a_sentence_about_a_newsletter_stays() -> None:
    line = "The newsletter was sent to three million households, the council said."
    assert line in story_text(story_article(f"<p>{line}</p>"))


# --- a linked promo heading ----------------------------------------------------------------

@pytest.mark.parametrize("line", ["MIRA: Madre se acerca a conocer los motivos de la captura",
                                  "READ MORE: Bridge closed after the storm",
                                  "Lesen Sie auch: Die Brücke bleibt gesperrt"])
def test_a_linked_promo_heading_is_dropped(line: str) -> None:
    text = story_text(story_article(f"<h3><a href='/other'>{line}</a></h3>"))
    assert line not in text
    assert _kept_whole(text)


@pytest.mark.parametrize("line", ["Watch: the river at dawn", "Mira: el mural del paseo"])
def test_an_unlinked_heading_that_reads_like_a_promo_stays(line: str) -> None:
    """A section may be titled so: only a linked heading points at another story."""
    assert line in story_text(story_article(f"<h2>{line}</h2>"))


# --- author cards -------------------------------------------------------------------------

def test_an_itemprop_author_box_with_prose_is_dropped() -> None:
    card = ("<div itemprop='author' itemscope itemtype='https://schema.org/Person'><div itemprop='description'>"
            "<p>Patrick Roe, photographer from Hamburg. I like every kind of photography, but a person has to be "
            "in the picture. Follow me on Instagram.</p></div></div>")
    text = story_text(story_article("", after=card))
    assert "I like every kind of photography" not in text
    assert _kept_whole(text)


@pytest.mark.parametrize("cls", ["artDetailAutor", "bloc-auteur", "box_autore"])
def test_an_author_box_named_in_other_languages_is_dropped(cls: str) -> None:
    box = f"<div class='{cls}'><p>Leiterin Redaktion Leben und Gesundheit</p></div>"
    text = story_text(story_article(box))
    assert "Leiterin Redaktion" not in text
    assert _kept_whole(text)


# --- end lines: licence and post meta -----------------------------------------------------

@pytest.mark.parametrize("line", [
    "Dieser Text wurde veröffentlicht unter der Lizenz CC-BY-NC-ND-4.0-DE. Die Fotos dürfen nicht verwendet werden.",
    "Cet article est publié sous licence Creative Commons BY-SA.",
    "Este artículo se publica bajo una licencia Creative Commons.",
])
def test_a_licence_line_at_the_end_is_dropped(line: str) -> None:
    text = story_text(story_article("", after=f"<p>{line}</p>"))
    assert line not in text
    assert _kept_whole(text)


def test_a_german_post_meta_line_with_a_dotted_date_ends_the_article() -> None:
    meta = ("<p>Erstellt am Dienstag 6. Mai 2014 um 23:30 und abgelegt unter Linux, Tutorials. "
            "Kommentare zu diesem Eintrag im RSS 2.0 Feed.</p>")
    text = story_text(story_article("", after=meta))
    assert "abgelegt unter" not in text
    assert _kept_whole(text)


# --- a recipe's ingredients ---------------------------------------------------------------

STEPS = "".join(f"<p>{i}. Roast the chicken in a preheated oven for forty-five minutes, turning it once, "
                f"until it is cooked through and golden brown in colour, then rest it. Step {i}.</p>"
                for i in range(1, 6))


def test_ingredient_lists_beside_the_method_join_the_body_once() -> None:
    items = "".join(f"<li itemprop='recipeIngredient'>{x}</li>" for x in
                    ("1 large whole chicken", "2 tablespoons vegetable oil", "1 tablespoon ground cinnamon"))
    body = (f"<div class='recipe' itemscope itemtype='https://schema.org/Recipe'>"
            f"<div class='ingredients'><ul>{items}</ul></div>"
            f"<div class='print-only'><ul>{items}</ul></div>"
            f"<div class='method' itemprop='recipeInstructions'>{STEPS}</div></div>")
    text = story_text(body)
    assert text.count("1 large whole chicken") == 1
    assert text.index("1 tablespoon ground cinnamon") < text.index("Roast the chicken")
    assert text.count("Roast the chicken") == 5


def test_a_list_without_the_ingredient_markup_does_not_join() -> None:
    items = "".join(f"<li>{x}</li>" for x in ("Newsletter", "Imprint", "Contact us"))
    text = story_text(f"<div class='links'><ul>{items}</ul></div><div class='method'>{STEPS}</div>")
    assert "Imprint" not in text
