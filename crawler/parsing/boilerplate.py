"""Patterns that tell boilerplate from article text, shared by the body extractor.

Two kinds of evidence, both general (no site names):

* class/id words of containers (``share``, ``related``, ``comment``...) that mark page
  furniture, and words that mark the article itself (``article``, ``content``...);
* labelled lines at the body's edges: editor lines (责任编辑), disclaimers (免责声明,
  特别声明), share/subscribe prompts, "Advertisement" markers, copyright lines.
"""

from __future__ import annotations

import re

from crawler.parsing.tree import AnyWord

#: furniture that never wraps an article: comments, share bars, related lists, menus.
_STRONG_PART = re.compile(
    r"comments?|commentlist|commentbox|commentary-?list|replies|respond|disqus|"
    r"share\w*|sharing|sharer|social\w*|related\w*|recommend\w*|tuijian|xgyd|xgwz|xgxw|"
    r"newsletter\w*|subscribe\w*|subscription|footer\w*|breadcrumbs?|crumbs?|navbar|nav|"
    r"navigation|menu|cookie\w*|gdpr|consent|pinglun|outbrain|taboola|references|bibliography|"
    r"\w+(?:share|sharing|comments?|related|footer|newsletter|breadcrumbs?|social)",
    re.I,
)
#: words that usually mean furniture but also name wrappers (``sticky-sidebar``).
_WEAK_PART = re.compile(
    r"reply|signup|promo\w*|advert\w*|ads?|adv|adunit|adslot|dfp|gpt|sponsor\w*|"
    r"sidebar\w*|widget\w*|foot|pagination|pager|popup|modal|masthead|toolbar|tools|print|"
    r"skip|hidden|hide|authorbio|bio|byline|dateline|meta|tags?|taglist|keywords|categories|"
    r"zrbj|statement|disclaimer|copyright|prev|next|prevnext|readmore|alsoread|seealso|rss|"
    r"shoutbox|banner|login|signin|\w+sidebar|summary|abstract|excerpt|digest|zhaiyao|"
    r"cta|credits?|"
    r"daodu|info|infos|source|laiyuan|time|date|pubtime|author|autor|auteur|autore|share\w*|avatar",
    re.I,
)
_POSITIVE_PART = re.compile(
    r"article|body|content|entry|main|post|story|text|detail|zhengwen|prose|markdown|"
    r"hentry|richtext",
    re.I,
)
#: whole class/id tokens (separators dropped) that name a box beside the article: author bio
#: boxes, donation and membership appeals, consent banners, imprint and liability text.
#: Matched on the token with ``-``/``_`` removed, since the words alone (``author``, ``box``)
#: say little.
_FURNITURE_TOKEN = re.compile(
    r"(?:about)?(?:the)?(?:author|autor|writer)(?:bio\w*|box|card|profile|description|details|about)|"
    r"bio(?:box|card|graphy)|donat\w*|spende\w*|supportus|"
    r"consent\w*|cookie\w*|gdpr\w*|imprint|impressum|disclaimer\w*|haftung\w*|"
    r"newsletter\w*|optin\w*|signupform|subscribebox|(?:whatsapp|telegram)\w*",
    re.I,
)
_SPLIT = re.compile(r"[^a-zA-Z0-9]+|(?<=[a-z])(?=[A-Z])")
_weights: dict[str, int] = {}


def _token_weight(token: str) -> int:
    parts = [p for p in _SPLIT.split(token) if p]
    if not parts:
        return 0
    if _FURNITURE_TOKEN.fullmatch("".join(parts)):
        return -2
    if any(_STRONG_PART.fullmatch(p) for p in parts):
        return -2
    head = parts[-1]
    if _WEAK_PART.fullmatch(head):
        return -1
    if _POSITIVE_PART.search(head):
        return 1
    if any(_WEAK_PART.fullmatch(p) for p in parts):
        return -1
    if any(_POSITIVE_PART.search(p) for p in parts):
        return 1
    return 0


