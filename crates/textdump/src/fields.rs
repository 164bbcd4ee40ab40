//! Reading one article's fields from its lines: the headline above the
//! body, the head zone between them (standfirst, bullets, byline, dates,
//! photo captions) and the body itself with its dateline and sub-headings.

use chrono::{DateTime, FixedOffset};
use newsdesk_dates::find_dates;
use newsdesk_model::{Article, EvidenceSource, Image, Timestamp};

use crate::lines::{strip_bullet, Kind, Line};
use crate::vocab;

/// How far above the body the headline is looked for, in lines.
const HEAD_REACH: usize = 80;

/// Words that open a date or byline line, never a headline.
const META_LABELS: [&str; 8] =
    ["updated", "posted", "published", "last updated", "modified", "aktualisiert", "publié", "publicado"];

/// Whether a line could be a headline on its own.
fn headline_like(l: &Line) -> bool {
    let cjk_ok = l.cjk >= 6 && l.chars <= 120;
    let words = l.text.split(' ').filter(|w| w.chars().any(char::is_alphanumeric)).count();
    (words >= 4 && l.units <= 30 || cjk_ok)
        && l.chars <= 250
        && (l.boiler == 0 || l.boiler == 1 && l.units > 6)
        && !META_LABELS.iter().any(|m| l.lower().starts_with(m))
        && !(l.text.starts_with('(') && l.text.ends_with(')'))
        && !l.footer
        && !l.bullet
        && !l.text.ends_with(':')
        && !l.text.contains("http")
        && !l.text.contains('@')
        && !is_byline(l)
        && !is_caption(l)
        && !(l.terminal && l.text.ends_with('.') && l.units > 20)
        && l.text.chars().next().is_some_and(|c| c.is_alphanumeric() || "\"'“‘¿¡(«[".contains(c))
}

/// Lines that state a date and little else.
fn date_line(l: &Line, now: Option<DateTime<FixedOffset>>) -> bool {
    *l.date_line.get_or_init(|| dates_of_line(l, now).is_some())
}

/// The dates of a short line when they make up most of it.
fn dates_of_line(l: &Line, now: Option<DateTime<FixedOffset>>) -> Option<Vec<newsdesk_dates::Parsed>> {
    if l.chars > 160 || l.units > 16 || l.kind == Kind::Blank {
        return None;
    }
    let found = find_dates(&l.text, now);
    let covered: usize = found.iter().map(|p| p.text(&l.text).chars().count()).sum();
    (!found.is_empty() && covered * 2 >= l.chars.saturating_sub(20)).then_some(found)
}

/// "By Jane Roe", "Von Jan Muster", "Por Ana Ruiz".
pub(crate) fn is_byline(l: &Line) -> bool {
    if l.units > 14 {
        return false;
    }
    let lower = l.lower();
    // "By Jane Roe", or one short word before it ("Analysis by Jane Roe").
    let rest = match lower.split_once(' ') {
        Some((first, _)) if first.chars().count() <= 10 && !BY.contains(&format!("{first} ").as_str()) => {
            l.text.get(first.len() + 1..).unwrap_or("")
        }
        _ => l.text.as_str(),
    };
    let rest_lower = rest.to_lowercase();
    BY.iter().any(|p| {
        rest_lower.starts_with(p) && rest.get(p.len()..).is_some_and(|r| r.starts_with(|c: char| c.is_uppercase()))
    }) || BY.iter().any(|p| {
        lower.starts_with(p) && l.text.get(p.len()..).is_some_and(|r| r.starts_with(|c: char| c.is_uppercase()))
    })
}

/// Words that introduce authors.
const BY: [&str; 6] = ["by ", "von ", "par ", "por ", "di ", "door "];

/// A photo caption's credit or a caption that names its credit.
pub(crate) fn is_caption(l: &Line) -> bool {
    if l.chars > 400 {
        return false;
    }
    if l.credit {
        return true;
    }
    trailing_agency(&l.text).is_some() && !l.text.trim_end().ends_with(['.', '!', '?'])
}

/// "(Reuters)" / "(AP Photo/Jane Roe)" closing a caption: the agency.
fn trailing_agency(s: &str) -> Option<&'static str> {
    let t = s.trim_end();
    let inner = t.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let inside = inner.get(open + 1..)?;
    let first = inside.split(['/', ',', ' ']).next().unwrap_or("");
    vocab::agency(inside).or_else(|| vocab::agency(first)).or_else(|| {
        let mut w = inside.split(' ');
        let two = format!("{} {}", w.next().unwrap_or(""), w.next().unwrap_or(""));
        vocab::agency(&two)
    })
}

