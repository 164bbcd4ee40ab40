//! Publication and update dates of a page, chosen from every piece of date
//! evidence the page holds.
//!
//! Pages state dates in many places that disagree: structured data, meta
//! tags, `<time>` elements, the URL, short visible lines ("Published 3 May
//! 2021", "Last updated: …") and, unhelpfully, running text and link lists.
//! Taking the first one found goes wrong in predictable ways: a related
//! article's `<time>`, a day and month from a sentence given the current
//! year, an update date read as the publication date. So every date is
//! collected as a [`Candidate`] with what it is said to be (its [`Role`]),
//! how much its kind of evidence is trusted (its rank) and whether its year
//! was printed, checked against the page's own bounds (the reference time,
//! the URL's date, the copyright line), and only then ranked.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate};
use newsdesk_html::{Document, NodeId, NodeKind, Tag};
use newsdesk_model::{Article, EvidenceSource, Precision, Timestamp};

use crate::meta::{value_text, PageMeta};
use crate::text::squash;
use crate::Options;

/// What the page says a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Labelled as the publication date (`datePublished`, "Published …").
    Published,
    /// Labelled as a modification ("Updated …", `dateModified`).
    Updated,
    /// A date with no label (a bare `<time>`, a date line under the headline).
    Unlabelled,
}

/// One piece of date evidence.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub ts: Timestamp,
    pub at: DateTime<FixedOffset>,
    pub role: Role,
    /// Trust in the kind of evidence: structured data 9, meta 8, microdata
    /// 7, labelled `<time>` 6, labelled text 5, bare `<time>` 4, bare text
    /// line 3, URL 2.
    pub rank: u8,
    /// False when the year was not printed and had to be supplied.
    pub year_given: bool,
    /// Computed from the reference time ("3 hours ago", "Today 7:30"): only
    /// as good as that time, which for a saved page may be long after it
    /// was read, so it ranks with the yearless guesses.
    pub relative: bool,
    pub source: EvidenceSource,
    pub detail: String,
}

impl Candidate {
    /// A date the page printed in full: a year given, not computed from the
    /// reference time.
    pub fn full(&self) -> bool {
        self.year_given && !self.relative
    }
}

const PUBLISHED_META: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "publishdate",
    "pubdate",
    "publish-date",
    "publish_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "dcterms.date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "published_time",
    "original-publish-date",
    "cxenseparse:recs:publishtime",
    "bt:pubdate",
    "article_date_original",
    "displaydate",
    "dc.date.created",
    "datecreated",
    "release_date",
    "citation_publication_date",
    "citation_date",
    "dcterms.issued",
    "date.created",
    "article.created",
    "creation_date",
    "published-date",
];
const UPDATED_META: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "article:modified",
    "datemodified",
    "dcterms.modified",
    "lastmod",
    "last-modified",
    "modified",
    "revised",
    "article.updated",
    "updated_time",
    "dc.date.modified",
    "article:updated_time",
    "date.modified",
    "last_updated",
    "lastupdated",
];

/// Label words, lower-case, that say a nearby date is an update. Several
/// languages, because the label decides the date's role.
const UPDATED_WORDS: &[&str] = &[
    "updated",
    "update",
    "last modified",
    "modified",
    "revised",
    "aktualisiert",
    "geändert",
    "letzte änderung",
    "stand:",
    "mis à jour",
    "modifié",
    "actualizado",
    "actualización",
    "aggiornato",
    "aggiornamento",
    "bijgewerkt",
    "atualizado",
    "atualização",
    "uppdaterad",
    "opdateret",
    "oppdatert",
    "zaktualizowano",
    "aktualizováno",
    "обновлено",
    "güncelleme",
    "päivitetty",
];
/// Label words, lower-case, that say a nearby date is the publication.
const PUBLISHED_WORDS: &[&str] = &[
    "published",
    "posted",
    "first published",
    "veröffentlicht",
    "erschienen",
    "erstellt",
    "publié",
    "publicado",
    "publicada",
    "pubblicato",
    "gepubliceerd",
    "geplaatst",
    "publicerad",
    "publiceret",
    "publisert",
    "opublikowano",
    "publikováno",
    "опубликовано",
    "yayınlanma",
    "julkaistu",
    "released",
];