def attr_weight(attrs: str) -> int:
    """Weight of an element from its class+id words.

    -2: furniture that never wraps an article (comments, share bars, related lists,
    menus; 0 when an article word sits beside it); -1: probably furniture
    (``post-meta``, ``sidebar``, ``ad``); +1: the article
    container (``entry-content``); 0: nothing known. Each class/id token is cut into
    words at ``-``, ``_`` and camelCase humps; a weak word or an article word in the
    last place names the token (``ad_body`` is a body, ``post-meta`` is meta).
    """
    cached = _weights.get(attrs)
    if cached is not None:
        return cached
    found = {_token_weight(t) for t in attrs.split()}
    if -2 in found:
        weight = 0 if 1 in found else -2  # "article ... url-breadcrumb": ambiguous
    else:
        weight = 1 if 1 in found else -1 if -1 in found else 0
    if len(_weights) < 50_000:
        _weights[attrs] = weight
    return weight


#: image galleries and slideshows: their captions repeat and their chrome ("1 of 9") is noise.
GALLERY_ATTR = re.compile(r"gallery|slideshow|carousel|lightbox|swiper|slider", re.I)

#: words that mark a container as hidden even though no style says so.
HIDDEN_CLASS = re.compile(
    r"(?:^|\s)(?:hidden|hide|invisible|d-none|sr-only|visually-hidden|screen-reader-text|"
    r"visuallyhidden|offscreen|is-hidden|u-hidden)(?=$|\s)",
    re.I,
)
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

#: a block at the body's end starting with one of these ends the article: it and
#: everything after it is dropped. These labels never start article prose (an editor
#: line, a disclaimer, a copyright notice, a tag list, a wire service's credit line).
END_MARKER = re.compile(
    r"^[\s(（\[【]*(?:"
    r"责任编辑|責任編輯|责编|責編|本文编辑|值班编辑|"
    r"(?:编辑|編輯|审核|審核|校对|校對|审校|监制|監製|终审|初审|复审)\s*[:：|｜/]|"
    r"(?:编辑|編輯|校对|审校)\s+\S{2,4}(?:\s+\S{1,4}){0,5}\s*[)）】\]]?$|"
    r"相关资讯|相關資訊|更多精彩|更多资讯|"
    r"免责声明|免責聲明|特别声明|特別聲明|版权声明|版權聲明|声明\s*[:：]|聲明\s*[:：]|"
    r"版权所有|版權所有|未经授权|未經授權|本文仅代表|本文僅代表|"
    r"相关阅读|相關閱讀|相关文章|相關文章|相关新闻|推荐阅读|延伸阅读|热门推荐|"
    r"(?:标签|標籤|关键词|關鍵詞|关键字|關鍵字|tags?|filed under|topics|themen|schlagw(?:o|ö)rte|temas|etiquetas|"
    r"sujets|argomenti|tagi|emneord)\s*(?:[:：]|$)|"
    r"扫描二维码|扫码关注|关注我们|分享到|点击进入专题|"
    r"copyright\b|©|\(c\)\s*\d{4}|all rights reserved|"
    r"haftungsausschluss|haftungsbeschränkung|disclaimer\s*:|impressum\b|quellenangaben|bildnachweis|"
    r"bildquellen?\s*:|fotonachweis|"
    r"unless otherwise (?:stated|noted)|(?:this|the) (?:work|content|article|text)[^.]{0,40} is licensed under|"
    r"(?:dieser|der) (?:text|artikel|beitrag|inhalt)[^.]{0,40}\blizenz|(?:cet|ce) (?:article|texte|contenu)[^.]{0,40}"
    r"\blicence\b|(?:este|el) (?:artículo|texto|contenido)[^.]{0,40}\blicencia\b|"
    r"suggested citation|zitiervorschlag|cite this (?:article|post)|how to cite\b|"
    r"(?:hier )?können sie (?:den|diesen) (?:artikel|beitrag) bewerten|rate this (?:article|post)|"
    r"bei fragen und anregungen|advertising disclosure|affiliate disclosure|"
    r"[^.!?]{2,60}\b(?:is|are) not responsible for (?:the )?(?:opinions|views|content|comments)\b|"
    r"(?:dieser|der) (?:beitrag|artikel|text) gibt (?:die|ausschließlich die) meinung|"
    r"(?-i:(?:[A-ZÀ-Þ][\w'’.-]+\s){1,3})(?:is|ist|est|es|è|är|er)\s+(?:[\w-]+\s+){0,4}"
    r"(?:journalist\w*|reporter\w*|writer|author|autor\w*|editor\w*|redakteur\w*|correspondent|korrespondent\w*|"
    r"columnist|kolumnist\w*|founder|gründer\w*|periodista|escritor\w*|freelance\w*|head of)\b|"
    r"(?:about the author|über den autor|zum autor|autor(?:in|en)?|authors?|autor(?:e|es|a)|auteur)\s*[:：]?\s*$|"
    r"(?:autor(?:in|en)?|authors?|autor(?:e|es|a)|auteur|autore)\s*[:：]\s*"
    r"(?-i:[A-ZÀ-Þ][\w'’.-]+(?:\s+(?:[A-ZÀ-Þ][\w'’.-]+|de|da|van|von|del|la|le)){0,4})\s*$|"
    r"this entry was posted\b|(?:erstellt|veröffentlicht) am [^!?]{0,60}\babgelegt unter|erschienen in\s*$|"
    r"(?:additional |editing |writing )?reporting by\b|(?:writing|editing) by\b|"
    r"[^.!?。]{3,120}\bcontributed (?:to this (?:report|story|article)|reporting)\b|"
    r"this (?:article|story) (?:was|has been) (?:updated|corrected)\s*[:.]?\s*$"
    r")",
    re.I,
)

