//! Extraction of a news [`Article`] from the bytes of an HTML page.
//!
//! One pure call, [`extract`]: bytes, the URL if known and a reference time
//! in; an [`Article`] with its diagnostics out. No I/O, no global state, no
//! panics on any input, work linear in the page size and bounded by
//! [`Options::max_bytes`]. A page with no article is not an error: the
//! Article comes back empty with a [`DiagnosticCode::NoArticle`] diagnostic.
//!
//! The stages, each in its own module:
//! - [`charset`]: bytes → text (BOM, transport charset, `<meta charset>`,
//!   UTF-8 validity, chardetng detection);
//! - `newsdesk_html`: text → arena DOM (fast, lenient, bounded);
//! - [`meta`]: `<meta>`, `<link>`, JSON-LD and microdata;
//! - [`body`]: the running text, its container and sub-headings;
//! - [`fields`]: headline, standfirst, summary, authors, credit, dateline,
//!   dates, language, images, section and tags, each with its evidence;
//! - [`dating`]: published and updated dates chosen from every piece of
//!   date evidence, ranked by kind, label and plausibility;
//! - [`byline`]: people versus outlets and wire agencies, datelines.
//!
//! ```
//! let html = br#"<html><head><meta property="og:title" content="Dam opens"></head>
//! <body><article><h1>Dam opens</h1><p>By Ana Ruiz</p>
//! <p>The new dam on the Orla river opened on Monday after nine years of building work and two changes of contractor.</p>
//! <p>Officials said the reservoir would supply water to forty villages by the end of next summer, if the rains come.</p>
//! </article></body></html>"#;
//! let article = newsdesk_extract::extract(html, &newsdesk_extract::Options::default());
//! assert_eq!(article.headline.as_deref(), Some("Dam opens"));
//! assert_eq!(article.authors, vec!["Ana Ruiz"]);
//! assert!(article.body.starts_with("The new dam"));
//! ```

pub mod body;
pub mod byline;
pub mod charset;
pub mod dating;
pub mod fields;
pub mod meta;
pub mod text;

use chrono::{DateTime, FixedOffset};
use newsdesk_html::Document;
use newsdesk_model::{Article, DiagnosticCode};

/// The default bound on the bytes of one page that are parsed.
pub const DEFAULT_MAX_BYTES: usize = 16 * 1024 * 1024;

/// What the caller knows about the page besides its bytes.
#[derive(Debug, Clone)]
pub struct Options {
    /// The URL the page was fetched from: resolves relative image URLs and
    /// gives a date when the page states none elsewhere.
    pub url: Option<String>,
    /// Reference time for relative dates ("3 hours ago").
    pub now: Option<DateTime<FixedOffset>>,
    /// The charset named by the transport (HTTP `Content-Type`).
    pub transport_charset: Option<String>,
    /// Bytes beyond this are not parsed (a diagnostic says so).
    pub max_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { url: None, now: None, transport_charset: None, max_bytes: DEFAULT_MAX_BYTES }
    }
}

/// Extracts the article of an HTML page given as bytes in any charset.
pub fn extract(bytes: &[u8], opts: &Options) -> Article {
    let mut article = Article { url: opts.url.clone(), ..Article::default() };
    let mut bytes = bytes;
    if bytes.len() > opts.max_bytes {
        article.diagnose(
            DiagnosticCode::Truncated,
            format!("page is {} bytes; only the first {} were parsed", bytes.len(), opts.max_bytes),
        );
        bytes = &bytes[..opts.max_bytes];
    }
    let decoded = charset::decode(bytes, opts.transport_charset.as_deref());
    if decoded.source == charset::CharsetSource::Detected {
        article.diagnose(DiagnosticCode::CharsetGuessed, format!("no charset declared; detected {}", decoded.encoding.name()));
    }
    if decoded.had_errors {
        article.diagnose(DiagnosticCode::DecodeErrors, format!("bytes invalid in {} were replaced", decoded.encoding.name()));
    }
    extract_text(&decoded.text, opts, article)
}

/// Extracts the article of an HTML page that is already text.
pub fn extract_str(html: &str, opts: &Options) -> Article {
    let article = Article { url: opts.url.clone(), ..Article::default() };
    extract_text(html, opts, article)
}

fn extract_text(html: &str, opts: &Options, mut article: Article) -> Article {
    if is_binary(html) {
        article.diagnose(DiagnosticCode::NotHtml, "input is binary data, not HTML");
        article.diagnose(DiagnosticCode::NoArticle, "no text to extract");
        return article;
    }
    if !looks_like_html(html) {
        article.diagnose(DiagnosticCode::NotHtml, "input has no HTML markup");
    }
    let doc = Document::parse(html);
    if doc.too_deep() {
        article.diagnose(
            DiagnosticCode::TooDeep,
            format!("elements nested deeper than {} were flattened", newsdesk_html::MAX_DEPTH),
        );
    }
    fields::fill(&doc, opts, &mut article);
    article
}

/// A report of how the body of the page was chosen (the container and
/// every text block with its weight) and how its dates were (every
/// candidate, what was dropped and why): a tuning and debugging aid.
pub fn explain(bytes: &[u8], opts: &Options) -> String {
    let decoded = charset::decode(bytes, opts.transport_charset.as_deref());
    let doc = Document::parse(&decoded.text);
    let m = meta::collect(&doc);
    let mut a = Article::default();
    fields::headline(&doc, &m, &mut a);
    let mut out = body::explain(&doc, &fields::body_hints(&doc, &m, &a));
    out.push_str(&dating::explain(&doc, &m, opts));
    out
}

fn looks_like_html(s: &str) -> bool {
    s.as_bytes()[..s.len().min(4096)].contains(&b'<')
}

/// Text decoded from binary data: many control characters (NUL, C0, C1) or
/// replacement characters in the first few kilobytes.
fn is_binary(s: &str) -> bool {
    let mut n = 0usize;
    let mut bad = 0usize;
    for c in s.chars().take(4096) {
        n += 1;
        if (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c')) || c == '\u{FFFD}' {
            bad += 1;
        }
    }
    n > 0 && bad * 10 > n
}
