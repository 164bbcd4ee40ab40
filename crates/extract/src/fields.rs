//! Filling every Article field from the metadata and the visible page, each
//! with the evidence it came from.
//!
//! Order of trust per field: structured data the publisher wrote for
//! machines (JSON-LD, OpenGraph, meta) first, then markup conventions
//! (`<time>`, `rel=author`, class names), then patterns in the visible text.
//! The headline is the exception: readers see the `<h1>`, so a visible
//! heading that agrees with the metadata title wins over the metadata's
//! spelling of it.

use newsdesk_html::{Document, NodeId, NodeKind, Tag};
use newsdesk_model::{Article, DiagnosticCode, EvidenceSource, Image};
use serde_json::Value;

use crate::body::{self, BodyHints};
use crate::byline;
use crate::meta::{self, value_text, PageMeta};
use crate::text::{contains_words, ends_with_words, same_words, squash, starts_with_words, words};
use crate::Options;

/// Fills `a` from `doc`.
pub fn fill(doc: &Document, opts: &Options, a: &mut Article) {
    let m = meta::collect(doc);
    if m.ld_errors > 0 {
        a.diagnose(DiagnosticCode::BadStructuredData, format!("{} JSON-LD block(s) did not parse", m.ld_errors));
    }
    headline(doc, &m, a);
    let mut res = body::extract(doc, &body_hints(doc, &m, a));
    if res.second_method {
        a.note(
            "body",
            EvidenceSource::TextHeuristic,
            "the element whose own paragraphs hold the most running text (the first method found much less)",
        );
    }
    site_fields(&m, a);
    visible_headline(doc, res.container, a);
    // The headline may have changed to its visible spelling: its element is
    // looked up once more, for the standfirst and the byline under it.
    let headline_at = headline_node(doc, a.headline.as_deref());
    standfirst(doc, &m, res.container, headline_at, a);
    summary(doc, res.container, a);
    let mut paragraphs = res.paragraphs;
    // The standfirst and summary are printed apart from the body.
    // A dek named as such is printed apart from the body. A paragraph that
    // merely equals the description stays: pages often print their lede
    // there, and readers take it as the article's first paragraph.
    let named_dek = a.evidence.get("standfirst").is_some_and(|e| e.source == EvidenceSource::TextHeuristic);
    if let (Some(s), true) = (&a.standfirst, named_dek) {
        if let Some(i) = paragraphs.iter().take(3).position(|p| same_words(p, s)) {
            // A short report printed whole as its own teaser keeps its text:
            // without that paragraph there would be no article left.
            let rest: usize = paragraphs.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, p)| p.len()).sum();
            if rest >= MIN_ARTICLE_CHARS {
                paragraphs.remove(i);
            }
        }
    }
    if !a.summary.is_empty() {
        let label = a.evidence.get("summary").and_then(|e| e.detail.clone()).unwrap_or_default();
        paragraphs.retain(|p| !a.summary.iter().any(|s| same_words(s, p)) && !same_words(p, &label));
        res.headings.retain(|h| !same_words(h, &label));
    }
    let from_ld = ld_body_paragraphs(&m, &paragraphs);
    let body_from_ld = from_ld.is_some();
    if let Some(ld) = from_ld {
        paragraphs = ld;
        a.note("body", EvidenceSource::JsonLd, "articleBody: the page showed much less of the text");
    }
    authors(doc, &m, headline_at, a);
    if let Some(first) = paragraphs.first_mut() {
        if let Some((place, agency, cut)) = byline::dateline(first) {
            if let Some(place) = place {
                a.dateline = Some(place.clone());
                a.note("dateline", EvidenceSource::Byline, first.get(..cut).unwrap_or("").trim().to_string());
                *first = first.get(cut..).unwrap_or("").trim_start().to_string();
            }
            if let Some(ag) = agency {
                if a.credit.is_none() {
                    a.credit = Some(ag.to_string());
                    a.note("credit", EvidenceSource::Byline, "dateline");
                }
            }
        }
    }
    paragraphs.retain(|p| !p.is_empty());
    a.headings = res.headings;
    a.body = paragraphs.join("\n\n");
    crate::dating::fill(doc, &m, opts, a);
    language(&m, a);
    images(doc, &m, res.container, opts, a);
    let paragraphs = a.paragraphs().count();
    let words = a.word_count();
    let verdict = if a.body.chars().count() < MIN_ARTICLE_CHARS || (res.page_good_chars < 120 && !body_from_ld) {
        Some("no block of running text long enough to be an article was found")
    } else if body::looks_like_teasers(res.teaser_paragraphs, paragraphs) {
        Some("the page is a list of linked teasers (a section front), not an article")
    } else if res.password_form && words < 120 {
        Some("the page is a sign-in form, not an article")
    } else {
        None
    };
    if let Some(why) = verdict {
        a.diagnose(DiagnosticCode::NoArticle, why);
        a.body.clear();
        a.headings.clear();
    }
}

/// The article text the publisher put in JSON-LD `articleBody`, as
/// paragraphs, when it holds far more words than the page's extracted text
/// (bodies split over containers, or loaded by script): agreement with the
/// publisher's own copy is the better-supported result. Text with markup in
/// it is not used (some sites put the HTML there).
fn ld_body_paragraphs(m: &PageMeta, paragraphs: &[String]) -> Option<Vec<String>> {
    let ld = m.ld_str("articleBody")?;
    if ld.contains('<') && ld.contains('>') {
        return None;
    }
    let ld_words = words(&ld).count();
    let have: usize = paragraphs.iter().map(|p| words(p).count()).sum();
    if ld_words < 150 || ld_words * 10 < have * 16 {
        return None;
    }
    let out: Vec<String> = ld.split('\n').map(squash).filter(|p| !p.is_empty()).collect();
    (!out.is_empty()).then_some(out)
}

