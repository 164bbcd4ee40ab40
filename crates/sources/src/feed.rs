//! RSS 2.0, RSS 1.0 and Atom feeds (feed-rs): each item becomes a document —
//! its own content as HTML, or with fetching on, the page its link points
//! to.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use crate::fetch::Fetcher;
use crate::files::read_bounded;
use crate::{DocKind, DocResult, DocStream, RawDoc, SourceError, SourceOptions};

/// A feed file may be this many times `max_doc_bytes`: it holds many items.
const FEED_SIZE_FACTOR: usize = 4;

pub(crate) fn from_file(path: &Path, opts: &SourceOptions, fetcher: Option<Arc<Fetcher>>) -> DocStream {
    let loc = path.display().to_string();
    let limit = opts.max_doc_bytes.saturating_mul(FEED_SIZE_FACTOR);
    let bytes = match File::open(path).and_then(|f| read_bounded(f, limit)) {
        Err(e) => return once(Err(SourceError::new(loc, format!("cannot read: {e}")))),
        Ok((_, true)) => return once(Err(SourceError::new(loc, format!("feed larger than {limit} bytes; skipped")))),
        Ok((b, false)) => b,
    };
    from_bytes(loc, bytes, fetcher, None)
}

fn once(item: DocResult) -> DocStream {
    Box::new(std::iter::once(item))
}

/// The items of a feed's bytes; `base` starts each item's location
/// (`base#item=N`), `fetched_at` is when the feed itself was fetched.
pub(crate) fn from_bytes(
    base: String,
    bytes: Vec<u8>,
    fetcher: Option<Arc<Fetcher>>,
    fetched_at: Option<DateTime<FixedOffset>>,
) -> DocStream {
    let feed = match feed_rs::parser::parse(&bytes[..]) {
        Ok(f) => f,
        Err(e) => return once(Err(SourceError::new(base, format!("invalid feed: {e}")))),
    };
    drop(bytes);
    Box::new(feed.entries.into_iter().enumerate().map(move |(i, entry)| {
        let location = format!("{base}#item={i}");
        let link = entry
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or(entry.links.first())
            .map(|l| l.href.trim().to_string())
            .filter(|h| !h.is_empty());
        if let Some(f) = &fetcher {
            return match &link {
                Some(url) => f.fetch_page(url),
                None => Err(SourceError::skipped(location, "feed item without a link to fetch")),
            };
        }
        let title = entry.title.map(|t| t.content).filter(|t| !t.trim().is_empty());
        let published = entry.published.or(entry.updated).map(|d| d.fixed_offset());
        let html = entry.content.and_then(|c| c.body).filter(|b| !b.trim().is_empty()).or_else(|| entry.summary.map(|s| s.content));
        match html.filter(|h| !h.trim().is_empty()) {
            None => Err(SourceError::skipped(location, "feed item without content or summary")),
            Some(html) => Ok(RawDoc {
                location,
                url: link,
                fetched_at,
                charset: None,
                kind: DocKind::FeedItem { title, published },
                bytes: html.into_bytes(),
            }),
        }
    }))
}
