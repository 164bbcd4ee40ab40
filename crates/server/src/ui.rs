//! The web UI: server-rendered HTML pages (maud), no script.
//!
//! Every string from the corpus goes through maud's escaping; links to
//! outside pages are made only from `http`/`https` URLs
//! ([`crate::text::safe_href`]) and carry `rel="noopener noreferrer
//! nofollow"`; corpus images are not loaded (the CSP allows images only
//! from the app), their captions and addresses are shown as text.
//!
//! Forms post back to the app (follow, unfollow); a POST whose `Origin`
//! names another site is refused, so a hostile page cannot follow or
//! unfollow on the analyst's behalf.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup, DOCTYPE};
use newsdesk_model::{Analysis, EntityKind};
use newsdesk_store::{ArticleView, DiffLine, QuoteQuery, QuoteRow, SearchHit, SearchQuery};
use serde::Deserialize;

use crate::api::{follow_spec, spec_parts, Filters};
use crate::error::ApiError;
use crate::text::{check_id, qv, safe_href, seg};
use crate::App;

const STYLE: &str = include_str!("../static/style.css");

pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(search_page))
        .route("/articles/{id}", get(article_page))
        .route("/entities", get(entities_page))
        .route("/entities/{name}", get(entity_page))
        .route("/stories", get(stories_page))
        .route("/stories/{id}", get(story_page))
        .route("/follows", get(follows_page).post(follow_form))
        .route("/follows/{name}/delete", post(unfollow_form))
        .route("/follows/{name}/feed.atom", get(feed))
        .route("/static/style.css", get(style))
}

/// A UI failure: rendered as an HTML page with the API error's status.
pub struct UiError(ApiError);

impl From<ApiError> for UiError {
    fn from(e: ApiError) -> Self {
        UiError(e)
    }
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let title = self.0.status.canonical_reason().unwrap_or("Error");
        error_page(self.0.status, title, &self.0.message)
    }
}

type UiResult = Result<Response, UiError>;

/// An HTML error page.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    (status, Html(page(title, html! { h1 { (title) } p.error { (message) } p { a href="/" { "Back to search" } } }).into_string())).into_response()
}

fn page(title: &str, content: Markup) -> maud::Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · newsdesk" }
                link rel="stylesheet" href="/static/style.css";
            }
            body {
                header.top {
                    a.brand href="/" { "newsdesk" }
                    nav aria-label="Main" {
                        a href="/" { "Search" }
                        a href="/stories" { "Stories" }
                        a href="/entities" { "People & organisations" }
                        a href="/follows" { "Follows" }
                    }
                }
                main { (content) }
            }
        }
    }
}

fn html_response(title: &str, content: Markup) -> Response {
    let mut r = Html(page(title, content).into_string()).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    r
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], STYLE).into_response()
}

/// An outside link, only for http(s) URLs; anything else is shown as text.
fn ext_link(url: &str, text: &str) -> Markup {
    match safe_href(url) {
        Some(h) => html! { a href=(h) rel="noopener noreferrer nofollow" { (text) } },
        None => html! { span { (text) } },
    }
}

fn article_link(id: impl std::fmt::Display, headline: Option<&str>) -> Markup {
    let t = headline.filter(|h| !h.trim().is_empty()).unwrap_or("(untitled)");
    html! { a href={ "/articles/" (id) } { (t) } }
}

/// A search snippet: `**marked**` words become `<mark>`, all text escaped.
fn snippet(s: &str) -> Markup {
    html! {
        @for (i, part) in s.split("**").enumerate() {
            @if i % 2 == 1 { mark { (part) } } @else { (part) }
        }
    }
}


fn filters_query(q: &str, f: &Filters, page: Option<u64>) -> String {
    let mut parts = vec![format!("q={}", qv(q))];
    for (k, v) in [("site", &f.site), ("lang", &f.lang), ("since", &f.since), ("until", &f.until), ("speaker", &f.speaker), ("entity", &f.entity)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", qv(v)));
        }
    }
    if let Some(p) = page {
        parts.push(format!("page={p}"));
    }
    format!("/?{}", parts.join("&"))
}

