//! The bytes of one work item: a run of consecutive source records (raw
//! documents, or the read errors standing in their place), carried whole.
//!
//! Why bytes and not locations: a worker then needs no access to the
//! splitter's files (no shared file system, any input kind — files, WARC,
//! feeds, fetched URLs — works the same), and it sees exactly the records
//! the embedded pipeline would have seen, with the same locations, so a
//! cluster run stores exactly what a single-process run stores.
//!
//! Layout: `NDQ1`, a little-endian `u32` length of a JSON header, the
//! header (one entry per record, with its byte length), then every
//! record's bytes back to back. JSON for the metadata keeps the format
//! readable and extensible; raw bytes for the pages keep it compact (JSON
//! would spell every byte as a number).

use chrono::DateTime;
use newsdesk_sources::{DocKind, RawDoc, SourceError};
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 4] = b"NDQ1";

/// Why an item's bytes do not decode: a message that is not a newsdesk work
/// item, or one damaged in transit or by a bug. Such an item fails on every
/// delivery, so it ends in the dead letters.
#[derive(Debug, thiserror::Error)]
#[error("malformed work item: {0}")]
pub struct ItemError(pub String);

#[derive(Serialize, Deserialize)]
struct Entry {
    /// `html`, `text`, `feed` or `error`.
    k: String,
    loc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    /// Fetch time, RFC 3339 (which keeps the offset and fraction exactly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cs: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    /// The error message of an `error` entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    msg: Option<String>,
    len: usize,
}

/// The encoded size of a record, near enough to pack items under the
/// server's message size limit (the header entry's JSON is estimated).
pub fn record_size(record: &Result<RawDoc, SourceError>) -> usize {
    match record {
        Ok(d) => d.bytes.len() + d.location.len() + d.url.as_ref().map_or(0, String::len) + 160,
        Err(e) => e.location.len() + e.message.len() + 64,
    }
}

/// Encodes records as one item.
pub fn encode(records: &[Result<RawDoc, SourceError>]) -> Vec<u8> {
    let mut entries = Vec::with_capacity(records.len());
    let mut body_len = 0;
    for r in records {
        let e = match r {
            Ok(d) => {
                let (k, title, published) = match &d.kind {
                    DocKind::Html => ("html", None, None),
                    DocKind::Text => ("text", None, None),
                    DocKind::FeedItem { title, published } => ("feed", title.clone(), published.map(|p| p.to_rfc3339())),
                };
                body_len += d.bytes.len();
                Entry {
                    k: k.into(),
                    loc: d.location.clone(),
                    url: d.url.clone(),
                    at: d.fetched_at.map(|t| t.to_rfc3339()),
                    cs: d.charset.clone(),
                    title,
                    published,
                    msg: None,
                    len: d.bytes.len(),
                }
            }
            Err(e) => Entry {
                k: "error".into(),
                loc: e.location.clone(),
                url: None,
                at: None,
                cs: None,
                title: None,
                published: None,
                msg: Some(e.message.clone()),
                len: 0,
            },
        };
        entries.push(e);
    }
    // Serialising plain strings and numbers cannot fail.
    let header = serde_json::to_vec(&entries).unwrap_or_default();
    let mut out = Vec::with_capacity(8 + header.len() + body_len);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(&header);
    for r in records.iter().flatten() {
        out.extend_from_slice(&r.bytes);
    }
    out
}

fn time(s: &Option<String>, what: &str) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, ItemError> {
    s.as_deref()
        .map(|t| DateTime::parse_from_rfc3339(t).map_err(|e| ItemError(format!("{what} {t:?}: {e}"))))
        .transpose()
}

/// Decodes an item's records; every length is checked against the bytes
/// actually there.
pub fn decode(bytes: &[u8]) -> Result<Vec<Result<RawDoc, SourceError>>, ItemError> {
    if bytes.get(..4) != Some(MAGIC.as_slice()) {
        return Err(ItemError("no NDQ1 signature".into()));
    }
    let len_bytes: [u8; 4] = bytes.get(4..8).and_then(|b| b.try_into().ok()).ok_or_else(|| ItemError("cut short".into()))?;
    let header_len = u32::from_le_bytes(len_bytes) as usize;
    let header = bytes.get(8..8 + header_len).ok_or_else(|| ItemError("header cut short".into()))?;
    let entries: Vec<Entry> = serde_json::from_slice(header).map_err(|e| ItemError(format!("header: {e}")))?;
    let mut pos = 8 + header_len;
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        if e.k == "error" {
            out.push(Err(SourceError { location: e.loc, message: e.msg.unwrap_or_default() }));
            continue;
        }
        let end = pos.checked_add(e.len).ok_or_else(|| ItemError("record length overflows".into()))?;
        let body = bytes.get(pos..end).ok_or_else(|| ItemError(format!("{}: record bytes cut short", e.loc)))?;
        pos = end;
        let kind = match e.k.as_str() {
            "html" => DocKind::Html,
            "text" => DocKind::Text,
            "feed" => DocKind::FeedItem { title: e.title.clone(), published: time(&e.published, "feed item time")? },
            other => return Err(ItemError(format!("{}: unknown record kind {other:?}", e.loc))),
        };
        out.push(Ok(RawDoc { fetched_at: time(&e.at, "fetch time")?, location: e.loc, url: e.url, charset: e.cs, kind, bytes: body.to_vec() }));
    }
    if pos != bytes.len() {
        return Err(ItemError(format!("{} stray bytes after the last record", bytes.len() - pos)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Result<RawDoc, SourceError>> {
        let t = DateTime::parse_from_rfc3339("2024-03-01T10:20:30.123456+02:00").ok();
        vec![
            Ok(RawDoc {
                location: "a.warc.gz#record=1@offset=0".into(),
                url: Some("https://x.example/a".into()),
                fetched_at: t,
                charset: Some("utf-8".into()),
                kind: DocKind::Html,
                bytes: b"<html>one</html>".to_vec(),
            }),
            Err(SourceError { location: "a.warc.gz#record=2@offset=99".into(), message: "truncated".into() }),
            Ok(RawDoc {
                location: "f.xml#item=0".into(),
                url: None,
                fetched_at: None,
                charset: None,
                kind: DocKind::FeedItem { title: Some("T".into()), published: t },
                bytes: vec![0, 255, 10],
            }),
            Ok(RawDoc { location: "d.txt".into(), url: None, fetched_at: None, charset: None, kind: DocKind::Text, bytes: vec![] }),
        ]
    }

    #[test]
    fn round_trips_exactly() {
        let records = sample();
        let decoded = decode(&encode(&records)).expect("decodes");
        assert_eq!(decoded, records);
    }

    #[test]
    fn damage_is_an_error_not_a_panic() {
        let bytes = encode(&sample());
        for cut in [0, 3, 7, 9, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(1);
        assert!(decode(&longer).is_err());
        let mut bad_len = bytes;
        bad_len[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&bad_len).is_err());
        assert!(decode(b"hello world").is_err());
    }
}
