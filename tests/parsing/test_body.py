"""Body extraction: the seed page exactly, the Chinese traps, selector overrides, and an
aeb-dev quality gate (a floor that can only go up)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
from pathlib import Path

import pytest

from crawler.parsing.body import Body, extract_body
from crawler.parsing.page import Page
from tests.conftest import FIXTURES, ROOT

SHARED = Path(os.environ.get("NEWSCRAWL_SHARED") or ROOT.parent / "shared")
# The repository's copy (tests/parsing/test_seed_article.py checks it against the shared original when
# that is present), so the seed tests run in any checkout.
SEED = FIXTURES / "seed-article"
AEB = SHARED / "datasets" / "aeb-dev"

#: measured F1 on all 121 aeb-dev pages, rounded down; raise it when the extractor improves
AEB_F1_FLOOR = 0.97


def body_of(html: str, url: str = "http://news.example.com/a/1.html", **kw) -> Body:
    return extract_body(Page.from_bytes(html.encode("utf-8"), url), **kw)


def article(inner: str, after: str = "") -> str:
    filler = "".join(
        f"<p>这是正文第{i}段，内容足够长，用来让打分器认出这个容器就是文章的正文部分，而不是导航或者侧栏。</p>"
        for i in range(5))
    return (
        "<html><head><title>测试文章标题_测试网</title></head><body>"
        "<div class='nav'><a href='/'>首页</a><a href='/news'>新闻</a></div>"
        f"<div class='main'><h1>测试文章标题</h1><div class='content'>{filler}{inner}</div>{after}</div>"
        "<div class='footer'>Copyright © 2025 测试网</div></body></html>"
    )


# --- the seed page ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed() -> tuple[dict, Body]:
    expected = json.loads((SEED / "expected.json").read_text(encoding="utf-8"))
    page = Page.from_bytes((SEED / "page.html").read_bytes(), expected["url"])
    return expected, extract_body(page)


def test_seed_blocks_exact(seed):
    expected, body = seed
    assert body.blocks == expected["body_blocks"]


def test_seed_images_exact(seed):
    expected, body = seed
    got = [{"src": i.src, "alt": i.alt, "caption": i.caption} for i in body.images]
    assert got == expected["images"]


def test_seed_nothing_from_not_in_body(seed):
    expected, body = seed
    text = "\n".join(body.blocks)
    for needle in expected["not_in_body"]:
        assert needle not in text
    assert not any(img["alt"] in body.blocks for img in expected["images"])


def test_seed_html_is_simple(seed):
    _, body = seed
    assert body.html and body.html.startswith("<blockquote>")
    assert "style=" not in body.html and "class=" not in body.html
    assert '<img src="http://zixun.example.com/zb_users/upload/2025/07/2025071707130901.jpg"' in body.html
    assert "<ul>\n<li>" in body.html and "<h2>" in body.html


def test_page_tree_not_modified(seed):
    expected, _ = seed
    page = Page.from_bytes((SEED / "page.html").read_bytes(), expected["url"])
    before = len(list(page.tree.iter()))
    extract_body(page)
    assert len(list(page.tree.iter())) == before
    assert page.tree.xpath("//div[@class='related']")


# --- traps --------------------------------------------------------------------------------

def test_br_paragraphs_become_blocks():
    body = body_of(article("<div>第一段用换行分隔的文字。<br>第二段用换行分隔的文字。<br/><br/>第三段。</div>"))
    assert "第一段用换行分隔的文字。" in body.blocks
    assert "第二段用换行分隔的文字。" in body.blocks
    assert "第三段。" in body.blocks


def test_hidden_seo_block_excluded():
    body = body_of(article(
        "<div style='display:none'>关键词 关键词 老虎机 赌场 在线娱乐 关键词堆砌的隐藏段落</div>"
        "<p hidden>另一个隐藏段落不应出现</p>"))
    text = "\n".join(body.blocks)
    assert "关键词堆砌" not in text and "另一个隐藏段落" not in text
    assert "这是正文第0段" in text


def test_editor_and_disclaimer_trimmed():
    body = body_of(article(
        "<p>正文的最后一段话。</p><p>（责任编辑：张三）</p>"
        "<p>免责声明：本文仅代表作者个人观点，与本站无关。</p>"))
    assert body.blocks[-1] == "正文的最后一段话。"
    assert not any("责任编辑" in b or "免责声明" in b for b in body.blocks)


def test_original_title_line_and_title_dropped():
    body = body_of(article("").replace("<div class='content'>", "<div class='content'><p>原标题：另一个标题</p>"),
                   title="测试文章标题")
    assert body.blocks[0].startswith("这是正文第0段")


def test_related_and_comments_excluded():
    after = ("<div class='related'><h3>相关文章</h3><ul><li><a href='/1'>另一篇文章标题一</a></li>"
             "<li><a href='/2'>另一篇文章标题二</a></li></ul></div>"
             "<div id='comments'><p>网友评论：这篇文章写得真不错，我非常赞同作者的观点和分析。</p></div>")
    text = "\n".join(body_of(article("", after)).blocks)
    assert "另一篇文章" not in text and "网友评论" not in text


def test_alt_text_never_in_blocks_and_figcaption_kept():
    body = body_of(article("<figure><img src='/img/a.jpg' alt='替代文字'><figcaption>图说文字</figcaption></figure>"))
    assert "替代文字" not in "\n".join(body.blocks)
    assert "图说文字" in body.blocks
    assert body.images[0].src == "http://news.example.com/img/a.jpg"
    assert body.images[0].alt == "替代文字" and body.images[0].caption == "图说文字"


def test_selector_override():
    html = ("<html><body><div class='content'>" + "<p>猜测出来的长段落，长度足够被当作正文。</p>" * 8 +
            "</div><section id='real'><p>站点配置指定的正文。</p><p>第二段。</p></section></body></html>")
    assert body_of(html, selector="#real").blocks == ["站点配置指定的正文。", "第二段。"]
    guessed = body_of(html, selector=".does-not-match")
    assert guessed.blocks[0] == "猜测出来的长段落，长度足够被当作正文。"


def test_empty_page():
    assert body_of("<html><body></body></html>").blocks == []


# --- quality gate -------------------------------------------------------------------------

def _scorer():
    spec = importlib.util.spec_from_file_location("body_score", SHARED / "eval" / "body_score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not AEB.exists(), reason="aeb-dev data set not available")
def test_aeb_dev_quality_gate():
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    predicted = {}
    for key, item in truth.items():
        html = gzip.decompress((AEB / "html" / f"{key}.html.gz").read_bytes())
        predicted[key] = {"articleBody": "\n".join(extract_body(Page.from_bytes(html, item["url"])).blocks)}
    metrics, _ = _scorer().score(truth, predicted)
    assert metrics["pages"] == 121
    assert metrics["f1"] >= AEB_F1_FLOOR, metrics


def test_captions_can_stay_out_of_blocks():
    html = article("<figure><img src='/img/a.jpg' alt='替代文字'><figcaption>图说文字</figcaption></figure>")
    body = body_of(html, captions=False)
    assert "图说文字" not in body.blocks
    assert body.images[0].caption == "图说文字"


# --- general rules (each one seen on several real pages) ------------------------------------

def en_article(inner: str, after: str = "", n: int = 5) -> str:
    filler = "".join(
        f"<p>This is paragraph {i} of the story, long enough, with commas, clauses and a full stop, "
        f"so that the scorer takes this box for the article and not for the page furniture.</p>"
        for i in range(n))
    return ("<html><head><title>Test story</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>Test story</h1><div class='story-body'>{filler}{inner}</div>{after}</article>"
            "</body></html>")


def test_credit_only_captions_drop_and_real_captions_lose_their_credit():
    body = body_of(en_article(
        "<figure><img src='/a.jpg'><figcaption>Image copyright EPA</figcaption></figure>"
        "<figure><img src='/b.jpg'><figcaption>Jane Doe | Bloomberg | Getty Images</figcaption></figure>"
        "<figure><img src='/c.jpg'><figcaption>Image caption Protesters marched through the city "
        "(Image: GETTY)</figcaption></figure>"
        "<figure><img src='/d.jpg'><figcaption>The mayor speaks in Lyon on Monday. "
        "Photograph by John Smith/AFP/Getty Images</figcaption></figure>"))
    assert "Image copyright EPA" not in body.blocks
    assert not any("Bloomberg" in b for b in body.blocks)
    assert "Protesters marched through the city" in body.blocks
    assert "The mayor speaks in Lyon on Monday." in body.blocks


def test_credit_span_inside_caption_skipped():
    body = body_of(en_article(
        "<figure><img src='/a.jpg'><figcaption><span class='caption'>A quiet street in the old town</span>"
        "<span class='credit'>Jane Doe/ZDNet</span></figcaption></figure>"))
    assert "A quiet street in the old town" in body.blocks
    assert not any("ZDNet" in b for b in body.blocks)


def test_inline_promo_lines_dropped_anywhere():
    body = body_of(en_article(
        "<p><strong>READ MORE:</strong> <a href='/x'>Another story about the same thing</a></p>"
        "<p>Also on example.com <a href='/y'>Yet another linked headline</a></p>"
        "<p>(Leggi anche: <a href='/z'>un altro articolo</a>)</p>", n=3))
    text = "\n".join(body.blocks)
    assert "READ MORE" not in text and "Also on example.com" not in text and "Leggi anche" not in text
    assert len(body.blocks) == 3


def test_newsletter_inset_mid_article_drops_only_itself():
    prose = "".join(f"<p>Closing paragraph {i} still belongs to the story, long enough to read as running "
                    f"text, with commas, and a conclusion that the reader wants to see.</p>" for i in range(3))
    body = body_of(en_article(f"<div class='callout'>Subscribe to Example and stay smart.</div>{prose}", n=3))
    assert not any("Subscribe to" in b for b in body.blocks)
    assert body.blocks[-1].startswith("Closing paragraph 2")
    ending = body_of(en_article("<p>Subscribe to Example and stay smart.</p><p>Monthly issues, free.</p>"))
    assert ending.blocks[-1].startswith("This is paragraph 4")


@pytest.mark.parametrize("line", [
    "Tags: politics, elections", "(Reporting by Jane Doe; Editing by John Roe)",
    "Jane Doe contributed to this report.", "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.",
])
def test_end_matter_cut(line):
    body = body_of(en_article(f"<p>{line}</p><p>Some trailing widget text.</p>"))
    assert body.blocks[-1].startswith("This is paragraph 4"), body.blocks[-3:]


@pytest.mark.parametrize("line", ["5 min read", "Tempo de leitura: 1 minuto",
                                  "Media playback is unsupported on your device", "JUST WATCHED"])
def test_junk_lines_dropped(line):
    assert line not in body_of(en_article(f"<p>{line}</p>", n=4)).blocks


def test_posted_by_meta_line_at_start_dropped():
    body = body_of(en_article("").replace(
        "<div class='story-body'>",
        "<div class='story-body'><p>05/10/2018 - Publicado por: Clarissa Borba - Categoria: Saúde - "
        "Tags: sad arrombamento</p>"))
    assert body.blocks[0].startswith("This is paragraph 0")


def test_bootstrap_collapsed_panel_is_hidden():
    body = body_of(en_article("<div class='collapse' id='letter'><ul><li>Staff member one</li>"
                              "<li>Staff member two</li></ul><p>A long letter to readers that is folded "
                              "away until someone clicks the button to read it.</p></div>"
                              "<div class='collapse show'><p>An open panel stays in the body.</p></div>"))
    text = "\n".join(body.blocks)
    assert "Staff member" not in text and "letter to readers" not in text
    assert "An open panel stays in the body." in text


def test_card_with_only_a_heading_climbs_to_its_section():
    paras = "".join(f"<p>Origin paragraph {i}, long enough to be running text, with commas, and a full "
                    f"stop at the end of the sentence.</p>" for i in range(6))
    html = ("<html><body><main><div class='claim-wrapper card'><h3>Claim</h3><div class='claim'><p>The "
            "ambassador has a net worth of seventeen million dollars, it is said.</p></div></div>"
            f"<div class='content-wrapper card'><h3>Origin</h3><div class='content'>{paras}</div>"
            "<div class='footer-wrapper'></div></div></main></body></html>")
    body = body_of(html)
    assert "The ambassador has a net worth of seventeen million dollars, it is said." in body.blocks
    assert "Origin" in body.blocks


def test_teaser_list_sibling_not_joined():
    teasers = "".join(f"<div><a href='/n/{i}'>Linked headline number {i} of the list</a><div>One line summary "
                      f"of another story that is long enough to look like a paragraph.</div></div>"
                      for i in range(4))
    html = en_article("").replace("</article>", f"</article><div>{teasers}</div>")
    text = "\n".join(body_of(html).blocks)
    assert "One line summary" not in text and "Linked headline" not in text


def test_card_grid_without_links_dropped():
    cards = "".join(f"<div class='item'><img src='/t{i}.jpg'><div class='title'>会员专栏第{i}期：一个标题"
                    f"足够长的推荐内容</div><span>2019-09-09</span></div>" for i in range(3))
    body = body_of(article("", after=f"<div id='member'><h4>观察员</h4>{cards}</div>"))
    text = "\n".join(body.blocks)
    assert "会员专栏" not in text and "2019-09-09" not in text


@pytest.mark.parametrize("line", ["新京报记者 陆一夫", "采写：南都见习记者 林子沛", "来源：网络",
                                  "（实习生王金茹对此文亦有贡献）", "（原题为《新年伊始的一篇文章》）"])
def test_zh_credit_lines_at_the_end_dropped(line):
    body = body_of(article(f"<p>{line}</p>"))
    assert body.blocks[-1].startswith("这是正文第4段"), body.blocks[-2:]


def test_zh_author_line_at_the_start_dropped():
    html = article("").replace("<div class='content'>", "<div class='content'><p>【文/观察者网专栏作者 王文】</p>")
    body = body_of(html)
    assert body.blocks[0].startswith("这是正文第0段")


def test_zh_home_link_glued_to_last_paragraph_cut():
    body = body_of(article("<p>第三方数据行业的整顿仍将持续。<a href='/'>返回腾讯网首页&gt;&gt;</a></p>"))
    assert body.blocks[-1] == "第三方数据行业的整顿仍将持续。"
    assert "首页" not in (body.html or "")


def test_zh_ads_and_date_lines_dropped():
    body = body_of(article("<p>“年度人物评选”火热进行中！【点击投票】Pick你心目中的商业领袖</p>"
                           "<p>新酷产品第一时间免费试玩，还有众多优质达人分享独到生活经验，快来体验吧~！下载客户端还能获得专享福利哦！</p>"
                           "<p>2019-09-09</p>"))
    assert body.blocks[-1].startswith("这是正文第4段")


def test_body_html_keeps_links_and_emphasis():
    body = body_of(en_article("<p>See <a href='/report.pdf'>the <b>full</b> report</a> and "
                              "<em>its annex</em> for details.<br>Second <a href='/x'>line</a>.</p>"
                              "<p>A <a href='javascript:void(0)'>script link</a> stays plain text.</p>"))
    html = body.html or ""
    assert ('<p>See <a href="http://news.example.com/report.pdf">the <strong>full</strong> report</a> '
            'and <em>its annex</em> for details.</p>') in html
    assert '<p>Second <a href="http://news.example.com/x">line</a>.</p>' in html
    assert "<p>A script link stays plain text.</p>" in html
    assert "See the full report and its annex for details." in body.blocks


def test_body_html_link_split_by_br_stays_balanced():
    body = body_of(en_article("<p>Start <a href='/x'>first<br>second</a> end.</p>"))
    html = body.html or ""
    assert '<p>Start <a href="http://news.example.com/x">first</a></p>' in html
    assert '<p><a href="http://news.example.com/x">second</a> end.</p>' in html


def test_related_label_takes_its_linked_lines_with_it():
    body = body_of(article("").replace(
        "<div class='content'>",
        "<div class='content'><p><strong>相关新闻：</strong></p><p><a href='/1'>直播发布会(英文原声+中文字幕)</a></p>"
        "<p><a href='/2'>秋季新品发布会：谈色彩 致创新</a></p>"))
    assert body.blocks[0].startswith("这是正文第0段")


def test_zh_reediting_and_source_lines_at_the_end_dropped():
    body = body_of(article("<p>信息来源于网络</p><p>经过文刃重新编排</p>"))
    assert body.blocks[-1].startswith("这是正文第4段")


# --- summary boxes at the top ("Key Points", "划重点") -----------------------------------------

def en_lead(lead: str, n: int = 5) -> str:
    """An English article with ``lead`` just before the story's first paragraph."""
    return en_article("", n=n).replace("<div class='story-body'>", f"<div class='story-body'>{lead}")