const LANGUAGES: [(&str, &str); 10] = [
    ("en", "English"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("it", "Italian"),
    ("nl", "Dutch"),
    ("pt", "Portuguese"),
    ("sv", "Swedish"),
    ("pl", "Polish"),
    ("ru", "Russian"),
];

/// Facet counts, most frequent first (ties by name).
fn by_count(counts: BTreeMap<String, usize>) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// The English name of a language code, or the code itself.
fn language_name(code: &str) -> String {
    LANGUAGES.iter().find(|(c, _)| *c == code).map(|(_, n)| n.to_string()).unwrap_or_else(|| code.to_string())
}

/// The first day of the month after `YYYY-MM`, as `YYYY-MM-DD` (the
/// exclusive end of a month filter).
fn next_month(ym: &str) -> String {
    let y: i32 = ym.get(..4).and_then(|y| y.parse().ok()).unwrap_or(1970);
    let m: u32 = ym.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    if m >= 12 {
        format!("{:04}-01-01", y + 1)
    } else {
        format!("{y:04}-{:02}-01", m + 1)
    }
}

// Two extractors over one query string: `#[serde(flatten)]` would make the
// numeric fields fail to parse from a query string.
async fn search_page(
    State(app): State<Arc<App>>,
    t: Result<Query<crate::api::SearchText>, axum::extract::rejection::QueryRejection>,
    f: Result<Query<Filters>, axum::extract::rejection::QueryRejection>,
) -> UiResult {
    let Query(t) = t.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let Query(f) = f.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let text = t.q.clone().unwrap_or_default();
    let (q, w) = f.query(&text)?;
    let facet_q = SearchQuery { limit: 200, ..q.clone() };
    let (hits, facet_hits, people, orgs) = app
        .with_reader(move |_, s| {
            Ok((
                s.search(&q)?,
                s.search(&facet_q)?,
                s.entities(Some(EntityKind::Person), 8)?,
                s.entities(Some(EntityKind::Organization), 8)?,
            ))
        })
        .await?;
    let crate::text::Shown { rows: shown, has_more, truncated } = w.show(hits);
    let mut sites: BTreeMap<String, usize> = BTreeMap::new();
    for h in &facet_hits {
        if let Some(s) = &h.site {
            *sites.entry(s.clone()).or_default() += 1;
        }
    }
    let mut sites = by_count(sites);
    sites.truncate(12);
    // Counts by language and by month over the same top results, each a
    // link that narrows the search to it.
    let mut langs: BTreeMap<String, usize> = BTreeMap::new();
    let mut months: BTreeMap<String, usize> = BTreeMap::new();
    for h in &facet_hits {
        if let Some(l) = h.language.as_deref().filter(|l| !l.is_empty()) {
            *langs.entry(l.to_lowercase()).or_default() += 1;
        }
        if let Some(m) = h.published.as_deref().and_then(|p| p.get(..7)).filter(|m| m.len() == 7 && m.as_bytes()[4] == b'-') {
            *months.entry(m.to_string()).or_default() += 1;
        }
    }
    let langs = by_count(langs);
    // Newest month first.
    let months: Vec<(String, usize)> = months.into_iter().rev().take(12).collect();
    let f = &f;
    let page_no = w.page;
    let with = |k: &str, v: &str| {
        let mut g = Filters { page: None, per_page: None, ..clone_filters(f) };
        match k {
            "site" => g.site = Some(v.to_string()),
            "speaker" => g.speaker = Some(v.to_string()),
            "lang" => g.lang = Some(v.to_string()),
            "month" => {
                g.since = Some(format!("{v}-01"));
                g.until = Some(next_month(v));
            }
            _ => g.entity = Some(v.to_string()),
        }
        filters_query(&text, &g, None)
    };
    let content = html! {
        h1 { "Search" }
        form.search method="get" action="/" role="search" {
            label for="q" class="muted" { "Query" }
            input #q type="search" name="q" value=(text) placeholder="words, \"a phrase\", -exclude, headline:word" autofocus;
            @for (k, v) in [("site", &f.site), ("speaker", &f.speaker), ("entity", &f.entity)] {
                @if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) { input type="hidden" name=(k) value=(v); }
            }
            button type="submit" { "Search" }
        }
        div.layout {
            aside.facets aria-label="Filters" {
                form.filters method="get" action="/" {
                    input type="hidden" name="q" value=(text);
                    label { "Site" input type="text" name="site" value=(f.site.clone().unwrap_or_default()); }
                    label { "Language"
                        select name="lang" {
                            option value="" { "any" }
                            @for (code, name) in LANGUAGES {
                                option value=(code) selected[f.lang.as_deref() == Some(code)] { (name) }
                            }
                        }
                    }
                    label { "Published from" input type="date" name="since" value=(f.since.clone().unwrap_or_default()); }
                    label { "Published before" input type="date" name="until" value=(f.until.clone().unwrap_or_default()); }
                    label { "Speaker" input type="text" name="speaker" value=(f.speaker.clone().unwrap_or_default()); }
                    label { "Entity" input type="text" name="entity" value=(f.entity.clone().unwrap_or_default()); }
                    p { button type="submit" { "Apply filters" } " " a href={ "/?q=" (qv(&text)) } { "clear" } }
                }
                @if !sites.is_empty() {
                    h3 { "Sites" }
                    ul { @for (s, n) in &sites { li { a href=(with("site", s)) { (s) } " " span.muted { "(" (n) ")" } } } }
                }
                @if !langs.is_empty() {
                    h3 { "Languages" }
                    ul { @for (l, n) in &langs { li { a href=(with("lang", l)) { (language_name(l)) } " " span.muted { "(" (n) ")" } } } }
                }
                @if !months.is_empty() {
                    h3 { "Published" }
                    ul { @for (m, n) in &months { li { a href=(with("month", m)) { (m) } " " span.muted { "(" (n) ")" } } } }
                }
                @if !people.is_empty() {
                    h3 { "Speakers" }
                    ul { @for p in &people { li { a href=(with("speaker", &p.name)) { (p.name) } } } }
                }
                @if !orgs.is_empty() {
                    h3 { "Entities" }
                    ul { @for o in &orgs { li { a href=(with("entity", &o.name)) { (o.name) } } } }
                }
            }
            section aria-label="Results" {
                @if shown.is_empty() { p { "No articles match." } }
                @for h in &shown {
                    div.hit {
                        h2 { (article_link(h.id, h.headline.as_deref())) }
                        p.meta {
                            (h.site.as_deref().unwrap_or("unknown site"))
                            @if let Some(p) = &h.published { " · " time datetime=(p) { (p) } }
                            @if h.copies > 1 { " · " (h.copies) " copies" }
                        }
                        p.snippet { (snippet(&h.snippet)) }
                    }
                }
                @if truncated {
                    p.muted { "Results are shown up to the " (crate::text::MAX_OFFSET) "th; narrow the search to see the others." }
                }
                p.pager {
                    @if page_no > 1 { a href=(filters_query(&text, f, Some(page_no - 1))) rel="prev" { "← Previous" } }
                    @if has_more { a href=(filters_query(&text, f, Some(page_no + 1))) rel="next" { "Next →" } }
                }
            }
        }
    };
    Ok(html_response(if text.is_empty() { "Search" } else { &text }, content))
}

