//! Parsing of the date expressions news pages print, into
//! [`newsdesk_model::Timestamp`]s.
//!
//! Pages state dates in many shapes: ISO 8601 in meta tags
//! (`2019-11-19T10:05:00.000+0100`), RFC 2822 in feeds, English prose forms
//! in bylines (`PUBLISHED TUE, NOV 19 2019 7:05 AM EST`, `19 November 2019`),
//! other languages (`19. November 2019`, `19 de noviembre de 2019`) and
//! relative forms (`Updated 4 sec ago`, `yesterday`) that only mean something
//! against a reference time. This crate reads all of them with one small
//! hand-written grammar over tokens, so it is fast, has no regex or locale
//! dependency, and never panics on hostile input: every access is checked
//! and work is bounded by [`MAX_SCAN_BYTES`].
//!
//! Both the HTML extractor (meta and visible dates) and the plain-text dump
//! extractor use it.

mod tables;
mod tokens;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone,
    Timelike,
};
use newsdesk_model::{Precision, Timestamp};

use tables::{Unit, Zone};
use tokens::{tokenize, Tok, Token};

/// Only this many bytes of a string are scanned: dates sit in short strings
/// (bylines, meta values), and the bound keeps hostile megabyte lines cheap.
pub const MAX_SCAN_BYTES: usize = 4096;

/// Whether a date was stated outright or computed from a reference time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateKind {
    /// A calendar date, possibly with time and zone ("19 November 2019").
    Absolute,
    /// An offset from the reference time ("3 hours ago", "yesterday").
    Relative,
}

/// A date found in a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub timestamp: Timestamp,
    /// Byte span of the matched expression in the input string.
    pub start: usize,
    pub end: usize,
    pub kind: DateKind,
    /// Whether the year was printed. A date without one ("Nov 19",
    /// "am 11. Mai") takes its year from the reference time, which is a
    /// guess: callers weighing dates should rank it below any full date.
    pub year_given: bool,
}

impl Parsed {
    /// The matched text, given the string that was searched.
    pub fn text<'a>(&self, s: &'a str) -> &'a str {
        s.get(self.start..self.end).unwrap_or("")
    }
}

/// The first date expression in `s`. Relative expressions are only
/// recognised when `now` is given.
pub fn parse_date(s: &str, now: Option<DateTime<FixedOffset>>) -> Option<Parsed> {
    find_dates(s, now).into_iter().next()
}