/// Dates before this are not publication dates of web pages.
const EARLIEST_YEAR: i32 = 1995;
/// Visible lines longer than this are running text, not date lines.
const MAX_DATE_LINE: usize = 120;
/// At most this much text besides the date and its label may share a date
/// line ("By Ana Ruiz | 3 May 2021"); more is a sentence that mentions a day.
const MAX_LINE_REST: usize = 40;
/// Bounds on the work spent on one page.
const MAX_TIME_ELEMENTS: usize = 200;
const MAX_TEXT_CANDIDATES: usize = 200;

/// The dates chosen for a page and every candidate they were chosen from.
pub struct Decision {
    /// The candidates left after the plausibility checks, in collection order.
    pub candidates: Vec<Candidate>,
    /// Candidates dropped by a check, with the reason.
    pub dropped: Vec<(Candidate, &'static str)>,
    pub published: Option<Candidate>,
    pub updated: Option<Candidate>,
}

/// Sets `published` and `updated` on `a`, each with its evidence.
pub fn fill(doc: &Document, m: &PageMeta, opts: &Options, a: &mut Article) {
    let d = decide(doc, m, opts);
    if let Some(c) = &d.published {
        a.note("published", c.source, c.detail.clone());
        a.published = Some(c.ts.clone());
    }
    if let Some(c) = &d.updated {
        a.note("updated", c.source, c.detail.clone());
        a.updated = Some(c.ts.clone());
    }
}

/// Collects, checks and ranks the page's dates.
pub fn decide(doc: &Document, m: &PageMeta, opts: &Options) -> Decision {
    let mut cands = collect(doc, m, opts);
    let url = opts.url.as_deref().or(m.canonical.as_deref()).and_then(url_date);
    // The copyright line only bounds dates printed without a year.
    let copyright = if cands.iter().any(|c| !c.year_given) { copyright_year(doc) } else { None };
    let dropped = check(&mut cands, url.as_ref(), copyright, opts.now);
    let mut published = choose_published(&cands, url.as_ref());
    // A day-only publication date ("November 19, 2019" in JSON-LD) takes its
    // time from another publication date of the same day that has one.
    if let Some(p) = published.as_mut().filter(|p| p.ts.precision <= Precision::Day && p.full()) {
        let day = p.ts.value.get(..10).unwrap_or("").to_string();
        let finer = cands.iter().find(|c| {
            c.role == Role::Published
                && c.full()
                && c.ts.precision > Precision::Day
                && c.ts.value.get(..10) == Some(&day)
        });
        if let Some(f) = finer {
            let detail = format!("{} (time from {})", p.detail, f.detail);
            *p = Candidate { detail, ..f.clone() };
        }
    }
    // The same instant stated in the page's local time ("2019-10-19T00:04+02:00"
    // beside "2019-10-18T22:04Z"): the local form gives the day readers saw.
    if let Some(p) = published.as_mut().filter(|p| p.at.offset().local_minus_utc() == 0) {
        let local = cands.iter().find(|c| {
            c.full()
                && c.role != Role::Updated
                && c.at == p.at
                && c.at.offset().local_minus_utc() != 0
                && !c.ts.assumed_utc
        });
        if let Some(l) = local {
            let detail = format!("{} (local time from {})", p.detail, l.detail);
            *p = Candidate { detail, ..l.clone() };
        }
    }
    // The newest date the page labels as an update, if it is later than the
    // publication (a modification within a minute of it is the CMS saving).
    let updated = cands
        .iter()
        .filter(|c| c.role == Role::Updated && c.full())
        .filter(|c| published.as_ref().is_none_or(|p| c.at - p.at > Duration::seconds(60)))
        // Equal instants: the more trusted kind of evidence.
        .max_by(|a, b| a.at.cmp(&b.at).then(a.rank.cmp(&b.rank)).then(b.ts.value.cmp(&a.ts.value)))
        .cloned();
    Decision { candidates: cands, dropped, published, updated }
}

/// The date decision as text, for `extract --explain`.
pub fn explain(doc: &Document, m: &PageMeta, opts: &Options) -> String {
    use std::fmt::Write;
    let d = decide(doc, m, opts);
    let mut out = String::from("== dates\n");
    let line = |c: &Candidate| {
        format!(
            "{} {:?} rank {}{} from {:?}: {}",
            c.ts.value,
            c.role,
            c.rank,
            if c.relative {
                " (relative)"
            } else if c.year_given {
                ""
            } else {
                " (no year printed)"
            },
            c.source,
            c.detail.chars().take(100).collect::<String>()
        )
    };
    for c in &d.candidates {
        let _ = writeln!(out, "  candidate {}", line(c));
    }
    for (c, why) in &d.dropped {
        let _ = writeln!(out, "  dropped   {} ({why})", line(c));
    }
    let _ = writeln!(out, "  published: {}", d.published.as_ref().map_or("none".into(), line));
    let _ = writeln!(out, "  updated:   {}", d.updated.as_ref().map_or("none".into(), line));
    out
}

fn parse(s: &str, now: Option<DateTime<FixedOffset>>) -> Option<(Timestamp, bool, bool)> {
    let p = newsdesk_dates::parse_date(s, now)?;
    Some((p.timestamp, p.year_given, p.kind == newsdesk_dates::DateKind::Relative))
}

fn instant(v: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(v).ok()
}

fn push(
    out: &mut Vec<Candidate>,
    parsed: Option<(Timestamp, bool, bool)>,
    role: Role,
    rank: u8,
    source: EvidenceSource,
    detail: impl Into<String>,
) {
    let Some((ts, year_given, relative)) = parsed else { return };
    let Some(at) = instant(&ts.value) else { return };
    out.push(Candidate { ts, at, role, rank, year_given, relative, source, detail: detail.into() });
}

/// Every date the page states, in order of kind and then of position.
pub fn collect(doc: &Document, m: &PageMeta, opts: &Options) -> Vec<Candidate> {
    let now = opts.now;
    let mut out = Vec::new();
    if let Some(ld) = &m.article_ld {
        for (key, role) in
            [("datePublished", Role::Published), ("dateCreated", Role::Published), ("dateModified", Role::Updated)]
        {
            let v = ld.get(key).and_then(value_text);
            push(&mut out, v.and_then(|s| parse(&s, now)), role, 9, EvidenceSource::JsonLd, key);
        }
    }
    for (keys, role) in [(PUBLISHED_META, Role::Published), (UPDATED_META, Role::Updated)] {
        for k in keys {
            for (mk, v) in &m.metas {
                if mk == k {
                    let src = if k.starts_with("article:") || k.starts_with("og:") {
                        EvidenceSource::OpenGraph
                    } else {
                        EvidenceSource::Meta
                    };
                    push(&mut out, parse(v, now), role, 8, src, *k);
                }
            }
        }
    }
    for (p, v, _) in &m.itemprops {
        let role = match p.as_str() {
            "datePublished" | "dateCreated" => Role::Published,
            "dateModified" => Role::Updated,
            _ => continue,
        };
        push(&mut out, parse(v, now), role, 7, EvidenceSource::Microdata, format!("itemprop={p}"));
    }
    for t in doc.elements(Tag::Time).take(MAX_TIME_ELEMENTS) {
        let text = squash(&doc.text_content(t));
        let raw = doc.attr(t, "datetime").map(String::from).unwrap_or_else(|| text.clone());
        // The element's own class and its parent's (`<p class=publication>`).
        let hint = format!(
            "{} {} {} {}",
            doc.attr(t, "class").unwrap_or(""),
            doc.parent(t).and_then(|p| doc.attr(p, "class")).unwrap_or(""),
            doc.attr(t, "itemprop").unwrap_or(""),
            if doc.attr(t, "pubdate").is_some() { "published" } else { "" }
        );
        let role = role_of_class(&hint).or_else(|| label_before(doc, t)).or_else(|| role_of_label(&text));
        let rank = if role.is_some() { 6 } else { 4 };
        push(&mut out, parse(&raw, now), role.unwrap_or(Role::Unlabelled), rank, EvidenceSource::TimeElement, raw);
    }
    // The page's other descriptions: a WebPage's modification is the page's
    // update, and a second article block (an analytics copy) may carry a
    // newer one. Their publication dates are not read: they describe the
    // page, a video or a teaser as often as the article.
    for o in &m.ld_objects {
        let ty = o.get("@type").and_then(value_text).unwrap_or_default().to_ascii_lowercase();
        let describes_page = ty.ends_with("webpage") || ty.ends_with("article") || ty.ends_with("posting");
        if describes_page && m.article_ld.as_ref() != Some(o) {
            let v = o.get("dateModified").and_then(value_text);
            let detail = format!("{ty} dateModified");
            push(&mut out, v.and_then(|s| parse(&s, now)), Role::Updated, 7, EvidenceSource::JsonLd, detail);
        }
    }
    visible_dates(doc, now, day_first(m), &mut out);
    out
}

/// Whether the page's language writes numeric dates day first, so that
/// "02/10/2020" is 2 October: everywhere but in US English (and pages that
/// declare no language, where the US reading stays the default).
fn day_first(m: &PageMeta) -> bool {
    let Some(lang) = m.lang.as_deref().or_else(|| m.meta(&["og:locale", "content-language"]).map(|x| x.1)) else {
        return false;
    };
    let l = lang.trim().to_ascii_lowercase().replace('_', "-");
    !(l.is_empty() || l == "en" || l.starts_with("en-us") || l == "us")
}

/// "a/b/yyyy" read month first by the parser, re-read day first when the
/// page's language says so and both readings are dates.
fn reread_day_first(text: &str, ts: &Timestamp) -> Option<Timestamp> {
    let mut parts = text.trim().splitn(3, '/');
    let (a, b) = (parts.next()?, parts.next()?);
    let rest = parts.next()?;
    if !(1..=2).contains(&a.len()) || !(1..=2).contains(&b.len()) || !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    if a > 12 || b > 12 || a == b {
        return None;
    }
    // The parser read a as the month and b as the day.
    let v = &ts.value;
    let (y, m, d) = (v.get(..4)?, v.get(5..7)?.parse::<u32>().ok()?, v.get(8..10)?.parse::<u32>().ok()?);
    if m != a || d != b {
        return None;
    }
    Some(Timestamp { value: format!("{y}-{b:02}-{a:02}{}", v.get(10..)?), ..ts.clone() })
}

/// Dates on short visible lines that are mostly the date and its label.
fn visible_dates(doc: &Document, now: Option<DateTime<FixedOffset>>, day_first: bool, out: &mut Vec<Candidate>) {
    let mut found = 0;
    for id in doc.ids() {
        if found >= MAX_TEXT_CANDIDATES {
            break;
        }
        if doc.kind(id) != NodeKind::Text {
            continue;
        }
        let raw = doc.text(id).trim();
        // Every date with a day has a digit: most text is ruled out by one
        // byte scan, before any allocation.
        if raw.len() < 5 || raw.len() > 4 * MAX_DATE_LINE || !raw.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        }
        let t = &squash(raw);
        if t.len() > MAX_DATE_LINE {
            continue;
        }
        let Some(parent) = doc.parent(id) else { continue };
        if doc
            .tag(parent)
            .is_some_and(|t| matches!(t, Tag::Script | Tag::Style | Tag::Title | Tag::Noscript | Tag::Time))
        {
            continue;
        }
        let Some(p) = newsdesk_dates::parse_date(t, now) else { continue };
        if p.kind != newsdesk_dates::DateKind::Absolute || p.timestamp.precision < Precision::Day {
            continue;
        }
        let label = role_of_label(t).or_else(|| label_before(doc, id));
        let rest = t.len().saturating_sub(p.end - p.start + label_len(t));
        // A date set off at either end of its line ("08.11.2021 | Fachtag
        // …") is a date line even with a longer title or category beside it.
        let set_off = |s: &str| {
            s.trim().is_empty()
                || s.trim().starts_with(['|', '·', '•', '-', '–', '—', '/', ','])
                || s.trim().ends_with(['|', '·', '•', '-', '–', '—', '/', ',', ':'])
        };
        let at_edge = set_off(t.get(p.end..).unwrap_or("")) && t.get(..p.start).is_some_and(|b| b.trim().len() <= 30)
            || set_off(t.get(..p.start).unwrap_or("")) && t.get(p.end..).is_some_and(|a| a.trim().len() <= 30);
        if rest > MAX_LINE_REST && !(at_edge && rest <= 2 * MAX_LINE_REST) {
            continue;
        }
        found += 1;
        let (role, rank) = match label {
            Some(r) => (r, 5),
            None => (Role::Unlabelled, 3),
        };
        let mut ts = p.timestamp.clone();
        if day_first {
            if let Some(r) = reread_day_first(p.text(t), &ts) {
                ts = r;
            }
        }
        push(out, Some((ts, p.year_given, false)), role, rank, EvidenceSource::Byline, t);
    }
}