fn clone_filters(f: &Filters) -> Filters {
    Filters {
        site: f.site.clone(),
        lang: f.lang.clone(),
        since: f.since.clone(),
        until: f.until.clone(),
        speaker: f.speaker.clone(),
        entity: f.entity.clone(),
        page: f.page,
        per_page: f.per_page,
    }
}

/// A piece of a rendered paragraph.
enum Seg {
    Text(String),
    Mention { text: String, name: String },
    Quote { parts: Vec<Seg>, speaker: Option<String> },
}

fn render_segs(segs: &[Seg]) -> Markup {
    html! {
        @for s in segs {
            @match s {
                Seg::Text(t) => { (t) }
                Seg::Mention { text, name } => { a.entity href={ "/entities/" (seg(name)) } { (text) } }
                Seg::Quote { parts, speaker } => {
                    mark.quote title=(speaker.as_deref().unwrap_or("unattributed")) { (render_segs(parts)) }
                    @if let Some(sp) = speaker { a.speaker href={ "/entities/" (seg(sp)) } { "— " (sp) } }
                }
            }
        }
    }
}

/// The body as paragraphs, quotes highlighted with their speakers and
/// entity mentions linked. Offsets are code points; spans that cross a
/// paragraph or overlap an earlier span are clipped or left plain.
fn render_body(body: &str, analysis: &Analysis) -> Markup {
    let mut cb: Vec<usize> = body.char_indices().map(|(i, _)| i).collect();
    cb.push(body.len());
    let n = cb.len() - 1;
    let slice = |a: usize, b: usize| -> String { body.get(cb[a.min(n)]..cb[b.min(n)]).unwrap_or("").to_string() };
    let mut quotes: Vec<(usize, usize, Option<String>)> = analysis
        .quotes
        .iter()
        .filter(|q| q.start < q.end && q.end <= n)
        .map(|q| (q.start, q.end, q.speaker.resolved.clone().or_else(|| q.speaker.written.clone())))
        .collect();
    quotes.sort_by_key(|q| (q.0, q.1));
    let mut mentions: Vec<(usize, usize, String)> = analysis
        .entities
        .iter()
        .flat_map(|e| e.mentions.iter().map(move |m| (m.start, m.end, e.name.clone())))
        .filter(|m| m.0 < m.1 && m.1 <= n)
        .collect();
    mentions.sort_by_key(|m| (m.0, m.1));
    // Paragraph ranges in code points.
    let mut paras = Vec::new();
    let mut start = 0usize;
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < n {
        if chars[i] == '\n' && i + 1 < n && chars[i + 1] == '\n' {
            paras.push((start, i));
            while i < n && chars[i] == '\n' {
                i += 1;
            }
            start = i;
        } else {
            i += 1;
        }
    }
    paras.push((start, n));
    let plain = |a: usize, b: usize, ms: &[(usize, usize, String)]| -> Vec<Seg> {
        let mut out = Vec::new();
        let mut cur = a;
        for (ms_, me, name) in ms {
            if *ms_ < cur || *me > b || *ms_ < a {
                continue;
            }
            if *ms_ > cur {
                out.push(Seg::Text(slice(cur, *ms_)));
            }
            out.push(Seg::Mention { text: slice(*ms_, *me), name: name.clone() });
            cur = *me;
        }
        if cur < b {
            out.push(Seg::Text(slice(cur, b)));
        }
        out
    };
    let mut rendered = Vec::new();
    for (ps, pe) in paras {
        if ps >= pe {
            continue;
        }
        let ms: Vec<(usize, usize, String)> = mentions.iter().filter(|m| m.0 >= ps && m.1 <= pe).cloned().collect();
        let mut segs = Vec::new();
        let mut cur = ps;
        for (qs, qe, sp) in &quotes {
            let (qs, qe) = ((*qs).max(ps), (*qe).min(pe));
            if qs >= qe || qs < cur {
                continue;
            }
            segs.extend(plain(cur, qs, &ms));
            segs.push(Seg::Quote { parts: plain(qs, qe, &ms), speaker: sp.clone() });
            cur = qe;
        }
        segs.extend(plain(cur, pe, &ms));
        rendered.push(segs);
    }
    html! { @for p in &rendered { p { (render_segs(p)) } } }
}