def zh_lead(lead: str) -> str:
    return article("").replace("<div class='content'>", f"<div class='content'>{lead}")


def test_key_points_box_before_the_story_is_not_body():
    # CNBC's layout: the box is a sibling of the story's own box, a label over a list
    box = ("<div class='keyPoints'><div class='header'>Key Points</div><ul>"
           "<li>The carrier finalized a deal to buy 30 jets, executives said on Wednesday.</li>"
           "<li>The deal comes in addition to five sales earlier this week.</li></ul></div>")
    html = en_article("").replace("<div class='story-body'>", f"{box}<div class='story-body'>")
    body = body_of(html)
    assert body.blocks[0].startswith("This is paragraph 0"), body.blocks[:3]
    assert not any("finalized a deal" in b or b == "Key Points" for b in body.blocks)


def test_highlights_heading_and_list_at_the_start_dropped():
    body = body_of(en_lead("<h2>Highlights:</h2><ul><li>One short point about the story.</li>"
                           "<li>Another short point.</li><li>A third point.</li></ul>"))
    assert body.blocks[0].startswith("This is paragraph 0"), body.blocks[:3]


def test_zh_hua_zhong_dian_list_and_author_line_dropped():
    # qq.com: 划重点 over an <ol>, then the column's author line, then the article
    body = body_of(zh_lead("<p>划重点：</p><ol><li>监管方从年初就在酝酿针对数据公司的整顿清理。</li>"
                           "<li>没有了数据做支撑，他们就无法放贷。</li></ol><p>《棱镜》作者 周纯</p>"))
    assert body.blocks[0].startswith("这是正文第0段"), body.blocks[:3]
    assert not any("整顿清理" in b or "周纯" in b for b in body.blocks)