#: promotional end matter ("Related stories", "Subscribe to ...", "Follow us on ..."): it
#: ends the article too, unless article prose follows it, which makes it an inline promo
#: box (a mid-article newsletter inset): then only the line itself goes.
SOFT_END_MARKER = re.compile(
    r"^[\s(（\[【]*(?:"
    r"related (?:articles|stories|posts|coverage|content|reading|news)\b|related\s*:|see also\s*:|"
    r"(?:you may|you might) also like|more (?:from|on) |read more\s*:|"
    r"(?:most )?popular (?:on|in|at) |most (?:popular|read|viewed)\b|trending (?:now|on)\b|"
    r"share this\b|share on\b|be sociable,? share\b|follow us\b|sign up (?:for\b|:)|subscribe to\b|"
    r"follow (?:@\w+|[\w.'’ -]{1,40}) on (?:facebook|twitter|instagram|youtube|linkedin|tiktok)\b|"
    r"follow [^.]{1,60} at https?://|"
    r"(?:下载|打开)[^，。]{0,10}(?:客户端|app)|"
    r"(?:weitere|ähnliche|verwandte) (?:artikel|beiträge|themen|nachrichten)\b|"
    r"(?:das|dieses) (?:thema )?könnte (?:dich|sie|euch) (?:auch )?interessieren|lesen sie (?:auch|mehr)\b|"
    r"(?:temas|noticias|artículos|notas) relacionad[oa]s|(?:también )?te puede interesar|"
    r"sur le même (?:sujet|thème)|articles? (?:similaires|liés)|articoli correlati|notícias relacionadas|"
    r"(?:unterstütze|unterstützen sie|support) (?:uns|us|our)\b|(?:jetzt )?spenden\b|donate\b|"
    r"never miss\b|stay (?:up[- ]to[- ]date|informed|in the loop)\b|"
    r"(?:melde dich|melden sie sich|abonniere|abonnieren sie)\b[^.]{0,60}newsletter|"
    r"suscríbete|suscribite|abonnez-vous|zapraszamy (?:też |także )?do subskrypcji|"
    r"tú también puedes|"
    r"entdecke(?:n sie)? (?:jetzt|weitere|mehr)\b|"
    r"subscribe now\b|join our (?:free )?[\w ]{0,30}newsletter|if you (?:enjoyed|liked|like|enjoy)\b|"
    r"unterstütze(?:n sie)?\b|gefällt (?:dir|ihnen|euch) (?:unser|dieser|der|das)\b|"
    r"(?:for the latest [^.]{0,60})?download (?:the|our) [\w ]{0,30}apps?\b|"
    r"(?:hat|haben) (?:ihnen|dir|euch) (?:dieser|der|unser) (?:artikel|beitrag|text) gefallen|"
    r"(?:did you )?(?:like|enjoy|love)d? (?:this|our) (?:article|story|post|journalism)\b|"
    r"更多[^，。]{0,8}(?:请|请关注|敬请)|"
    r"[^.!?]{5,100}\?\s*(?:sign up|subscribe|register|jetzt anmelden|melde dich an|suscríbete)"
    r"(?: here| now| hier| aquí)?[.!]?$|"
    r"[^.!?]{0,160}\b(?:facebook|twitter|instagram)\b[^.!?]{0,100}\bnewsletter\b[^.!?]{0,40}[.!]?$"
    r")",
    re.I,
)