fn published_of(v: &ArticleView) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    v.article.published.as_ref().and_then(|t| chrono::DateTime::parse_from_rfc3339(&t.value).ok())
}

async fn article_page(State(app): State<Arc<App>>, Path(id): Path<String>) -> UiResult {
    check_id(&id)?;
    let id2 = id.clone();
    let view = app
        .with_reader(move |_, s| {
            let Some(v) = s.show(&id2)? else { return Ok(None) };
            let stored = s.stored_analysis(v.id, &v.article.body)?;
            Ok(Some((v, stored)))
        })
        .await?;
    let Some((v, stored)) = view else { return Err(ApiError::not_found(format!("There is no article {id}.")).into()) };
    // Quote and mention offsets were stored at ingest; only a store
    // written before they were kept needs the analysis run again here.
    let analysis = stored.unwrap_or_else(|| newsdesk_analyze::analyze(&v.article.body, published_of(&v)));
    let a = &v.article;
    let title = a.headline.clone().unwrap_or_else(|| "(untitled)".into());
    let content = html! {
        article.story-body {
            h1 { (title) }
            @if let Some(s) = &a.standfirst { p.standfirst { strong { (s) } } }
            p.meta {
                (v.site.as_deref().unwrap_or("unknown site"))
                @if !a.authors.is_empty() { " · by " (a.authors.join(", ")) }
                @if let Some(c) = &a.credit { " · " (c) }
                @if let Some(p) = &a.published { " · published " time datetime=(p.value) { (p.value) } }
                @if let Some(u) = &a.updated { " · updated " time datetime=(u.value) { (u.value) } }
                @if let Some(l) = &a.language { " · " (l) }
                @if let Some(s) = &a.section { " · " (s) }
            }
            p.meta {
                @if let Some(u) = a.url.as_deref().or(a.canonical_url.as_deref()) { "Source: " (ext_link(u, u)) " · " }
                "Story: " a href={ "/stories/" (v.story) } { (v.story) }
                " · " a href={ "/api/articles/" (v.id) } { "JSON" }
            }
            @if !a.summary.is_empty() { ul.summary { @for s in &a.summary { li { (s) } } } }
            @if let Some(d) = &a.dateline { p.meta { "Dateline: " (d) } }
            (render_body(&a.body, &analysis))
            @if !a.images.is_empty() {
                h2 { "Images" }
                ul { @for im in &a.images {
                    li {
                        @if let Some(c) = &im.caption { (c) } @else { "(no caption)" }
                        @if let Some(c) = &im.credit { " — " em { (c) } }
                        @if let Some(u) = &im.url { " · " (ext_link(u, "image address")) }
                    }
                } }
            }
            @if !a.tags.is_empty() { p.meta { "Tags: " (a.tags.join(", ")) } }
        }
        @if !analysis.quotes.is_empty() {
            h2 { "Quotes" }
            table {
                thead { tr { th { "Speaker" } th { "Quote" } th { "Kind" } } }
                tbody { @for q in &analysis.quotes {
                    tr {
                        td { @match q.speaker.resolved.as_ref().or(q.speaker.written.as_ref()) {
                            Some(s) => { a href={ "/entities/" (seg(s)) } { (s) } }
                            None => { span.muted { "unattributed" } }
                        } @if let Some(r) = &q.speaker.role { br; span.muted { (r) } } }
                        td { (q.text) }
                        td.muted { (format!("{:?}", q.kind).to_lowercase()) }
                    }
                } }
            }
        }
        @if !analysis.entities.is_empty() {
            h2 { "Mentioned" }
            ul { @for e in &analysis.entities {
                li { a href={ "/entities/" (seg(&e.name)) } { (e.name) } " " span.muted { (format!("{:?}", e.kind).to_lowercase()) " · " (e.mentions.len()) "×" } }
            } }
        }
        h2 { "Revisions" }
        @if v.revisions.len() <= 1 { p.muted { "One version seen." } }
        @for r in &v.revisions {
            section.revision {
                h3 { "Revision " (r.number)
                    @if let Some(u) = &r.updated { " · updated " (u) }
                    @if let Some(t) = r.fetched_unix.and_then(|t| chrono::DateTime::from_timestamp(t, 0)) { " · fetched " (t.to_rfc3339()) }
                }
                @if r.number > 1 || !r.diff.is_empty() {
                    div.diff { @for d in &r.diff {
                        @match d {
                            DiffLine::Same(t) => { span.same { (t) } }
                            DiffLine::Added(t) => { ins { "+ " (t) } }
                            DiffLine::Removed(t) => { del { "− " (t) } }
                        }
                    } }
                }
            }
        }
        h2 { "Syndicated copies" }
        @if v.group.copies.len() <= 1 { p.muted { "No other copies seen." } }
        @else {
            ul { @for c in &v.group.copies {
                li {
                    (article_link(c.id, c.headline.as_deref()))
                    " " span.muted { (c.site.as_deref().unwrap_or("")) }
                    @if c.id == v.group.representative { " " span.muted { "(representative)" } }
                    @if c.id == v.id { " " span.muted { "(this page)" } }
                }
            } }
        }
    };
    Ok(html_response(&title, content))
}