fn role_of_class(hint: &str) -> Option<Role> {
    let h = hint.to_ascii_lowercase();
    if h.contains("updat") || h.contains("modif") {
        // "published updated" on one element is a publication date that
        // themes also mark as an update.
        if h.contains("publi") {
            return Some(Role::Published);
        }
        return Some(Role::Updated);
    }
    if h.contains("publi") || h.contains("posted") || h.contains("created") || h.contains("datepublished") {
        return Some(Role::Published);
    }
    None
}

/// The role a label word in `t` gives its date.
fn role_of_label(t: &str) -> Option<Role> {
    let l = t.to_lowercase();
    let find = |words: &[&str]| words.iter().filter_map(|w| l.find(w)).min();
    match (find(UPDATED_WORDS), find(PUBLISHED_WORDS)) {
        (Some(u), Some(p)) => Some(if u < p { Role::Updated } else { Role::Published }),
        (Some(_), None) => Some(Role::Updated),
        (None, Some(_)) => Some(Role::Published),
        (None, None) => None,
    }
}

fn label_len(t: &str) -> usize {
    let l = t.to_lowercase();
    UPDATED_WORDS
        .iter()
        .chain(PUBLISHED_WORDS)
        .filter(|w| l.contains(**w))
        .map(|w| w.len())
        .max()
        .unwrap_or(0)
        .min(t.len())
}

