"""Generate the static demo news site under ``crawler/demo/site/`` and its ``manifest.json``.

Why a generator: the site needs ~30 articles in three CMS chromes plus listings,
pagination, a sitemap and a feed that all agree with each other and with the
ground-truth manifest. Writing them from one set of stories (``stories.py``)
keeps those in step. The output is committed, so the crawler and its tests never
run this; run it again only after changing the stories or templates:

    .venv/bin/python -m tools.demo_site.build

(a test of the demo site checks that the committed files are what it writes.)

It is deterministic (same input, same bytes; no clock, no randomness). Absolute
URLs are written as the token ``__BASE_URL__``, which ``server.py`` replaces with
the real ``http://127.0.0.1:PORT`` at serve time. The seed page
``site/post/1987.html`` is a verbatim copy of the shared fixture and is never
rewritten: it is copied in only when missing.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

from tools.demo_site.stories import (
    PORTAL,
    PORTAL_CHANNELS,
    PORTAL_DUPLICATE_OF,
    SEED_ZBLOG,
    WORDPRESS,
    ZBLOG,
    Block,
    Story,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = ROOT / "crawler" / "demo"
SITE = DEMO_DIR / "site"
MANIFEST = DEMO_DIR / "manifest.json"
SEED_PATH = "/post/1987.html"
SEED_FIXTURE = ROOT.parent / "shared" / "fixtures" / "seed-article" / "page.html"
BASE = "__BASE_URL__"

ZBLOG_PER_PAGE = 4
PORTAL_PER_PAGE = 6
WP_PER_PAGE = 4
FEED_PER_STYLE = 5

DUPLICATE_PATH = "/repost/2024/0307/8812.html"
DUPLICATE_PUBLISHED = "2024-03-07 08:00:00"


def e(text: str) -> str:
    """HTML-escape text and attribute values."""
    return escape(text, quote=True)


@dataclass(frozen=True)
class Page:
    """One article as placed on the site: its story, URL path and style."""

    story: Story
    path: str
    style: str

    @property
    def title_raw(self) -> str:
        return self.story.spam_prefix + self.story.title

    @property
    def dt(self) -> datetime:
        return iso_dt(self.story.published, self.story.offset)


def iso_dt(local: str, offset: str) -> datetime:
    return datetime.fromisoformat(local.replace(" ", "T") + offset)


def zblog_path(s: Story) -> str:
    return f"/post/{s.key}.html"


def portal_path(s: Story) -> str:
    return f"/{s.key}.shtml"


def wp_path(s: Story) -> str:
    return f"/{s.key}/"


def text_of(blocks: list[Block]) -> str:
    """Return the first paragraph, used for summaries and feed descriptions."""
    return next(b for b in blocks if isinstance(b, str))


def clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n] + "..."


def img_src(style: str, s: Story, name: str) -> str:
    y, m = s.published[:4], s.published[5:7]
    prefix = {"zblog": "/zb_users/upload", "portal": "/images", "wordpress": "/wp-content/uploads"}[style]
    return f"{prefix}/{y}/{m}/{name}.svg"


def render_blocks(style: str, s: Story, *, br: bool = False) -> str:
    """Render a story body in a style's markup; ``br`` joins paragraphs with <br> (old portal editors)."""
    out: list[str] = []
    if br:
        paras = [b for b in s.body if isinstance(b, str)]
        joined = "<br>\n".join("\u3000\u3000" + e(p) + "<br>" for p in paras)
        return f"<p>\n{joined}\n</p>"
    for b in s.body:
        if isinstance(b, str):
            out.append(f"<p>{e(b)}</p>")
        elif b[0] == "h":
            tag = "h2" if style == "zblog" else "h3" if style == "portal" else "h2"
            inner = f"<strong>{e(b[1])}</strong>" if style == "zblog" else e(b[1])
            cls = ' class="wp-block-heading"' if style == "wordpress" else ""
            out.append(f"<{tag}{cls}>{inner}</{tag}>")
        elif b[0] == "list":
            cls = ' class="wp-block-list"' if style in ("zblog", "wordpress") else ""
            items = "\n".join(f"  <li>{e(i)}</li>" for i in b[1])
            out.append(f"<ul{cls}>\n{items}\n</ul>")
        elif b[0] == "quote":
            out.append(f"<blockquote><p>{e(b[1])}</p></blockquote>")
        elif b[0] == "img":
            src = img_src(style, s, b[1])
            alt = e(b[2])
            if style == "wordpress":
                out.append(
                    f'<figure class="wp-block-image size-large"><img src="{src}" alt="{alt}" width="800" height="450"'
                    f' loading="lazy"/><figcaption class="wp-element-caption">{e(b[2])}</figcaption></figure>'
                )
            else:
                cls = "img-wrap" if style == "portal" else "post-figure"
                out.append(
                    f'<figure class="{cls}"><img src="{src}" alt="{alt}" width="640" height="360"/>'
                    f"<figcaption>{e(b[2])}</figcaption></figure>"
                )
        else:  # pragma: no cover - a typo in stories.py
            raise ValueError(f"unknown block {b!r} in {s.key}")
    return "\n".join(out)


def svg_placeholder(caption: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360" viewBox="0 0 640 360">'
        '<rect width="640" height="360" fill="#d9dee4"/>'
        f'<text x="320" y="185" font-size="20" text-anchor="middle" fill="#556">{e(caption)}</text></svg>\n'
    )


# ---------------------------------------------------------------------------
# Style "zblog" (资讯快报): the seed page's theme, reproduced for new posts.
# ---------------------------------------------------------------------------