#[derive(Deserialize)]
struct KindParam {
    kind: Option<String>,
}

async fn entities_page(State(app): State<Arc<App>>, Query(p): Query<KindParam>) -> UiResult {
    let kind = crate::api::entity_kind(p.kind.as_deref())?;
    let rows = app.with_reader(move |_, s| Ok(s.entities(kind, 200)?)).await?;
    let content = html! {
        h1 { "People, organisations and places" }
        p { a href="/entities?kind=person" { "People" } " · " a href="/entities?kind=organization" { "Organisations" } " · " a href="/entities?kind=place" { "Places" } " · " a href="/entities" { "All" } }
        table {
            thead { tr { th { "Name" } th { "Kind" } th { "Articles" } th { "Mentions" } } }
            tbody { @for e in &rows {
                tr { td { a href={ "/entities/" (seg(&e.name)) } { (e.name) } } td { (format!("{:?}", e.kind).to_lowercase()) } td { (e.articles) } td { (e.mentions) } }
            } }
        }
    };
    Ok(html_response("Entities", content))
}

/// The month (`YYYY-MM`, `len` 7) or day (`YYYY-MM-DD`, `len` 10) of an
/// RFC 3339 time.
fn bucket(s: Option<&str>, len: usize) -> Option<String> {
    let m = s?.get(..len)?;
    let ok = m.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    ok.then(|| m.to_string())
}

