"""Articles split over several pages, as CMS templates serve them, for the pagination tests:
a DedeCMS-style Chinese article (``1001.html``, ``1001_2.html``... with 上一页 1 2 3 下一页
under the text), an English article paged by ``?page=2`` with ``rel="next"`` in the head,
WordPress-style posts whose ``rel="next"`` names the next post, and a listing paged by
``list_2.html``. Every page's paragraphs are distinct, so a merged text shows which pages
it holds and in which order. Paths are relative to the site; ``__BASE__`` is the server."""

from __future__ import annotations

ZH_TITLE = "城市地下管网改造工程全面启动"
ZH_PARAGRAPHS = [
    ["记者从市住建局获悉，本市地下管网改造工程今天全面启动，计划用三年时间完成老城区一百二十公里管网的更新。",
     "住建局负责人介绍，改造范围包括供水、排水、燃气和供热四类管线，涉及居民小区两百多个。",
     "按照计划，首批开工的十二个项目集中在老城区北部，那里的管线大多铺设于上世纪八十年代，破损严重。",
     "施工单位表示，将采用非开挖技术减少对路面的破坏，夜间施工时间不超过晚上十点。"],
    ["第二阶段工程将从明年春季开始，重点是城东片区的雨污分流，届时部分道路将实行半幅施工。",
     "交通部门表示，施工期间将提前发布绕行方案，公交线路也会相应调整，请市民留意公告。",
     "城东片区共有雨水管道三十八公里，其中近一半需要重新铺设，工期预计十四个月。",
     "片区内的两所中小学将在暑假期间集中施工，确保开学前恢复正常通行。"],
    ["据测算，改造完成后，老城区管网漏损率将从百分之十八下降到百分之九以下，每年节约自来水约六百万吨。",
     "住建局同时开通了意见征集热线，市民可以对施工时间和方式提出建议，工程指挥部将逐条回复。",
     "专家认为，管网改造是城市更新的基础工程，虽然短期内给出行带来不便，但长远看将明显提升城市韧性。",
     "工程总投资约二十六亿元，其中中央补助资金四亿元，其余由市区两级财政和企业共同承担。"],
]
EN_TITLE = "Inside the long rebuild of the river bridge"
EN_PARAGRAPHS = [
    ["Engineers closed the old river bridge on Monday morning, beginning a rebuild expected to last two full years.",
     "The county said temporary ferries would run every twenty minutes for people who cross the river to work.",
     "The bridge, built in 1931, carried twelve thousand cars a day before inspectors found cracks in two piers.",
     "State money covers most of the cost, and the county will borrow the rest over the next fifteen years."],
    ["On the second page of our report, residents describe how the closure changes their daily trips to school.",
     "Shop owners near the bridge fear fewer customers, while the council promises a fund for lost business.",
     "A bakery owner said her morning trade had already fallen by a third since the detour signs went up.",
     "The council will review the ferry timetable in June, after the first month of counts from the landings."],
]


def zh_page(base: str, article_id: int, page: int, pages: int, paragraphs: list[str] | None = None,
            single: bool = False) -> str:
    """Page ``page`` of a DedeCMS-style article ``/news/{article_id}.html`` of ``pages`` pages."""
    def href(n: int) -> str:
        return f"/news/{article_id}.html" if n == 1 else f"/news/{article_id}_{n}.html"

    paras = paragraphs if paragraphs is not None else ZH_PARAGRAPHS[(page - 1) % len(ZH_PARAGRAPHS)]
    if paragraphs is None and page > len(ZH_PARAGRAPHS):
        paras = [f"第{page}页：{p}" for p in paras]
    items = [f'<li><a href="{href(page - 1)}">上一页</a></li>' if page > 1 else ""]
    for n in range(1, pages + 1):
        items.append(f'<li class="thisclass"><a href="#">{n}</a></li>' if n == page
                     else f'<li><a href="{href(n)}">{n}</a></li>')
    items.append(f'<li><a href="{href(page + 1)}">下一页</a></li>' if page < pages else "")
    whole = f'<a href="/news/{article_id}_all.html">单页阅读</a>' if single else ""
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{ZH_TITLE}_测试新闻网</title>'
            f'<meta property="og:type" content="article"></head><body>'
            f'<div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a></div>'
            f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/news/">新闻</a> &gt; 正文</div>'
            f'<div class="article"><h1>{ZH_TITLE}</h1>'
            f'<div class="info">来源：测试新闻网 作者：王强 发布时间：2025-04-02 10:15</div>'
            f'<div class="content">{body}</div>'
            f'<div class="dede_pages"><ul class="pagelist">{"".join(items)}</ul></div>{whole}</div>'
            f'<div class="comments"><a href="/plus/feedback.php?aid={article_id}&page=2">2</a></div>'
            f'<div class="footer">版权所有 © 2025 测试新闻网</div></body></html>')


