//! Finds every article in a plain-text dump of news pages: what a person
//! gets by selecting a whole page in a browser and pasting it into a file,
//! possibly several pages one after another.
//!
//! There is no markup to lean on, so the method reads the layout of the
//! text: each line is classified on its own (sentence-likeness, length,
//! boilerplate vocabulary), runs of running text are grown into bodies,
//! bodies separated by the end of one page and the start of another (a
//! legal footer, a long menu) become separate articles, and the fields of
//! each article are read around its body: the headline is a title-like line
//! above it (preferably one the page prints twice), the lines between
//! headline and body hold bullets, bylines, dates and photo captions.
//! Nothing here knows any particular site.
//!
//! [`extract_dump`] is pure (no I/O, the reference time for relative dates
//! is in [`DumpOptions`]) and does work linear in the input, bounded per
//! line, so hostile input (one huge line, binary noise) is cheap.

mod blocks;
mod fields;
mod lines;
mod vocab;

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};
use newsdesk_model::{Article, Diagnostic, DiagnosticCode, EvidenceSource};

use lines::{Kind, Line};

/// Inputs larger than this are cut (with a [`DiagnosticCode::Truncated`]
/// diagnostic) so one pathological file cannot take unbounded time or
/// memory: a dump of one-word lines costs about 25 bytes of memory per
/// byte of input. Real dumps of even several pages are well under 1 MiB.
pub const DEFAULT_MAX_BYTES: usize = 16 * 1024 * 1024;

/// How to read a dump.
#[derive(Debug, Clone)]
pub struct DumpOptions {
    /// Reference time for relative dates ("3 hours ago"); without it they
    /// are not resolved.
    pub now: Option<DateTime<FixedOffset>>,
    /// Bytes of text read at most.
    pub max_bytes: usize,
}

impl Default for DumpOptions {
    fn default() -> Self {
        DumpOptions { now: None, max_bytes: DEFAULT_MAX_BYTES }
    }
}

/// The articles of one dump, in order of appearance, and what went wrong
/// for the dump as a whole.
#[derive(Debug, Clone, Default)]
pub struct DumpResult {
    pub articles: Vec<Article>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Errors of reading a dump from bytes.
#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    /// The bytes are mostly not text (an image, an archive).
    #[error("input looks binary: {control} control bytes in the first {sampled}")]
    Binary { control: usize, sampled: usize },
}

/// ISO 639-1 code of the language of `text`: the common Latin-script
/// languages (en, de, fr, es, it, pt, nl) by their frequent words, which is
/// several times cheaper than trigram profiles, everything else by
/// whatlang. Public so that other extractors can share one mapping.
pub fn detect_language(text: &str) -> Option<&'static str> {
    newsdesk_lang::detect(text)
}

/// Decodes bytes as UTF-8, replacing invalid sequences (and a leading BOM);
/// the flag says whether any replacement happened so the caller can report
/// [`DiagnosticCode::DecodeErrors`].
pub fn decode_text(bytes: &[u8]) -> (String, bool) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        Err(_) => (String::from_utf8_lossy(bytes).into_owned(), true),
    }
}

/// Rejects input that is not text: too many control bytes (other than tab,
/// newline, carriage return and form feed) among the first 8 KiB.
pub fn check_text(bytes: &[u8]) -> Result<(), DumpError> {
    let sample = &bytes[..bytes.len().min(8192)];
    let control = sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)).count();
    if control * 10 > sample.len() {
        return Err(DumpError::Binary { control, sampled: sample.len() });
    }
    Ok(())
}

/// Decodes and extracts in one call, adding the decode and binary-input
/// diagnostics to the result.
pub fn extract_dump_bytes(bytes: &[u8], opts: &DumpOptions) -> DumpResult {
    if let Err(e) = check_text(bytes) {
        return DumpResult {
            articles: Vec::new(),
            diagnostics: vec![Diagnostic { code: DiagnosticCode::NoArticle, message: e.to_string() }],
        };
    }
    let (text, lossy) = decode_text(bytes);
    let mut r = extract_dump(&text, opts);
    if lossy {
        let d = Diagnostic { code: DiagnosticCode::DecodeErrors, message: "invalid UTF-8 replaced with U+FFFD".into() };
        for a in &mut r.articles {
            a.diagnostics.push(d.clone());
        }
        r.diagnostics.push(d);
    }
    r
}