/// A bar chart of quotes and mentions per month (per day when they all
/// fall within two months), drawn server-side as SVG.
fn timeline(quotes: &[QuoteRow], articles: &[SearchHit]) -> Markup {
    let count = |len: usize| {
        let mut per: BTreeMap<String, (u32, u32)> = BTreeMap::new();
        for q in quotes {
            if let Some(m) = bucket(q.published.as_deref(), len) {
                per.entry(m).or_default().0 += 1;
            }
        }
        for a in articles {
            if let Some(m) = bucket(a.published.as_deref(), len) {
                per.entry(m).or_default().1 += 1;
            }
        }
        per
    };
    let mut per = count(7);
    let unit = if per.len() <= 2 {
        per = count(10);
        "day"
    } else {
        "month"
    };
    if per.is_empty() {
        return html! { p.muted { "No dated quotes or articles." } };
    }
    // The latest 36 buckets with data.
    let rows: Vec<(String, (u32, u32))> = per.into_iter().rev().take(36).collect::<Vec<_>>().into_iter().rev().collect();
    let max = rows.iter().map(|(_, (q, a))| (*q).max(*a)).max().unwrap_or(1).max(1);
    let (w, h, pad) = (640.0_f64, 140.0_f64, 20.0_f64);
    let slot = (w - 2.0 * pad) / rows.len() as f64;
    let bar = (slot / 2.0 - 2.0).max(2.0);
    let y = |v: u32| (h - pad) - (v as f64 / max as f64) * (h - 2.0 * pad);
    html! {
        figure {
            svg.timeline width=(w) height=(h) viewBox={ "0 0 " (w) " " (h) } role="img" aria-label={ "Quotes and articles per " (unit) } {
                line x1=(pad) y1=(h - pad) x2=(w - pad) y2=(h - pad) stroke="#999" {}
                @for (i, (m, (q, a))) in rows.iter().enumerate() {
                    @let x = pad + i as f64 * slot;
                    rect x=(format!("{x:.1}")) y=(format!("{:.1}", y(*q))) width=(format!("{bar:.1}")) height=(format!("{:.1}", (h - pad) - y(*q))) {
                        title { (m) ": " (q) " quotes" }
                    }
                    rect x=(format!("{:.1}", x + bar + 1.0)) y=(format!("{:.1}", y(*a))) width=(format!("{bar:.1}")) height=(format!("{:.1}", (h - pad) - y(*a))) fill-opacity="0.4" {
                        title { (m) ": " (a) " articles" }
                    }
                    @if i == 0 || i + 1 == rows.len() || rows.len() <= 8 {
                        text x=(format!("{x:.1}")) y=(format!("{:.1}", h - 4.0)) { (m) }
                    }
                }
            }
            figcaption.muted { "Quotes (solid) and articles mentioning them (light) per " (unit) "." }
        }
    }
}

async fn entity_page(State(app): State<Arc<App>>, Path(name): Path<String>) -> UiResult {
    let name = name.trim().to_string();
    if name.is_empty() || name.len() > 200 {
        return Err(ApiError::bad_request("an entity name is 1 to 200 bytes").into());
    }
    let n2 = name.clone();
    let (quotes, articles) = app
        .with_reader(move |_, s| {
            let quotes = s.quotes(&QuoteQuery { speaker: Some(n2.clone()), text: None, limit: 200 })?;
            let articles = s.search(&SearchQuery { entity: Some(n2), limit: 100, ..SearchQuery::default() })?;
            Ok((quotes, articles))
        })
        .await?;
    let mut by_time = quotes.clone();
    by_time.reverse(); // oldest first: "what they said over time"
    let content = html! {
        h1 { (name) }
        p.meta { (quotes.len()) " quotes · " (articles.len()) " articles mentioning" }
        form method="post" action="/follows" {
            input type="hidden" name="name" value=(name);
            input type="hidden" name="kind" value="entity";
            input type="hidden" name="value" value=(name);
            button type="submit" { "Follow " (name) }
        }
        h2 { "Timeline" }
        (timeline(&quotes, &articles))
        h2 { "What they said" }
        @if by_time.is_empty() { p.muted { "No quotes attributed." } }
        ol.quotes { @for q in &by_time {
            li {
                blockquote { (q.text) }
                p.meta {
                    @if let Some(p) = &q.published { (p) " · " }
                    (article_link(q.article, q.headline.as_deref()))
                    @if let Some(r) = &q.role { " · " (r) }
                }
            }
        } }
        h2 { "Articles mentioning " (name) }
        ul { @for a in &articles {
            li { (article_link(a.id, a.headline.as_deref())) " " span.muted { (a.site.as_deref().unwrap_or("")) " " (a.published.as_deref().unwrap_or("")) } }
        } }
    };
    Ok(html_response(&name, content))
}