/// Every date expression in `line`, in order, without overlaps.
pub fn find_dates(line: &str, now: Option<DateTime<FixedOffset>>) -> Vec<Parsed> {
    let mut cut = line.len().min(MAX_SCAN_BYTES);
    while !line.is_char_boundary(cut) {
        cut -= 1;
    }
    let s = &line[..cut];
    if !may_hold_date(s) {
        return Vec::new();
    }
    let t = tokenize(s);
    let mut out = Vec::new();
    // A time seen just before a date ("7:05 AM EST, Nov 19 2019").
    let mut pending: Option<(usize, TimePart)> = None;
    let mut i = 0;
    while i < t.len() {
        if let Some(mut d) = date_at(&t, i) {
            // Java's and C's `toString` put the year after the time and
            // zone: "Tue Jan 28 10:00:00 CET 2020".
            let mut trailing_year = None;
            if d.y == NO_YEAR && d.d.is_some() {
                if let Some(tp) = time_after(&t, d.end) {
                    let k = skip_punct(&t, tp.end, &[',']);
                    if let Some(y) = full_year(&t, k) {
                        d.y = y;
                        trailing_year = Some((tp, k + 1));
                    }
                }
            }
            let year_given = d.y != NO_YEAR;
            if d.y == NO_YEAR {
                // Without a year the date needs the reference time.
                match (now, d.d) {
                    (Some(now), Some(day)) => match infer_year(d.m, day, now) {
                        Some(y) => d.y = y,
                        None => {
                            i += 1;
                            continue;
                        }
                    },
                    _ => {
                        i += 1;
                        continue;
                    }
                }
            }
            let mut end = d.end;
            let mut start_tok = i;
            let mut time = None;
            if let Some((tp, e)) = trailing_year {
                end = e;
                time = Some(tp);
            } else if let Some(tp) = time_after(&t, d.end) {
                end = tp.end;
                time = Some(tp);
            } else if let Some((ps, tp)) = pending.take() {
                if only_separators(&t, tp.end, i) {
                    start_tok = ps;
                    time = Some(tp);
                }
            }
            if let Some(ts) = absolute(d.y, d.m, d.d, time.as_ref()) {
                out.push(span(&t, start_tok, end, ts, DateKind::Absolute, year_given));
            }
            pending = None;
            i = end.max(i + 1);
            continue;
        }
        if let Some(now) = now {
            if let Some((ts, end)) = relative_at(&t, i, now) {
                out.push(span(&t, i, end, ts, DateKind::Relative, true));
                pending = None;
                i = end.max(i + 1);
                continue;
            }
        }
        if let Some(tp) = time_at(&t, i) {
            let e = tp.end;
            if tp.strong {
                pending = Some((i, tp));
            }
            i = e.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

fn span(t: &[Token], a: usize, b: usize, timestamp: Timestamp, kind: DateKind, year_given: bool) -> Parsed {
    let start = t.get(a).map_or(0, |x| x.start);
    let end = b.checked_sub(1).and_then(|k| t.get(k)).map_or(start, |x| x.end);
    Parsed { timestamp, start, end, kind, year_given }
}

/// Cheap filter: every expression has a digit or one of a few words. One
/// pass over the words, without allocating.
fn may_hold_date(s: &str) -> bool {
    if s.bytes().any(|b| b.is_ascii_digit()) {
        return true;
    }
    const CUES: [&str; 21] = [
        "ago",
        "yesterday",
        "today",
        "now",
        "vor",
        "il",
        "hace",
        "há",
        "ha",
        "fa",
        "geleden",
        "gestern",
        "heute",
        "ayer",
        "hoy",
        "ieri",
        "oggi",
        "ontem",
        "hoje",
        "gisteren",
        "vandaag",
    ];
    s.split(|c: char| !c.is_alphabetic()).filter(|w| (2..=10).contains(&w.len())).any(|w| {
        CUES.iter()
            .any(|c| c.len() == w.len() && (c.eq_ignore_ascii_case(w) || !w.is_ascii() && w.to_lowercase() == *c))
    })
}

fn word(t: &[Token], i: usize) -> Option<&str> {
    match t.get(i).map(|x| &x.tok) {
        Some(Tok::Word(w)) => Some(w.as_str()),
        _ => None,
    }
}

fn num(t: &[Token], i: usize) -> Option<(u32, u8)> {
    match t.get(i).map(|x| &x.tok) {
        Some(Tok::Num(v, n)) => Some((*v, *n)),
        _ => None,
    }
}

fn punct(t: &[Token], i: usize) -> Option<char> {
    match t.get(i).map(|x| &x.tok) {
        Some(Tok::Punct(c)) => Some(*c),
        _ => None,
    }
}

fn glued(t: &[Token], i: usize) -> bool {
    t.get(i).is_some_and(|x| !x.gap)
}

fn year(t: &[Token], i: usize) -> Option<i32> {
    match num(t, i) {
        Some((v, 4)) if (1900..=2100).contains(&v) => Some(v as i32),
        _ => None,
    }
}

/// A four-digit year in a date that also has a day. Wider than [`year`]
/// ("7 May 1856" is a date of 1856, not a yearless "7 May"); whether such a
/// date can be a publication date is for the caller to judge.
fn full_year(t: &[Token], i: usize) -> Option<i32> {
    match num(t, i) {
        Some((v, 4)) if (1000..=2199).contains(&v) => Some(v as i32),
        _ => None,
    }
}

/// A two-digit year closing a day-month date ("14 Gennaio 20", "28.01.20"):
/// read as 1970–2069. Not when it starts a time ("5 May 20:15") or runs
/// on into more digits or letters.
fn short_year(t: &[Token], i: usize) -> Option<i32> {
    let (v, n) = num(t, i)?;
    if n != 2 {
        return None;
    }
    if glued(t, i + 1)
        && (matches!(punct(t, i + 1), Some(':' | '.' | ',' | '/' | '-')) && num(t, i + 2).is_some()
            || word(t, i + 1).is_some())
    {
        return None;
    }
    if matches!(punct(t, i + 1), Some(':')) || word(t, i + 1).is_some_and(|w| w == "h" || w == "uhr") {
        return None;
    }
    Some(if v < 70 { 2000 + v as i32 } else { 1900 + v as i32 })
}

fn day_num(t: &[Token], i: usize) -> Option<u32> {
    match num(t, i) {
        Some((v, 1..=2)) if (1..=31).contains(&v) => Some(v),
        _ => None,
    }
}

fn only_separators(t: &[Token], a: usize, b: usize) -> bool {
    (a..b).all(|k| {
        matches!(punct(t, k), Some(',' | '|' | '-' | '–' | '—' | '·' | '/' | '•'))
            || matches!(word(t, k), Some("on" | "le" | "am" | "el"))
    }) && b.saturating_sub(a) <= 3
}

/// A calendar date: `d` is `None` for month-and-year forms.
/// Marks a [`DatePart`] printed without a year.
const NO_YEAR: i32 = i32::MIN;

struct DatePart {
    /// [`NO_YEAR`] when the page left it out.
    y: i32,
    m: u32,
    d: Option<u32>,
    end: usize,
}

fn date_at(t: &[Token], i: usize) -> Option<DatePart> {
    iso_date(t, i)
        .or_else(|| cjk_date(t, i))
        .or_else(|| year_first_named(t, i))
        .or_else(|| numeric_date(t, i))
        .or_else(|| named_date(t, i))
}

/// `2020年1月28日` (Chinese, Japanese) and `2020년 1월 28일` (Korean).
fn cjk_date(t: &[Token], i: usize) -> Option<DatePart> {
    let y = full_year(t, i)?;
    let is = |k: usize, a: &str, b: &str| word(t, k).is_some_and(|w| w.starts_with(a) || w.starts_with(b));
    if !is(i + 1, "年", "년") {
        return None;
    }
    let (m, _) = num(t, i + 2).filter(|(v, n)| *n <= 2 && (1..=12).contains(v))?;
    if !is(i + 3, "月", "월") {
        return None;
    }
    let d = day_num(t, i + 4)?;
    if !is(i + 5, "日", "일") {
        return None;
    }
    Some(DatePart { y, m, d: Some(d), end: i + 6 })
}

/// `2020. január 28.` (Hungarian and other year-first prose dates).
fn year_first_named(t: &[Token], i: usize) -> Option<DatePart> {
    let y = full_year(t, i)?;
    let k = skip_punct(t, i + 1, &['.']);
    let m = word(t, k).and_then(tables::month)?;
    let j = skip_punct(t, k + 1, &['.']);
    let d = day_num(t, j)?;
    if glued(t, j + 1) && (num(t, j + 1).is_some() || word(t, j + 1).is_some()) {
        return None;
    }
    Some(DatePart { y, m, d: Some(d), end: skip_punct(t, j + 1, &['.']) })
}

/// `2019-11-19`, `2019/11/19`, `2019.11.19`.
fn iso_date(t: &[Token], i: usize) -> Option<DatePart> {
    let y = full_year(t, i)?;
    let sep = punct(t, i + 1).filter(|c| matches!(c, '-' | '/' | '.'))?;
    let (m, _) = num(t, i + 2).filter(|(_, n)| *n <= 2)?;
    if punct(t, i + 3) != Some(sep) {
        return None;
    }
    let d = day_num(t, i + 4)?;
    if !(glued(t, i + 1) && glued(t, i + 2) && glued(t, i + 3) && glued(t, i + 4)) {
        return None;
    }
    if num(t, i + 5).is_some() && glued(t, i + 5) {
        return None;
    }
    Some(DatePart { y, m, d: Some(d), end: i + 5 })
}

/// `19.11.2019`, `11/19/2019`, `19-11-2019`. Day-first unless the numbers or
/// the slash (US usage) say month-first.
fn numeric_date(t: &[Token], i: usize) -> Option<DatePart> {
    if i > 0 && glued(t, i) && matches!(t.get(i - 1).map(|x| &x.tok), Some(Tok::Num(..) | Tok::Word(_))) {
        return None;
    }
    let (a, na) = num(t, i)?;
    let sep = punct(t, i + 1).filter(|c| matches!(c, '-' | '/' | '.'))?;
    let (b, nb) = num(t, i + 2)?;
    if punct(t, i + 3) != Some(sep) || na > 2 || nb > 2 {
        return None;
    }
    if !(glued(t, i + 1) && glued(t, i + 2) && glued(t, i + 3) && glued(t, i + 4)) {
        return None;
    }
    // Two-digit years only with the separators that mark dates ("28.01.20",
    // "01/28/20"), never hyphens (scores, phone numbers).
    let y = full_year(t, i + 4).or_else(|| if sep == '-' { None } else { short_year(t, i + 4) })?;
    let (d, m) = if a > 12 {
        (a, b)
    } else if b > 12 || sep == '/' {
        (b, a)
    } else {
        (a, b)
    };
    Some(DatePart { y, m, d: Some(d), end: i + 5 })
}

fn skip_ordinal(t: &[Token], k: usize) -> usize {
    match word(t, k) {
        Some("st" | "nd" | "rd" | "th" | "er" | "e" | "º" | "ª" | "o") if glued(t, k) => k + 1,
        _ => k,
    }
}

fn skip_punct(t: &[Token], k: usize, set: &[char]) -> usize {
    match punct(t, k) {
        Some(c) if set.contains(&c) => k + 1,
        _ => k,
    }
}

fn skip_fillers(t: &[Token], mut k: usize) -> usize {
    let start = k;
    while word(t, k).is_some_and(tables::is_date_filler) && k - start < 2 {
        k += 1;
    }
    k
}

/// Dates with a month name: `Nov. 19, 2019`, `19 November 2019`,
/// `Tue, 19 Nov 2019`, `19-Nov-2019`, `19 de noviembre de 2019`,
/// `November 2019`.
fn named_date(t: &[Token], i: usize) -> Option<DatePart> {
    let mut k = i;
    if word(t, k).is_some_and(tables::is_weekday) {
        k = skip_punct(t, k + 1, &[',', '.']);
        k = skip_fillers(t, k);
    }
    // Month first.
    if let Some(m) = word(t, k).and_then(tables::month) {
        let mut j = skip_punct(t, k + 1, &['.']);
        if let Some(d) = day_num(t, j) {
            j = skip_ordinal(t, j + 1);
            let before_year = j;
            j = skip_punct(t, j, &[',', '.']);
            return Some(match full_year(t, j) {
                Some(y) => DatePart { y, m, d: Some(d), end: j + 1 },
                None => DatePart { y: NO_YEAR, m, d: Some(d), end: before_year },
            });
        }
        j = skip_punct(t, j, &[',']);
        let j = skip_fillers(t, j);
        // "November 2019" only when nothing precedes on the same token run
        // that would make it a day ("19 November 2019" is handled below).
        let y = year(t, j)?;
        return Some(DatePart { y, m, d: None, end: j + 1 });
    }
    // Day first.
    let d = day_num(t, k)?;
    let mut j = skip_ordinal(t, k + 1);
    j = skip_punct(t, j, &['.', '-', '/']);
    j = skip_fillers(t, j);
    let m = word(t, j).and_then(tables::month)?;
    let after_month = j + 1;
    j = skip_punct(t, j + 1, &['.']);
    j = skip_punct(t, j, &[',', '-', '/']);
    j = skip_fillers(t, j);
    let y = full_year(t, j).or_else(|| if t.get(j).is_some_and(|x| x.gap) { short_year(t, j) } else { None });
    Some(match y {
        Some(y) => DatePart { y, m, d: Some(d), end: j + 1 },
        None => DatePart { y: NO_YEAR, m, d: Some(d), end: after_month },
    })
}

/// Year of a date printed without one ("Nov 19, 6:55 AM"): the latest
/// such date that is not more than two days after `now`.
fn infer_year(m: u32, d: u32, now: DateTime<FixedOffset>) -> Option<i32> {
    let today = now.date_naive();
    let y = today.year();
    let this = NaiveDate::from_ymd_opt(y, m, d);
    match this {
        Some(date) if date <= today + Duration::try_days(2)? => Some(y),
        _ => NaiveDate::from_ymd_opt(y - 1, m, d).map(|_| y - 1),
    }
}

/// A time of day, possibly with a zone.
#[derive(Debug, Clone)]
struct TimePart {
    h: u32,
    mi: u32,
    s: Option<u32>,
    offset: Option<ZoneSpec>,
    end: usize,
    /// Has minutes or am/pm: a bare number is never a time on its own.
    strong: bool,
}

#[derive(Debug, Clone, Copy)]
enum ZoneSpec {
    Minutes(i32),
    Named(Zone),
}

/// A time following a date, after an optional joiner ("at", ",", "T", "-").
fn time_after(t: &[Token], mut k: usize) -> Option<TimePart> {
    for _ in 0..3 {
        if let Some(tp) = time_at(t, k) {
            return tp.strong.then_some(tp);
        }
        let skip = matches!(punct(t, k), Some(',' | '-' | '–' | '|' | '@' | '/' | '·' | '•'))
            || word(t, k).is_some_and(|w| w == "t" || tables::is_time_joiner(w));
        if !skip {
            return None;
        }
        k += 1;
    }
    None
}

fn time_at(t: &[Token], i: usize) -> Option<TimePart> {
    let (h, nh) = num(t, i)?;
    if nh > 2 || h > 23 {
        return None;
    }
    if i > 0 && glued(t, i) && matches!(punct(t, i - 1), Some(':' | '.')) {
        return None;
    }
    let mut k = i + 1;
    let mut mi = 0;
    let mut s = None;
    let mut has_min = false;
    let colon = matches!(punct(t, k), Some(':')) || (word(t, k) == Some("h") && num(t, k + 1).is_some());
    if colon && glued(t, k) && glued(t, k + 1) {
        if let Some((m, 2)) = num(t, k + 1) {
            if m < 60 {
                mi = m;
                has_min = true;
                k += 2;
                if punct(t, k) == Some(':') && glued(t, k) {
                    if let Some((sec, 2)) = num(t, k + 1).filter(|_| glued(t, k + 1)) {
                        if sec < 61 {
                            s = Some(sec.min(59));
                            k += 2;
                            if punct(t, k) == Some('.') && glued(t, k) && num(t, k + 1).is_some() && glued(t, k + 1) {
                                k += 2;
                            }
                        }
                    }
                }
            }
        }
    }
    let mut h = h;
    let (pm, after) = meridiem(t, k);
    if let Some(pm) = pm {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = match (pm, h) {
            (false, 12) => 0,
            (true, 12) => 12,
            (true, x) => x + 12,
            (false, x) => x,
        };
        k = after;
    } else if !has_min {
        return None;
    }
    let (offset, k) = zone_at(t, k);
    Some(TimePart { h, mi, s, offset, end: k, strong: has_min || pm.is_some() })
}

/// `AM`, `pm`, `a.m.`, `P.M.`: Some(true) for afternoon.
fn meridiem(t: &[Token], k: usize) -> (Option<bool>, usize) {
    match word(t, k) {
        Some("am") => (Some(false), k + 1),
        Some("pm") => (Some(true), k + 1),
        Some(w @ ("a" | "p")) if punct(t, k + 1) == Some('.') && word(t, k + 2) == Some("m") => {
            let pm = w == "p";
            (Some(pm), skip_punct(t, k + 3, &['.']))
        }
        _ => (None, k),
    }
}

/// A zone after a time: `Z`, `+0100`, `-05:00`, `EST`, `(CET)`, `GMT+1`.
fn zone_at(t: &[Token], k: usize) -> (Option<ZoneSpec>, usize) {
    if let Some((m, e)) = signed_offset(t, k) {
        return (Some(ZoneSpec::Minutes(m)), e);
    }
    let paren = punct(t, k) == Some('(');
    let j = if paren { k + 1 } else { k };
    if let Some(z) = word(t, j).and_then(tables::zone) {
        if word(t, j) == Some("z") && t.get(j).is_some_and(|x| x.gap) {
            return (None, k);
        }
        let mut e = j + 1;
        let mut spec = ZoneSpec::Named(z);
        if matches!(word(t, j), Some("gmt" | "utc")) {
            if let Some((m, e2)) = signed_offset(t, e).filter(|_| glued(t, e)) {
                spec = ZoneSpec::Minutes(m);
                e = e2;
            }
        }
        if paren {
            e = skip_punct(t, e, &[')']);
        }
        return (Some(spec), e);
    }
    (None, k)
}

fn signed_offset(t: &[Token], k: usize) -> Option<(i32, usize)> {
    let sign = match punct(t, k)? {
        '+' => 1,
        '-' | '−' => -1,
        _ => return None,
    };
    if !glued(t, k + 1) {
        return None;
    }
    let (v, n) = num(t, k + 1)?;
    let (hh, mm, end) = match n {
        4 => (v / 100, v % 100, k + 2),
        1 | 2 => {
            if punct(t, k + 2) == Some(':') && glued(t, k + 2) {
                let (m, mn) = num(t, k + 3)?;
                if mn != 2 {
                    return None;
                }
                (v, m, k + 4)
            } else {
                (v, 0, k + 2)
            }
        }
        _ => return None,
    };
    if hh > 14 || mm > 59 {
        return None;
    }
    Some((sign * (hh as i32 * 60 + mm as i32), end))
}

/// Whether US daylight saving time is in force on a date (second Sunday of
/// March to first Sunday of November).
fn us_dst(date: NaiveDate) -> bool {
    let nth_sunday = |month: u32, n: u32| -> Option<NaiveDate> {
        NaiveDate::from_weekday_of_month_opt(date.year(), month, chrono::Weekday::Sun, n as u8)
    };
    match (nth_sunday(3, 2), nth_sunday(11, 1)) {
        (Some(a), Some(b)) => date >= a && date < b,
        _ => false,
    }
}

fn offset_minutes(z: ZoneSpec, date: NaiveDate) -> i32 {
    match z {
        ZoneSpec::Minutes(m) => m,
        ZoneSpec::Named(Zone::Fixed(m)) => m,
        ZoneSpec::Named(Zone::UsDst(m)) => m + if us_dst(date) { 60 } else { 0 },
    }
}

fn fmt(dt: DateTime<FixedOffset>) -> String {
    dt.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn absolute(y: i32, m: u32, d: Option<u32>, time: Option<&TimePart>) -> Option<Timestamp> {
    let (date, precision) = match d {
        Some(d) => (NaiveDate::from_ymd_opt(y, m, d)?, Precision::Day),
        None => (NaiveDate::from_ymd_opt(y, m, 1)?, Precision::Month),
    };
    let (naive, precision, zone) = match (time, d) {
        (Some(tp), Some(_)) => {
            let nt = NaiveTime::from_hms_opt(tp.h, tp.mi, tp.s.unwrap_or(0))?;
            let p = if tp.s.is_some() { Precision::Second } else { Precision::Minute };
            (NaiveDateTime::new(date, nt), p, tp.offset)
        }
        _ => (date.and_hms_opt(0, 0, 0)?, precision, None),
    };
    let (off, assumed_utc) = match zone {
        Some(z) => (offset_minutes(z, date), false),
        None => (0, true),
    };
    let tz = FixedOffset::east_opt(off * 60)?;
    let dt = tz.from_local_datetime(&naive).single()?;
    Some(Timestamp { value: fmt(dt), precision, assumed_utc })
}

/// A number word or digits used as a quantity in relative expressions.
fn quantity(t: &[Token], i: usize) -> Option<i64> {
    if let Some((v, n)) = num(t, i) {
        return (n <= 5).then_some(v as i64);
    }
    let q = match word(t, i)? {
        "a" | "an" | "one" | "ein" | "eine" | "einer" | "einem" | "un" | "une" | "uno" | "una" | "um" | "uma"
        | "een" => 1,
        "few" | "couple" => 2,
        "two" | "zwei" | "deux" | "dos" | "due" | "dois" | "duas" | "twee" => 2,
        "three" | "drei" | "trois" | "tres" | "tre" | "três" | "drie" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        _ => return None,
    };
    Some(q)
}

/// `quantity unit` at `i`: the amount, unit and index after the unit.
fn amount(t: &[Token], i: usize) -> Option<(i64, Unit, usize)> {
    let q = quantity(t, i)?;
    let mut k = i + 1;
    if matches!(word(t, i), Some("few" | "couple")) {
        k = skip_fillers(t, k);
    }
    let u = word(t, k).and_then(tables::unit)?;
    // One-letter units ("5m", "3h") only when glued to the number.
    if word(t, k).is_some_and(|w| w.chars().count() == 1) && !glued(t, k) {
        return None;
    }
    Some((q, u, k + 1))
}

fn relative_at(t: &[Token], i: usize, now: DateTime<FixedOffset>) -> Option<(Timestamp, usize)> {
    let w = word(t, i);
    // Postfix forms: "3 hours ago", "3 ore fa", "3 uur geleden".
    if let Some((q, u, k)) = amount(t, i) {
        if matches!(word(t, k), Some("ago" | "fa" | "geleden")) {
            return Some((back(now, q, u)?, k + 1));
        }
        return None;
    }
    // Prefix forms: "vor 3 Stunden", "hace 3 horas", "há 3 horas", "il y a 3 heures".
    let after = match w {
        Some("vor" | "hace" | "há" | "ha") => Some(i + 1),
        Some("il") if word(t, i + 1) == Some("y") && word(t, i + 2) == Some("a") => Some(i + 3),
        _ => None,
    };
    if let Some(k) = after {
        let (q, u, e) = amount(t, k)?;
        return Some((back(now, q, u)?, e));
    }
    let days_back = match w? {
        "today" | "heute" | "hoy" | "oggi" | "hoje" | "vandaag" => 0,
        "yesterday" | "gestern" | "ayer" | "ieri" | "ontem" | "gisteren" => 1,
        "just" if word(t, i + 1) == Some("now") => {
            let v = now.with_second(0)?.with_nanosecond(0)?;
            return Some((Timestamp { value: fmt(v), precision: Precision::Minute, assumed_utc: false }, i + 2));
        }
        _ => return None,
    };
    let date = now.date_naive().checked_sub_signed(Duration::try_days(days_back)?)?;
    if let Some(tp) = time_after(t, i + 1) {
        let nt = NaiveTime::from_hms_opt(tp.h, tp.mi, tp.s.unwrap_or(0))?;
        let off = tp.offset.map_or(now.offset().local_minus_utc() / 60, |z| offset_minutes(z, date));
        let tz = FixedOffset::east_opt(off * 60)?;
        let dt = tz.from_local_datetime(&NaiveDateTime::new(date, nt)).single()?;
        let p = if tp.s.is_some() { Precision::Second } else { Precision::Minute };
        return Some((Timestamp { value: fmt(dt), precision: p, assumed_utc: false }, tp.end));
    }
    let dt = now.offset().from_local_datetime(&date.and_hms_opt(0, 0, 0)?).single()?;
    Some((Timestamp { value: fmt(dt), precision: Precision::Day, assumed_utc: false }, i + 1))
}

/// `now` minus `q` units, truncated to the precision the unit supports.
fn back(now: DateTime<FixedOffset>, q: i64, u: Unit) -> Option<Timestamp> {
    if !(0..=100_000).contains(&q) {
        return None;
    }
    let (dt, precision) = match u {
        Unit::Second => (now.checked_sub_signed(Duration::try_seconds(q)?)?, Precision::Second),
        Unit::Minute => (now.checked_sub_signed(Duration::try_minutes(q)?)?, Precision::Minute),
        // There is no hour precision; minute is the nearest that keeps the hour.
        Unit::Hour => (now.checked_sub_signed(Duration::try_hours(q)?)?, Precision::Minute),
        Unit::Day => (now.checked_sub_signed(Duration::try_days(q)?)?, Precision::Day),
        Unit::Week => (now.checked_sub_signed(Duration::try_weeks(q)?)?, Precision::Day),
        Unit::Month => (now.checked_sub_months(Months::new(u32::try_from(q).ok()?))?, Precision::Month),
        Unit::Year => (now.checked_sub_months(Months::new(u32::try_from(q.checked_mul(12)?).ok()?))?, Precision::Year),
    };
    let dt = truncate(dt, precision)?;
    Some(Timestamp { value: fmt(dt), precision, assumed_utc: false })
}

fn truncate(dt: DateTime<FixedOffset>, p: Precision) -> Option<DateTime<FixedOffset>> {
    let dt = dt.with_nanosecond(0)?;
    let d = dt.date_naive();
    let at = |date: NaiveDate| dt.offset().from_local_datetime(&date.and_hms_opt(0, 0, 0)?).single();
    match p {
        Precision::Second => Some(dt),
        Precision::Minute => dt.with_second(0),
        Precision::Day => at(d),
        Precision::Month => at(NaiveDate::from_ymd_opt(d.year(), d.month(), 1)?),
        Precision::Year => at(NaiveDate::from_ymd_opt(d.year(), 1, 1)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2025-02-06T12:00:30+00:00").unwrap()
    }

    fn one(s: &str) -> (String, Precision, bool) {
        let p = parse_date(s, Some(now())).unwrap_or_else(|| panic!("no date in {s:?}"));
        (p.timestamp.value, p.timestamp.precision, p.timestamp.assumed_utc)
    }

    fn val(s: &str) -> String {
        one(s).0
    }

    #[test]
    fn iso_forms() {
        assert_eq!(one("2019-11-19T10:05:00Z"), ("2019-11-19T10:05:00Z".into(), Precision::Second, false));
        assert_eq!(one("2019-11-19 10:05"), ("2019-11-19T10:05:00Z".into(), Precision::Minute, true));
        assert_eq!(val("2019-11-19T10:05:00.000+0100"), "2019-11-19T10:05:00+01:00");
        assert_eq!(val("2019-11-19T10:05:00-05:00"), "2019-11-19T10:05:00-05:00");
        assert_eq!(one("2019-11-19"), ("2019-11-19T00:00:00Z".into(), Precision::Day, true));
        assert_eq!(val("2019/11/19"), "2019-11-19T00:00:00Z");
    }

    #[test]
    fn rfc2822() {
        assert_eq!(val("Tue, 19 Nov 2019 10:05:00 +0000"), "2019-11-19T10:05:00Z");
        assert_eq!(val("Tue, 19 Nov 2019 10:05:00 GMT"), "2019-11-19T10:05:00Z");
        assert_eq!(val("Tue, 19 Nov 2019 10:05:00 -0800"), "2019-11-19T10:05:00-08:00");
    }

    #[test]
    fn english_forms() {
        assert_eq!(one("November 19, 2019"), ("2019-11-19T00:00:00Z".into(), Precision::Day, true));
        assert_eq!(val("Nov. 19, 2019 7:05 AM EST"), "2019-11-19T07:05:00-05:00");
        assert_eq!(val("19 November 2019"), "2019-11-19T00:00:00Z");
        assert_eq!(val("Tue, Nov 19 2019 7:05 AM EST"), "2019-11-19T07:05:00-05:00");
        assert_eq!(one("06 February 2025 12:30"), ("2025-02-06T12:30:00Z".into(), Precision::Minute, true));
        assert_eq!(val("PUBLISHED TUE, NOV 19 2019 7:05 AM EST"), "2019-11-19T07:05:00-05:00");
        assert_eq!(val("Updated 06 February 2025"), "2025-02-06T00:00:00Z");
        assert_eq!(val("November 19th, 2019 at 3:15 p.m. ET"), "2019-11-19T15:15:00-05:00");
        assert_eq!(val("July 4, 2019 12:00 PM ET"), "2019-07-04T12:00:00-04:00");
        assert_eq!(val("Reuters November 18, 2019 11:03 PM"), "2019-11-18T23:03:00Z");
        assert_eq!(val("19-Nov-2019"), "2019-11-19T00:00:00Z");
        assert_eq!(one("November 2019"), ("2019-11-01T00:00:00Z".into(), Precision::Month, true));
        assert_eq!(val("Posted 10:05 AM BST, Tuesday 19 November 2019"), "2019-11-19T10:05:00+01:00");
        assert_eq!(val("12:30 IST, 5 March 2020"), "2020-03-05T12:30:00+05:30");
        assert_eq!(val("5 March 2020 14:00 CET"), "2020-03-05T14:00:00+01:00");
        assert_eq!(val("5 March 2020 14:00 CEST"), "2020-03-05T14:00:00+02:00");
        assert_eq!(val("5 March 2020 14:00 GMT+2"), "2020-03-05T14:00:00+02:00");
    }

    #[test]
    fn dates_without_a_year_take_it_from_now() {
        assert_eq!(val("Updated Nov 19, 6:55 AM"), "2024-11-19T06:55:00Z");
        assert_eq!(val("5 Feb"), "2025-02-05T00:00:00Z");
        assert_eq!(val("Feb 8"), "2025-02-08T00:00:00Z");
        assert!(parse_date("Nov 19, 6:55 AM", None).is_none());
    }

    #[test]
    fn yearless_dates_say_so() {
        let p = parse_date("am 11. Mai", Some(now())).unwrap();
        assert!(!p.year_given);
        assert_eq!(p.timestamp.value, "2024-05-11T00:00:00Z");
        assert!(!parse_date("opening borders June 3", Some(now())).unwrap().year_given);
        assert!(parse_date("June 3, 2020", Some(now())).unwrap().year_given);
        assert!(parse_date("3 hours ago", Some(now())).unwrap().year_given);
    }

    #[test]
    fn java_and_javascript_to_string() {
        let p = parse_date("Tue Jan 28 10:00:00 CET 2020", Some(now())).unwrap();
        assert!(p.year_given);
        assert_eq!(p.timestamp.value, "2020-01-28T10:00:00+01:00");
        assert_eq!(p.end, "Tue Jan 28 10:00:00 CET 2020".len());
        assert_eq!(val("Fri Feb 18 10:27:24 2022"), "2022-02-18T10:27:24Z");
        assert_eq!(
            val("Tue Jan 28 2020 10:00:00 GMT+0100 (Central European Standard Time)"),
            "2020-01-28T10:00:00+01:00"
        );
    }

    #[test]
    fn two_digit_years() {
        assert_eq!(val("14 Gennaio 20"), "2020-01-14T00:00:00Z");
        assert_eq!(val("28.01.20"), "2020-01-28T00:00:00Z");
        assert_eq!(val("01/28/20 10:15"), "2020-01-28T10:15:00Z");
        assert_eq!(val("3 March 98"), "1998-03-03T00:00:00Z");
        // A time is not a year, and hyphens are not date separators here.
        assert!(!parse_date("5 May 20:15", Some(now())).unwrap().year_given);
        assert!(parse_date("score 19-11-19", Some(now())).is_none());
    }

    #[test]
    fn old_years_are_read_not_replaced() {
        let p = parse_date("7 May 1856", Some(now())).unwrap();
        assert!(p.year_given);
        assert_eq!(p.timestamp.value, "1856-05-07T00:00:00Z");
    }

    #[test]
    fn more_scripts_and_languages() {
        assert_eq!(val("2020年1月28日"), "2020-01-28T00:00:00Z");
        assert_eq!(val("2020년 1월 28일"), "2020-01-28T00:00:00Z");
        assert_eq!(val("2020. január 28."), "2020-01-28T00:00:00Z");
        assert_eq!(val("28 января 2020"), "2020-01-28T00:00:00Z");
        assert_eq!(val("28 stycznia 2020 r."), "2020-01-28T00:00:00Z");
        assert_eq!(val("28. tammikuuta 2020"), "2020-01-28T00:00:00Z");
        assert_eq!(val("28 ocak 2020"), "2020-01-28T00:00:00Z");
        assert_eq!(val("am 11. Mai 2021"), "2021-05-11T00:00:00Z");
    }

    #[test]
    fn impossible_dates_are_not_read() {
        for s in ["99/99/9999", "0000-00-00", "2019-02-30", "31.04.2020", "May 32, 2020"] {
            assert!(parse_date(s, Some(now())).is_none_or(|p| !p.year_given), "{s:?}");
        }
        // A five-digit year is no year: at most a yearless guess.
        assert!(parse_date("12 May 99999", Some(now())).is_none_or(|p| !p.year_given));
    }

    #[test]
    fn numeric_forms() {
        assert_eq!(val("19.11.2019, 10:05"), "2019-11-19T10:05:00Z");
        assert_eq!(val("11/19/2019"), "2019-11-19T00:00:00Z");
        assert_eq!(val("11.14.2019 09:00 AM"), "2019-11-14T09:00:00Z");
        assert_eq!(val("03/04/2019"), "2019-03-04T00:00:00Z");
    }

    #[test]
    fn other_languages() {
        assert_eq!(val("19. November 2019"), "2019-11-19T00:00:00Z");
        assert_eq!(val("3. März 2020 um 14:05 Uhr"), "2020-03-03T14:05:00Z");
        assert_eq!(val("le 19 novembre 2019 à 10h05"), "2019-11-19T10:05:00Z");
        assert_eq!(val("19 de noviembre de 2019"), "2019-11-19T00:00:00Z");
        assert_eq!(val("19 settembre 2019"), "2019-09-19T00:00:00Z");
        assert_eq!(val("19 de março de 2020"), "2020-03-19T00:00:00Z");
        assert_eq!(val("19 maart 2020"), "2020-03-19T00:00:00Z");
        assert_eq!(val("1er août 2020"), "2020-08-01T00:00:00Z");
    }

    #[test]
    fn relative_forms() {
        assert_eq!(one("Updated 4 sec ago"), ("2025-02-06T12:00:26Z".into(), Precision::Second, false));
        assert_eq!(one("3 hours ago"), ("2025-02-06T09:00:00Z".into(), Precision::Minute, false));
        assert_eq!(one("2 days ago"), ("2025-02-04T00:00:00Z".into(), Precision::Day, false));
        assert_eq!(one("yesterday"), ("2025-02-05T00:00:00Z".into(), Precision::Day, false));
        assert_eq!(one("Today"), ("2025-02-06T00:00:00Z".into(), Precision::Day, false));
        assert_eq!(val("an hour ago"), "2025-02-06T11:00:00Z");
        assert_eq!(val("Updated 5 mins ago"), "2025-02-06T11:55:00Z");
        assert_eq!(val("5m ago"), "2025-02-06T11:55:00Z");
        assert_eq!(val("yesterday at 3:15 PM"), "2025-02-05T15:15:00Z");
        assert_eq!(val("vor 3 Stunden"), "2025-02-06T09:00:00Z");
        assert_eq!(val("il y a 2 jours"), "2025-02-04T00:00:00Z");
        assert_eq!(val("hace 10 minutos"), "2025-02-06T11:50:00Z");
        assert_eq!(val("2 months ago"), "2024-12-01T00:00:00Z");
        assert!(parse_date("3 hours ago", None).is_none());
    }

    #[test]
    fn spans_and_multiple() {
        let s = "Published Nov 19, 2019 | Updated 3 hours ago";
        let v = find_dates(s, Some(now()));
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].text(s), "Nov 19, 2019");
        assert_eq!(v[0].kind, DateKind::Absolute);
        assert_eq!(v[1].text(s), "3 hours ago");
        assert_eq!(v[1].kind, DateKind::Relative);
    }

    #[test]
    fn rejects_non_dates() {
        for s in [
            "",
            "The score was 2:1 at half time",
            "Chapter 12",
            "Call 555-1234",
            "2019",
            "We won 3-1 in May",
            "Room 101 on floor 3",
            "February 30, 2019",
            "13/13/2019",
            "25:99",
            "a few words",
            "set the table",
        ] {
            assert!(parse_date(s, Some(now())).is_none(), "{s:?}");
        }
    }

    #[test]
    fn hostile_input_never_panics() {
        let many = "1 May 2020, ".repeat(10_000);
        assert!(find_dates(&many, None).len() <= MAX_SCAN_BYTES);
        let long = "9".repeat(100_000);
        assert!(find_dates(&long, Some(now())).is_empty());
        let mixed = "é2019-1ß-19T99:99:99+9999 ÿ ago ago 99999999999 days ago \u{0}\u{feff}".repeat(500);
        let _ = find_dates(&mixed, Some(now()));
        let _ = find_dates("12:", None);
        let _ = find_dates("2019-11-", None);
        let _ = find_dates("Nov", None);
        let _ = find_dates("19 Nov", None);
        let _ = find_dates("10:05 +", None);
        let _ = find_dates("100000 years ago", Some(now()));
        // Multi-byte character straddling the scan bound.
        let s = format!("{}é2019-11-19", "a".repeat(MAX_SCAN_BYTES - 1));
        let _ = find_dates(&s, None);
        for b in 0u8..=255 {
            let s = String::from_utf8_lossy(&[b, b'1', b'2', b':', b'3', b'0', b]).into_owned();
            let _ = find_dates(&s, Some(now()));
        }
    }
}
