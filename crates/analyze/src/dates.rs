//! Dates the text refers to: "on Wednesday", "last month", "in 2022",
//! "Sept. 26", "March 9, 2022", "three days ago", resolved against the
//! publication time. News writes weekdays in the past tense about the past
//! week, so a bare weekday resolves to the latest such day on or before
//! publication unless "next" says otherwise.

use chrono::{Datelike, Duration, NaiveDate};
use newsdesk_model::Precision;

use crate::doc::Doc;
use crate::text::Kind;

/// A date phrase by token range, with its resolved value.
pub struct RawDate {
    pub a: usize,
    pub b: usize,
    pub value: Option<String>,
    pub precision: Option<Precision>,
    pub relative: bool,
}

fn weekday(l: &str) -> Option<u32> {
    Some(match l {
        "monday" => 0,
        "tuesday" => 1,
        "wednesday" => 2,
        "thursday" => 3,
        "friday" => 4,
        "saturday" => 5,
        "sunday" => 6,
        _ => return None,
    })
}

fn month(l: &str) -> Option<u32> {
    let l = l.trim_end_matches('.');
    Some(match l {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    })
}

fn num(s: &str) -> Option<u32> {
    let s = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn year(s: &str) -> Option<i32> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = s.parse().ok()?;
    (1800..=2199).contains(&y).then_some(y)
}

fn small_number(l: &str) -> Option<i64> {
    Some(match l {
        "a" | "an" | "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "several" | "few" => return None,
        _ => {
            let n = num(l)? as i64;
            if n > 1000 {
                return None;
            }
            n
        }
    })
}

