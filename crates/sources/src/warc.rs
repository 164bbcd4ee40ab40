//! A streaming WARC 1.0/1.1 reader, written by hand on flate2.
//!
//! Why by hand: the reader has to survive damaged archives record by record
//! — a corrupt gzip member, a wrong `Content-Length`, a file cut short —
//! reporting each with the record's location and carrying on, and to bound
//! decompression. Gzip members are decoded one at a time over our own
//! buffered reader, so after a broken member the reader can find the next
//! member's header and go on, and every record can be given the compressed
//! offset of the member it starts in (what CC index files call `offset`).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, Read};
use std::path::Path;

use chrono::DateTime;

use crate::http;
use crate::{DocResult, DocStream, RawDoc, SourceError, SourceOptions};

const BUF_SIZE: usize = 64 * 1024;
/// Longest header line and whole header block accepted in a WARC record;
/// real ones are a few hundred bytes.
const MAX_LINE: usize = 16 * 1024;
const MAX_HEADER_BLOCK: usize = 64 * 1024;
/// Room for HTTP headers on top of `max_doc_bytes` in a response record.
const HTTP_HEADER_SLACK: usize = 256 * 1024;
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// A buffered reader that counts consumed bytes and can look ahead by more
/// than one read (std's `BufReader` refills only when empty).
struct Buffered<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    consumed: u64,
}

impl<R: Read> Buffered<R> {
    fn new(inner: R) -> Self {
        Buffered { inner, buf: vec![0; BUF_SIZE], pos: 0, end: 0, consumed: 0 }
    }

    /// At least `n` bytes buffered (fewer only at end of input).
    fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.end - self.pos < n {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
            if self.buf.len() < n {
                self.buf.resize(n, 0);
            }
            while self.end < n {
                let k = self.inner.read(&mut self.buf[self.end..])?;
                if k == 0 {
                    break;
                }
                self.end += k;
            }
        }
        Ok(&self.buf[self.pos..self.end])
    }

    /// Puts bytes back in front of the buffer (a record body that overran
    /// into the next record).
    fn unread(&mut self, bytes: &[u8]) {
        let mut v = Vec::with_capacity(bytes.len() + self.end - self.pos + BUF_SIZE);
        v.extend_from_slice(bytes);
        v.extend_from_slice(&self.buf[self.pos..self.end]);
        let end = v.len();
        v.resize(end.max(BUF_SIZE), 0);
        self.buf = v;
        self.pos = 0;
        self.end = end;
        self.consumed = self.consumed.saturating_sub(bytes.len() as u64);
    }
}

impl<R: Read> Read for Buffered<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Buffered<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end {
            if self.buf.len() > 4 * BUF_SIZE {
                self.buf = vec![0; BUF_SIZE];
            }
            self.pos = 0;
            self.end = 0;
            self.end = self.inner.read(&mut self.buf)?;
        }
        Ok(&self.buf[self.pos..self.end])
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.end - self.pos);
        self.pos += n;
        self.consumed += n as u64;
    }
}

/// The decompressed byte stream of a WARC file, and the offset to report
/// for a record starting at a given decompressed position.
trait Stream: Read + Send {
    fn offset_of(&mut self, upos: u64) -> u64;
}

struct PlainStream<R>(R);

impl<R: Read + Send> Read for PlainStream<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.0.read(out)
    }
}

impl<R: Read + Send> Stream for PlainStream<R> {
    fn offset_of(&mut self, upos: u64) -> u64 {
        upos
    }
}

enum GzState<R: Read> {
    Between(Buffered<R>),
    Member(flate2::bufread::GzDecoder<Buffered<R>>),
    Done,
}

/// Gzip members decoded one after another as one stream. A member that
/// fails to decode is reported once (as an `InvalidData` read error) and
/// the stream resumes at the next gzip header found after it.
struct GzMembers<R: Read> {
    state: GzState<R>,
    produced: u64,
    limit: u64,
    /// (decompressed start, compressed offset) of recent members.
    members: VecDeque<(u64, u64)>,
}