@pytest.mark.parametrize("lead", ["<p>核心提示：国务院印发通知，进一步指导各地落实分区分级差异化防控策略。</p>",
                                  "<p>【划重点】数据行业整顿仍将持续。</p>"])
def test_zh_inline_summary_paragraph_at_the_start_dropped(lead):
    body = body_of(zh_lead(lead))
    assert body.blocks[0].startswith("这是正文第0段"), body.blocks[:3]


def test_zh_summary_box_of_short_paragraphs_dropped():
    body = body_of(zh_lead("<div class='box'><p>要点</p><p>第一点：整顿仍将持续。</p>"
                           "<p>第二点：转型之路道阻且长。</p></div>"))
    assert body.blocks[0].startswith("这是正文第0段"), body.blocks[:3]


def test_points_list_in_the_middle_stays():
    body = body_of(article("<p>要点</p><ul><li>第一点：整顿仍将持续。</li><li>第二点：转型之路道阻且长。</li></ul>"
                           "<p>最后一段正文，文章到这里才结束，前面的列表是正文的一部分。</p>"))
    assert "第一点：整顿仍将持续。" in body.blocks and "要点" in body.blocks


def test_article_that_is_a_list_of_highlights_keeps_it():
    items = "".join(f"<li>Highlight number {i}: a long line that carries the article's own content, "
                    f"told in full sentences with detail, names and numbers.</li>" for i in range(6))
    body = body_of(en_lead(f"<h2>Highlights</h2><ul>{items}</ul>", n=1))
    assert any(b.startswith("Highlight number 0") for b in body.blocks), body.blocks[:3]


