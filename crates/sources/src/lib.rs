//! newsdesk input sources: everything a person points newsdesk at, streamed
//! as raw documents for the extractor.
//!
//! [`open`] expands a list of inputs — files, folders (recursively), WARC
//! archives (`.warc`, `.warc.gz`), RSS/Atom feeds (`.xml`, `.rss`, `.atom`),
//! plain-text dumps (`.txt`) and `http(s)` URLs — into a lazy iterator of
//! [`RawDoc`]s. Nothing reads a whole archive into memory: a WARC is decoded
//! one record at a time, a folder one directory listing at a time, so ingest
//! of a multi-gigabyte CC-NEWS file runs in constant memory.
//!
//! Inputs are hostile. Every failure is one `Err(SourceError)` item naming
//! its location (`file.warc.gz#record=12@offset=34567`, `feed.xml#item=3`,
//! the URL) and the stream goes on with the next record or input: a corrupt
//! gzip member, a bad `Content-Length`, a truncated archive, invalid feed XML,
//! a non-HTML response, a 5 GB download. Sizes are bounded
//! ([`SourceOptions::max_doc_bytes`] per document,
//! [`SourceOptions::max_decompressed`] per archive), and fetching refuses
//! private and loopback addresses unless asked and honours robots.txt.
//!
//! [`synth`] writes a synthetic news corpus with known duplicates, revisions
//! and stories, for benchmarks of the whole ingest pipeline.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};

mod feed;
mod fetch;
mod files;
mod http;
pub mod robots;
pub mod synth;
mod walk;
mod warc;

pub use fetch::{check_literal, check_target, guarded_resolver, is_public_ip};
pub use warc::WarcRecords;

/// One document read from a source, before extraction.
#[derive(Clone, Debug, PartialEq)]
pub struct RawDoc {
    /// Where it came from, precise enough to find it again: a path,
    /// `path.warc.gz#record=12@offset=34567` (record index from 0 counting
    /// every WARC record; offset of the gzip member holding the record for
    /// `.warc.gz`, of the record's first byte for `.warc`),
    /// `feed.xml#item=3` (item index from 0), or the URL.
    pub location: String,
    /// The page's address, when known (WARC target URI, feed item link,
    /// fetched URL after redirects).
    pub url: Option<String>,
    /// When the page was fetched (WARC-Date, or the time of our fetch).
    pub fetched_at: Option<DateTime<FixedOffset>>,
    /// Charset from an HTTP `Content-Type` header, when one was sent.
    pub charset: Option<String>,
    pub kind: DocKind,
    pub bytes: Vec<u8>,
}

/// What the bytes of a [`RawDoc`] are, which decides the extractor.
#[derive(Clone, Debug, PartialEq)]
pub enum DocKind {
    /// An HTML page.
    Html,
    /// A plain-text dump of one or several pages copied out of a browser.
    Text,
    /// A feed item's own content (or summary) as HTML, with the item's
    /// title and publication time from the feed, which the HTML fragment
    /// itself usually lacks.
    FeedItem { title: Option<String>, published: Option<DateTime<FixedOffset>> },
}

/// How sources read and fetch.
#[derive(Clone, Debug)]
pub struct SourceOptions {
    /// Fetch URLs (inputs and feed item links). Off by default: reading
    /// files never touches the network unless asked.
    pub fetch: bool,
    /// Allow fetching from private, loopback and link-local addresses. Off
    /// by default so a hostile feed cannot make newsdesk probe the local
    /// network (SSRF).
    pub allow_private: bool,
    /// Largest document accepted, after decompression (default 16 MiB, the
    /// extractor's own parse bound). Larger pages, records and downloads are
    /// reported and skipped; reading stops there.
    pub max_doc_bytes: usize,
    /// Largest decompressed size of one compressed input (a `.warc.gz`);
    /// reading that input stops there with an error naming this limit
    /// (default 64 GiB, several times a CC-NEWS file). The guard against
    /// decompression bombs, which would otherwise spin forever.
    pub max_decompressed: u64,
    /// Sent with every request; its first word (before `/`) is the product
    /// token matched against robots.txt `User-agent` lines.
    pub user_agent: String,
    /// Whole-request timeout (connect, headers and body).
    pub timeout: Duration,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            fetch: false,
            allow_private: false,
            max_doc_bytes: 16 * 1024 * 1024,
            max_decompressed: 64 * 1024 * 1024 * 1024,
            user_agent: format!("newsdesk/{} (news archiving; honours robots.txt)", env!("CARGO_PKG_VERSION")),
            timeout: Duration::from_secs(30),
        }
    }
}

/// A record or input that could not be read, with where it was.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[error("{location}: {message}")]
pub struct SourceError {
    pub location: String,
    pub message: String,
}

/// Message prefix of errors that are deliberate skips of well-formed input
/// that is not a page (a non-HTML response, a redirect, a feed item without
/// content) rather than damage.
pub const SKIPPED_PREFIX: &str = "skipped: ";

impl SourceError {
    pub(crate) fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        SourceError { location: location.into(), message: message.into() }
    }

    pub(crate) fn skipped(location: impl Into<String>, reason: impl AsRef<str>) -> Self {
        SourceError { location: location.into(), message: format!("{SKIPPED_PREFIX}{}", reason.as_ref()) }
    }

    /// True when the input was readable but is not a page (see
    /// [`SKIPPED_PREFIX`]); callers may count these apart from errors.
    pub fn is_skip(&self) -> bool {
        self.message.starts_with(SKIPPED_PREFIX)
    }
}

/// The item type of every source stream.
pub type DocResult = Result<RawDoc, SourceError>;

/// A lazy stream of documents; `Send` so a pipeline can read on its own
/// thread.
pub type DocStream = Box<dyn Iterator<Item = DocResult> + Send>;

/// Expands inputs (files, folders recursively, `.warc`/`.warc.gz`,
/// `.xml`/`.rss`/`.atom` feeds, `.txt` dumps, `http(s)` URLs) into a lazy
/// stream of documents, in input order (folders in sorted name order).
///
/// Files named explicitly are read whatever their extension (unknown ones
/// are sniffed: a `<` near the start means HTML, anything else a text
/// dump); inside folders only known extensions are read, so the images,
/// scripts and JSON saved beside pages do not come out as documents.
/// Hidden files and folders (names starting with `.`) and symbolic links to
/// folders are skipped in folder walks.
pub fn open(inputs: &[String], opts: &SourceOptions) -> DocStream {
    Box::new(walk::Sources::new(inputs, opts.clone()))
}

/// True for an input that is an `http://` or `https://` URL.
pub fn is_url(input: &str) -> bool {
    let l = input.get(..8).unwrap_or(input).to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}