fn ymd(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// Finds date phrases. `today` is the publication date, when known.
pub fn find(doc: &Doc, today: Option<NaiveDate>) -> Vec<RawDate> {
    let n = doc.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if !matches!(doc.kind(i), Some(Kind::Word) | Some(Kind::Num)) {
            i += 1;
            continue;
        }
        let l = doc.lw(i);
        let prev = if i > 0 { doc.lw(i - 1) } else { "" };
        // Weekday.
        if let Some(wd) = weekday(l) {
            let (a, dir) = match prev {
                "last" | "on" | "this" | "next" | "past" => (i - 1, prev),
                _ => (i, ""),
            };
            let value = today.map(|t| {
                let cur = t.weekday().num_days_from_monday() as i64;
                let mut back = (cur - wd as i64).rem_euclid(7);
                if dir == "last" && back == 0 {
                    back = 7;
                }
                let d = if dir == "next" {
                    let fwd = (wd as i64 - cur).rem_euclid(7);
                    t + Duration::days(if fwd == 0 { 7 } else { fwd })
                } else {
                    t - Duration::days(back)
                };
                ymd(d)
            });
            let a = if dir.is_empty() { i } else { a };
            out.push(RawDate { a, b: i + 1, precision: value.as_ref().map(|_| Precision::Day), value, relative: true });
            i += 1;
            continue;
        }
        // yesterday / today / tomorrow / tonight
        if matches!(l, "yesterday" | "today" | "tomorrow" | "tonight") && doc.is_word(i) {
            let off = match l {
                "yesterday" => -1,
                "tomorrow" => 1,
                _ => 0,
            };
            let value = today.map(|t| ymd(t + Duration::days(off)));
            out.push(RawDate { a: i, b: i + 1, precision: value.as_ref().map(|_| Precision::Day), value, relative: true });
            i += 1;
            continue;
        }
        // last/this/next week|month|year; earlier this month.
        if matches!(l, "last" | "this" | "next" | "past") && matches!(doc.lw(i + 1), "week" | "month" | "year") {
            let unit = doc.lw(i + 1);
            let a = if prev == "earlier" || prev == "later" { i - 1 } else { i };
            let step: i32 = match l {
                "last" | "past" => -1,
                "next" => 1,
                _ => 0,
            };
            let (value, precision) = match (today, unit) {
                (Some(t), "year") => (Some(format!("{:04}", t.year() + step)), Some(Precision::Year)),
                (Some(t), "month") => {
                    let m0 = t.year() * 12 + t.month0() as i32 + step;
                    (Some(format!("{:04}-{:02}", m0.div_euclid(12), m0.rem_euclid(12) + 1)), Some(Precision::Month))
                }
                (Some(t), _) => {
                    let monday = t - Duration::days(t.weekday().num_days_from_monday() as i64);
                    (Some(ymd(monday + Duration::days(7 * step as i64))), Some(Precision::Day))
                }
                _ => (None, None),
            };
            out.push(RawDate { a, b: i + 2, value, precision, relative: true });
            i += 2;
            continue;
        }
        // N days/weeks/months/years ago.
        if let Some(k) = small_number(l) {
            let unit = doc.lw(i + 1);
            if doc.lw(i + 2) == "ago" && matches!(unit, "day" | "days" | "week" | "weeks" | "month" | "months" | "year" | "years") {
                let (value, precision) = match today {
                    Some(t) => match unit {
                        "day" | "days" => (Some(ymd(t - Duration::days(k))), Some(Precision::Day)),
                        "week" | "weeks" => (Some(ymd(t - Duration::days(7 * k))), Some(Precision::Day)),
                        "month" | "months" => {
                            let m0 = t.year() * 12 + t.month0() as i32 - k as i32;
                            (Some(format!("{:04}-{:02}", m0.div_euclid(12), m0.rem_euclid(12) + 1)), Some(Precision::Month))
                        }
                        _ => (Some(format!("{:04}", t.year() - k as i32)), Some(Precision::Year)),
                    },
                    None => (None, None),
                };
                out.push(RawDate { a: i, b: i + 3, value, precision, relative: true });
                i += 3;
                continue;
            }
        }
        // Month-based: "March 9, 2022", "March 9", "March 2022", "in March", "9 March 2022".
        let cap = doc.toks[i].cap;
        if let (true, Some(m)) = (cap, month(l)) {
            // "May" and "March" are also words: require a number or "in".
            let d = num(doc.s(i + 1)).filter(|&d| (1..=31).contains(&d) && doc.kind(i + 1) == Some(Kind::Num));
            let y_after_day = if d.is_some() && doc.is_p(i + 2, ",") { year(doc.s(i + 3)) } else if d.is_some() { year(doc.s(i + 2)) } else { None };
            let y_direct = if d.is_none() { year(doc.s(i + 1)) } else { None };
            if let Some(day) = d {
                let (y, b, relative) = match y_after_day {
                    Some(y) => (Some(y), if doc.is_p(i + 2, ",") { i + 4 } else { i + 3 }, false),
                    None => (today.map(|t| if m > t.month() + 1 { t.year() - 1 } else { t.year() }), i + 2, true),
                };
                let value = y.and_then(|y| NaiveDate::from_ymd_opt(y, m, day)).map(ymd);
                out.push(RawDate { a: i, b, precision: value.as_ref().map(|_| Precision::Day), value, relative });
                i = b;
                continue;
            }
            if let Some(y) = y_direct {
                out.push(RawDate { a: i, b: i + 2, value: Some(format!("{y:04}-{m:02}")), precision: Some(Precision::Month), relative: false });
                i += 2;
                continue;
            }
            if matches!(prev, "in" | "since" | "until" | "by" | "early" | "late" | "mid" | "last" | "next" | "this") {
                let y = today.map(|t| if m > t.month() { t.year() - 1 } else { t.year() });
                let value = y.map(|y| format!("{y:04}-{m:02}"));
                out.push(RawDate { a: i, b: i + 1, precision: value.as_ref().map(|_| Precision::Month), value, relative: true });
                i += 1;
                continue;
            }
        }
        // "9 March 2022"
        if doc.kind(i) == Some(Kind::Num) {
            if let (Some(day), Some(m)) = (num(l), month(doc.lw(i + 1))) {
                if (1..=31).contains(&day) && doc.toks.get(i + 1).map(|t| t.cap).unwrap_or(false) {
                    let y = year(doc.s(i + 2));
                    let b = if y.is_some() { i + 3 } else { i + 2 };
                    let yy = y.or_else(|| today.map(|t| t.year()));
                    let value = yy.and_then(|y| NaiveDate::from_ymd_opt(y, m, day)).map(ymd);
                    out.push(RawDate { a: i, b, precision: value.as_ref().map(|_| Precision::Day), value, relative: y.is_none() });
                    i = b;
                    continue;
                }
            }
            // "in 2022"
            if let Some(y) = year(l) {
                if matches!(prev, "in" | "since" | "until" | "by" | "of" | "from" | "during" | "through" | "before" | "after" | "early" | "late" | "mid") {
                    out.push(RawDate { a: i, b: i + 1, value: Some(format!("{y:04}")), precision: Some(Precision::Year), relative: false });
                }
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(t: &str, today: &str) -> Vec<(String, Option<String>)> {
        let d = Doc::new(t);
        let today = NaiveDate::parse_from_str(today, "%Y-%m-%d").ok();
        find(&d, today).into_iter().map(|r| (d.span_text(r.a, r.b).to_string(), r.value)).collect()
    }

    #[test]
    fn relative_dates_resolve_against_publication() {
        // 2025-02-06 is a Thursday.
        let v = vals("He spoke on Wednesday and last month, not in 2022; three days ago.", "2025-02-06");
        assert_eq!(v[0], ("on Wednesday".into(), Some("2025-02-05".into())));
        assert_eq!(v[1], ("last month".into(), Some("2025-01".into())));
        assert_eq!(v[2], ("2022".into(), Some("2022".into())));
        assert_eq!(v[3], ("three days ago".into(), Some("2025-02-03".into())));
    }

    #[test]
    fn absolute_dates() {
        let v = vals("On March 9, 2022, and Sept. 26, and 4 July 2019.", "2016-09-27");
        assert_eq!(v[0], ("March 9, 2022".into(), Some("2022-03-09".into())));
        assert_eq!(v[1], ("Sept. 26".into(), Some("2016-09-26".into())));
        assert_eq!(v[2], ("4 July 2019".into(), Some("2019-07-04".into())));
    }

    #[test]
    fn unresolved_without_publication() {
        let v = vals("It rained yesterday.", "");
        assert_eq!(v, vec![("yesterday".to_string(), None)]);
    }
}