async fn stories_page(State(app): State<Arc<App>>) -> UiResult {
    let rows = app.with_reader(|_, s| Ok(s.stories(50)?)).await?;
    let content = html! {
        h1 { "Stories" }
        @if rows.is_empty() { p.muted { "No stories yet." } }
        ul { @for s in &rows {
            li {
                a href={ "/stories/" (s.id) } { (s.headline.as_deref().unwrap_or("(untitled story)")) }
                " " span.muted { (s.articles.len()) " articles" @if let Some(l) = &s.last_published { " · latest " (l) } }
            }
        } }
    };
    Ok(html_response("Stories", content))
}

/// Articles of a story whose quotes the story page shows, at most.
const STORY_QUOTED_ARTICLES: usize = 30;

async fn story_page(State(app): State<Arc<App>>, Path(id): Path<String>) -> UiResult {
    let sid = newsdesk_store::Id::parse(&id).ok_or_else(|| ApiError::bad_request(format!("not a story id: {id:?}")))?;
    let (row, views) = app
        .with_reader(move |_, s| {
            let Some(row) = s.story(sid)? else { return Ok((None, vec![])) };
            let mut views = Vec::new();
            for a in row.articles.iter().take(STORY_QUOTED_ARTICLES) {
                if let Some(v) = s.show(&a.id.to_string())? {
                    let stored = s.stored_analysis(v.id, &v.article.body)?;
                    views.push((v, stored));
                }
            }
            Ok((Some(row), views))
        })
        .await?;
    let Some(row) = row else { return Err(ApiError::not_found(format!("There is no story {id}.")).into()) };
    let mut said: BTreeMap<String, Vec<(String, newsdesk_store::Id)>> = BTreeMap::new();
    for (v, stored) in views {
        let quotes = match stored {
            Some(a) => a.quotes,
            None => newsdesk_analyze::analyze(&v.article.body, published_of(&v)).quotes,
        };
        for q in quotes {
            if let Some(sp) = q.speaker.resolved.or(q.speaker.written) {
                said.entry(sp).or_default().push((q.text, v.id));
            }
        }
    }
    let title = row.headline.clone().unwrap_or_else(|| "(untitled story)".into());
    let content = html! {
        h1 { (title) }
        p.meta { (row.articles.len()) " articles"
            @if let Some(f) = &row.first_published { " · from " (f) }
            @if let Some(l) = &row.last_published { " · to " (l) } }
        h2 { "Articles in time order" }
        ol { @for a in &row.articles {
            li { span.muted { (a.published.as_deref().unwrap_or("undated")) } " " (article_link(a.id, a.headline.as_deref())) " " span.muted { (a.site.as_deref().unwrap_or("")) } }
        } }
        h2 { "Who said what" }
        @if said.is_empty() { p.muted { "No attributed quotes." } }
        @for (sp, qs) in &said {
            h3 { a href={ "/entities/" (seg(sp)) } { (sp) } }
            ul { @for (t, aid) in qs { li { (t) " " a.muted href={ "/articles/" (aid) } { "(article)" } } } }
        }
    };
    Ok(html_response(&title, content))
}