/// Picks the headline among the lines `from..body_start`: a title-like
/// line, preferring one the page prints twice and one close to the body.
/// Returns its line index.
pub(crate) fn headline(
    lines: &[Line],
    floor: usize,
    body_start: usize,
    page_end: usize,
    now: Option<DateTime<FixedOffset>>,
) -> Option<usize> {
    let from = floor.max(body_start.saturating_sub(HEAD_REACH));
    let zone = lines.get(from..body_start).unwrap_or_default();
    // The page prints its own title again in lists of "most read" or
    // "related" stories too: repetition counts over the whole page.
    let page = lines.get(floor..page_end.max(body_start).min(lines.len())).unwrap_or_default();
    let date_at = |j: usize| zone.get(j).is_some_and(|l| date_line(l, now));
    let mut best: Option<(f32, usize)> = None;
    let mut scores: Vec<(usize, f32)> = Vec::new();
    let mut chrome_between = 0usize;
    for k in (0..zone.len()).rev() {
        let l = &zone[k];
        if l.kind == Kind::Blank {
            continue;
        }
        let meta = date_at(k) || is_byline(l) || is_caption(l) || l.bullet;
        if headline_like(l) && !meta {
            let repeats = page.iter().filter(|o| o.chars == l.chars && o.lower() == l.lower()).count();
            let mut score = 0.0f32;
            if repeats > 1 {
                score += 2.0;
            }
            score += match l.units {
                0..=4 => 0.0,
                5..=8 => 1.0,
                9..=20 => 1.5,
                _ => 0.5,
            };
            if l.cjk >= 6 {
                score += 1.0;
            }
            if l.boiler > 0 {
                score -= 1.5;
            }
            if l.text.ends_with('.') {
                score -= 1.0;
            }
            let below: Vec<(usize, &Line)> =
                zone.iter().enumerate().skip(k + 1).filter(|(_, o)| o.kind != Kind::Blank).take(6).collect();
            // A caption is followed by its credit, a headline by its byline or date.
            if below.first().is_some_and(|(_, o)| is_caption(o)) {
                score = f32::NEG_INFINITY;
            }
            // The byline or date right under it (after at most one other
            // short line, such as a section label or author name).
            let meta_at = |n: usize| below.get(n).is_some_and(|&(j, o)| is_byline(o) || date_at(j));
            if meta_at(0) || meta_at(1) && below.first().is_some_and(|(_, o)| !headline_like(o)) {
                score += 2.0;
            }
            // The value under a label ("Author:" / "Jane Roe") is no title.
            let above = zone[..k].iter().rev().find(|o| o.kind != Kind::Blank);
            if above.is_some_and(|o| o.text.ends_with(':') && o.units <= 3) {
                score = f32::NEG_INFINITY;
            }
            // Lists (menus, related headlines) are runs of similar lines with
            // no blank line between; a headline usually stands apart.
            for j in [k.wrapping_sub(1), k + 1] {
                if let Some(o) = zone.get(j) {
                    if headline_like(o) {
                        score -= 1.0;
                    } else if o.kind == Kind::Short && o.units <= 3 {
                        score -= 0.5;
                    }
                }
            }
            score -= 0.1 * chrome_between.min(40) as f32;
            scores.push((k, score));
            if score.is_finite() && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, k));
            }
        }
        if !meta && l.kind != Kind::Sentence {
            chrome_between += 1;
        }
    }
    let (b, mut k) = best?;
    // Title over dek: when a close runner-up sits just above the winner
    // (only meta lines between), the upper line is the title and the
    // winner its standfirst.
    let mut seen = 0;
    for j in (0..k).rev() {
        let o = &zone[j];
        if o.kind == Kind::Blank || date_at(j) || is_byline(o) || o.units <= 3 && o.boiler > 0 {
            continue;
        }
        if let Some(&(_, s)) = scores.iter().find(|(i, _)| *i == j) {
            // A breadcrumb ending with the title is not a title above it.
            let crumb = o.lower().contains(zone[k].lower());
            if s.is_finite() && s >= b - 1.5 && !crumb {
                k = j;
            }
        }
        seen += 1;
        if seen >= 1 {
            break;
        }
    }
    Some(from + k)
}