def test_lead_picture_caption_marked_up_leaves_the_text_but_stays_on_the_image():
    body = body_of(en_lead("<figure><img src='/lead.jpg' alt='jet'><figcaption>A jet passes the crowd at the "
                           "air show on Monday.</figcaption></figure>"))
    assert body.blocks[0].startswith("This is paragraph 0"), body.blocks[:2]
    assert [i.caption for i in body.images] == ["A jet passes the crowd at the air show on Monday."]


def test_zh_centred_caption_paragraph_at_the_start_stays():
    body = body_of(zh_lead("<p class='f_center'><img src='/a.jpg'><br>“救命啊SOS”纸团。沙坪坝区公安分局供图</p>"))
    assert body.blocks[0] == "“救命啊SOS”纸团。沙坪坝区公安分局供图"


@pytest.mark.parametrize(("last", "kept"), [
    ("<p>共建清朗网络空间。(文/图 刘玺东 易赛楠)</p>", "共建清朗网络空间。"),
    ("<p>总体全县投资结构趋稳趋优。（德清县发改局）</p>", "总体全县投资结构趋稳趋优。"),
    ("<p>总体全县投资（含德清县）结构趋稳趋优。</p>", "总体全县投资（含德清县）结构趋稳趋优。"),
])
def test_zh_credit_glued_to_the_last_sentence_cut(last, kept):
    assert body_of(article(last)).blocks[-1] == kept


# --- zh quality gate ----------------------------------------------------------------------

ZH_PAGES = FIXTURES / "pages" / "manifest.jsonl"  # the zh lines carry the whole true body
#: measured F1 (CJK tokens) of ``parse_article`` on the hand-labelled zh bodies, rounded down
ZH_F1_FLOOR = 0.99  # measured 1.00 on the tuned fixtures; a floor of 1.00 would fail on any harmless slip


@pytest.mark.skipif(not (SHARED / "eval" / "body_score.py").exists(), reason="shared scorer not available")
def test_zh_full_body_quality_gate():
    from crawler.parsing import NotAnArticle, parse_article
    from tests.helpers.fixtures import body_truth, load_manifest

    pages = [page for page in load_manifest(ZH_PAGES) if page.body is not None]
    truth = body_truth(pages)
    assert len(truth) >= 20
    predicted = {}
    for page in pages:
        try:
            text = parse_article(page.html(), page.url).body_text
        except NotAnArticle:
            text = ""
        predicted[page.key] = {"articleBody": text}
    metrics, _ = _scorer().score(truth, predicted, cjk=True)
    assert metrics["f1"] >= ZH_F1_FLOOR, metrics