async fn follows_page(State(app): State<Arc<App>>) -> UiResult {
    let list = app
        .with_reader(|app, s| Ok(s.follow_list()?.into_iter().map(|f| (app.hooks.get(&f.name), f)).collect::<Vec<_>>()))
        .await?;
    let content = html! {
        h1 { "Follows" }
        @if list.is_empty() { p.muted { "Nothing followed yet." } }
        table {
            thead { tr { th { "Name" } th { "Watches" } th { "Pending" } th { "Feed" } th { "Webhook" } th {} } }
            tbody { @for (hook, f) in &list {
                @let (kind, value) = spec_parts(&f.spec);
                tr {
                    td { (f.name) }
                    td { (kind) ": " (value) }
                    td { (f.pending) }
                    td { a href={ "/follows/" (seg(&f.name)) "/feed.atom" } { "Atom feed" } }
                    td { (hook.as_deref().unwrap_or("—")) }
                    td { form method="post" action={ "/follows/" (seg(&f.name)) "/delete" } { button type="submit" { "Unfollow" } } }
                }
            } }
        }
        h2 { "Follow something new" }
        form.filters method="post" action="/follows" {
            label { "Name (optional)" input type="text" name="name"; }
            label { "Kind" select name="kind" { option value="query" { "search query" } option value="speaker" { "quotes by a speaker" } option value="entity" { "mentions of an entity" } } }
            label { "Value" input type="text" name="value" required; }
            label { "Webhook URL (optional)" input type="url" name="webhook"; }
            p { button type="submit" { "Follow" } }
        }
    };
    Ok(html_response("Follows", content))
}

/// Refuses a form POST sent from another site (CSRF): browsers mark it
/// with `Sec-Fetch-Site: cross-site` and an `Origin` naming the other site
/// (or `null` from sandboxed frames and data: pages).
fn same_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let site = headers.get("sec-fetch-site").and_then(|o| o.to_str().ok()).unwrap_or("");
    if site == "cross-site" || site == "same-site" {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "a form from another site cannot change follows"));
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else { return Ok(()) };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let origin_host = origin.split_once("://").map_or("", |(_, h)| h);
    if origin_host == host {
        Ok(())
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "a form from another site cannot change follows"))
    }
}

#[derive(Deserialize)]
struct FollowFormData {
    name: Option<String>,
    kind: String,
    value: String,
    webhook: Option<String>,
}

async fn follow_form(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    form: Result<Form<FollowFormData>, axum::extract::rejection::FormRejection>,
) -> UiResult {
    same_origin(&headers)?;
    let Form(f) = form.map_err(|e| {
        let (status, text) = crate::error::form_error(e);
        ApiError::new(status, "bad_request", text)
    })?;
    // A form sends an empty field for "no webhook"; the API's stricter
    // checks apply to what is left.
    let webhook = f.webhook.as_deref().map(str::trim).filter(|w| !w.is_empty());
    let (spec, hook) = follow_spec(f.kind.trim(), &f.value, webhook)?;
    crate::api::check_webhook(&app, hook.as_deref()).await?;
    let name = f.name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).unwrap_or_else(|| f.value.trim().to_string());
    app.with_store(move |app, s| {
        match s.follow_add(&name, &spec) {
            Ok(_) => {}
            // Following what is already followed is not an error for a button.
            Err(newsdesk_store::StoreError::Invalid(m)) if m.contains("exists") => {}
            Err(e) => return Err(e.into()),
        }
        if hook.is_some() {
            app.hooks.set(&name, hook);
        }
        Ok(())
    })
    .await?;
    Ok(Redirect::to("/follows").into_response())
}

async fn unfollow_form(State(app): State<Arc<App>>, headers: HeaderMap, Path(name): Path<String>) -> UiResult {
    same_origin(&headers)?;
    app.with_store(move |app, s| {
        s.follow_remove(&name)?;
        app.hooks.set(&name, None);
        Ok(())
    })
    .await?;
    Ok(Redirect::to("/follows").into_response())
}

/// The origin to put in absolute feed links, from the `Host` header when
/// it looks like a host (it is the client's own view of this server).
fn origin(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if !host.is_empty() && host.len() < 256 && host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)) {
        format!("http://{host}")
    } else {
        "http://localhost".to_string()
    }
}

async fn feed(State(app): State<Arc<App>>, headers: HeaderMap, Path(name): Path<String>) -> Result<Response, ApiError> {
    let n2 = name.clone();
    let got = app
        .with_reader(move |_, s| {
            let Some(f) = s.follow_list()?.into_iter().find(|f| f.name == n2) else { return Ok(None) };
            let matches = s.follow_matches(&f.name, crate::feed::FEED_ENTRIES)?.unwrap_or_default();
            Ok(Some((f, matches)))
        })
        .await?;
    let Some((f, matches)) = got else { return Err(ApiError::not_found(format!("no follow {name:?}"))) };
    let (kind, value) = spec_parts(&f.spec);
    let body = crate::feed::atom(&origin(&headers), &f.name, &format!("New articles matching {kind} {value:?}"), &matches);
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], body).into_response())
}
