//! The domain types every newsdesk stage speaks: an [`Article`] as extraction
//! produces it, with the evidence behind each field and the diagnostics of the
//! run that made it.
//!
//! This crate has no logic beyond small constructors and helpers, so that the
//! extract, analyze, store and server crates can agree on one shape without
//! depending on each other. The JSON form of these types is the public,
//! versioned output schema documented in `docs/schema.md`; bump
//! [`SCHEMA_VERSION`] whenever a field changes meaning or disappears.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Version of the JSON schema of [`Article`]. Additive changes (a new optional
/// field) keep the number; renames, removals and changes of meaning bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// One news article with every field a newsroom records.
///
/// Fields the page does not carry are `None` or empty; they are never filled
/// with guesses that have no evidence. Each filled field other than `body`
/// has an entry in [`Article::evidence`] keyed by the field name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub schema_version: u32,
    /// Where the input came from (a path, `-` for stdin, or a URL). Set by the
    /// caller that knows it, not by extraction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The URL the page was fetched from, when the caller knows it.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub canonical_url: Option<String>,
    #[serde(default)]
    pub headline: Option<String>,
    /// The dek / subtitle printed under the headline.
    #[serde(default)]
    pub standfirst: Option<String>,
    /// Key-point bullets printed above the body ("Story highlights").
    #[serde(default)]
    pub summary: Vec<String>,
    /// People who wrote the article. Never outlet names, "Staff" or dates.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Wire agency or other credited source ("Reuters", "AP"), kept apart
    /// from the authors.
    #[serde(default)]
    pub credit: Option<String>,
    /// Place named at the start of the body ("CARACAS"), already removed
    /// from the body text.
    #[serde(default)]
    pub dateline: Option<String>,
    #[serde(default)]
    pub published: Option<Timestamp>,
    #[serde(default)]
    pub updated: Option<Timestamp>,
    /// ISO 639-1 code.
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub site_name: Option<String>,
    #[serde(default)]
    pub section: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Sub-headings printed inside the body, in order.
    #[serde(default)]
    pub headings: Vec<String>,
    #[serde(default)]
    pub images: Vec<Image>,
    /// The main text: paragraphs separated by one blank line. Sub-headings
    /// appear as their own paragraphs; captions, related links, share
    /// buttons, newsletter boxes and comments do not.
    #[serde(default)]
    pub body: String,
    /// Where each filled field came from, keyed by field name.
    #[serde(default)]
    pub evidence: BTreeMap<String, Evidence>,
    /// What went wrong or looked doubtful while producing this article.
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
}

impl Default for Article {
    fn default() -> Self {
        Article {
            schema_version: SCHEMA_VERSION,
            source: None,
            url: None,
            canonical_url: None,
            headline: None,
            standfirst: None,
            summary: Vec::new(),
            authors: Vec::new(),
            credit: None,
            dateline: None,
            published: None,
            updated: None,
            language: None,
            site_name: None,
            section: None,
            tags: Vec::new(),
            headings: Vec::new(),
            images: Vec::new(),
            body: String::new(),
            evidence: BTreeMap::new(),
            diagnostics: Vec::new(),
        }
    }
}

impl Article {
    /// Records where `field` came from, replacing earlier evidence.
    pub fn note(&mut self, field: &str, source: EvidenceSource, detail: impl Into<String>) {
        let detail = detail.into();
        self.evidence.insert(
            field.to_string(),
            Evidence { source, detail: if detail.is_empty() { None } else { Some(detail) } },
        );
    }

    /// Adds a diagnostic.
    pub fn diagnose(&mut self, code: DiagnosticCode, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic { code, message: message.into() });
    }

    /// The body's paragraphs, in order.
    pub fn paragraphs(&self) -> impl Iterator<Item = &str> {
        self.body.split("\n\n").map(str::trim).filter(|p| !p.is_empty())
    }

    /// Number of words in the body, counting runs of alphanumeric characters.
    pub fn word_count(&self) -> usize {
        self.body.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).count()
    }
}

/// A point in time as the page states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timestamp {
    /// RFC 3339. When the page gives no time zone the value is written in UTC
    /// and `assumed_utc` is true.
    pub value: String,
    pub precision: Precision,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assumed_utc: bool,
}

/// How much of a [`Timestamp`] the page actually stated; the rest is zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Year,
    Month,
    Day,
    Minute,
    Second,
}

/// An image of the article with its caption and credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub credit: Option<String>,
}

/// Where a field's value was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub source: EvidenceSource,
    /// The property, tag or raw text the value was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The kinds of place a field can come from, most trusted first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceSource {
    /// schema.org data in a `<script type="application/ld+json">`.
    JsonLd,
    /// schema.org microdata (`itemprop`).
    Microdata,
    /// `og:` and `article:` properties.
    OpenGraph,
    /// Other `<meta>` tags (`author`, `date`, Dublin Core, Twitter cards).
    Meta,
    /// A `<time datetime>` element.
    TimeElement,
    /// `<link rel=…>` or the `<html lang>` attribute.
    Markup,
    /// A byline or dateline pattern in the visible text.
    Byline,
    /// A date or path segment in the URL.
    Url,
    /// A heuristic over the visible text (position, layout, wording).
    TextHeuristic,
    /// Statistical detection (the language of the body).
    Detection,
}

/// Something the caller should know about one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub code: DiagnosticCode,
    pub message: String,
}

/// Stable machine-readable diagnostic codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticCode {
    /// No block of running text looked like an article (a section front, a
    /// login wall, an error page).
    NoArticle,
    /// The charset was guessed, not declared.
    CharsetGuessed,
    /// Bytes that did not decode in the chosen charset were replaced.
    DecodeErrors,
    /// The page was larger than the work bound and was cut.
    Truncated,
    /// The element tree was deeper than the bound; deeper elements were
    /// flattened into their ancestor.
    TooDeep,
    /// Structured data (JSON-LD) on the page did not parse.
    BadStructuredData,
    /// The input does not look like HTML.
    NotHtml,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_every_field() {
        let mut a = Article {
            headline: Some("Dam opens".into()),
            authors: vec!["Ana Ruiz".into()],
            published: Some(Timestamp {
                value: "2024-03-01T10:00:00+01:00".into(),
                precision: Precision::Minute,
                assumed_utc: false,
            }),
            body: "One.\n\nTwo.".into(),
            ..Article::default()
        };
        a.note("headline", EvidenceSource::JsonLd, "headline");
        let json = serde_json::to_string(&a).unwrap();
        let back: Article = serde_json::from_str(&json).unwrap();
        assert_eq!(a, back);
        assert!(json.contains("\"schema_version\":1"));
        assert!(json.contains("\"json-ld\""));
    }

    #[test]
    fn paragraphs_and_word_count() {
        let a = Article { body: "Alpha beta.\n\n\n\nGamma, delta-epsilon.".into(), ..Article::default() };
        assert_eq!(a.paragraphs().collect::<Vec<_>>(), vec!["Alpha beta.", "Gamma, delta-epsilon."]);
        assert_eq!(a.word_count(), 5);
    }
}

pub mod analysis;
pub use analysis::*;