/// Fills the head-zone fields of `a` from the lines between the headline
/// and the body.
pub(crate) fn head_zone(a: &mut Article, lines: &[Line], from: usize, to: usize, now: Option<DateTime<FixedOffset>>) {
    let mut k = from;
    while k < to {
        let l = &lines[k];
        k += 1;
        if l.kind == Kind::Blank {
            continue;
        }
        if a.headline.as_deref().is_some_and(|h| h == l.text) {
            continue;
        }
        if l.bullet {
            if let Some(t) = strip_bullet(&l.text) {
                if l.units >= 4 {
                    a.summary.push(t.to_string());
                    continue;
                }
            }
        }
        if dates(a, l, now) {
            continue;
        }
        if is_byline(l) {
            authors(a, l);
            continue;
        }
        // A line that is only an agency name ("Associated Press").
        if let Some(ag) = vocab::agency(&l.text).filter(|_| l.units <= 3) {
            if a.credit.is_none() {
                a.credit = Some(ag.to_string());
                a.note("credit", EvidenceSource::Byline, l.text.clone());
            }
            continue;
        }
        if is_caption(l) {
            caption(a, lines, k - 1, from);
            continue;
        }
        if a.standfirst.is_none()
            && a.summary.is_empty()
            && l.is_body()
            && l.units >= 6
            && !next_is_credit(lines, k, to)
        {
            a.standfirst = Some(l.text.clone());
            a.note("standfirst", EvidenceSource::TextHeuristic, l.text.clone());
        }
    }
    if !a.summary.is_empty() {
        a.note("summary", EvidenceSource::TextHeuristic, a.summary.join(" | "));
    }
}

fn next_is_credit(lines: &[Line], k: usize, to: usize) -> bool {
    lines[k..to].iter().find(|l| l.kind != Kind::Blank).is_some_and(is_caption)
}

/// Records a published/updated date from a line; true when the line was a
/// date line.
pub(crate) fn dates(a: &mut Article, l: &Line, now: Option<DateTime<FixedOffset>>) -> bool {
    let found = if date_line(l, now) || is_byline(l) { find_dates(&l.text, now) } else { return false };
    if found.is_empty() {
        return false;
    }
    let source = if is_byline(l) { EvidenceSource::Byline } else { EvidenceSource::TextHeuristic };
    let updated_cue = vocab::UPDATED.iter().any(|c| l.lower().contains(c));
    let mut prev_end = 0;
    for p in &found {
        // The label just before each date says which one it is
        // ("Updated ... ; Posted ...").
        let label = l.text.get(prev_end..p.start).unwrap_or("").to_lowercase();
        prev_end = p.end;
        let is_update = updated_cue && vocab::UPDATED.iter().any(|c| label.contains(c));
        let slot: &mut Option<Timestamp> = if is_update { &mut a.updated } else { &mut a.published };
        if slot.is_none() {
            *slot = Some(p.timestamp.clone());
            let field = if is_update { "updated" } else { "published" };
            a.note(field, source, l.text.clone());
        }
    }
    // An agency leading a date line ("Reuters Nov 19, 2019") is the credit.
    if a.credit.is_none() {
        if let Some(first) = found.first() {
            let before = l.text.get(..first.start).unwrap_or("").trim().trim_end_matches([',', '|', '-', '·']);
            if let Some(ag) = vocab::agency(before) {
                a.credit = Some(ag.to_string());
                a.note("credit", EvidenceSource::Byline, l.text.clone());
            }
        }
    }
    true
}

/// Names from a byline ("By Jane Roe and John Doe, Reuters").
pub(crate) fn authors(a: &mut Article, l: &Line) {
    // Everything after the "by" word ("By ...", "Analysis by ...").
    let lower = l.lower();
    let at = BY
        .iter()
        .filter_map(|p| {
            if lower.starts_with(p) {
                Some(p.len())
            } else {
                lower.find(&format!(" {p}")).map(|i| i + 1 + p.len())
            }
        })
        .min();
    let rest = match at {
        Some(i) if lower.len() == l.text.len() => l.text.get(i..).unwrap_or(""),
        _ => l.text.split_once(' ').map_or("", |(_, r)| r),
    };
    // Drop a date or a "|"-separated tail.
    let rest = rest.split(['|', '•', '·']).next().unwrap_or("");
    let rest = match find_dates(rest, None).first() {
        Some(p) => rest.get(..p.start).unwrap_or(rest),
        None => rest,
    };
    let mut names = Vec::new();
    for part in rest.split([',', '&', ';']).flat_map(|p| p.split(" and ")).flat_map(|p| p.split(" und ")) {
        let n = part.trim().trim_end_matches(['.', ':', '-', '—']).trim();
        // "CNN Editor-at-large", "Staff Writer": roles, not names.
        if n.split(' ').any(|w| w.contains('-') && w.chars().filter(|c| *c == '-').count() >= 2) {
            continue;
        }
        if n.is_empty() {
            continue;
        }
        if let Some(ag) = vocab::agency(n) {
            if a.credit.is_none() {
                a.credit = Some(ag.to_string());
                a.note("credit", EvidenceSource::Byline, l.text.clone());
            }
            continue;
        }
        // "Cleveland.com": the outlet, not a person.
        if n.contains(".com") || n.contains(".co.") || n.contains(".org") || n.contains(".net") {
            continue;
        }
        let words = n.split(' ').count();
        let capitalised = n
            .split(' ')
            .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase() || !c.is_alphabetic()) || w.len() <= 3);
        if (1..=5).contains(&words) && capitalised && !n.to_lowercase().contains("staff") {
            names.push(n.to_string());
        }
    }
    if !names.is_empty() && a.authors.is_empty() {
        a.authors = names;
        a.note("authors", EvidenceSource::Byline, l.text.clone());
    }
}