impl<R: Read> GzMembers<R> {
    fn new(inner: R, limit: u64) -> Self {
        GzMembers { state: GzState::Between(Buffered::new(inner)), produced: 0, limit, members: VecDeque::new() }
    }
}

/// Skips to the next gzip member header (or the end). Returns bytes skipped.
fn seek_magic<R: Read>(r: &mut Buffered<R>) -> io::Result<u64> {
    let mut skipped = 0u64;
    loop {
        let buf = r.peek(GZIP_MAGIC.len())?;
        if buf.len() < GZIP_MAGIC.len() {
            let n = buf.len();
            r.consume(n);
            return Ok(skipped + n as u64);
        }
        if buf.starts_with(&GZIP_MAGIC) {
            return Ok(skipped);
        }
        let step = match memchr::memchr(GZIP_MAGIC[0], &buf[1..]) {
            Some(i) => i + 1,
            None => buf.len(),
        };
        r.consume(step);
        skipped += step as u64;
    }
}

impl<R: Read + Send> Read for GzMembers<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            match std::mem::replace(&mut self.state, GzState::Done) {
                GzState::Done => return Ok(0),
                GzState::Between(mut r) => {
                    if r.fill_buf()?.is_empty() {
                        return Ok(0);
                    }
                    if self.members.len() >= 4096 {
                        self.members.pop_front();
                    }
                    self.members.push_back((self.produced, r.consumed));
                    self.state = GzState::Member(flate2::bufread::GzDecoder::new(r));
                }
                GzState::Member(mut d) => match d.read(out) {
                    Ok(0) => self.state = GzState::Between(d.into_inner()),
                    Ok(n) => {
                        self.produced += n as u64;
                        if self.produced > self.limit {
                            return Err(io::Error::new(
                                io::ErrorKind::InvalidData,
                                format!(
                                    "decompressed size passed max_decompressed ({} bytes): possible decompression bomb; rest of the archive not read",
                                    self.limit
                                ),
                            ));
                        }
                        self.state = GzState::Member(d);
                        return Ok(n);
                    }
                    Err(e) => {
                        let start = self.members.back().map(|m| m.1).unwrap_or(0);
                        let mut r = d.into_inner();
                        // Step past the broken member's header so the search
                        // finds the next member, not this one again.
                        if r.consumed == start {
                            r.consume(1);
                        }
                        let skipped = seek_magic(&mut r)?;
                        let at_end = r.fill_buf()?.is_empty();
                        self.state = GzState::Between(r);
                        let what = if e.kind() == io::ErrorKind::UnexpectedEof {
                            "gzip member cut short (truncated archive)".to_string()
                        } else {
                            format!("corrupt gzip member: {e}")
                        };
                        let tail = if at_end { String::new() } else { format!("; resumed at the next member ({skipped} bytes skipped)") };
                        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("{what} at offset {start}{tail}")));
                    }
                },
            }
        }
    }
}

impl<R: Read + Send> Stream for GzMembers<R> {
    fn offset_of(&mut self, upos: u64) -> u64 {
        while self.members.len() > 1 && self.members[1].0 <= upos {
            self.members.pop_front();
        }
        self.members.front().map(|m| m.1).unwrap_or(0)
    }
}

/// One parsed WARC record's headers.
#[derive(Debug, Default)]
struct Header {
    warc_type: String,
    target_uri: Option<String>,
    date: Option<String>,
    content_type: Option<String>,
    length: Option<u64>,
}

enum Step {
    Doc(RawDoc),
    /// A record that is fine but not a page (request, metadata, warcinfo).
    Nothing,
    /// A record that is not a page, with the reason.
    Skip(String),
    /// A problem; `resync` means the reader lost its place and must scan
    /// for the next record header.
    Error { message: String, resync: bool },
    End,
}