def zh_single(base: str, article_id: int, pages: int) -> str:
    """The whole article on one page (what 单页阅读 links to)."""
    paras = [p for n in range(pages) for p in ZH_PARAGRAPHS[n % len(ZH_PARAGRAPHS)]]
    return zh_page(base, article_id, 1, 1, paras)


def en_page(base: str, page: int, pages: int = 2, path: str = "/2025/04/river-bridge-rebuild") -> str:
    """Page ``page`` of an English article paged by ``?page=N`` with rel=next/prev in the head."""
    def href(n: int) -> str:
        return path if n == 1 else f"{path}?page={n}"

    head = (f'<link rel="canonical" href="__BASE__{href(page)}">'
            + (f'<link rel="next" href="__BASE__{href(page + 1)}">' if page < pages else "")
            + (f'<link rel="prev" href="__BASE__{href(page - 1)}">' if page > 1 else ""))
    pager = " ".join(f'<a href="{href(n)}">{n}</a>' if n != page else f"<span>{n}</span>"
                     for n in range(1, pages + 1))
    nxt = f' <a href="{href(page + 1)}">Next page</a>' if page < pages else ""
    body = "".join(f"<p>{p}</p>" for p in EN_PARAGRAPHS[page - 1])
    return (f'<html lang="en"><head><title>{EN_TITLE} | Test Times</title>{head}'
            f'<meta property="og:type" content="article">'
            f'<meta property="article:published_time" content="2025-04-03T08:00:00+00:00"></head><body>'
            f'<header><a href="/">Home</a></header><article><h1>{EN_TITLE}</h1><p class="byline">By Ann Writer</p>'
            f'{body}<nav class="article-pages">Page {page} of {pages}: {pager}{nxt}</nav></article>'
            f'<footer>© Test Times</footer></body></html>')


WP_POSTS = {
    "/2025/05/01/first-post/": ("Council opens the new library branch downtown", [
        "The new library branch opened its doors on Saturday with a reading hour for children and a small concert.",
        "Librarians said more than four hundred people signed up for cards on the first day alone, a record.",
        "The branch has a study room open until midnight, a maker space with two printers and a small cafe.",
        "The council paid for the building with a bond that voters approved three years ago by a wide margin."]),
    "/2025/05/02/second-post/": ("Harbour festival returns after a three year break", [
        "The harbour festival returns this weekend with boat tours, food stalls and fireworks over the water.",
        "Organisers expect thirty thousand visitors and ask people to take the train because parking is scarce.",
        "The festival was cancelled three years running, first by the pandemic and then by repairs to the quay.",
        "Local rowing clubs will race on Sunday afternoon, and the lifeboat crew will show their new vessel."]),
}


def wp_post(path: str, next_path: str | None) -> str:
    """A WordPress-style post: rel=next in the head and .nav-next under the text name the NEXT POST."""
    title, paras = WP_POSTS[path]
    head = f'<link rel="next" href="__BASE__{next_path}">' if next_path else ""
    nav = (f'<nav class="post-navigation"><div class="nav-next"><a href="{next_path}" rel="next">Next</a></div></nav>'
           if next_path else "")
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f'<html lang="en"><head><title>{title}</title>{head}<meta property="og:type" content="article">'
            f'<meta property="article:published_time" content="2025-05-01T08:00:00+00:00"></head>'
            f'<body class="single single-post"><article><h1>{title}</h1>{body}</article>{nav}'
            f'<div id="comments" class="comments-area"><div class="comment-navigation">'
            f'<a href="{path}comment-page-2/#comments">Next</a> <a href="{path}?cpage=2">2</a></div></div>'
            f'</body></html>')


def listing_page(page: int, pages: int, links: list[str]) -> str:
    """A section listing paged as ``list_N.html`` (not an article)."""
    def href(n: int) -> str:
        return "/news/list.html" if n == 1 else f"/news/list_{n}.html"

    items = "".join(f'<li><a href="{h}">新闻标题链接 {h}</a> <span>2025-04-02</span></li>' for h in links)
    pager = " ".join(f'<a href="{href(n)}">{n}</a>' for n in range(1, pages + 1))
    nxt = f'<a href="{href(page + 1)}">下一页</a>' if page < pages else ""
    return (f'<html><head><meta charset="utf-8"><title>新闻列表</title></head><body><ul class="list">{items}</ul>'
            f'<div class="pages">{pager} {nxt}</div></body></html>')