/// The shortest body (characters) that is an article rather than a label
/// or a teaser.
const MIN_ARTICLE_CHARS: usize = 150;

/// What the metadata tells body extraction.
pub fn body_hints<'a>(doc: &Document, m: &PageMeta, a: &'a Article) -> BodyHints<'a> {
    let ld_body = m.ld_str("articleBody").filter(|b| b.len() > 200).map(|b| body::normalise_ld_body(&b));
    BodyHints { headline: a.headline.as_deref(), ld_body, headline_node: headline_node(doc, a.headline.as_deref()) }
}

/// The first `h1`–`h3` whose text is the headline.
fn headline_node(doc: &Document, headline: Option<&str>) -> Option<NodeId> {
    let h = headline?;
    doc.ids().find(|&id| {
        doc.tag(id).is_some_and(|t| matches!(t, Tag::H1 | Tag::H2 | Tag::H3))
            && same_words(&squash(&doc.text_content(id)), h)
    })
}

/// Sets the headline.
pub fn headline(doc: &Document, m: &PageMeta, a: &mut Article) {
    let ld = m.ld_str("headline").or_else(|| m.ld_str("name")).map(|s| squash(&s));
    let og = m.meta(&["og:title", "twitter:title"]).map(|(k, v)| (k.to_string(), squash(v)));
    let title = m.title.clone();
    let candidates: Vec<&str> = [ld.as_deref(), og.as_ref().map(|x| x.1.as_str()), title.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    // A visible h1 that matches the metadata is what readers see.
    for h in doc.elements(Tag::H1) {
        let t = squash(&doc.text_content(h));
        if t.is_empty() || t.len() > 400 {
            continue;
        }
        // Inside the title but not at its end, where the site name goes
        // ("Opinion | Dam opens" yes, "Dam opens | Valley Post" no).
        let inside = |c: &str| words(&t).count() >= 3 && contains_words(c, &t) && !ends_with_words(c, &t);
        if m.meta(&["og:site_name", "application-name"]).is_some_and(|(_, s)| same_words(s, &t)) {
            continue;
        }
        if candidates.iter().any(|c| same_words(c, &t) || starts_with_words(c, &t) || starts_with_words(&t, c) || inside(c)) {
            a.headline = Some(t);
            a.note("headline", EvidenceSource::Markup, "h1");
            return;
        }
    }
    if let Some(h) = ld {
        a.headline = Some(h);
        a.note("headline", EvidenceSource::JsonLd, "headline");
    } else if let Some((k, v)) = og {
        a.headline = Some(strip_site_suffix(&v, m));
        a.note("headline", EvidenceSource::OpenGraph, k);
    } else if let Some(t) = title {
        a.headline = Some(strip_site_suffix(&t, m));
        a.note("headline", EvidenceSource::Meta, "title");
    } else if let Some(h) = doc.elements(Tag::H1).map(|h| squash(&doc.text_content(h))).find(|t| !t.is_empty()) {
        a.headline = Some(h);
        a.note("headline", EvidenceSource::Markup, "h1");
    }
}

/// When no `h1` agreed with the metadata, the `h1` printed just above the
/// body is still what readers see as the headline (sites rewrite their
/// social titles); the site's own name in an `h1` is not.
fn visible_headline(doc: &Document, container: Option<NodeId>, a: &mut Article) {
    if a.evidence.get("headline").is_some_and(|e| e.source == EvidenceSource::Markup) {
        return;
    }
    let Some(c) = container else { return };
    let end = doc.subtree_end(c);
    let Some(h) = doc.elements(Tag::H1).filter(|&h| h < end).last() else { return };
    // It must sit with the article (within the container's grandparent),
    // not in the site's masthead.
    let near = doc.parent(c).and_then(|p| doc.parent(p)).unwrap_or(c);
    if !doc.is_inclusive_ancestor(near, h) {
        return;
    }
    let t = squash(&doc.text_content(h));
    let n = words(&t).count();
    let is_site = a.site_name.as_deref().is_some_and(|s| same_words(s, &t));
    if (4..=40).contains(&n) && !is_site && !t.contains("{{") {
        a.headline = Some(t);
        a.note("headline", EvidenceSource::Markup, "h1 above the body");
    }
}

/// "Dam opens | Valley Post" → "Dam opens".
fn strip_site_suffix(t: &str, m: &PageMeta) -> String {
    let site = m.meta(&["og:site_name", "application-name"]).map(|x| x.1.to_lowercase());
    for sep in [" | ", " - ", " — ", " – ", " :: ", " · "] {
        if let Some(i) = t.rfind(sep) {
            let (head, tail) = (&t[..i], &t[i + sep.len()..]);
            let tail_is_site = site.as_deref().is_some_and(|s| tail.to_lowercase().contains(s) || s.contains(&tail.to_lowercase()))
                || tail.split_whitespace().count() <= 4;
            if tail_is_site && head.split_whitespace().count() >= 2 {
                return head.trim().to_string();
            }
        }
    }
    t.to_string()
}

fn site_fields(m: &PageMeta, a: &mut Article) {
    if let Some((k, v)) = m.meta(&["og:site_name", "application-name", "twitter:app:name:iphone"]) {
        a.site_name = Some(squash(v));
        a.note("site_name", if k.starts_with("og:") { EvidenceSource::OpenGraph } else { EvidenceSource::Meta }, k);
    } else if let Some(p) = m.article_ld.as_ref().and_then(|o| o.get("publisher")).and_then(value_text) {
        a.site_name = Some(p);
        a.note("site_name", EvidenceSource::JsonLd, "publisher");
    }
    if let Some(c) = &m.canonical {
        a.canonical_url = Some(c.clone());
        a.note("canonical_url", EvidenceSource::Markup, "link rel=canonical");
    } else if let Some((k, v)) = m.meta(&["og:url"]) {
        a.canonical_url = Some(v.to_string());
        a.note("canonical_url", EvidenceSource::OpenGraph, k);
    }
    if let Some((k, v)) = m.meta(&["article:section", "section", "og:section", "parsely-section", "sailthru.section"]) {
        a.section = Some(squash(v));
        a.note("section", EvidenceSource::Meta, k);
    } else if let Some(s) = m.ld_str("articleSection") {
        a.section = Some(s);
        a.note("section", EvidenceSource::JsonLd, "articleSection");
    }
    let mut tags: Vec<String> = m.meta_all("article:tag").map(squash).collect();
    let mut src = ("article:tag", EvidenceSource::OpenGraph);
    if tags.is_empty() {
        if let Some(k) = m.article_ld.as_ref().and_then(|o| o.get("keywords")) {
            tags = match k {
                Value::Array(v) => v.iter().filter_map(value_text).collect(),
                other => value_text(other).map(|s| s.split(',').map(|x| x.trim().to_string()).collect()).unwrap_or_default(),
            };
            src = ("keywords", EvidenceSource::JsonLd);
        }
    }
    if tags.is_empty() {
        if let Some((_, v)) = m.meta(&["news_keywords", "keywords"]) {
            tags = v.split(',').map(squash).collect();
            src = ("keywords", EvidenceSource::Meta);
        }
    }
    tags.retain(|t| !t.is_empty() && t.len() < 80);
    tags.dedup();
    tags.truncate(30);
    if !tags.is_empty() {
        a.tags = tags;
        a.note("tags", src.1, src.0);
    }
}

fn standfirst(doc: &Document, m: &PageMeta, container: Option<NodeId>, headline_at: Option<NodeId>, a: &mut Article) {
    // A visible dek: an element named like one, before the body's text.
    // The dek sits before the body or at the top of its container.
    let desc_limit = container.map_or(doc.len() as NodeId, |c| doc.subtree_end(c));
    let limit = container.map_or(doc.len() as NodeId, |c| (c + 400).min(desc_limit));
    // It is printed under the headline: names like it above the headline
    // belong to menus and teasers ("lead" is also a font-size class).
    let from = headline_at.unwrap_or(0);
    for id in doc.ids().take(limit as usize).skip(from as usize) {
        if !matches!(doc.kind(id), NodeKind::Element(_)) {
            continue;
        }
        let Some(class) = doc.attr(id, "class").or_else(|| doc.attr(id, "itemprop")) else { continue };
        const DEK_NAMES: &[&str] = &[
            "standfirst", "dek", "subtitle", "sub-title", "subheadline", "sub-headline", "summary", "lede",
            "deck", "intro", "excerpt", "strapline", "teaser", "description",
        ];
        // Short names that occur inside longer unrelated ones ("leaderboard")
        // count only as the last word of a class ("article-lead", not
        // "lead-image", which names a picture).
        const DEK_WORDS: &[&str] = &["lead", "chapo", "vorspann", "entradilla"];
        let c = class.to_ascii_lowercase();
        let named = DEK_NAMES.iter().any(|k| c.contains(k))
            || c.split_ascii_whitespace().any(|tok| {
                tok.rsplit(|ch: char| !ch.is_ascii_alphanumeric()).next().is_some_and(|w| DEK_WORDS.contains(&w))
            });
        if !named || doc.tag(id).is_some_and(|t| matches!(t, Tag::Ul | Tag::Ol | Tag::Meta | Tag::Body | Tag::Html)) {
            continue;
        }
        // A box with a heading over a list ("Summary" over key points) is the
        // summary, read by `summary`; a heading alone is the box's label,
        // not part of the standfirst.
        let has = |f: fn(Tag) -> bool| (id + 1..doc.subtree_end(id)).any(|d| doc.tag(d).is_some_and(f));
        let headed = has(Tag::is_heading);
        if headed && has(|t| matches!(t, Tag::Ul | Tag::Ol)) {
            continue;
        }
        let t = squash(&doc.text_content_without(id, |t| headed && t.is_heading()));
        let n = words(&t).count();
        if (6..=80).contains(&n) {
            a.standfirst = Some(t);
            a.note("standfirst", EvidenceSource::TextHeuristic, format!("class {class}"));
            return;
        }
    }
    // The page's description printed under the headline is its standfirst.
    let Some((key, desc)) = m.meta(&["description", "og:description", "twitter:description"]) else { return };
    let desc = squash(desc);
    if words(&desc).count() < 6 {
        return;
    }
    for id in doc.ids().take(desc_limit as usize) {
        if !doc.tag(id).is_some_and(|t| matches!(t, Tag::P | Tag::Div | Tag::H2 | Tag::Span)) {
            continue;
        }
        // Only small elements can hold just the description.
        if doc.subtree_end(id) - id > 24 {
            continue;
        }
        // A classless paragraph equal to the description is the lede that the
        // description was cut from, not a separately printed standfirst.
        if doc.attr(id, "class").is_none_or(|c| c.trim().is_empty()) {
            continue;
        }
        if doc.first_child(id).is_some_and(|c| doc.kind(c) == NodeKind::Text) && same_words(&squash(&doc.text_content(id)), &desc) {
            a.standfirst = Some(desc);
            a.note("standfirst", EvidenceSource::Meta, format!("{key}, shown on the page"));
            return;
        }
    }
}

fn summary(doc: &Document, container: Option<NodeId>, a: &mut Article) {
    // A short list introduced as key points, or classed as highlights.
    for ul in doc.elements(Tag::Ul).chain(doc.elements(Tag::Ol)) {
        let class = doc.attr(ul, "class").unwrap_or("").to_ascii_lowercase();
        let label = preceding_label(doc, ul).to_lowercase();
        let named = ["highlight", "key-point", "keypoint", "takeaway", "summary", "bullets", "tldr", "at-a-glance"]
            .iter()
            .any(|k| class.contains(k))
            || ["key points", "story highlights", "highlights", "in brief", "at a glance", "what you need to know", "the big picture", "key takeaways", "takeaways", "in short"]
                .iter()
                .any(|k| label.contains(k));
        if !named {
            continue;
        }
        if container.is_some_and(|c| ul > doc.subtree_end(c)) {
            continue;
        }
        let items: Vec<String> = doc
            .children(ul)
            .filter(|&c| doc.tag(c) == Some(Tag::Li))
            .map(|li| squash(&doc.text_content(li)))
            .filter(|t| words(t).count() >= 3)
            .collect();
        if (2..=8).contains(&items.len()) {
            a.summary = items;
            a.note("summary", EvidenceSource::TextHeuristic, if label.is_empty() { format!("class {class}") } else { label });
            return;
        }
    }
}

/// The text of the element just before `id` (a heading such as "Key points").
fn preceding_label(doc: &Document, id: NodeId) -> String {
    let Some(parent) = doc.parent(id) else { return String::new() };
    let mut prev = None;
    for c in doc.children(parent) {
        if c == id {
            break;
        }
        if matches!(doc.kind(c), NodeKind::Element(_)) {
            prev = Some(c);
        }
    }
    match prev {
        Some(p) => {
            let t = squash(&doc.text_content(p));
            if t.len() < 60 { t } else { String::new() }
        }
        None => String::new(),
    }
}

fn authors(doc: &Document, m: &PageMeta, headline_at: Option<NodeId>, a: &mut Article) {
    let mut credit: Option<&'static str> = None;
    // JSON-LD: Person names; Organisations may be wire credits.
    if let Some(author) = m.article_ld.as_ref().and_then(|o| o.get("author")) {
        let mut people = Vec::new();
        for (name, is_org) in ld_author_names(author, m) {
            if let Some(ag) = byline::agency(&name) {
                credit.get_or_insert(ag);
                continue;
            }
            if is_org {
                continue;
            }
            // A lone first name in structured data is often an account, not a
            // byline readers see: one word is not a name here.
            let (ps, cr) = byline::parse_byline(&name);
            if let Some(c) = cr {
                credit.get_or_insert(c);
            }
            people.extend(ps);
        }
        if !people.is_empty() {
            a.authors = dedup(people);
            a.note("authors", EvidenceSource::JsonLd, "author");
        }
    }
    let sources: [(&str, EvidenceSource); 10] = [
        ("author", EvidenceSource::Meta),
        ("article:author", EvidenceSource::OpenGraph),
        ("article:author_name", EvidenceSource::OpenGraph),
        ("dc.creator", EvidenceSource::Meta),
        ("dcterms.creator", EvidenceSource::Meta),
        ("sailthru.author", EvidenceSource::Meta),
        ("parsely-author", EvidenceSource::Meta),
        ("cxenseparse:author", EvidenceSource::Meta),
        ("byl", EvidenceSource::Meta),
        ("citation_author", EvidenceSource::Meta),
    ];
    if a.authors.is_empty() {
        for (key, src) in sources {
            let vals: Vec<&str> = m.meta_all(key).filter(|v| !v.starts_with("http")).collect();
            if vals.is_empty() {
                continue;
            }
            let mut people = Vec::new();
            for v in vals {
                // A meta author names a name: one word is a name too.
                let (ps, cr) = byline::parse_byline_with(v, true);
                if let Some(c) = cr {
                    credit.get_or_insert(c);
                }
                people.extend(ps);
            }
            if !people.is_empty() {
                a.authors = dedup(people);
                a.note("authors", src, key);
                break;
            }
        }
    }
    if a.authors.is_empty() {
        if let Some((v, how)) = microdata_author(doc, m) {
            let (ps, cr) = byline::parse_byline_with(&v, how == "itemprop=author > name");
            if let Some(c) = cr {
                credit.get_or_insert(c);
            }
            if !ps.is_empty() {
                a.authors = dedup(ps);
                a.note("authors", EvidenceSource::Microdata, how);
            }
        }
    }
    // Visible byline: rel=author links or elements named byline/author.
    if a.authors.is_empty() || credit.is_none() {
        // With the authors known, only a wire credit is sought: the first
        // marked byline of the page, as cheaply as that.
        let credit_only = !a.authors.is_empty();
        if let Some((ps, cr, how)) = visible_byline(doc, headline_at, credit_only) {
            if a.authors.is_empty() && !ps.is_empty() {
                a.authors = dedup(ps);
                a.note("authors", EvidenceSource::Byline, how);
            }
            if let Some(c) = cr {
                credit.get_or_insert(c);
            }
        }
    }
    if let Some(c) = credit {
        a.credit = Some(c.to_string());
        a.note("credit", EvidenceSource::Byline, "byline");
    }
    // The outlet's own name is not an author ("Practical Horseman Staff").
    if let Some((_, site)) = m.meta(&["og:site_name", "application-name"]) {
        a.authors.retain(|p| !same_words(p, site) && !starts_with_words(site, p));
    }
}

/// Names in a JSON-LD `author`: a string, an array, a Person or
/// Organization object (its `name` a string or an array), or a reference
/// (`{"@id": …}`) to an object elsewhere on the page. Returns `(name, is an
/// organisation)`.
fn ld_author_names(v: &Value, m: &PageMeta) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().take(50).collect(),
        other => vec![other],
    };
    for item in items {
        match item {
            Value::String(s) => out.push((s.trim().to_string(), false)),
            Value::Object(o) => {
                let mut o = o;
                if o.get("name").is_none() {
                    // A reference to a Person described elsewhere in the graph.
                    let id = o.get("@id").and_then(Value::as_str);
                    let same = |x: &&Value| x.get("@id").and_then(Value::as_str) == id;
                    if let Some(Value::Object(to)) = id.and(m.ld_objects.iter().find(same)) {
                        o = to;
                    }
                }
                let ty = o.get("@type").and_then(value_text).unwrap_or_default().to_ascii_lowercase();
                let is_org = ty.contains("organization") || ty == "corporation";
                match o.get("name") {
                    Some(Value::Array(names)) => {
                        out.extend(names.iter().take(50).filter_map(value_text).map(|n| (n, is_org)))
                    }
                    Some(n) => out.extend(value_text(n).map(|n| (n, is_org))),
                    None => {}
                }
            }
            _ => {}
        }
    }
    out.retain(|(n, _)| !n.is_empty() && !n.starts_with("http"));
    out
}