#: a short paragraph that advertises another article ("READ MORE: ...", "Also on
#: example.com ...", "Leggi anche: ...", "Related: ..."): dropped wherever it stands.
PROMO_LINE = re.compile(
    r"^[\s(\[【]*(?:"
    r"(?:(?:read|see|watch|listen|more|also)(?: more| also| next)?|related(?: \w+){0,2}|"
    r"recommended|suggested|don'?t miss|must read|trending|featured|click here|"
    r"lire aussi|à lire aussi|voir aussi|leia também|leia mais|veja também|lesen sie auch|"
    r"mehr zum thema|leggi anche(?: su)?|lee también|ver también|czytaj też|"
    r"lea(?: también| además| más)?|vea(?: también| además| más)?|mira(?: también)?|lee más|"
    r"les også|les mer|læs også|læs mere|läs också|läs mer|lue myös|lees ook|lees meer|lest auch|lies auch|"
    r"te puede interesar|también te puede interesar|"
    r"lesen sie (?:mehr|hier|weiter)|zum weiterlesen|weiterlesen|auch interessant|siehe auch|"
    r"à lire (?:également|aussi)|lire (?:également|la suite)|czytaj (?:także|również|więcej)|zobacz (?:też|także)|"
    r"相关阅读|相关链接|延伸阅读|推荐阅读|阅读更多|猜你喜欢|点击阅读|原文链接)\s*[:：»>|]|"
    r"also on [\w-]+(?:\.[\w-]+)+\b|more [\w ]{1,30}:\s*https?://|"
    r"(?:click|tap) here (?:to|for) (?:get|download|read|see|subscribe|sign up|watch|listen)"
    r"[^.]{0,30}\b(?:app|newsletter|podcast|alerts?|coverage)\b"
    r")",
    re.I,
)

#: a short line that asks the reader to sign up for a newsletter, in any of several
#: languages ("Never miss the latest news by signing up to our newsletter today!", "Melde
#: dich für unseren Newsletter an", "Inscrivez-vous à notre newsletter", "Suscríbete a
#: nuestro boletín"): a signup box's text, wherever it stands in the article.
#: a word every NEWSLETTER_LINE match holds, one for each alternative of its lookahead (kept
#: beside it: body.trim tries the pattern only on a line holding one of them)
NEWSLETTER_WORDS = ("newsletter", "boletín", "boletin", "infolettre", "nieuwsbrief")
NEWSLETTER_LINE = re.compile(
    r"(?=.{0,160}\b(?:newsletters?|boletín|bolet[ií]n informativo|infolettre|nieuwsbrief)\b)"
    r".{0,160}\b(?:sign(?:ing)? up|subscrib\w*|register|join|abonn\w*|anmeld\w*|melde\w* (?:dich|sie|euch)|"
    r"bestell\w*|inscri\w*|suscr[ií]b\w*|iscriviti|aanmelden|receive|get)\b",
    re.I,
)

#: a line that is nothing but a picture credit ("Image copyright EPA", "Photo: Getty
#: Images", "Jane Doe/Reuters", "(AP Photo/John Smith)"): credits repeat metadata and
#: carry no article text. Real captions that end in a credit stay (the credit is cut).
_AGENCY = (
    r"getty(?: images)?|ap(?: photo)?|associated press|reuters|afp|epa(?:-efe)?|efe|"
    r"shutterstock|istock(?:photo)?|alamy|bloomberg|pa(?: wire| images)?|rex|xinhua|"
    r"zuma(?: press)?|sipa|anadolu|dpa|ansa|nurphoto|corbis|wikimedia(?: commons)?|"
    r"unsplash|pexels|flickr|thinkstock|istock\.com|imago(?: images)?|picture alliance|"
    r"新华社|视觉中国|东方ic|图虫|中新社|ic photo"
)
CREDIT_LINE = re.compile(
    r"^[\s(\[]*(?:"
    r"(?:image|photo|picture|photograph|pic|foto|illustration)s?\s*"
    r"(?:copyright|credit|courtesy|source|by|:)[^.!?]{0,80}|"
    r"(?:cr[ée]dits? photos?|cr[ée]dito|fotos?|bildquelle|titelbild)\s*:[^.!?]{0,80}|"
    r"©\s*(?![\d\s]*(?:19|20)\d\d)[^!?©]{1,60}/[^!?©]{1,80}|"
    r"(?:credits?\s*:|courtesy of\b)\s*[^.!?]{1,80}|"
    r"(?-i:(?:[A-Z][\w.'’-]* ){0,4}[A-Z][\w.'’-]*\s*[/|]\s*(?:[A-Z][\w.'’-]* ?){1,5}"
    r"(?:\s*[/|]\s*(?:[A-Z][\w.'’-]* ?){1,5}){0,2})|"
    r"(?:" + _AGENCY + r")(?:\s+(?:images|photos?|file|via \S+))?|"
    r"(?:图片来源|图片提供|图片|照片|图源|摄影|图|摄)\s*[:：/|｜]\s*\S{1,30}"
    r")[\s)\]]*$",
    re.I,
)
_AGENCY_WORD = re.compile(r"\b(?:" + _AGENCY + r")\b|图|摄|©|copyright|credit|photo|image", re.I)