/// For tuning: each gap between consecutive main blocks as (first line
/// after the earlier block, first line of the later block, page break?).
#[doc(hidden)]
pub fn debug_gaps(text: &str) -> Vec<(usize, usize, usize, usize, bool)> {
    let lines = lines::split(text);
    let blocks = blocks::find_blocks(&lines);
    let mains: Vec<&blocks::Block> = blocks.iter().filter(|b| b.is_main()).collect();
    mains
        .windows(2)
        .map(|w| (w[0].start, w[0].end, w[1].start, w[1].end, blocks::page_break(&lines, w[0].end, w[1].start)))
        .collect()
}

/// For tuning: the kind of each line and the blocks, as text.
#[doc(hidden)]
pub fn debug_lines(text: &str) -> String {
    let lines = lines::split(text);
    let blocks = blocks::find_blocks(&lines);
    let mut out = String::new();
    for b in &blocks {
        out.push_str(&format!("block {}..{} mass {} main {}\n", b.start, b.end, b.mass, b.is_main()));
    }
    for (i, l) in lines.iter().enumerate() {
        let t: String = l.text.chars().take(70).collect();
        out.push_str(&format!("{i:4} {:?} b{} {t}\n", l.kind, l.boiler));
    }
    out
}

/// Finds every article in `text`, in order.
pub fn extract_dump(text: &str, opts: &DumpOptions) -> DumpResult {
    let mut result = DumpResult::default();
    let mut cut = text.len().min(opts.max_bytes);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    if cut < text.len() {
        result.diagnostics.push(Diagnostic {
            code: DiagnosticCode::Truncated,
            message: format!("only the first {cut} of {} bytes were read", text.len()),
        });
    }
    let text = &text[..cut];
    if text.trim().is_empty() {
        result.diagnostics.push(Diagnostic { code: DiagnosticCode::NoArticle, message: "empty input".into() });
        return result;
    }
    let (lines, cut_lines) = lines::split_bounded(text, lines::MAX_LINES);
    if cut_lines {
        result.diagnostics.push(Diagnostic {
            code: DiagnosticCode::Truncated,
            message: format!("only the first {} lines were read", lines::MAX_LINES),
        });
    }
    let blocks = blocks::find_blocks(&lines);
    let groups = blocks::group(&lines, &blocks);
    if groups.is_empty() {
        result.diagnostics.push(Diagnostic {
            code: DiagnosticCode::NoArticle,
            message: "no run of running text long enough to be an article".into(),
        });
        return result;
    }
    let mut floor = 0;
    for (n, g) in groups.iter().enumerate() {
        let (Some(&first), Some(&last)) = (g.first(), g.last()) else { continue };
        let start = blocks[first].start;
        let end = blocks[last].end;
        // The page of this article starts after the previous page's footer.
        if n > 0 {
            if let Some(f) = (floor..start).rev().find(|&k| lines[k].footer) {
                floor = f + 1;
            }
        }
        let next = groups.get(n + 1).and_then(|g| g.first()).map_or(lines.len(), |&b| blocks[b].start);
        let tail_end = (end..next).find(|&k| lines[k].footer).unwrap_or(next);
        let ranges: Vec<(usize, usize)> = g.iter().map(|&b| (blocks[b].start, blocks[b].end)).collect();
        let repeated = repeated_lines(&lines[floor..tail_end]);
        let list: Vec<usize> = g.iter().flat_map(|&b| blocks[b].list.iter().copied()).collect();
        result.articles.push(article(&lines, floor, &ranges, &list, &repeated, tail_end, opts.now));
        floor = end;
    }
    result
}