/// A label printed just before a date in its own element ("Updated:"
/// `<time>…</time>`): the nearest short text before `id` in the same parent.
fn label_before(doc: &Document, id: NodeId) -> Option<Role> {
    let parent = doc.parent(id)?;
    let lo = parent.max(id.saturating_sub(6));
    for k in (lo..id).rev() {
        if doc.kind(k) == NodeKind::Text {
            let t = doc.text(k).trim();
            if t.is_empty() {
                continue;
            }
            return if t.len() <= 40 { role_of_label(t) } else { None };
        }
    }
    None
}

/// Drops dates the page cannot have been published on and fixes the years
/// of dates printed without one.
fn check(
    cands: &mut Vec<Candidate>,
    url: Option<&Timestamp>,
    copyright: Option<i32>,
    now: Option<DateTime<FixedOffset>>,
) -> Vec<(Candidate, &'static str)> {
    let latest = now.map(|n| n + Duration::days(1));
    let url_day = url.and_then(|u| instant(&u.value)).map(|d| d.date_naive());
    for c in cands.iter_mut().filter(|c| !c.year_given) {
        // A day and month without a year: the year comes from the page's own
        // evidence (its URL, its copyright line) before the reference time.
        let year = url_day.map(|d| d.year()).or(copyright.filter(|&y| y < c.at.year()));
        if let Some(y) = year {
            if let Some(at) = c.at.with_year(y) {
                c.at = at;
                c.ts.value = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                c.detail = format!(
                    "{} (no year printed; year {y} from the {})",
                    c.detail,
                    if url_day.is_some() { "URL" } else { "copyright line" }
                );
            }
        } else {
            c.detail = format!("{} (no year printed; year from the reference time)", c.detail);
        }
    }
    let mut dropped = Vec::new();
    let mut kept = Vec::with_capacity(cands.len());
    for c in cands.drain(..) {
        let day = c.at.date_naive();
        let why = if c.at.year() < EARLIEST_YEAR {
            Some("before the web")
        } else if latest.is_some_and(|l| c.at > l) {
            Some("after the reference time")
        } else if url_day.is_some_and(|u| day + Duration::days(1) < u) {
            // A page is not older than the date in its own URL.
            Some("before the URL's date")
        } else if copyright.is_some_and(|y| !c.year_given && day.year() > y) {
            // Nor is a date with no year printed later than its copyright line.
            Some("after the copyright year")
        } else {
            None
        };
        match why {
            Some(w) => dropped.push((c, w)),
            None => kept.push(c),
        }
    }
    *cands = kept;
    dropped
}