/// Records the caption at line `k` (a credit line, or a caption naming its
/// credit) as an image.
pub(crate) fn caption(a: &mut Article, lines: &[Line], k: usize, floor: usize) {
    let l = &lines[k];
    if let Some(ag) = trailing_agency(&l.text) {
        let open = l.text.rfind('(').unwrap_or(l.text.len());
        let cap = l.text.get(..open).unwrap_or("").trim().to_string();
        a.images.push(Image { url: None, caption: (!cap.is_empty()).then_some(cap), credit: Some(ag.to_string()) });
        return;
    }
    // A credit line: the caption is the line above unless that is a
    // credit label ("Credit..." then "Jane Roe/Agency").
    let label_only = l.text.trim_end_matches(['.', '…', ':']).split(' ').count() == 1;
    let credit =
        l.text.split_once([':', '…']).map_or(l.text.as_str(), |(_, r)| r).trim().trim_start_matches('.').trim();
    if label_only {
        // The credit follows on the next line; the caption is above.
        return;
    }
    // "Photo: The bridge at dawn. Credit: Jane Roe" / "The bridge at dawn.
    // Photo: Jane Roe/AP": caption before the last label, credit after it.
    if let Some((cap, cred)) = split_at_last_label(&l.text) {
        a.images.push(Image { url: None, caption: Some(cap), credit: Some(cred) });
        return;
    }
    let mut caption = None;
    let mut j = k;
    while j > floor {
        j -= 1;
        let p = &lines[j];
        if p.kind == Kind::Blank {
            continue;
        }
        if is_caption(p) && p.text.trim_end_matches(['.', '…', ':']).split(' ').count() == 1 {
            continue;
        }
        if p.kind != Kind::Blank && !is_caption(p) && p.units >= 3 && !is_byline(p) && dates_of_line(p, None).is_none()
        {
            caption = Some(p.text.trim_start_matches("Above:").trim().to_string());
        }
        break;
    }
    a.images.push(Image { url: None, caption, credit: (!credit.is_empty()).then(|| credit.to_string()) });
}

/// Labels that introduce the credit inside a caption line.
const CREDIT_LABELS: [&str; 9] =
    ["credit:", "photo:", "photograph:", "image:", "picture:", "foto:", "bild:", "source:", "illustration:"];

/// Caption and credit of a line that holds both, split at the last credit
/// label that has text on both sides (a leading label is dropped).
fn split_at_last_label(text: &str) -> Option<(String, String)> {
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        return None; // case mapping changed byte offsets: do not guess
    }
    let (pos, len) = CREDIT_LABELS.iter().filter_map(|c| lower.rfind(c).map(|p| (p, c.len()))).max()?;
    let before = text.get(..pos)?.trim();
    let after = text.get(pos + len..)?.trim();
    let before = CREDIT_LABELS
        .iter()
        .find_map(|c| before.to_lowercase().starts_with(c).then(|| before.get(c.len()..).unwrap_or("").trim()))
        .unwrap_or(before);
    (!before.is_empty() && !after.is_empty()).then(|| (before.to_string(), after.to_string()))
}

