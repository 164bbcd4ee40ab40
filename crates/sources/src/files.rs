//! Single-document files: HTML pages (optionally gzipped), text dumps and
//! files of unknown type, read with a size bound.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use crate::walk::FileKind;
use crate::{DocKind, DocResult, RawDoc, SourceError, SourceOptions};

/// Reads up to `max + 1` bytes so "exactly at the limit" and "over it" differ.
pub(crate) fn read_bounded(mut r: impl Read, max: usize) -> std::io::Result<(Vec<u8>, bool)> {
    let mut buf = Vec::new();
    r.by_ref().take(max as u64 + 1).read_to_end(&mut buf)?;
    let over = buf.len() > max;
    buf.truncate(max);
    Ok((buf, over))
}

/// How bytes of unknown type look: markup if a `<` comes first among the
/// first non-blank characters (after a byte-order mark).
pub(crate) fn looks_like_markup(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    b.iter().take(1024).find(|c| !c.is_ascii_whitespace()) == Some(&b'<')
}

/// True when the file starts like an RSS, Atom or RDF feed (an explicitly
/// named feed without a feed extension).
pub(crate) fn file_is_feed(path: &Path) -> bool {
    let mut head = Vec::new();
    match File::open(path) {
        Ok(f) => f.take(2048).read_to_end(&mut head).is_ok() && looks_like_markup(&head) && looks_like_feed(&head),
        Err(_) => false,
    }
}

/// True when the start of the bytes is an RSS, Atom or RDF feed.
pub(crate) fn looks_like_feed(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(2048)];
    let lower: Vec<u8> = head.iter().map(|c| c.to_ascii_lowercase()).collect();
    let has = |needle: &[u8]| memchr::memmem::find(&lower, needle).is_some();
    (has(b"<rss") || has(b"<feed") || has(b"<rdf:rdf")) && !has(b"<html")
}

pub(crate) fn read_single(path: &Path, kind: FileKind, opts: &SourceOptions) -> DocResult {
    let loc = path.display().to_string();
    let file = File::open(path).map_err(|e| SourceError::new(&loc, format!("cannot open: {e}")))?;
    let gz = matches!(kind, FileKind::Html { gz: true } | FileKind::Unknown { gz: true });
    let result = if gz {
        read_bounded(flate2::read::MultiGzDecoder::new(file), opts.max_doc_bytes)
    } else {
        read_bounded(file, opts.max_doc_bytes)
    };
    let (bytes, over) = result.map_err(|e| {
        let what = if gz { "not a valid gzip file (truncated or corrupt)" } else { "cannot read" };
        SourceError::new(&loc, format!("{what}: {e}"))
    })?;
    if over {
        return Err(SourceError::new(
            &loc,
            format!("larger than max_doc_bytes ({} bytes) after decompression; skipped", opts.max_doc_bytes),
        ));
    }
    let kind = match kind {
        FileKind::Html { .. } => DocKind::Html,
        FileKind::Text => DocKind::Text,
        _ if looks_like_markup(&bytes) => DocKind::Html,
        _ => DocKind::Text,
    };
    Ok(RawDoc { location: loc, url: None, fetched_at: None, charset: None, kind, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert!(looks_like_markup(b"\xef\xbb\xbf  \n<!doctype html>"));
        assert!(!looks_like_markup(b"Headline\nBody <b>"));
        assert!(looks_like_feed(b"<?xml version='1.0'?><rss version='2.0'>"));
        assert!(!looks_like_feed(b"<html><body>rss</body></html>"));
    }

    #[test]
    fn bounded() {
        let (b, over) = read_bounded(&b"abcdef"[..], 6).unwrap();
        assert_eq!((b.len(), over), (6, false));
        let (b, over) = read_bounded(&b"abcdefg"[..], 6).unwrap();
        assert_eq!((b.len(), over), (6, true));
    }
}