/// The microdata author: the `name` inside an `itemprop=author` item when
/// it has one, else the item's text.
fn microdata_author(doc: &Document, m: &PageMeta) -> Option<(String, &'static str)> {
    let (_, v, id) = m.itemprops.iter().find(|(p, v, _)| p == "author" && !v.is_empty())?;
    let end = doc.subtree_end(*id);
    let name = m.itemprops.iter().find(|(p, v, nid)| p == "name" && !v.is_empty() && *nid > *id && *nid < end);
    match name {
        Some((_, n, _)) => Some((n.clone(), "itemprop=author > name")),
        None => Some((v.clone(), "itemprop=author")),
    }
}

/// The text nodes of `id`'s subtree joined by " | ", so that text set in
/// separate elements stays apart.
fn text_pieces(doc: &Document, id: NodeId) -> String {
    let mut parts: Vec<String> = Vec::new();
    for i in id..doc.subtree_end(id) {
        if doc.kind(i) == NodeKind::Text {
            let t = squash(doc.text(i));
            if !t.is_empty() {
                parts.push(t);
            }
        }
    }
    parts.join(" | ")
}

/// ASCII case-insensitive substring test without allocating.
fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for x in v {
        if !out.iter().any(|y| y.eq_ignore_ascii_case(&x)) {
            out.push(x);
        }
    }
    out
}