/// Splits "CARACAS: Venezuela's ..." / "LONDON (Reuters) - ..." into the
/// dateline place, the agency and the remaining text.
pub(crate) fn dateline(s: &str) -> Option<(Option<String>, Option<&'static str>, &str)> {
    let head = s.get(..s.len().min(90)).or_else(|| {
        let mut c = 90.min(s.len());
        while !s.is_char_boundary(c) {
            c -= 1;
        }
        s.get(..c)
    })?;
    let (pos, sep_len) = [" — ", " – ", " -- ", " - ", ": ", "—", " —", "– "]
        .iter()
        .filter_map(|sep| head.find(sep).map(|p| (p, sep.len())))
        .min()?;
    let prefix = s.get(..pos)?.trim();
    let rest = s.get(pos + sep_len..)?.trim_start();
    if prefix.is_empty() || rest.is_empty() {
        return None;
    }
    let (place_part, agency) = match prefix.rfind('(') {
        Some(o) if prefix.ends_with(')') => (prefix.get(..o)?.trim(), trailing_agency(prefix)),
        _ => (prefix, None),
    };
    let place = place_part.split(',').next().unwrap_or("").trim();
    let letters: Vec<char> = place.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase());
    // "Hannover (dpa) -": a capitalised place is a dateline when an agency
    // follows it; alone it would be any sentence opening.
    let capitalised = agency.is_some()
        && letters.len() >= 2
        && place.split(' ').all(|w| w.chars().next().is_some_and(char::is_uppercase));
    let place_ok = (upper || capitalised) && place.split(' ').count() <= 4;
    if agency.is_none() && !place_ok {
        return None;
    }
    if !place.is_empty() && !place_ok {
        return None;
    }
    Some((place_ok.then(|| place.to_string()), agency, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datelines() {
        let (p, a, r) = dateline("CARACAS: Venezuela's legislature advanced a bill.").unwrap();
        assert_eq!((p.as_deref(), a, r), (Some("CARACAS"), None, "Venezuela's legislature advanced a bill."));
        let (p, a, _) = dateline("NEW YORK (Reuters) - Shares rose on Monday.").unwrap();
        assert_eq!((p.as_deref(), a), (Some("NEW YORK"), Some("Reuters")));
        let (p, a, _) = dateline("(Reuters) — The attorney general is investigating.").unwrap();
        assert_eq!((p, a), (None, Some("Reuters")));
        assert!(dateline("The mayor said: we will rebuild.").is_none());
        assert!(dateline("Ünïcödé — ünïcödé").is_none());
    }

    #[test]
    fn bylines_and_captions() {
        assert!(is_byline(&Line::new("By Jane Roe")));
        assert!(!is_byline(&Line::new("By the end of the year, prices had doubled.")));
        assert!(is_caption(&Line::new("Photo: Jane Roe/AP")));
        assert!(
            is_caption(&Line::new("The bridge at dawn. (Reuters)"))
                || trailing_agency("The bridge at dawn (Reuters)").is_some()
        );
        assert_eq!(trailing_agency("The bridge at dawn (AP Photo/Jane Roe)"), Some("AP"));
    }

    #[test]
    fn published_and_updated_on_one_line() {
        let now = DateTime::parse_from_rfc3339("2019-11-20T12:00:00Z").ok();
        let mut a = Article::default();
        assert!(dates(&mut a, &Line::new("Updated Nov 19, 6:55 AM; Posted Nov 19, 6:51 AM"), now));
        assert_eq!(a.published.map(|t| t.value).as_deref(), Some("2019-11-19T06:51:00Z"));
        assert_eq!(a.updated.map(|t| t.value).as_deref(), Some("2019-11-19T06:55:00Z"));
        let mut b = Article::default();
        assert!(dates(&mut b, &Line::new("November 18, 2019 | Updated 3 hours ago"), now));
        assert_eq!(b.published.map(|t| t.value).as_deref(), Some("2019-11-18T00:00:00Z"));
        assert_eq!(b.updated.map(|t| t.value).as_deref(), Some("2019-11-20T09:00:00Z"));
        assert_eq!(
            b.evidence.get("updated").and_then(|e| e.detail.as_deref()),
            Some("November 18, 2019 | Updated 3 hours ago")
        );
    }

    #[test]
    fn author_names() {
        let mut b = Article::default();
        authors(&mut b, &Line::new("Analysis by Chris Roe, Example Editor-at-large"));
        assert_eq!(b.authors, vec!["Chris Roe"]);
        let mut a = Article::default();
        authors(&mut a, &Line::new("By Jane Roe and John Doe, Reuters"));
        assert_eq!(a.authors, vec!["Jane Roe", "John Doe"]);
        assert_eq!(a.credit.as_deref(), Some("Reuters"));
    }
}