#: a credit at the end of a real caption: "(Image: GETTY)", "(AP Photo/Jane Doe)",
#: "Photograph by X/AFP/Getty Images", "REUTERS/Jane Doe".
TRAILING_CREDIT = re.compile(
    r"\s*(?:[(\[](?:image|photo|picture|credit|pic|foto|illustration|source)s?\b[^()\[\]]{0,80}[)\]]|"
    r"[(\[](?:" + _AGENCY + r")\b[^()\[\]]{0,60}[)\]]|"
    r"(?<=[.!?”\"])\s*(?:(?:photo|photograph|image|picture)(?:graph)?\s+(?:by|courtesy of)\s+)?"
    r"[\w.'’ -]{0,40}(?:/|\bvia\s)\s*(?:[\w.'’ -]{1,30}/){0,3}\s*(?:" + _AGENCY + r")(?:\s+(?:images|photos?|file))?|"
    r"(?<=[.!?”\"])\s*(?:" + _AGENCY + r")\s*/\s*[\w.'’ -]{1,40}|"
    r"(?<=[.!?”\"])\s*(?:" + _AGENCY + r")(?:\s+(?:images|photos?|file))?)\s*$",
    re.I,
)

#: a picture's caption written as a paragraph: a figure label ("Abbildung: ...", "Fig. 2:"),
#: or a short line ending in a bracketed or ©-marked picture credit ("... (Jane Doe / iStock.com)").
CAPTION_LINE = re.compile(
    r"^(?:abbildung|abb\.|figure|fig\.|grafik|schaubild)\s*\d*\s*[:.]\s|"
    r"(?:[(\[][^()\[\]]{0,60}(?:/|\|)\s*(?:" + _AGENCY + r")[^()\[\]]{0,20}[)\]]|"
    r"\|?\s*©\s*[^.!?]{1,60}(?:/\s*(?:" + _AGENCY + r"))[^.!?]{0,20})\s*$",
    re.I,
)

#: caption labels some CMSs print before the caption text for screen readers.
CAPTION_LABEL = re.compile(r"^(?:image|media|video|photo) caption\s*", re.I)