/// The records of one WARC file as documents: `response` (and `resource`)
/// records holding HTML become [`RawDoc`]s; other responses are skipped
/// with a reason; damage is reported with the record location.
pub struct WarcRecords {
    input: Buffered<Box<dyn Stream>>,
    path: String,
    index: u64,
    max_doc: usize,
    done: bool,
    /// Set after an error that lost the record boundary.
    resync: bool,
    /// Errors since the last good record: a reader that fails over and over
    /// at the same place (an I/O error) gives up instead of spinning.
    errors_in_row: u32,
}

/// Consecutive errors after which a WARC file is abandoned.
const MAX_ERRORS_IN_ROW: u32 = 1000;

/// Opens a WARC file (`gz` for `.warc.gz`) as a document stream.
pub(crate) fn open_file(path: &Path, gz: bool, opts: &SourceOptions) -> Result<DocStream, SourceError> {
    let loc = path.display().to_string();
    let file = File::open(path).map_err(|e| SourceError::new(&loc, format!("cannot open: {e}")))?;
    Ok(Box::new(WarcRecords::new(file, gz, loc, opts)))
}

impl WarcRecords {
    /// Reads WARC records from any reader; `gz` when it is gzip-compressed
    /// (one or many members); `name` starts every location.
    pub fn new<R: Read + Send + 'static>(reader: R, gz: bool, name: String, opts: &SourceOptions) -> Self {
        let stream: Box<dyn Stream> =
            if gz { Box::new(GzMembers::new(reader, opts.max_decompressed)) } else { Box::new(PlainStream(reader)) };
        WarcRecords { input: Buffered::new(stream), path: name, index: 0, max_doc: opts.max_doc_bytes, done: false, resync: false, errors_in_row: 0 }
    }

    fn location(&mut self, upos: u64) -> String {
        let off = self.input.inner.offset_of(upos);
        format!("{}#record={}@offset={}", self.path, self.index, off)
    }

    /// Reads a line (without its end), keeping at most `MAX_LINE` bytes.
    /// `None` at end of input.
    fn line(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut out = Vec::new();
        let mut any = false;
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                return Ok(if any { Some(out) } else { None });
            }
            any = true;
            match memchr::memchr(b'\n', buf) {
                Some(i) => {
                    let take = i.min(MAX_LINE.saturating_sub(out.len()));
                    out.extend_from_slice(&buf[..take]);
                    self.input.consume(i + 1);
                    if out.last() == Some(&b'\r') {
                        out.pop();
                    }
                    return Ok(Some(out));
                }
                None => {
                    let n = buf.len();
                    let take = n.min(MAX_LINE.saturating_sub(out.len()));
                    out.extend_from_slice(&buf[..take]);
                    self.input.consume(n);
                }
            }
        }
    }

    /// Skips to the next line that starts a WARC record, leaving it unread.
    /// Returns false at end of input.
    fn seek_record(&mut self) -> io::Result<bool> {
        loop {
            let head = self.input.peek(7)?;
            if head.is_empty() {
                return Ok(false);
            }
            if head.starts_with(b"WARC/1.") {
                return Ok(true);
            }
            if self.line()?.is_none() {
                return Ok(false);
            }
        }
    }

    /// Reads exactly `n` bytes into a vector; `Err(got)` if input ends first.
    fn read_n(&mut self, n: u64) -> io::Result<Result<Vec<u8>, u64>> {
        let mut v = Vec::with_capacity(n.min(1 << 24) as usize);
        let got = (&mut self.input).take(n).read_to_end(&mut v)? as u64;
        Ok(if got == n { Ok(v) } else { Err(got) })
    }

    /// Discards `n` bytes; `Err(got)` if input ends first.
    fn skip_n(&mut self, n: u64) -> io::Result<Result<(), u64>> {
        let got = io::copy(&mut (&mut self.input).take(n), &mut io::sink())?;
        Ok(if got == n { Ok(()) } else { Err(got) })
    }

    fn read_header(&mut self) -> io::Result<Result<Header, String>> {
        let mut h = Header::default();
        let mut total = 0usize;
        loop {
            let Some(line) = self.line()? else {
                return Ok(Err("archive ends inside a record header (truncated)".into()));
            };
            if line.is_empty() {
                return Ok(Ok(h));
            }
            total += line.len();
            if total > MAX_HEADER_BLOCK {
                return Ok(Err("record header larger than 64 KiB".into()));
            }
            let line = String::from_utf8_lossy(&line);
            let Some((name, value)) = line.split_once(':') else { continue };
            let value = value.trim().to_string();
            match name.trim().to_ascii_lowercase().as_str() {
                "warc-type" => h.warc_type = value.to_ascii_lowercase(),
                "warc-target-uri" => h.target_uri = Some(value.trim_matches(|c| c == '<' || c == '>').to_string()),
                "warc-date" => h.date = Some(value),
                "content-type" => h.content_type = Some(value),
                "content-length" => h.length = value.parse::<u64>().ok().or(Some(u64::MAX)),
                _ => {}
            }
        }
    }

    /// Consumes the blank lines after a record block. False when something
    /// other than blank lines and then a record (or the end) follows: the
    /// `Content-Length` was wrong.
    fn record_end(&mut self) -> io::Result<bool> {
        let mut newlines = 0;
        loop {
            let head = self.input.peek(1)?;
            match head.first() {
                None => return Ok(true),
                Some(b'\r') | Some(b'\n') if newlines < 8 => {
                    newlines += 1;
                    self.input.consume(1);
                }
                // The record ends with CRLF CRLF; whatever follows a proper
                // ending is the next record's business (garbage is reported
                // there).
                _ => return Ok(newlines >= 2 || (newlines > 0 && self.input.peek(7)?.starts_with(b"WARC/1."))),
            }
        }
    }

    fn step(&mut self, location: &str) -> io::Result<Step> {
        let Some(version) = self.line()? else { return Ok(Step::End) };
        if !version.starts_with(b"WARC/") {
            return Ok(Step::Error { message: "not a WARC record (expected a WARC/1.x version line)".into(), resync: true });
        }
        let h = match self.read_header()? {
            Ok(h) => h,
            Err(message) => return Ok(Step::Error { message, resync: true }),
        };
        let length = match h.length {
            None => return Ok(Step::Error { message: "record without Content-Length".into(), resync: true }),
            Some(u64::MAX) => return Ok(Step::Error { message: "invalid Content-Length".into(), resync: true }),
            Some(n) => n,
        };
        let wanted = matches!(h.warc_type.as_str(), "response" | "resource");
        let limit = (self.max_doc + HTTP_HEADER_SLACK) as u64;
        if length > limit {
            if let Err(got) = self.skip_n(length)? {
                return Ok(Step::Error {
                    message: format!("truncated record: Content-Length {length} but the archive ends after {got} bytes"),
                    resync: false,
                });
            }
            if !self.record_end()? {
                return Ok(Step::Error { message: format!("Content-Length {length} does not end at a record boundary"), resync: true });
            }
            return Ok(if wanted {
                Step::Error { message: format!("record of {length} bytes is larger than max_doc_bytes ({}); skipped", self.max_doc), resync: false }
            } else {
                Step::Nothing
            });
        }
        let block = match self.read_n(length)? {
            Ok(b) => b,
            Err(got) => {
                return Ok(Step::Error {
                    message: format!("truncated record: Content-Length {length} but the archive ends after {got} bytes"),
                    resync: false,
                })
            }
        };
        if !self.record_end()? {
            // A Content-Length too long swallows the start of the next
            // record: if one begins inside the block, hand it back.
            if let Some(i) = memchr::memmem::find(&block, b"\nWARC/1.") {
                self.input.unread(&block[i + 1..]);
                return Ok(Step::Error {
                    message: format!("Content-Length {length} runs into the next record; record skipped"),
                    resync: false,
                });
            }
            return Ok(Step::Error {
                message: format!("Content-Length {length} does not end at a record boundary; record skipped"),
                resync: true,
            });
        }
        if !wanted {
            return Ok(Step::Nothing);
        }
        let fetched_at = h.date.as_deref().and_then(|d| DateTime::parse_from_rfc3339(d.trim()).ok());
        let url = h.target_uri.clone().filter(|u| !u.is_empty());
        if h.warc_type == "resource" {
            let ct = h.content_type.as_deref().unwrap_or("");
            return Ok(match http::classify(Some(ct), &block) {
                Ok(kind) => Step::Doc(RawDoc {
                    location: location.to_string(),
                    url,
                    fetched_at,
                    charset: http::charset_of(ct),
                    kind,
                    bytes: block,
                }),
                Err(reason) => Step::Skip(reason),
            });
        }
        let is_http = h.content_type.as_deref().is_none_or(|c| c.to_ascii_lowercase().contains("http"));
        if !is_http {
            return Ok(Step::Skip(format!("response record is not HTTP (Content-Type {})", h.content_type.unwrap_or_default())));
        }
        Ok(match http::parse_response(&block, self.max_doc) {
            Err(http::HttpError::Skip(reason)) => Step::Skip(reason),
            Err(http::HttpError::Bad(message)) => Step::Error { message, resync: false },
            Ok(resp) => Step::Doc(RawDoc {
                location: location.to_string(),
                url,
                fetched_at,
                charset: resp.charset,
                kind: resp.kind,
                bytes: resp.body,
            }),
        })
    }
}