ZBLOG_HEADER = """<div id="header">
  <div class="logo"><a href="/" title="资讯快报"><img src="/zb_users/upload/logo.png" alt="资讯快报"></a></div>
  <ul class="nav">
    <li><a href="/">首页</a></li>
    <li><a href="/category-7.html">7</a></li>
    <li><a href="/category-8.html">8</a></li>
    <li{on9}><a href="/category-9.html">9</a></li>
    <li><a href="/category-10.html">10</a></li>
    <li><a href="/tags.html">标签</a></li>
  </ul>
  <form class="search" method="post" action="/zb_system/cmd.php?act=search"><input type="text" name="q" \
placeholder="搜索..."><button type="submit">搜索</button></form>
</div>"""

ZBLOG_FOOTER = (
    '<div id="footer">Copyright © 2025 资讯快报 All Rights Reserved. <a href="/sitemap.xml">网站地图</a>'
    " Powered By Z-BlogPHP</div>"
)


def zblog_head(title: str, description: str, canonical: str, extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<meta name="description" content="{e(description)}">
<link rel="canonical" href="{canonical}">
{extra}<link rel="stylesheet" href="/zb_users/theme/news/style/style.css" type="text/css">
<script>var zbp = {{"bloghost":"{BASE}/","ajaxurl":"/zb_system/cmd.php?act=ajax&src="}};</script>
</head>"""


def zblog_sidebar(by_key: dict[str, Page]) -> str:
    hot = "\n".join(
        f'      <li><a href="{by_key[k].path}">{e(by_key[k].title_raw)}</a></li>' for k in ("1900", "1901", "1902")
    )
    return f"""  <div class="sidebar">
    <div class="widget"><h3>热门文章</h3><ul>
{hot}
    </ul></div>
    <div class="widget"><h3>最新评论</h3><ul><li>访客:沙发</li></ul></div>
  </div>"""


ZBLOG_COMMENTERS = ["访客", "路过的网友", "小林", "科技迷"]
ZBLOG_COMMENT_TEXTS = ["沙发", "写得很清楚，谢谢分享。", "期待后续报道。", "数据来源能不能再详细一点？", "学习了"]


def zblog_article(p: Page, prev: Page | None, nxt: Page | None, related: list[Page], by_key: dict[str, Page]) -> str:
    s = p.story
    summary = clip(text_of(s.body), 48)
    title = p.title_raw
    comments = []
    for i in range(min(s.comments, 3)):
        when = f"{s.published[:10]} {int(s.published[11:13]) % 12 + 10:02d}:{10 + 7 * i:02d}:{(13 * i) % 60:02d}"
        name = ZBLOG_COMMENTERS[i % len(ZBLOG_COMMENTERS)]
        text = ZBLOG_COMMENT_TEXTS[(int(s.key) + i) % len(ZBLOG_COMMENT_TEXTS)]
        comments.append(
            f'<li class="msg"><span class="name">{name}</span> <span class="date">{when}</span><p>{text}</p></li>'
        )
    nav = ""
    if prev:
        nav += f'        <p>上一篇:<a href="{prev.path}">{e(prev.title_raw)}</a></p>\n'
    if nxt:
        nav += f'        <p>下一篇:<a href="{nxt.path}">{e(nxt.title_raw)}</a></p>\n'
    rel = "\n".join(f'        <li><a href="{r.path}">{e(r.title_raw)}</a></li>' for r in related)
    tags = '<div class="post-tags">标签:<a href="/tags-12.html">老虎機</a></div>' if s.spam_prefix else ""
    return f"""{zblog_head(f"{title}_9_资讯快报", summary, f"{BASE}{p.path}")}
<body class="single">
{ZBLOG_HEADER.format(on9=' class="on"')}
<div id="main" class="wrap">
  <div class="main-left">
    <div class="place">当前位置:<a href="/">首页</a> &gt; <a href="/category-9.html">9</a> &gt; 正文</div>
    <div class="post">
      <h1 class="post-title">{e(title)}</h1>
      <ul class="post-meta">
        <li><i class="icon-folder"></i><a href="/category-9.html" rel="category tag">9</a></li>
        <li><i class="icon-time"></i><time datetime="{s.published}">{s.published}</time></li>
        <li title="评论数"><i class="icon-comment"></i><a href="#comments">{s.comments}</a></li>
      </ul>
      <div class="post-summary"><strong>摘要:</strong> {e(summary)}</div>
      <div class="post-content">
{render_blocks("zblog", s)}
      </div>
      {tags}
      <div class="post-nav">
{nav}      </div>
    </div>
    <div class="related">
      <h3>相关文章</h3>
      <ul>
{rel}
      </ul>
    </div>
    <div id="comments" class="comments">
      <h3>发表评论</h3>
      <form id="frmSumbit" method="post" action="/zb_system/cmd.php?act=cmt&amp;postid={s.key}">
        <input type="text" name="inpName" placeholder="昵称"> <input type="text" name="inpEmail" placeholder="邮箱">
        <textarea name="txaArticle" rows="5"></textarea>
        <button type="submit">提交评论</button>
      </form>
      <ol class="commentlist">{"".join(comments)}</ol>
    </div>
  </div>
{zblog_sidebar(by_key)}
</div>
{ZBLOG_FOOTER}
</body>
</html>
"""


def zblog_listing(
    path: str, name: str, items: list[Page], page_no: int, pages: list[str], by_key: dict[str, Page], on9: bool
) -> str:
    rows = []
    for p in items:
        s = p.story
        rows.append(
            f"""    <div class="post-item">
      <h2><a href="{p.path}" title="{e(p.title_raw)}">{e(p.title_raw)}</a></h2>
      <p class="intro">{e(clip(text_of(s.body), 60))}</p>
      <p class="info"><span>{s.published[:10]}</span> <span>评论({s.comments})</span></p>
    </div>"""
        )
    if not rows:
        rows.append('    <div class="post-item empty"><p>暂无文章</p></div>')
    bar = ""
    if len(pages) > 1:
        links = []
        if page_no > 1:
            links.append(f'<a href="{pages[page_no - 2]}" class="prev">上一页</a>')
        for i, u in enumerate(pages, 1):
            links.append(f'<span class="now-page">{i}</span>' if i == page_no else f'<a href="{u}">{i}</a>')
        if page_no < len(pages):
            links.append(f'<a href="{pages[page_no]}" class="next">下一页</a>')
        bar = f'    <div class="pagebar">{" ".join(links)}</div>'
    title = f"{name}_资讯快报" if page_no == 1 else f"{name}_第{page_no}页_资讯快报"
    nav = ZBLOG_HEADER.format(on9=' class="on"' if on9 else "")
    return f"""{zblog_head(title, f"{name}栏目文章列表", f"{BASE}{path}")}
<body class="multi category">
{nav}
<div id="main" class="wrap">
  <div class="main-left">
    <div class="place">当前位置:<a href="/">首页</a> &gt; {e(name)}</div>
{chr(10).join(rows)}
{bar}
  </div>
{zblog_sidebar(by_key)}
</div>
{ZBLOG_FOOTER}
</body>
</html>
"""


def zblog_tags_page(by_key: dict[str, Page]) -> str:
    return f"""{zblog_head("标签_资讯快报", "全部标签", f"{BASE}/tags.html")}
<body class="multi tags">
{ZBLOG_HEADER.format(on9="")}
<div id="main" class="wrap">
  <div class="main-left">
    <div class="place">当前位置:<a href="/">首页</a> &gt; 标签</div>
    <ul class="tag-cloud"><li><a href="/tags-12.html">老虎機</a></li></ul>
  </div>
{zblog_sidebar(by_key)}
</div>
{ZBLOG_FOOTER}
</body>
</html>
"""


# ---------------------------------------------------------------------------
# Style "portal" (江城新闻网): labelled meta line, editor line, disclaimer.
# ---------------------------------------------------------------------------

PORTAL_NAV = (
    '<div class="nav"><a href="/">首页</a>'
    + "".join(f' <a href="/{k}/">{v}</a>' for k, v in PORTAL_CHANNELS.items())
    + ' <a href="/roll/">滚动</a> <a href="/about.html">关于我们</a></div>'
)
PORTAL_DISCLAIMER = (
    "免责声明：本网刊发的稿件仅代表作者观点，不代表本网立场。转载请注明出处；"
    "如对稿件内容或版权有疑问，请与本网编辑部联系。"
)
PORTAL_FOOTER = (
    '<div class="footer"><p><a href="/about.html">关于我们</a> | <a href="/sitemap.xml">网站地图</a> |'
    ' <a href="/rss.xml">RSS订阅</a></p><p>江城新闻网 版权所有 示例ICP备00000000号</p></div>'
)


def portal_date(s: Story) -> str:
    if s.extra.get("date_format") == "gb":
        d = s.published
        return f"{d[:4]}年{d[5:7]}月{d[8:10]}日 {d[11:16]}"
    return s.published


def portal_shown_dt(s: Story) -> datetime:
    """Return the publication time at the precision the page shows it (GB-style dates drop the seconds)."""
    local = s.published if s.extra.get("date_format") != "gb" else s.published[:16] + ":00"
    return iso_dt(local, s.offset)


def portal_head(title: str, description: str, canonical: str, extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{e(title)}</title>
<meta name="keywords" content="江城新闻网,江城,新闻">
<meta name="description" content="{e(description)}">
<link rel="canonical" href="{canonical}">
{extra}<link rel="stylesheet" href="/static/portal.css">
</head>"""


def portal_article(p: Page, related: list[Page], hot: list[Page]) -> str:
    s = p.story
    ch = PORTAL_CHANNELS[s.category]
    desc = clip(text_of(s.body), 70)
    author = f' <span class="author">作者：{e(s.author)}</span>' if s.author else ""
    sep = "来源：" if s.extra.get("date_format") == "gb" else "来源: "
    info = (
        f'<div class="post_info">{portal_date(s)} <span class="source">{sep}{e(s.source)}'
        f'</span>{author} <span class="read">阅读 {s.views}次</span></div>'
    )
    otitle = f'<p class="otitle">原标题：{e(s.original_title)}</p>\n' if s.original_title else ""
    body = render_blocks("portal", s, br=bool(s.extra.get("br_paragraphs")))
    rel = "\n".join(
        f'<li><a href="{r.path}">{e(r.story.title)}</a> <span>{r.story.published[5:10]}</span></li>' for r in related
    )
    hot_html = "\n".join(
        f'<li><em>{i}</em><a href="{h.path}">{e(h.story.title)}</a></li>' for i, h in enumerate(hot, 1)
    )
    return f"""{portal_head(f"{s.title}_{ch}新闻_江城新闻网", desc, f"{BASE}{p.path}")}
<body>
<div class="top-bar"><span>江城新闻网</span> <a href="/about.html">关于我们</a> <a href="/rss.xml">订阅</a>
<span class="login">登录 | 注册</span></div>
{PORTAL_NAV}
<div class="container">
<div class="crumb">您的位置：<a href="/">首页</a> &gt; <a href="/{s.category}/">{ch}</a> &gt; 正文</div>
<div class="main">
<div class="post_content" id="epContentLeft">
<h1>{e(s.title)}</h1>
{info}
<div class="share-bar">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
<div class="post_text" id="endText">
{otitle}{body}
<p class="editor">（责任编辑：{e(s.editor)}）</p>
</div>
<div class="disclaimer">{PORTAL_DISCLAIMER}</div>
<div class="post_comment"><a href="#comments">{s.views // 97}人参与</a> <a href="#comments">网友评论</a></div>
</div>
<div class="related"><h3>相关新闻</h3><ul>
{rel}
</ul></div>
</div>
<div class="side"><div class="hot"><h3>热点排行</h3><ol>
{hot_html}
</ol></div></div>
</div>
{PORTAL_FOOTER}
</body>
</html>
"""


def portal_listing(path: str, name: str, items: list[Page], page_no: int, pages: list[str]) -> str:
    rows = "\n".join(
        f'<li><a href="{p.path}" target="_blank">{e(p.story.title)}</a>'
        f'<span class="time">{p.story.published[:16]}</span></li>'
        for p in items
    )
    pager = ""
    if len(pages) > 1:
        parts = []
        if page_no > 1:
            parts.append(f'<a href="{pages[page_no - 2]}">上一页</a>')
        for i, u in enumerate(pages, 1):
            parts.append(f'<span class="cur">{i}</span>' if i == page_no else f'<a href="{u}">{i}</a>')
        if page_no < len(pages):
            parts.append(f'<a href="{pages[page_no]}" class="next">下一页</a>')
        pager = f'<div class="pages">{" ".join(parts)}</div>'
    title = f"{name}_江城新闻网" if page_no == 1 else f"{name}_第{page_no}页_江城新闻网"
    return f"""{portal_head(title, f"江城新闻网{name}频道", f"{BASE}{path}")}
<body>
{PORTAL_NAV}
<div class="container">
<div class="crumb">您的位置：<a href="/">首页</a> &gt; {e(name)}</div>
<ul class="news-list">
{rows}
</ul>
{pager}
</div>
{PORTAL_FOOTER}
</body>
</html>
"""


def duplicate_article(original: Page) -> str:
    """Render the portal story as republished by an aggregator: other chrome and title, same text."""
    s = original.story
    title = f"【转载】{s.title}"
    body = render_blocks("portal", s)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{e(title)} - 城市资讯汇</title>
<meta name="description" content="{e(clip(text_of(s.body), 70))}">
<link rel="canonical" href="{BASE}{DUPLICATE_PATH}">
</head>
<body class="article-page">
<header class="site"><a href="/" class="brand">城市资讯汇</a>
<nav><a href="/">首页</a> <a href="/about.html">关于</a></nav></header>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; 转载 &gt; 正文</div>
<article>
<h1 class="title">{e(title)}</h1>
<div class="meta">发布时间：{DUPLICATE_PUBLISHED[:16]} &nbsp; 来源：{e(s.source)}（转载）
&nbsp; 浏览：{s.views // 10}</div>
<div class="content">
{body}
</div>
<p class="repost-note">本文转载自{e(s.source)}，版权归原作者所有。</p>
</article>
<footer>城市资讯汇 · 内容来自网络</footer>
</body>
</html>
"""


# ---------------------------------------------------------------------------
# Style "wordpress" (The Harbor City Chronicle).
# ---------------------------------------------------------------------------

WP_SITE = "The Harbor City Chronicle"


def slugify(text: str) -> str:
    return "-".join("".join(c.lower() if c.isalnum() else " " for c in text).split())


def wp_human(dt: datetime) -> str:
    return f"{dt.strftime('%B')} {dt.day}, {dt.year}"


def wp_nav(categories: list[str]) -> str:
    items = "".join(f'<li><a href="/category/{slugify(c)}/">{e(c)}</a></li>' for c in categories)
    return (
        '<header id="masthead" class="site-header"><p class="site-title"><a href="/news/" rel="home">'
        f'{WP_SITE}</a></p><nav id="site-navigation" class="main-navigation"><ul class="menu">'
        f'<li><a href="/news/">News</a></li>{items}<li><a href="/about.html">About</a></li></ul></nav></header>'
    )


def wp_head(title: str, canonical: str, extra: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<link rel="canonical" href="{canonical}">
{extra}<link rel="stylesheet" id="chronicle-style-css" href="/wp-content/themes/chronicle/style.css" media="all">
<meta name="generator" content="WordPress 6.5">
</head>"""


WP_COMMENTERS = ["Linda Park", "Omar H.", "riverwatcher", "Gail Summers", "Ben T."]
WP_COMMENT_TEXTS = [
    "Thanks for covering this. Is there a recording of the meeting?",
    "Good to see this finally happening.",
    "I hope they think about parking too.",
    "Great reporting, as always.",
    "Does anyone know when the next update is expected?",
]


def wp_article(p: Page, idx: int, prev: Page | None, nxt: Page | None, related: list[Page], cats: list[str]) -> str:
    s = p.story
    dt = p.dt
    url = f"{BASE}{p.path}"
    cat_url = f"/category/{slugify(s.category)}/"
    desc = clip(text_of(s.body), 150)
    first_img = next((b for b in s.body if isinstance(b, tuple) and b[0] == "img"), None)
    image = f"{BASE}{img_src('wordpress', s, first_img[1])}" if first_img else f"{BASE}/wp-content/uploads/logo.svg"
    author_slug = slugify(s.author)
    article_ld = {
        "@type": "NewsArticle",
        "@id": f"{url}#article",
        "headline": s.title,
        "description": desc,
        "datePublished": dt.isoformat(),
        "dateModified": dt.isoformat(),
        "author": {"@type": "Person", "name": s.author, "url": f"{BASE}/author/{author_slug}/"},
        "publisher": {
            "@type": "Organization",
            "name": WP_SITE,
            "logo": {"@type": "ImageObject", "url": f"{BASE}/wp-content/uploads/logo.svg"},
        },
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "image": [image],
        "articleSection": s.category,
        "keywords": s.tags,
        "inLanguage": "en-US",
    }
    crumbs_ld = {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{BASE}/news/"},
            {"@type": "ListItem", "position": 2, "name": s.category, "item": f"{BASE}{cat_url}"},
            {"@type": "ListItem", "position": 3, "name": s.title},
        ],
    }
    if idx % 3 == 0:  # Yoast-style single @graph on some pages, separate scripts on others
        graph = {"@context": "https://schema.org", "@graph": [article_ld, crumbs_ld]}
        ld = f'<script type="application/ld+json">{json.dumps(graph, ensure_ascii=False)}</script>\n'
    else:
        ld = "".join(
            '<script type="application/ld+json">'
            + json.dumps({"@context": "https://schema.org", **obj}, ensure_ascii=False)
            + "</script>\n"
            for obj in (article_ld, crumbs_ld)
        )
    og = (
        '<meta property="og:locale" content="en_US">\n<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{e(s.title)}">\n<meta property="og:description" content="{e(desc)}">\n'
        f'<meta property="og:url" content="{url}">\n<meta property="og:site_name" content="{WP_SITE}">\n'
        f'<meta property="og:image" content="{image}">\n'
        f'<meta property="article:published_time" content="{dt.isoformat()}">\n'
        f'<meta property="article:section" content="{e(s.category)}">\n'
        f'<meta name="author" content="{e(s.author)}">\n<meta name="twitter:card" content="summary_large_image">\n'
    )
    comments = []
    for i in range(min(s.comments, 3)):
        cdt = dt.replace(hour=(dt.hour + 2 + i) % 24, minute=(dt.minute + 17 * i) % 60)
        name = WP_COMMENTERS[(idx + i) % len(WP_COMMENTERS)]
        text = WP_COMMENT_TEXTS[(idx + 2 * i) % len(WP_COMMENT_TEXTS)]
        comments.append(
            f'<li id="comment-{idx * 10 + i}" class="comment"><article class="comment-body">'
            '<footer class="comment-meta">'
            f'<b class="fn">{e(name)}</b> <time datetime="{cdt.isoformat()}">{wp_human(cdt)} at '
            f'{cdt.strftime("%I:%M %p").lstrip("0")}</time></footer><div class="comment-content"><p>{e(text)}</p></div>'
            "</article></li>"
        )
    n_comments = f"{s.comments} Comment{'s' if s.comments != 1 else ''}" if s.comments else "Leave a comment"
    comments_title = (
        f'<h2 class="comments-title">{s.comments} thought{"s" if s.comments != 1 else ""} on “{e(s.title)}”</h2>'
        if s.comments
        else ""
    )
    post_nav = ""
    if prev:
        post_nav += f'<div class="nav-previous"><a href="{prev.path}" rel="prev">← {e(prev.story.title)}</a></div>'
    if nxt:
        post_nav += f'<div class="nav-next"><a href="{nxt.path}" rel="next">{e(nxt.story.title)} →</a></div>'
    rel = "".join(
        f'<li class="jp-relatedposts-post"><a href="{r.path}">{e(r.story.title)}</a>'
        f' <span class="jp-relatedposts-post-date">{wp_human(r.dt)}</span></li>'
        for r in related
    )
    tags = ", ".join(f'<a href="/tag/{slugify(t)}/" rel="tag">{e(t)}</a>' for t in s.tags)
    share = "".join(
        f'<li class="share-{k}"><a rel="nofollow noopener noreferrer" class="share-{k} sd-button" href="{h}{url}"'
        f' target="_blank"><span>{label}</span></a></li>'
        for k, label, h in (
            ("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?u="),
            ("x", "X", "https://x.com/intent/post?url="),
            ("email", "Email", "mailto:?body="),
        )
    )
    pid = 100 + idx
    return f"""{wp_head(f"{s.title} – {WP_SITE}", url, og + ld)}
<body class="post-template-default single single-post postid-{pid} single-format-standard">
<div id="page" class="site">
{wp_nav(cats)}
<div id="content" class="site-content">
<main id="main" class="site-main">
<nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/news/">Home</a> » <a href="{cat_url}">{e(s.category)}</a> »
<span class="breadcrumb_last">{e(s.title)}</span></nav>
<article id="post-{pid}" class="post-{pid} post type-post status-publish format-standard hentry">
<header class="entry-header">
<span class="cat-links"><a href="{cat_url}" rel="category tag">{e(s.category)}</a></span>
<h1 class="entry-title">{e(s.title)}</h1>
<div class="entry-meta"><span class="byline">By <span class="author vcard">
<a class="url fn n" href="/author/{author_slug}/">{e(s.author)}</a></span></span>
<span class="posted-on">
<time class="entry-date published updated" datetime="{dt.isoformat()}">{wp_human(dt)}</time></span>
<span class="comments-link"><a href="#comments">{n_comments}</a></span></div>
</header>
<div class="entry-content">
{render_blocks("wordpress", s)}
</div>
<div class="sharedaddy sd-sharing-enabled"><div class="sd-block">
<h3 class="sd-title">Share this:</h3><ul>{share}</ul></div></div>
<footer class="entry-footer"><span class="tags-links">Tagged {tags}</span></footer>
</article>
<nav class="navigation post-navigation" aria-label="Posts">
<h2 class="screen-reader-text">Post navigation</h2><div class="nav-links">{post_nav}</div></nav>
<div id="jp-relatedposts" class="jp-relatedposts">
<h3 class="jp-relatedposts-headline"><em>Related</em></h3><ul>{rel}</ul></div>
<div id="comments" class="comments-area">
{comments_title}
<ol class="comment-list">{"".join(comments)}</ol>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes">Your email address will not be published.</p>
<textarea id="comment" name="comment" rows="6"></textarea>
<input name="author" type="text"><input name="email" type="email">
<input name="submit" type="submit" value="Post Comment"></form></div>
</div>
</main>
<aside id="secondary" class="widget-area">
<section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul>{rel}</ul></section></aside>
</div>
<footer id="colophon" class="site-footer">
<div class="site-info">© 2025 {WP_SITE} · <a href="/about.html">About</a> · Proudly powered by WordPress</div></footer>
</div>
</body>
</html>
"""


def wp_listing(path: str, heading: str, items: list[Page], page_no: int, pages: list[str], cats: list[str]) -> str:
    posts = []
    for p in items:
        posts.append(
            f'<article class="post type-post status-publish hentry"><header class="entry-header">'
            f'<h2 class="entry-title"><a href="{p.path}" rel="bookmark">{e(p.story.title)}</a></h2>'
            f'<div class="entry-meta"><time class="entry-date published" datetime="{p.dt.isoformat()}">'
            f'{wp_human(p.dt)}</time> <span class="byline">By {e(p.story.author)}</span></div></header>'
            f'<div class="entry-summary"><p>{e(clip(text_of(p.story.body), 160))}</p></div>'
            f'<a class="more-link" href="{p.path}">Continue reading</a></article>'
        )
    links = []
    rel_links = ""
    if page_no > 1:
        links.append(f'<a class="prev page-numbers" href="{pages[page_no - 2]}">« Previous</a>')
        rel_links += f'<link rel="prev" href="{BASE}{pages[page_no - 2]}">\n'
    for i, u in enumerate(pages, 1):
        links.append(
            f'<span aria-current="page" class="page-numbers current">{i}</span>'
            if i == page_no
            else f'<a class="page-numbers" href="{u}">{i}</a>'
        )
    if page_no < len(pages):
        links.append(f'<a class="next page-numbers" href="{pages[page_no]}">Next »</a>')
        rel_links += f'<link rel="next" href="{BASE}{pages[page_no]}">\n'
    pager = (
        f'<nav class="navigation pagination" aria-label="Posts"><div class="nav-links">{"".join(links)}</div></nav>'
        if len(pages) > 1
        else ""
    )
    title = f"{heading} – {WP_SITE}" if page_no == 1 else f"{heading} – Page {page_no} – {WP_SITE}"
    return f"""{wp_head(title, f"{BASE}{path}", rel_links)}
<body class="archive blog">
<div id="page" class="site">
{wp_nav(cats)}
<main id="main" class="site-main">
<header class="page-header"><h1 class="page-title">{e(heading)}</h1></header>
{chr(10).join(posts)}
{pager}
</main>
<footer id="colophon" class="site-footer">
<div class="site-info">© 2025 {WP_SITE} · Proudly powered by WordPress</div></footer>
</div>
</body>
</html>
"""


# ---------------------------------------------------------------------------
# Shared pages: home, about, feeds.
# ---------------------------------------------------------------------------


def home_page(latest: list[Page], dup: Page) -> str:
    items = "\n".join(
        f'<li><a href="{p.path}">{e(p.title_raw)}</a> <span class="date">{p.story.published[:10]}</span></li>'
        for p in latest
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>newscrawl 演示新闻站 · Demo news site</title>
<meta name="description" content="newscrawl 自带的演示新闻站：三种常见 CMS 风格的虚构新闻，用于端到端测试。">
<link rel="canonical" href="{BASE}/">
<link rel="alternate" type="application/rss+xml" title="RSS" href="{BASE}/rss.xml">
</head>
<body class="home">
<h1>newscrawl 演示新闻站</h1>
<p>本站所有新闻均为虚构，仅供 newscrawl 爬虫测试使用。All stories on this site are fictional.</p>
<h2>栏目 Sections</h2>
<ul class="sections">
<li><a href="/category-9.html">资讯快报 · 科技资讯</a></li>
<li><a href="/roll/">江城新闻网 · 滚动新闻</a></li>
<li><a href="/news/">The Harbor City Chronicle · News</a></li>
</ul>
<h2>最新 Latest</h2>
<ul class="latest">
{items}
</ul>
<h2>转载 Reposts</h2>
<ul class="reposts"><li><a href="{dup.path}">{e(dup.title_raw)}</a></li></ul>
<p class="links"><a href="/about.html">关于我们</a> · <a href="/rss.xml">RSS</a>
· <a href="/sitemap.xml">网站地图</a></p>
</body>
</html>
"""


ABOUT = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>关于我们 - newscrawl 演示新闻站</title>
<link rel="canonical" href="{BASE}/about.html">
</head>
<body class="page about">
<div class="crumb">您的位置：<a href="/">首页</a> &gt; 关于我们</div>
<h1>关于我们</h1>
<p>本站是 newscrawl 项目自带的演示新闻站，收录“资讯快报”“江城新闻网”和
The Harbor City Chronicle 三个虚构站点的文章。</p>
<p>文中出现的城市、机构、人物和数据均为虚构，如有雷同纯属巧合。</p>
<h2>联系方式</h2>
<ul><li>编辑部邮箱：editor@example.com</li><li>地址：江城市滨江路1号（虚构）</li></ul>
<p>This page is not a news article: it describes the demo site. <a href="/">Back to the home page</a>.</p>
</body>
</html>
"""

ROBOTS = f"User-agent: *\nAllow: /\n\nSitemap: {BASE}/sitemap.xml\n"


def sitemap(pages: list[Page], shown: dict[str, datetime]) -> str:
    rows = "\n".join(
        f"  <url><loc>{BASE}{p.path}</loc><lastmod>{shown[p.path].isoformat()}</lastmod></url>" for p in pages
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{rows}\n</urlset>\n"
    )


def rss(items: list[Page], shown: dict[str, datetime]) -> str:
    out = []
    for p in items:
        out.append(
            f"""  <item>
    <title>{e(p.title_raw)}</title>
    <link>{BASE}{p.path}</link>
    <guid isPermaLink="true">{BASE}{p.path}</guid>
    <pubDate>{format_datetime(shown[p.path])}</pubDate>
    <description>{e(clip(text_of(p.story.body), 80))}</description>
  </item>"""
        )
    last = format_datetime(max(shown[p.path] for p in items))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>newscrawl 演示新闻站</title>
  <link>{BASE}/</link>
  <description>newscrawl demo site: fictional news in three CMS styles</description>
  <language>zh-cn</language>
  <lastBuildDate>{last}</lastBuildDate>
{chr(10).join(out)}
</channel>
</rss>
"""


STATIC_CSS = {
    "zb_users/theme/news/style/style.css": "body{font:14px/1.7 sans-serif}.post-title{font-size:24px}\n",
    "static/portal.css": "body{font:15px/1.8 sans-serif}.post_info{color:#888}.disclaimer{color:#999;font-size:12px}\n",
    "wp-content/themes/chronicle/style.css": "body{font:17px/1.6 Georgia,serif}.entry-meta{color:#666}\n",
}


# ---------------------------------------------------------------------------
# Assembly.
# ---------------------------------------------------------------------------


def paginate(items: list[Page], per: int, first: str, nth: str) -> list[tuple[str, list[Page]]]:
    """Split into pages; page 1 lives at ``first``, page N at ``nth.format(n=N)``."""
    chunks = [items[i : i + per] for i in range(0, len(items), per)] or [[]]
    return [(first if i == 0 else nth.format(n=i + 1), c) for i, c in enumerate(chunks)]


def url_to_file(path: str) -> str:
    rel = path.lstrip("/")
    return rel + "index.html" if path.endswith("/") else rel


def related_of(pages: list[Page], i: int, n: int = 3) -> list[Page]:
    return [pages[(i + k) % len(pages)] for k in range(1, n + 1)]


def build() -> dict[str, str]:
    """Return {file path relative to site/: text} and write manifest data into it as ``__manifest__``."""
    files: dict[str, str] = {}

    zb = sorted([Page(s, zblog_path(s), "zblog") for s in [*ZBLOG, SEED_ZBLOG]], key=lambda p: p.dt)
    zb_by_key = {p.story.key: p for p in zb}
    for i, p in enumerate(zb):
        if p.path == SEED_PATH:
            continue
        prev = zb[i - 1] if i > 0 else None
        nxt = zb[i + 1] if i + 1 < len(zb) else None
        files[url_to_file(p.path)] = zblog_article(p, prev, nxt, related_of(zb, i), zb_by_key)
    zb_newest = list(reversed(zb))
    listings: list[str] = []
    zb_pages = paginate(zb_newest, ZBLOG_PER_PAGE, "/category-9.html", "/category-9_{n}.html")
    for n, (path, chunk) in enumerate(zb_pages, 1):
        files[url_to_file(path)] = zblog_listing(path, "9", chunk, n, [u for u, _ in zb_pages], zb_by_key, True)
        listings.append(path)
    for cat in ("7", "8", "10"):
        path = f"/category-{cat}.html"
        files[url_to_file(path)] = zblog_listing(path, cat, [], 1, [path], zb_by_key, False)
        listings.append(path)
    files["tags.html"] = zblog_tags_page(zb_by_key)
    listings.append("/tags.html")
    spam = [p for p in zb_newest if p.story.spam_prefix]
    files["tags-12.html"] = zblog_listing("/tags-12.html", "老虎機", spam, 1, ["/tags-12.html"], zb_by_key, False)
    listings.append("/tags-12.html")

    po = sorted([Page(s, portal_path(s), "portal") for s in PORTAL], key=lambda p: p.dt)
    po_newest = list(reversed(po))
    for i, p in enumerate(po):
        hot = sorted(po, key=lambda q: -q.story.views)[:5]
        files[url_to_file(p.path)] = portal_article(p, related_of(po, i, 4), hot)
    po_pages = paginate(po_newest, PORTAL_PER_PAGE, "/roll/", "/roll/index_{n}.html")
    for n, (path, chunk) in enumerate(po_pages, 1):
        files[url_to_file(path)] = portal_listing(path, "滚动新闻", chunk, n, [u for u, _ in po_pages])
        listings.append(path)
    for ch, name in PORTAL_CHANNELS.items():
        path = f"/{ch}/"
        files[url_to_file(path)] = portal_listing(
            path, name, [p for p in po_newest if p.story.category == ch], 1, [path]
        )
        listings.append(path)

    original = next(p for p in po if p.story.key == PORTAL_DUPLICATE_OF)
    dup_story = Story(
        key="repost-8812",
        title=original.story.title,
        spam_prefix="【转载】",
        published=DUPLICATE_PUBLISHED,
        offset="+08:00",
        category="repost",
        body=original.story.body,
        source=original.story.source,
    )
    dup = Page(dup_story, DUPLICATE_PATH, "portal")
    files[url_to_file(DUPLICATE_PATH)] = duplicate_article(original)

    wp = sorted([Page(s, wp_path(s), "wordpress") for s in WORDPRESS], key=lambda p: p.dt)
    wp_newest = list(reversed(wp))
    cats = sorted({p.story.category for p in wp})
    for i, p in enumerate(wp):
        prev = wp[i - 1] if i > 0 else None
        nxt = wp[i + 1] if i + 1 < len(wp) else None
        files[url_to_file(p.path)] = wp_article(p, i, prev, nxt, related_of(wp, i), cats)
    wp_pages = paginate(wp_newest, WP_PER_PAGE, "/news/", "/news/page/{n}/")
    for n, (path, chunk) in enumerate(wp_pages, 1):
        files[url_to_file(path)] = wp_listing(path, "News", chunk, n, [u for u, _ in wp_pages], cats)
        listings.append(path)
    for cat in cats:
        path = f"/category/{slugify(cat)}/"
        files[url_to_file(path)] = wp_listing(
            path, cat, [p for p in wp_newest if p.story.category == cat], 1, [path], cats
        )
        listings.append(path)
    for author in sorted({p.story.author for p in wp}):
        path = f"/author/{slugify(author)}/"
        mine = [p for p in wp_newest if p.story.author == author]
        files[url_to_file(path)] = wp_listing(path, f"Author: {author}", mine, 1, [path], cats)
        listings.append(path)
    for tag in sorted({t for p in wp for t in p.story.tags}):
        path = f"/tag/{slugify(tag)}/"
        files[url_to_file(path)] = wp_listing(
            path, f"Tag: {tag}", [p for p in wp_newest if tag in p.story.tags], 1, [path], cats
        )
        listings.append(path)

    # Images referenced by figures: tiny SVG placeholders so no figure is a 404.
    for style, pages in (("zblog", zb), ("portal", po), ("wordpress", wp)):
        for p in pages:
            for b in p.story.body:
                if isinstance(b, tuple) and b[0] == "img":
                    files[url_to_file(img_src(style, p.story, b[1]))] = svg_placeholder(b[2])
    files["wp-content/uploads/logo.svg"] = svg_placeholder(WP_SITE)
    files.update(STATIC_CSS)

    articles = [*zb, *po, dup, *wp]
    shown = {p.path: (portal_shown_dt(p.story) if p.style == "portal" else p.dt) for p in articles}
    latest = sorted(
        [zb_newest[0], zb_newest[1], po_newest[0], po_newest[1], wp_newest[0], wp_newest[1]],
        key=lambda p: -shown[p.path].timestamp(),
    )
    files["index.html"] = home_page(latest, dup)
    listings.insert(0, "/")
    files["about.html"] = ABOUT
    files["robots.txt"] = ROBOTS
    files["sitemap.xml"] = sitemap(articles, shown)
    feed_items = [*zb_newest[:FEED_PER_STYLE], *po_newest[:FEED_PER_STYLE], *wp_newest[:FEED_PER_STYLE]]
    feed_items.sort(key=lambda p: (-shown[p.path].timestamp(), p.path))
    files["rss.xml"] = rss(feed_items, shown)

    manifest = {
        "about": "Ground truth for the bundled demo site; generated by crawler/demo/build_site.py.",
        "articles": [
            {
                "path": p.path,
                "style": p.style,
                "title": p.story.title,
                "title_raw": p.title_raw,
                "published_at": shown[p.path].isoformat(),
                "author": p.story.author or None,
                "duplicate_of": original.path if p is dup else None,
            }
            for p in articles
        ],
        "not_articles": ["/about.html"],
        "listings": listings,
        "feeds": ["/rss.xml"],
        "sitemaps": ["/sitemap.xml"],
    }
    files["__manifest__"] = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    return files


def write(files: dict[str, str], site: Path = SITE, manifest_path: Path = MANIFEST) -> None:
    """Replace the generated site (keeping the verbatim seed page) and write the manifest."""
    seed = site / SEED_PATH.lstrip("/")
    seed_bytes = seed.read_bytes() if seed.exists() else SEED_FIXTURE.read_bytes()
    if site.exists():
        shutil.rmtree(site)
    for rel, text in sorted(files.items()):
        if rel == "__manifest__":
            continue
        target = site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    seed.parent.mkdir(parents=True, exist_ok=True)
    seed.write_bytes(seed_bytes)
    manifest_path.write_text(files["__manifest__"], encoding="utf-8", newline="\n")


def main() -> int:
    files = build()
    write(files)
    print(f"wrote {len(files) - 1} files under {SITE} and {MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