#: short lines dropped wherever they are (ad markers, share prompts, "continue reading").
#: Two kinds of alternatives: whole lines (``_JUNK_WORDS``) and lines holding a phrase
#: (``_JUNK_PHRASES``: app and channel prompts, privacy and unsubscribe notes), each of the
#: latter scanned from every offset of the line; ``is_junk_line`` tries those only on a line
#: holding one of their words (``_JUNK_PHRASE_WORDS``).
_JUNK_WORDS = (
    r"advertisement|advertisements|advert|ad|ads|sponsored|comments?|leave a (?:comment|reply)|"
    r"[-–—\s]*(?:anzeige|werbung|publicidad|publicité|pubblicità|reklama|annonse|annons)[-–—\s]*|"
    r"(?-i:ANZEIGE|WERBUNG|ADVERTISEMENT|PUBLICIDAD|PUBLICITÉ)\s*[-–—:|]\s*.{1,100}|"
    r"kommentieren sie|kommentare?|kontakt|contact|impressum|"
    r"this (?:slideshow|video|content) requires javascript|tell us what you think|"
    r"(?:you|you'?ve) (?:must|need to) (?:enable|have) javascript.{0,60}|sponsored content|story continues below|"
    r"article continues below(?: advertisement)?|continue reading(?: below| the main story)?|"
    r"scroll to continue(?: with content)?|skip advert|skip ad|"
    r"share|share this|share this article|share on facebook|share on twitter|tweet|email|print|"
    r"click to share|click here to|listen to this article|caption|close|open|expand|enlarge|"
    r"hide caption|show caption|toggle caption|view gallery|view slideshow|photos?|video|play|"
    r"bild anzeigen|bild vergrößern|zum vergrößern.{0,30}klicken|beitragsbild|titelbild|vorschaubild|"
    r"zum anhören|zum ansehen|video abspielen|audio abspielen|"
    r"(?:release date|erscheinungsdatum|fecha de publicación|date de publication)\s*[:：]?[^.!?]{0,30}|"
    r"(?:\d{1,2}\.\d{1,2}\.\d{2,4}\s*\|\s*)?\d{1,2}:\d{2}\s*(?:min|minuten|minutes)|"
    r"(?:published|updated|posted|last updated|veröffentlicht|aktualisiert|publiziert|stand|publicado|actualizado|"
    r"publié|mis à jour|pubblicato|aggiornato)(?: am| on| le| el| il| at)?\s*[:：]?\s*[^!?]{0,40}\d{1,2}[:.]\d\d"
    r"[^!?]{0,80}|"
    r"詳しくはこちら|続きを読む|もっと見る|記事に.{0,6}リアクション.{0,40}|"
    r"newsletter\s*[:：].{0,60}|"
    r"wir respektieren (?:deine|ihre) privatsphäre.{0,240}|we (?:respect|value) your privacy.{0,240}|"
    r"(?:sie sind|du bist) (?:aktuell |derzeit |noch )?nicht (?:eingeloggt|angemeldet).{0,80}|"
    r"you are not (?:logged|signed) in.{0,80}|"
    r"zurück|zurück zur (?:übersicht|listenansicht)|weiter|teilen|drucken|\(noch keine bewertungen\)|"
    r"previous|next|prev|back to top|don'?t miss|see more|read more|more|related|"
    r"subscribe|subscribe now|sign up|log ?in|register|just watched|must watch|"
    r"media playback is (?:unsupported|not supported) on your device|"
    r"(?:like|enjoy(?:ed)?|love) this (?:story|article|post)\?.{0,60}|"
    r"(?:reading time|read time|tempo de leitura|tiempo de lectura|temps de lecture|lesezeit|"
    r"阅读时间|阅读时长)\s*[:：]?\s*\d+.{0,20}|\d+\s*(?:min|mins|minutes?|分钟)\.?\s*(?:read|阅读|de leitura)|"
    r"\d+\s*(?:of|/)\s*\d+|"
    r"(?:photo|image|picture|photograph|illustration|credit|video|foto|фото|bild)s?\s*(?:by|:|credit:)[^.]{0,80}|"
    r"(?:titelbild|beitragsbild|bildquelle|abbildung|crédits? photos?|crédito|quelle)\s*:(?:[^.]|\.(?=\d)){0,80}|"
    r"广告|分享|分享到|打印|收藏|点赞|返回顶部|返回首页|关闭窗口|图集|相关新闻|相关阅读|\+\d+|"
    r"\[?(?:进入|点击)?专题\]?|字号[:：]?\s*[大中小\s]*"
)
_JUNK_PHRASES = (
    r".{0,160}\b(?:join us on|folge uns auf|síguenos en|suivez-nous sur) (?:whatsapp|telegram)\b.{0,40}|"
    r".{0,200}(?:read our|see our|lesen sie unsere|in unserer|consulta nuestra) "
    r"(?:privacy policy|datenschutzrichtlinie|datenschutzerklärung|política de privacidad)|"
    r".{0,160}(?:jederzeit wieder abmelden|unsubscribe at any time|(?:check out|opt out) at any time).{0,160}|"
    r".{0,120}(?:canal de (?:telegram|whatsapp|youtube)|(?:telegram|whatsapp|youtube)[- ](?:channel|kanal)).{0,120}|"
    r".{0,80}(?:下载地址|客户端.{0,12}下载|下载.{0,8}客户端|扫描.{0,8}二维码|扫码.{0,8}关注|"
    r"长按.{0,8}(?:二维码|识别)|关注.{0,10}公众号).{0,60}|"
    r".{0,60}【点击[^】]{1,8}】.{0,30}"
)
_JUNK_END = r")[\s:：.!]*$"
JUNK_LINE = re.compile(r"^(?:" + _JUNK_WORDS + "|" + _JUNK_PHRASES + _JUNK_END, re.I)
_JUNK_WORDS_LINE = re.compile(r"^(?:" + _JUNK_WORDS + _JUNK_END, re.I)
#: a word every one of ``_JUNK_PHRASES`` needs (tests/parsing check this on every line of the
#: dev sets): looked for as substrings (``AnyWord``), not as a regex tried at every offset
_JUNK_PHRASE_WORDS = AnyWord("whatsapp", "telegram", "youtube", "privacy", "datenschutz", "privacidad", "at any time",
                             "abmelden", "下载", "二维码", "关注", "识别", "【点击")