impl Iterator for WarcRecords {
    type Item = DocResult;

    fn next(&mut self) -> Option<DocResult> {
        let item = self.next_item();
        match &item {
            Some(Err(e)) if !e.is_skip() => {
                self.errors_in_row += 1;
                if self.errors_in_row >= MAX_ERRORS_IN_ROW {
                    self.done = true;
                    let message = format!("{}; {MAX_ERRORS_IN_ROW} errors in a row, rest of the archive not read", e.message);
                    return Some(Err(SourceError::new(e.location.clone(), message)));
                }
            }
            _ => self.errors_in_row = 0,
        }
        item
    }
}

impl WarcRecords {
    fn next_item(&mut self) -> Option<DocResult> {
        while !self.done {
            // Blank lines between records, and resynchronisation after
            // damage, come before the record's position is taken.
            let prep = (|| -> io::Result<bool> {
                if self.resync {
                    self.resync = false;
                    return self.seek_record();
                }
                loop {
                    match self.input.peek(1)?.first() {
                        None => return Ok(false),
                        Some(b'\r') | Some(b'\n') => self.input.consume(1),
                        Some(_) => return Ok(true),
                    }
                }
            })();
            let upos = self.input.consumed;
            let location = self.location(upos);
            match prep {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    // The stream itself failed (a broken gzip member): the
                    // partial record is lost; look for the next one.
                    self.resync = true;
                    self.index += 1;
                    return Some(Err(SourceError::new(location, e.to_string())));
                }
            }
            let step = self.step(&location);
            self.index += 1;
            match step {
                Ok(Step::Doc(d)) => return Some(Ok(d)),
                Ok(Step::Nothing) => continue,
                Ok(Step::Skip(reason)) => return Some(Err(SourceError::skipped(location, reason))),
                Ok(Step::Error { message, resync }) => {
                    self.resync = resync;
                    return Some(Err(SourceError::new(location, message)));
                }
                Ok(Step::End) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.resync = true;
                    return Some(Err(SourceError::new(location, e.to_string())));
                }
            }
        }
        None
    }
}