/// Builds one article whose body lies in `start..end`, with its head zone
/// from `floor` and its tail up to `tail_end`.
fn article(
    lines: &[Line],
    floor: usize,
    ranges: &[(usize, usize)],
    list: &[usize],
    repeated: &HashSet<&str>,
    tail_end: usize,
    now: Option<DateTime<FixedOffset>>,
) -> Article {
    let mut a = Article::default();
    let start = ranges.first().map_or(0, |r| r.0);
    let end = ranges.last().map_or(0, |r| r.1);
    let h = fields::headline(lines, floor, start, tail_end, now);
    if let Some(h) = h {
        a.headline = Some(lines[h].text.clone());
        a.note("headline", EvidenceSource::TextHeuristic, lines[h].text.clone());
    }
    // Head zone: from the first printing of the headline (dates and
    // captions often sit between two printings) to the body.
    let head_from = h
        .map(|h| (floor..h).find(|&k| lines[k].text == lines[h].text).unwrap_or(h))
        .unwrap_or(start.saturating_sub(12).max(floor));
    fields::head_zone(&mut a, lines, head_from, start, now);
    let mut paras = Vec::new();
    for &(s, e) in ranges {
        body(&mut a, lines, s, e, list, repeated, now, &mut paras);
    }
    if !a.headings.is_empty() {
        a.note("headings", EvidenceSource::TextHeuristic, a.headings.join(" | "));
    }
    if !a.images.is_empty() {
        a.note("images", EvidenceSource::TextHeuristic, "caption lines");
    }
    a.body = paras.into_iter().map(|(_, p)| p).collect::<Vec<_>>().join("\n\n");
    // Dates and captions printed under the body ("Updated ...", photo credits).
    for l in lines.get(end..tail_end.min(end + 15)).unwrap_or_default() {
        if a.published.is_none() || a.updated.is_none() {
            fields::dates(&mut a, l, now);
        }
    }
    if let Some(lang) = detect_language(&a.body) {
        a.language = Some(lang.to_string());
        a.note("language", EvidenceSource::Detection, "frequent words and trigrams");
    }
    a
}

/// Sentence lines (six words or more) that occur more than once in `page`.
fn repeated_lines(page: &[Line]) -> HashSet<&str> {
    let mut seen = HashSet::new();
    let mut twice = HashSet::new();
    for l in page.iter().filter(|l| l.is_body() && l.units >= 6) {
        if !seen.insert(l.text.as_str()) {
            twice.insert(l.text.as_str());
        }
    }
    twice
}

/// Whether a short line inside a body reads as a sub-heading: title-like,
/// with running text right after it.
fn heading(lines: &[Line], k: usize, end: usize) -> bool {
    let l = &lines[k];
    let next_body = lines[k + 1..end].iter().find(|l| l.kind != Kind::Blank).is_some_and(|n| n.kind == Kind::Prose);
    next_body
        && l.kind == Kind::Short
        && (1..=14).contains(&l.units)
        && l.boiler == 0
        && !l.footer
        && !l.text.ends_with(':')
        && !fields::is_caption(l)
        && !fields::is_byline(l)
        && l.text.chars().next().is_some_and(|c| c.is_alphanumeric() || "\"“‘'¿¡".contains(c))
}