def is_junk_line(text: str) -> bool:
    """``JUNK_LINE.match(text)``, several times faster on a line with none of the phrase
    alternatives' words (2 us instead of 26 on a line of the bench site: the phrase
    alternatives backtrack over the whole line for each of their words)."""
    pattern = JUNK_LINE if _JUNK_PHRASE_WORDS.search(text) else _JUNK_WORDS_LINE
    return pattern.match(text) is not None


#: a first block that repeats metadata rather than article text (a summary written inline
#: after its label, "核心提示：…", counts: it restates the article, see SUMMARY_LABEL).
START_MARKER = re.compile(
    r"^[\s(（\[【]*(?:(?:本文)?(?:原标题|原標題|原题)|摘要|内容摘要|内容提要|導讀|导读|"
    r"核心提示|划重点|劃重點|本文要点|文章要点|要点提示|"
    r"当前位置|當前位置|您的位置|你的位置|您所在的位置|所在位置|现在位置|現在位置)\s*[:：】\]]", re.I,
)

#: the label of a summary box at the top of an article ("Key Points", "Highlights",
#: "划重点", "要点", "核心提示"): the list or box under it restates the article in short,
#: it is not the article's opening. Only a line that is nothing but the label matches.
SUMMARY_LABEL = re.compile(
    r"^[\s(（\[【]*(?:"
    r"key (?:points|takeaways|facts|highlights)|takeaways|highlights|story highlights|"
    r"at a glance|in brief|in short|the big picture|what you need to know|summary|tl;?dr|"
    r"划重点|劃重點|本文要点|文章要点|要点|要點|核心提示|内容提要|內容提要|内容摘要|摘要|导读|導讀|"
    r"看点|速览|速覽|要闻速览"
    r")[\s:：.】\])）]*$",
    re.I,
)

#: an element that holds a picture credit (``<span class="credit">`` inside a figcaption,
#: ``photo-credit``, ``image-copyright``): skipped like the credit lines above.
CREDIT_ATTR = re.compile(
    r"(?:^|[\s_-])(?:credits?|copyright|photo-?credit|image-?credit|photographer|"
    r"caption-?credit|media-?credit)(?:$|[\s_-])",
    re.I,
)

#: credit and source lines that stand at the body's first or last line: "【文/观察者网
#: 专栏作者 王文】", "澎湃新闻记者 段彦超 廖艳", "采写：南都见习记者 林子沛", "来源：网络",
#: "（实习生王金茹对此文亦有贡献）", "（原题为《…》）". Dropped only at the edges, where they
#: repeat the record's author/source fields; the same words mid-text are left alone.
EDGE_LINE = re.compile(
    r"^[\s【\[(（]*(?:"
    r"(?:文|文图|图文|采写|撰文|作者|记者|编译|整理|原创|口述|出品|策划)\s*[/|｜:：]\s*[^。！？]{1,40}|"
    r"[^\s。，！？]{0,12}(?:记者|通讯员|见习记者|特约记者|实习生|特派记者|作者)\s*"
    r"[\u4e00-\u9fff·]{2,4}(?:\s*[、，,\s]\s*[\u4e00-\u9fff·]{2,4}){0,4}|"
    r"(?:信息|图片|文章|内容|本文|稿件)?(?:来源|來源|出处|出處)(?:于|於|自)?\s*[:：]?\s*[^。！？]{1,24}|"
    r"[^。！？]{0,30}(?:对此文|对本文|對此文|對本文)?亦有贡献|"
    r"原题(?:为|為)?\s*[:：]?\s*《[^》]{1,80}》|"
    r"(?:本文)?(?:经过?|由)[^。！？，]{1,12}(?:重新)?(?:编排|整理|编译|排版)|"
    r"(?:source|sources|quelle|quellen|fuente|fuentes|fonte|źródło|kilde|källa|bron)\s*:\s*[^.!?]{1,60}"
    r")[\s】\])）。]*$",
    re.I,
)