/// Whether a class attribute may name a byline ("byline", "author",
/// "contributor", "signature", "auteur", "autor", an hCard "fn"): one pass
/// over its bytes looking for the letter pairs those words open with, since
/// every element of the page is asked.
fn may_name_byline(class: &str) -> bool {
    class.as_bytes().windows(2).any(|w| {
        matches!(
            [w[0].to_ascii_lowercase(), w[1].to_ascii_lowercase()],
            [b'b', b'y'] | [b'a', b'u'] | [b'c', b'o'] | [b's', b'i'] | [b'f', b'n']
        )
    }) && ["byl", "auth", "contrib", "signature", "auteur", "autor", "fn"].iter().any(|w| contains_ci(class, w))
}

/// A visible byline found on the page: where, whom, which wire, and how.
type BylineFind = (NodeId, Vec<String>, Option<&'static str>, String);

/// Most byline candidates looked at on one page.
const MAX_BYLINES: usize = 64;

/// Whether `id` sits in a comment thread, a sidebar or a footer (by the
/// class and id words of it and its ancestors): bylines there name
/// commenters and other articles' authors. An ancestor that also holds the
/// headline is the page's or article's wrapper ("has-sidebar"), not chrome.
fn in_page_chrome(doc: &Document, id: NodeId, headline: Option<NodeId>) -> bool {
    let mut cur = Some(id);
    for _ in 0..40 {
        let Some(n) = cur else { break };
        if headline.is_some_and(|h| doc.is_inclusive_ancestor(n, h)) {
            return false;
        }
        for attr in ["class", "id"] {
            if let Some(v) = doc.attr(n, attr) {
                const CHROME: &[&str] = &["comment", "respond", "disqus", "sidebar", "widget", "related", "footer"];
                if CHROME.iter().any(|w| contains_ci(v, w)) {
                    return true;
                }
            }
        }
        if doc.tag(n).is_some_and(|t| matches!(t, Tag::Footer | Tag::Aside)) {
            return true;
        }
        cur = doc.parent(n);
    }
    false
}

/// Whether a text is only a byline label ("Von:", "By", "Autor:").
fn is_label_only(t: &str) -> bool {
    let t = t.trim();
    !t.is_empty() && t.len() <= 24 && byline::strip_label(t).is_empty()
}

/// The visible byline: elements marked as bylines or authors (class words,
/// `rel=author`, hCard `fn`), a label alone ("Von:") followed by a name, and
/// short lines opening with a byline label. Bylines in comments, sidebars
/// and footers are skipped; of the rest the one nearest the headline wins,
/// because boxes of other articles' authors sit farther from it.
fn visible_byline(
    doc: &Document,
    headline: Option<NodeId>,
    first_only: bool,
) -> Option<(Vec<String>, Option<&'static str>, String)> {
    // Nearest the headline; a byline above it counts three times its distance.
    let dist = |id: NodeId| match headline {
        Some(h) if id >= h => (id - h) as u64,
        Some(h) => 3 * (h - id) as u64,
        None => id as u64,
    };
    // Elements marked as bylines, found by cheap attribute tests and then
    // read nearest first, so only the few that matter are parsed.
    let mut marked: Vec<(NodeId, bool, String)> = Vec::new();
    for id in doc.ids() {
        if marked.len() >= 4 * MAX_BYLINES {
            break;
        }
        if !matches!(doc.kind(id), NodeKind::Element(_)) {
            continue;
        }
        let rel_author = doc.tag(id) == Some(Tag::A) && doc.attr(id, "rel").is_some_and(|r| r.contains("author"));
        let raw_class = doc.attr(id, "class").unwrap_or("");
        let itemprop_author =
            doc.attr(id, "itemprop").is_some_and(|p| p.split_ascii_whitespace().any(|w| w == "author"));
        if !rel_author && !itemprop_author && !may_name_byline(raw_class) {
            continue;
        }
        let class = raw_class.to_ascii_lowercase();
        let words: Vec<&str> = class.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
        // hCard: a formatted name inside an author card.
        let card = |c: &str| contains_ci(c, "author") || contains_ci(c, "vcard");
        let hcard = words.contains(&"fn") && doc.parent(id).is_some_and(|p| doc.attr(p, "class").is_some_and(card));
        let named = words.iter().any(|w| {
            matches!(*w, "byl" | "contributor" | "signature")
                || ["byline", "author", "autor", "auteur"].iter().any(|k| w.starts_with(k) || w.ends_with(k))
        });
        if !rel_author && !itemprop_author && !named && !hcard {
            continue;
        }
        let how = if rel_author {
            "rel=author".to_string()
        } else if hcard {
            "hCard fn".to_string()
        } else {
            format!("class {class}")
        };
        marked.push((id, rel_author || hcard, how));
        if first_only && !in_page_chrome(doc, id, headline) {
            break;
        }
    }
    marked.sort_by_key(|m| dist(m.0));
    let mut found: Vec<BylineFind> = Vec::new();
    let mut tried = 0;
    for (id, single, how) in marked {
        if tried >= MAX_BYLINES || in_page_chrome(doc, id, headline) {
            continue;
        }
        let t = squash(&doc.text_content(id));
        if t.is_empty() || t.len() > 200 {
            continue;
        }
        tried += 1;
        // Each element of a byline usually holds one thing (a name, the
        // outlet, the date): read them apart first, then as one line.
        let pieces = text_pieces(doc, id);
        let (mut ps, mut cr) = byline::parse_byline_with(&pieces, single);
        if ps.is_empty() {
            (ps, cr) = byline::parse_byline_with(&t, single);
        }
        if !ps.is_empty() {
            return Some((ps, cr, how));
        }
        if cr.is_some() {
            found.push((id, ps, cr, how));
        }
    }
    // Plain text lines are read only when no marked-up byline names anyone.
    if !first_only {
        text_bylines(doc, headline, &mut found);
    }
    let best = found.iter().filter(|f| !f.1.is_empty()).min_by_key(|f| dist(f.0)).or_else(|| found.first())?;
    Some((best.1.clone(), best.2, best.3.clone()))
}

/// Bylines in plain text: a label alone ("Von:") followed by a name, and
/// short lines opening with a label ("By Ana Ruiz").
fn text_bylines(doc: &Document, headline: Option<NodeId>, found: &mut Vec<BylineFind>) {
    for id in doc.ids() {
        if found.len() >= MAX_BYLINES {
            break;
        }
        if doc.kind(id) != NodeKind::Text {
            continue;
        }
        let t = doc.text(id).trim();
        if t.len() < 2 || t.len() > 120 || !byline::starts_with_label(t) || in_page_chrome(doc, id, headline) {
            continue;
        }
        // A label alone ("Von:"): the name is the next text on the page.
        if is_label_only(t) {
            let next = (id + 1..doc.len() as NodeId)
                .take(12)
                .filter(|&k| doc.kind(k) == NodeKind::Text)
                .map(|k| doc.text(k).trim())
                .find(|x| !x.is_empty());
            if let Some(n) = next.filter(|n| n.len() <= 80) {
                let (ps, cr) = byline::parse_byline(n);
                if !ps.is_empty() {
                    found.push((id, ps, cr, format!("label {t:?} and the name after it")));
                }
            }
            continue;
        }
        if t.len() < 6 || byline::strip_label(t).len() == t.len() {
            continue;
        }
        // A line opening with a label; the names may sit in the following
        // link elements.
        let Some(parent) = doc.parent(id) else { continue };
        let whole = squash(&doc.text_content(parent));
        let line = if whole.len() <= 160 { whole } else { t.to_string() };
        let (ps, cr) = byline::parse_byline(&line);
        if !ps.is_empty() {
            found.push((id, ps, cr, "by-line text".into()));
        }
    }
}

fn language(m: &PageMeta, a: &mut Article) {
    let declared = m
        .lang
        .as_deref()
        .map(|l| ("html lang", EvidenceSource::Markup, l.to_string()))
        .or_else(|| m.meta(&["og:locale", "content-language", "language", "dc.language"]).map(|(k, v)| (k, EvidenceSource::Meta, v.to_string())))
        .or_else(|| m.ld_str("inLanguage").map(|v| ("inLanguage", EvidenceSource::JsonLd, v)));
    let detected_code = if a.body.len() >= 200 { newsdesk_lang::detect(&a.body) } else { None };
    let declared_code = declared.as_ref().and_then(|(_, _, l)| {
        let c: String = l.chars().take_while(|c| c.is_ascii_alphabetic()).collect::<String>().to_ascii_lowercase();
        (c.len() == 2).then_some(c)
    });
    // Trust the declaration unless the text clearly says otherwise (CMS
    // templates often declare "en" for every page).
    match (declared_code, detected_code) {
        (Some(d), Some(t)) if d != t => {
            a.language = Some(t.to_string());
            a.note("language", EvidenceSource::Detection, format!("text statistics (page declares {d})"));
        }
        (Some(d), _) => {
            let (k, src, _) = declared.unwrap_or(("", EvidenceSource::Markup, String::new()));
            a.language = Some(d);
            a.note("language", src, k);
        }
        (None, Some(t)) => {
            a.language = Some(t.to_string());
            a.note("language", EvidenceSource::Detection, "frequent words and trigrams");
        }
        (None, None) => {}
    }
}



fn images(doc: &Document, m: &PageMeta, container: Option<NodeId>, opts: &Options, a: &mut Article) {
    let base = opts.url.as_deref().or(m.canonical.as_deref());
    // Figures inside the article container or just before it (lead image).
    let (lo, hi) = match container {
        Some(c) => {
            let lo = doc.parent(c).and_then(|p| doc.parent(p)).unwrap_or(c);
            (lo, doc.subtree_end(c))
        }
        None => (0, 0),
    };
    for fig in doc.elements(Tag::Figure) {
        if fig < lo || fig >= hi {
            continue;
        }
        let end = doc.subtree_end(fig);
        let img = (fig..end).find(|&i| doc.tag(i) == Some(Tag::Img));
        let url = img.and_then(|i| image_src(doc, i)).map(|u| resolve(base, &u));
        let cap_el = (fig..end).find(|&i| doc.tag(i) == Some(Tag::Figcaption));
        let (mut caption, mut credit) = (None, None);
        if let Some(c) = cap_el {
            // A credit element inside the caption is split off.
            let cend = doc.subtree_end(c);
            let credit_el = (c + 1..cend).find(|&i| {
                doc.attr(i, "class").is_some_and(|cl| {
                    let cl = cl.to_ascii_lowercase();
                    cl.contains("credit") || cl.contains("copyright") || cl.contains("photographer") || cl.contains("source")
                })
            });
            let full = squash(&doc.text_content(c));
            if let Some(ce) = credit_el {
                let ct = squash(&doc.text_content(ce));
                credit = Some(clean_credit(&ct));
                caption = Some(squash(&full.replacen(&ct, "", 1)));
            } else {
                let (cap, cr) = split_caption_credit(&full);
                caption = Some(cap);
                credit = cr;
            }
        }
        if url.is_some() || caption.as_deref().is_some_and(|c| !c.is_empty()) {
            a.images.push(Image { url, caption: caption.filter(|c| !c.is_empty()), credit: credit.filter(|c| !c.is_empty()) });
        }
        if a.images.len() >= 50 {
            break;
        }
    }
    if a.images.is_empty() {
        if let Some((k, v)) = m.meta(&["og:image", "og:image:url", "twitter:image"]) {
            a.images.push(Image { url: Some(resolve(base, v)), caption: None, credit: None });
            a.note("images", EvidenceSource::OpenGraph, k);
        }
    } else {
        a.note("images", EvidenceSource::Markup, "figure");
    }
}

fn image_src(doc: &Document, img: NodeId) -> Option<String> {
    for k in ["src", "data-src", "data-original", "data-lazy-src", "data-url"] {
        if let Some(v) = doc.attr(img, k) {
            let v = v.trim();
            if !v.is_empty() && !v.starts_with("data:") {
                return Some(v.to_string());
            }
        }
    }
    doc.attr(img, "srcset").and_then(|s| s.split_whitespace().next()).map(String::from)
}

fn clean_credit(s: &str) -> String {
    let t = s.trim().trim_matches(|c: char| c == '(' || c == ')' || c == '[' || c == ']').trim();
    let lower = t.to_lowercase();
    for p in ["photo:", "photograph:", "photo by", "image:", "picture:", "credit:", "foto:", "©"] {
        if lower.starts_with(p) {
            return t[p.len()..].trim().to_string();
        }
    }
    t.to_string()
}

/// "Crowds gather. (Photo: Jane Roe/AP)" → ("Crowds gather.", "Jane Roe/AP").
fn split_caption_credit(s: &str) -> (String, Option<String>) {
    let t = s.trim();
    if t.ends_with(')') {
        if let Some(open) = t.rfind('(') {
            let inner = &t[open + 1..t.len() - 1];
            let l = inner.to_lowercase();
            if l.starts_with("photo") || l.starts_with("image") || l.starts_with("credit") || inner.contains('/') || byline::agency(inner).is_some() || l.contains("getty") {
                return (t[..open].trim().to_string(), Some(clean_credit(inner)));
            }
        }
    }
    for marker in ["Photo: ", "Photograph: ", "Image: ", "Credit: ", "Photo by ", "PHOTO: ", "Foto: ", "Bild: ", "Crédit : ", "Crédit photo : "] {
        if let Some(i) = t.rfind(marker) {
            return (t[..i].trim().to_string(), Some(t[i + marker.len()..].trim().to_string()));
        }
    }
    (t.to_string(), None)
}

fn resolve(base: Option<&str>, u: &str) -> String {
    let u = u.trim();
    if u.starts_with("http://") || u.starts_with("https://") {
        return u.to_string();
    }
    let Some(base) = base else { return u.to_string() };
    let Some(scheme_end) = base.find("://") else { return u.to_string() };
    if let Some(rest) = u.strip_prefix("//") {
        return format!("{}://{}", &base[..scheme_end], rest);
    }
    let host_end = base[scheme_end + 3..].find('/').map_or(base.len(), |i| scheme_end + 3 + i);
    if u.starts_with('/') {
        return format!("{}{}", &base[..host_end], u);
    }
    let dir_end = base.rfind('/').filter(|&i| i >= host_end).map_or(base.len(), |i| i + 1);
    let dir = &base[..dir_end];
    if dir.ends_with('/') { format!("{dir}{u}") } else { format!("{dir}/{u}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authors_of(html: &str) -> Vec<String> {
        crate::extract_str(html, &Options::default()).authors
    }

    #[test]
    fn json_ld_author_forms() {
        let page = |author: &str| {
            format!(
                r#"<html><head><script type="application/ld+json">{{"@graph":[
                {{"@type":"NewsArticle","headline":"X","author":{author}}},
                {{"@type":"Person","@id":"https://x.example/#p1","name":"Lena Kurz"}}]}}</script></head>
                <body><h1>X</h1></body></html>"#
            )
        };
        assert_eq!(authors_of(&page(r#""Ana Ruiz""#)), vec!["Ana Ruiz"]);
        assert_eq!(authors_of(&page(r#"["Ana Ruiz", "Tom Becker"]"#)), vec!["Ana Ruiz", "Tom Becker"]);
        let both = vec!["Ana Ruiz", "Tom Becker"];
        assert_eq!(authors_of(&page(r#"{"@type":"Person","name":["Ana Ruiz","Tom Becker"]}"#)), both);
        assert_eq!(authors_of(&page(r#"{"@id":"https://x.example/#p1"}"#)), vec!["Lena Kurz"]);
    }

    #[test]
    fn bylines_in_comments_and_sidebars_are_skipped() {
        let html = r#"<html><body><aside class="sidebar"><div class="author">Max Muster</div></aside>
            <article><h1>Dam opens</h1><div class="byline">By Ana Ruiz</div><p>Text.</p>
            <div class="comments"><span class="comment-author">Tom Becker</span></div></article></body></html>"#;
        assert_eq!(authors_of(html), vec!["Ana Ruiz"]);
    }

    #[test]
    fn the_byline_nearest_the_headline_wins() {
        let html = r#"<html><body><div class="top"><span class="author">Max Muster</span></div><p>x</p><p>x</p><p>x</p>
            <p>x</p><p>x</p><p>x</p><h1>Dam opens</h1><span class="author">Ana Ruiz</span><p>Text.</p></body></html>"#;
        assert_eq!(authors_of(html), vec!["Ana Ruiz"]);
    }

    #[test]
    fn a_label_alone_takes_the_name_after_it() {
        let html = "<html><body><h1>Dam opens</h1><p>Text.</p><b>Von:</b> <br> Götz Weber</body></html>";
        assert_eq!(authors_of(html), vec!["Götz Weber"]);
    }

    #[test]
    fn microdata_author_name_and_hcard() {
        let html = r#"<html><body><h1>Dam opens</h1><span itemprop="author" itemscope>© Photo Desk
            <span itemprop="name">Lena Kurz</span> am 3.5.</span></body></html>"#;
        assert_eq!(authors_of(html), vec!["Lena Kurz"]);
        let html =
            r#"<html><body><h1>Dam opens</h1><h4 class="vcard author">vom <span class="fn">Bookworm</span></h4></body></html>"#;
        assert_eq!(authors_of(html), vec!["Bookworm"]);
    }

    #[test]
    fn caption_credit_split() {
        assert_eq!(split_caption_credit("Crowds gather. (Photo: Jane Roe/AP)"), ("Crowds gather.".into(), Some("Jane Roe/AP".into())));
        assert_eq!(split_caption_credit("A quiet street. Photo: Tom Lee"), ("A quiet street.".into(), Some("Tom Lee".into())));
        assert_eq!(split_caption_credit("Just a caption (in 2019)"), ("Just a caption (in 2019)".into(), None));
    }

    #[test]
    fn url_resolution() {
        assert_eq!(resolve(Some("https://a.example/news/x.html"), "/img/1.jpg"), "https://a.example/img/1.jpg");
        assert_eq!(resolve(Some("https://a.example/news/x.html"), "1.jpg"), "https://a.example/news/1.jpg");
        assert_eq!(resolve(Some("https://a.example/x"), "//cdn.example/1.jpg"), "https://cdn.example/1.jpg");
        assert_eq!(resolve(None, "1.jpg"), "1.jpg");
    }
}