/// Fills body, headings, dateline and in-body captions from `start..end`.
#[allow(clippy::too_many_arguments)]
fn body(
    a: &mut Article,
    lines: &[Line],
    start: usize,
    end: usize,
    list: &[usize],
    repeated: &HashSet<&str>,
    now: Option<DateTime<FixedOffset>>,
    paras: &mut Vec<(usize, String)>,
) {
    for k in start..end {
        let l = &lines[k];
        match l.kind {
            Kind::Blank => continue,
            Kind::Short => {
                if list.binary_search(&k).is_ok() {
                    paras.push((k, l.text.clone()));
                } else if fields::is_caption(l) {
                    fields::caption(a, lines, k, start);
                } else if fields::dates(a, l, now) {
                } else if heading(lines, k, end) && k > start {
                    a.headings.push(l.text.clone());
                    paras.push((k, l.text.clone()));
                }
                continue;
            }
            Kind::Prose | Kind::Sentence => {}
        }
        if fields::is_caption(l) {
            fields::caption(a, lines, k, start);
            continue;
        }
        let credit_below = lines[k + 1..end]
            .iter()
            .find(|l| l.kind != Kind::Blank)
            .is_some_and(|n| fields::is_caption(n) && n.units <= 8);
        if credit_below && l.units <= 40 {
            // A caption whose credit follows; recorded with the credit.
            continue;
        }
        if fields::is_byline(l) {
            fields::authors(a, l);
            continue;
        }
        // A paragraph printed twice on one page is a caption or a teaser.
        if repeated.contains(l.text.as_str()) {
            continue;
        }
        let t = l.text.as_str();
        if t.starts_with('(') && t.ends_with(')') && l.units <= 40 {
            continue;
        }
        if l.boiler >= 2 && l.units <= 25 {
            continue;
        }
        if paras.is_empty() && a.dateline.is_none() {
            if let Some((place, agency, rest)) = fields::dateline(t) {
                if let Some(p) = place {
                    a.dateline = Some(p);
                    a.note(
                        "dateline",
                        EvidenceSource::Byline,
                        t.get(..t.len() - rest.len()).unwrap_or("").trim().to_string(),
                    );
                }
                if let (Some(ag), None) = (agency, &a.credit) {
                    a.credit = Some(ag.to_string());
                    a.note(
                        "credit",
                        EvidenceSource::Byline,
                        t.get(..t.len() - rest.len()).unwrap_or("").trim().to_string(),
                    );
                }
                paras.push((k, rest.to_string()));
                continue;
            }
        }
        paras.push((k, l.text.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_blank_inputs_say_so() {
        for s in ["", "   \n\t\n\u{a0}"] {
            let r = extract_dump(s, &DumpOptions::default());
            assert!(r.articles.is_empty());
            assert_eq!(r.diagnostics[0].code, DiagnosticCode::NoArticle);
        }
    }

    #[test]
    fn decode_reports_invalid_utf8() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFok"), ("ok".to_string(), false));
        let (s, bad) = decode_text(b"caf\xe9");
        assert!(bad);
        assert!(s.ends_with('\u{FFFD}'));
    }

    #[test]
    fn binary_is_rejected_with_a_diagnostic() {
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
        let r = extract_dump_bytes(&bytes, &DumpOptions::default());
        assert!(r.articles.is_empty());
        assert_eq!(r.diagnostics[0].code, DiagnosticCode::NoArticle);
    }

    #[test]
    fn line_bound_is_reported() {
        let text = "Home\n".repeat(lines::MAX_LINES + 10);
        let r = extract_dump(&text, &DumpOptions::default());
        assert!(r.articles.is_empty());
        assert!(r.diagnostics.iter().any(|d| d.code == DiagnosticCode::Truncated));
        assert!(r.diagnostics.iter().any(|d| d.code == DiagnosticCode::NoArticle));
    }

    /// The fuzzed dump that sliced `lines[65..62]`: overlapping article groups. Every article's body must be
    /// its own text, in order.
    #[test]
    fn a_block_between_pages_does_not_panic() {
        let r = extract_dump(&blocks::tests::overlap_dump(), &DumpOptions::default());
        assert_eq!(r.articles.len(), 2, "{:?}", r.diagnostics);
        let (a, b) = (&r.articles[0].body, &r.articles[1].body);
        assert!(a.starts_with("The council voted") && !a.contains("The match"), "{a}");
        assert!(b.starts_with("The match was played") && !b.contains("The council"), "{b}");
    }

    #[test]
    fn truncation_is_reported() {
        let opts = DumpOptions { max_bytes: 10, ..DumpOptions::default() };
        let r = extract_dump("héllo wörld and more text", &opts);
        assert!(r.diagnostics.iter().any(|d| d.code == DiagnosticCode::Truncated));
    }
}