#: a credit or source in brackets after the article's last sentence: "(文/图 刘玺东 易赛楠)",
#: "（记者 张三）", "（来源：XX日报）", or a bare issuing office "（德清县发改局）" as government
#: sites print it. Only after sentence-final punctuation, so a bracket inside a sentence stays.
TRAILING_ATTRIBUTION = re.compile(
    r"(?<=[。！？!?.”」])\s*[（(]\s*(?:"
    r"(?:文|图|文/图|图/文|文图|图文|记者|通讯员|作者|撰稿|撰文|摄影|摄|编辑|来源|稿源|供稿|来稿)"
    r"\s*[/／|｜:：]?\s*[^（）()。]{1,30}|"
    r"[\u4e00-\u9fff]{2,14}(?:局|委|办|厅|部|处|站|所|中心|院|馆|社|报|网|台|政府|公司|集团|协会|学会)"
    r")\s*[）)]\s*$"
)

#: a "back to the home page" link glued to the last paragraph ("…将持续。返回腾讯网首页>>").
TRAILING_JUNK = re.compile(r"\s*(?:返回|回到)[^。！？\s]{0,12}首页\s*(?:>>|»|＞＞|>|》)?\s*$")

#: a line that is only a date (teaser lists print one under each headline).
DATE_LINE = re.compile(
    r"^\s*(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|"
    r"\d{1,2}\.\s?\d{1,2}\.\s?\d{4}|"
    r"(?:[^\W\d]{2,12},?\s+)?\d{1,2}\.?\s+(?:de\s+)?[^\W\d]{3,12}\.?,?\s+(?:de\s+)?\d{4}|"
    r"(?:[^\W\d]{2,12},?\s+)?[^\W\d]{3,12}\.?\s+\d{1,2},?\s+\d{4})"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*$"
)
_ANY_DIGIT = re.compile(r"\d")


def is_date_line(text: str) -> bool:
    """``DATE_LINE.match(text)``: every form of it holds a digit, looked for first (a plain scan
    of the line, where the pattern tries its word-shaped alternatives at its start)."""
    return _ANY_DIGIT.search(text) is not None and DATE_LINE.match(text) is not None


def _is_date_line_plain(text: str) -> bool:
    """The readable form; is_date_line must equal it, see tests/perf/test_parse_speed_equivalence.py."""
    return DATE_LINE.match(text) is not None

#: a label line that heads a list of links to other articles ("相关新闻：", "Related
#: stories"); the linked lines right under it go with it, wherever it stands.
RELATED_LABEL = re.compile(
    r"^[\s【\[]*(?:相关新闻|相關新聞|相关阅读|相關閱讀|相关链接|相關鏈接|相关报道|相關報導|相关文章|延伸阅读|推荐阅读|"
    r"热点推荐|往期回顾|往期推荐|related(?: \w+)?|see also|more on this(?: story| topic)?|further reading|"
    r"read more|recommended(?: reading)?|weitere (?:artikel|beiträge|themen|nachrichten)|"
    r"lest auch|lies auch|mehr zum thema(?: [\w-]+){0,3}|les også|læs også|läs också|lees ook|lue myös|"
    r"weitere informationen|more information|más información|plus d'informations|"
    r"inhaltsverzeichnis|inhalt|table of contents|contents|índice|sommaire|indice|spis treści|"
    r"(?:das|dieses) (?:thema )?könnte (?:dich|sie|euch) (?:auch )?interessieren|lesen sie auch|"
    r"(?:temas|noticias|artículos|notas) relacionad[oa]s|(?:también )?te puede interesar|"
    r"sur le même (?:sujet|thème)|articoli correlati|notícias relacionadas|zobacz (?:też|także)|"
    r"you (?:may|might) also like|more stories)[\s:：】\]]*$",
    re.I,
)