/// The publication date: a labelled date of the most trusted kind, else an
/// unlabelled one, else the URL's; a date without a printed year only when
/// nothing better exists.
fn choose_published(cands: &[Candidate], url: Option<&Timestamp>) -> Option<Candidate> {
    let best = |pred: &dyn Fn(&Candidate) -> bool| -> Option<&Candidate> {
        let top = cands.iter().filter(|c| pred(c)).map(|c| c.rank).max()?;
        cands.iter().find(|c| pred(c) && c.rank == top)
    };
    if let Some(c) = best(&|c| c.full() && c.role == Role::Published) {
        return Some(c.clone());
    }
    if let Some(c) = best(&|c| c.full() && c.role == Role::Unlabelled) {
        return Some(c.clone());
    }
    if let Some(u) = url {
        if let Some(at) = instant(&u.value) {
            return Some(Candidate {
                ts: u.clone(),
                at,
                role: Role::Published,
                rank: 2,
                year_given: true,
                relative: false,
                source: EvidenceSource::Url,
                detail: "date in the URL".into(),
            });
        }
    }
    best(&|c| !c.full() && c.role != Role::Updated).cloned()
}

/// The latest year on the page's copyright line ("© 2009–2019 …").
fn copyright_year(doc: &Document) -> Option<i32> {
    let mut best: Option<i32> = None;
    for id in doc.ids() {
        if doc.kind(id) != NodeKind::Text {
            continue;
        }
        let t = doc.text(id);
        // Copyright lines are short; paragraphs are not searched.
        if t.len() > 300 {
            continue;
        }
        let Some(i) = t.find('©').or_else(|| t.find("(c)")).or_else(|| find_ci(t, "copyright")) else { continue };
        let tail: String = t[i..].chars().take(60).collect();
        for w in tail.split(|c: char| !c.is_ascii_digit()) {
            if let Ok(y) = w.parse::<i32>() {
                if w.len() == 4 && (EARLIEST_YEAR..=2100).contains(&y) {
                    best = Some(best.map_or(y, |b| b.max(y)));
                }
            }
        }
    }
    best
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    h.windows(n.len()).position(|w| w.eq_ignore_ascii_case(n))
}

/// A full date in a URL: `/2019/11/19/`, `2019-11-19`, `/20191119/`,
/// `29-10-2021`.
pub fn url_date(url: &str) -> Option<Timestamp> {
    let path = url.split_once("://").map_or(url, |x| x.1);
    let path = path.split_once('/').map_or("", |x| x.1);
    let parts: Vec<&str> = path.split(['/', '-', '_', '.', '?', '&', '=']).collect();
    let day = |y: &str, mo: &str, d: &str| -> Option<NaiveDate> {
        if y.len() != 4 || mo.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(y.parse().ok()?, mo.parse().ok()?, d.parse().ok()?)?;
        (1990..=2100).contains(&date.year()).then_some(date)
    };
    let mut found = parts.windows(3).find_map(|w| day(w[0], w[1], w[2]).or_else(|| day(w[2], w[1], w[0])));
    if found.is_none() {
        // Eight digits standing alone: YYYYMMDD.
        found = parts
            .iter()
            .filter(|p| p.len() == 8 && p.bytes().all(|b| b.is_ascii_digit()))
            .find_map(|p| day(&p[..4], &p[4..6], &p[6..]));
    }
    let d = found?;
    Some(Timestamp {
        value: format!("{}T00:00:00Z", d.format("%Y-%m-%d")),
        precision: Precision::Day,
        assumed_utc: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap()
    }

    fn dates_of(html: &str, url: Option<&str>) -> (Option<String>, Option<String>) {
        let doc = Document::parse(html);
        let m = crate::meta::collect(&doc);
        let opts = Options { url: url.map(String::from), now: Some(now()), ..Options::default() };
        let mut a = Article::default();
        fill(&doc, &m, &opts, &mut a);
        let day = |t: Option<Timestamp>| t.map(|t| t.value.chars().take(10).collect());
        (day(a.published), day(a.updated))
    }

    #[test]
    fn url_forms() {
        let v = |u: &str| url_date(u).map(|t| t.value);
        assert_eq!(v("https://x.example/2019/11/19/story"), Some("2019-11-19T00:00:00Z".into()));
        assert_eq!(v("https://x.example/news/20200428/story"), Some("2020-04-28T00:00:00Z".into()));
        assert_eq!(v("https://x.example/news/29-10-2021"), Some("2021-10-29T00:00:00Z".into()));
        assert_eq!(v("https://x.example/2019/13/40/story"), None);
        assert_eq!(v("https://20191119.example/story"), None);
    }

    #[test]
    fn a_yearless_day_in_running_text_is_not_a_date() {
        let html = "<html><body><h1>Borders</h1><p>Italy hopes to bring tourists back by opening its borders June 3, officials said on Saturday.</p></body></html>";
        assert_eq!(dates_of(html, None).0, None);
    }

    #[test]
    fn a_yearless_date_line_takes_its_year_from_the_url() {
        let html = "<html><body><h1>Protest</h1><p class=date>Saturday, January 18th</p><p>Text.</p></body></html>";
        assert_eq!(dates_of(html, Some("https://x.example/2020/01/18/protest")).0, Some("2020-01-18".into()));
        // With a copyright line instead, the year is no later than it.
        let html =
            "<html><body><h1>Protest</h1><p>Saturday, January 18th</p><footer>© 2020 Example</footer></body></html>";
        assert_eq!(dates_of(html, None).0, Some("2020-01-18".into()));
    }

    #[test]
    fn a_date_set_off_at_the_start_of_a_line_is_a_date_line() {
        let html = "<html><body><h1>X</h1><p>08.11.2021 | Online workshop for the day of remembrance, for everyone</p></body></html>";
        assert_eq!(dates_of(html, None).0, Some("2021-11-08".into()));
        let html = "<html><body><h1>X</h1><p>The committee met on 8 November 2021 and agreed to publish the report soon after.</p></body></html>";
        assert_eq!(dates_of(html, None).0, None);
    }

    #[test]
    fn slashed_dates_follow_the_page_language() {
        let page = |lang: &str| format!("<html lang={lang}><body><h1>X</h1><p>02/10/2020</p></body></html>");
        assert_eq!(dates_of(&page("en-GB"), None).0, Some("2020-10-02".into()));
        assert_eq!(dates_of(&page("de"), None).0, Some("2020-10-02".into()));
        assert_eq!(dates_of(&page("en-US"), None).0, Some("2020-02-10".into()));
    }

    #[test]
    fn a_relative_date_is_a_last_resort() {
        let html = r#"<html><body><h1>X</h1><time>Today 7:30AM</time><time datetime="2013-09-11T10:00:00-04:00">x</time></body></html>"#;
        assert_eq!(dates_of(html, None).0, Some("2013-09-11".into()));
        let html = "<html><body><h1>X</h1><time>Yesterday 12:35PM</time></body></html>";
        assert_eq!(dates_of(html, None).0, Some("2026-02-28".into()));
    }

    #[test]
    fn a_full_date_beats_a_yearless_one() {
        let html = "<html><body><p>March 3</p><h1>X</h1><p>Posted on 12 May 2019</p></body></html>";
        assert_eq!(dates_of(html, None).0, Some("2019-05-12".into()));
    }

    #[test]
    fn last_updated_is_an_update_not_the_publication() {
        let html =
            "<html><body><h1>X</h1><p>Published: 2 January 2025</p><p>Last Updated: January 7, 2025</p></body></html>";
        assert_eq!(dates_of(html, None), (Some("2025-01-02".into()), Some("2025-01-07".into())));
        let html = "<html><body><h1>X</h1><p>Last Updated: January 7, 2025</p></body></html>";
        assert_eq!(dates_of(html, None).0, None);
    }

    #[test]
    fn a_day_only_date_takes_the_time_of_the_same_day() {
        let html = r#"<html><head><meta property="article:published_time" content="2019-11-19T11:21:08+00:00">
            <meta property="article:modified_time" content="2019-11-19T11:21:08+00:00">
            <script type="application/ld+json">{"@type":"NewsArticle","datePublished":"November 19, 2019","dateModified":"November 19, 2019"}</script>
            </head><body><h1>X</h1></body></html>"#;
        let doc = Document::parse(html);
        let m = crate::meta::collect(&doc);
        let mut a = Article::default();
        fill(&doc, &m, &Options::default(), &mut a);
        assert_eq!(a.published.map(|t| t.value), Some("2019-11-19T11:21:08Z".into()));
        assert_eq!(a.updated, None);
    }

    #[test]
    fn the_same_instant_in_local_time_gives_the_day() {
        let html = r#"<html><head><meta name="date" content="2019-10-19T00:04:00+02:00">
            <script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2019-10-18T22:04:00Z"}</script>
            </head><body><h1>X</h1></body></html>"#;
        assert_eq!(dates_of(html, None).0, Some("2019-10-19".into()));
    }

    #[test]
    fn a_second_article_block_may_hold_the_newer_update() {
        let html = r#"<html><head>
            <script type="application/ld+json">{"@type":"NewsArticle","headline":"X","datePublished":"2019-11-19T04:58:46Z","dateModified":"2019-11-19T04:58:46Z"}</script>
            <script type="application/ld+json">{"@type":"Article","datePublished":"2019-11-19T04:58:46Z","dateModified":"2019-11-20T04:51:31Z"}</script>
            </head><body><h1>X</h1></body></html>"#;
        assert_eq!(dates_of(html, None), (Some("2019-11-19".into()), Some("2019-11-20".into())));
    }

    #[test]
    fn the_newest_update_is_kept() {
        let html = r#"<html><head><meta property="article:published_time" content="2021-02-01T10:00:00Z">
            <meta property="article:modified_time" content="2021-02-03T10:00:00Z"></head>
            <body><h1>X</h1><p>Updated: 5 February 2021</p></body></html>"#;
        assert_eq!(dates_of(html, None), (Some("2021-02-01".into()), Some("2021-02-05".into())));
    }

    #[test]
    fn no_date_after_the_reference_time_or_before_the_url() {
        let html = r#"<html><head><meta property="article:published_time" content="2031-01-01T00:00:00Z"></head>
            <body><h1>X</h1><time datetime="2009-04-11">11 April 2009</time></body></html>"#;
        assert_eq!(dates_of(html, Some("https://x.example/2019/10/22/story")).0, Some("2019-10-22".into()));
    }

    #[test]
    fn an_old_year_is_not_a_publication_date() {
        let html = "<html><body><h1>X</h1><p>7 May 1856</p></body></html>";
        assert_eq!(dates_of(html, None).0, None);
    }

    #[test]
    fn a_labelled_time_element_beats_a_bare_one() {
        let html = r#"<html><body><aside><time datetime="2020-01-01">1 Jan</time></aside>
            <h1>X</h1><span>Veröffentlicht am</span> <time datetime="2020-03-05">5. März</time></body></html>"#;
        assert_eq!(dates_of(html, None).0, Some("2020-03-05".into()));
    }

    #[test]
    fn explain_lists_candidates_and_reasons() {
        let html = r#"<html><head><meta property="article:published_time" content="2031-01-01T00:00:00Z"></head>
            <body><h1>X</h1><p>Posted 3 May 2021</p></body></html>"#;
        let doc = Document::parse(html);
        let m = crate::meta::collect(&doc);
        let text = explain(&doc, &m, &Options { now: Some(now()), ..Options::default() });
        assert!(text.contains("after the reference time"), "{text}");
        assert!(text.contains("published: 2021-05-03"), "{text}");
    }

    #[test]
    fn many_dates_stay_bounded() {
        let html = format!(
            "<html><body>{}</body></html>",
            "<p>1 May 2020</p><time datetime=\"2020-05-01\">x</time>".repeat(10_000)
        );
        let doc = Document::parse(&html);
        let m = crate::meta::collect(&doc);
        let c = collect(&doc, &m, &Options::default());
        assert!(c.len() <= MAX_TIME_ELEMENTS + MAX_TEXT_CANDIDATES);
    }
}
