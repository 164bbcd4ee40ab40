//! Golden cases: fictional dumps in several site layouts
//! (`tests/golden/<case>/dump.txt`) with the fields each article must have
//! (`expected.json`). Only the keys present in an expected article are
//! checked, so a case states what it is about and nothing more.
//!
//! Expected keys per article: `headline`, `dateline`, `credit`, `language`,
//! `summary`, `authors`, `headings`, `images` (caption/credit of each listed
//! image), `published` / `updated` (`value`, `precision`), `body_first` /
//! `body_last` (the body starts / ends with these words), `body_lacks`
//! (strings that must not be in the body). Top level: `now` (reference time,
//! RFC 3339), `articles`, `diagnostics` (codes that must be reported).

use std::path::Path;

use newsdesk_model::Article;
use newsdesk_textdump::{extract_dump, extract_dump_bytes, DumpOptions};
use serde_json::Value;

fn check_article(case: &str, n: usize, a: &Article, want: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    let got = serde_json::to_value(a).expect("article serialises");
    let mut fail = |what: &str, exp: &Value, got: &Value| {
        errs.push(format!("{case} article {n}: {what}: expected {exp}, got {got}"));
    };
    let Some(obj) = want.as_object() else { return vec![format!("{case}: article {n} is not an object")] };
    for (k, exp) in obj {
        match k.as_str() {
            "body_first" => {
                let e = exp.as_str().unwrap_or_default();
                if !a.body.starts_with(e) {
                    fail(k, exp, &Value::from(a.body.chars().take(80).collect::<String>()));
                }
            }
            "body_last" => {
                let e = exp.as_str().unwrap_or_default();
                if !a.body.ends_with(e) {
                    let tail: String = a.body.chars().rev().take(80).collect::<Vec<_>>().into_iter().rev().collect();
                    fail(k, exp, &Value::from(tail));
                }
            }
            "body_lacks" => {
                for s in exp.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    if a.body.contains(s) {
                        fail(k, &Value::from(s), &Value::from("present in body"));
                    }
                }
            }
            "images" => {
                let gi = got.get("images").and_then(Value::as_array).cloned().unwrap_or_default();
                let ei = exp.as_array().cloned().unwrap_or_default();
                if gi.len() != ei.len() {
                    fail("images count", &Value::from(ei.len()), &Value::from(gi.len()));
                }
                for (e, g) in ei.iter().zip(&gi) {
                    for (f, v) in e.as_object().into_iter().flatten() {
                        if g.get(f) != Some(v) {
                            fail(&format!("images.{f}"), v, g.get(f).unwrap_or(&Value::Null));
                        }
                    }
                }
            }
            "published" | "updated" => {
                let g = got.get(k).cloned().unwrap_or(Value::Null);
                for (f, v) in exp.as_object().into_iter().flatten() {
                    if g.get(f) != Some(v) {
                        fail(&format!("{k}.{f}"), v, g.get(f).unwrap_or(&Value::Null));
                    }
                }
            }
            _ => {
                let g = got.get(k).cloned().unwrap_or(Value::Null);
                if &g != exp {
                    fail(k, exp, &g);
                }
            }
        }
    }
    errs
}

fn run_case(dir: &Path) -> Vec<String> {
    let case = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bytes = std::fs::read(dir.join("dump.txt")).expect("dump.txt");
    let want: Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).expect("expected.json")).expect("expected.json parses");
    let now = want
        .get("now")
        .and_then(Value::as_str)
        .map(|s| chrono::DateTime::parse_from_rfc3339(s).expect("now is RFC 3339"));
    let r = extract_dump_bytes(&bytes, &DumpOptions { now, ..Default::default() });
    let mut errs = Vec::new();
    let arts = want.get("articles").and_then(Value::as_array).cloned().unwrap_or_default();
    if r.articles.len() != arts.len() {
        let heads: Vec<_> = r.articles.iter().map(|a| a.headline.clone()).collect();
        errs.push(format!("{case}: expected {} articles, got {} {heads:?}", arts.len(), r.articles.len()));
    }
    for (n, (a, w)) in r.articles.iter().zip(&arts).enumerate() {
        errs.extend(check_article(&case, n, a, w));
    }
    for code in want.get("diagnostics").and_then(Value::as_array).into_iter().flatten() {
        let have = r.diagnostics.iter().any(|d| serde_json::to_value(d.code).ok().as_ref() == Some(code));
        if !have {
            errs.push(format!("{case}: diagnostic {code} missing, got {:?}", r.diagnostics));
        }
    }
    errs
}

#[test]
fn golden_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/golden")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("dump.txt").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 7, "golden cases missing: {dirs:?}");
    let errs: Vec<String> = dirs.iter().flat_map(|d| run_case(d)).collect();
    assert!(errs.is_empty(), "{} golden failures:\n{}", errs.len(), errs.join("\n"));
}

/// One article with no line breaks at all, repeated to several megabytes:
/// bounded time, no panic, the text kept.
#[test]
fn huge_single_line() {
    let text: String = (0..60_000)
        .map(|n| format!("The ferry crossed the bay at dawn on day {n}, carrying forty passengers and a van of bread. "))
        .collect();
    let t = std::time::Instant::now();
    let r = extract_dump(&text, &DumpOptions::default());
    assert!(t.elapsed().as_secs() < 20, "took {:?}", t.elapsed());
    assert_eq!(r.articles.len(), 1);
    assert!(r.articles[0].word_count() > 900_000);
}

/// Binary noise and invalid UTF-8 give a diagnostic or an empty result,
/// never a panic.
#[test]
fn binary_and_invalid_utf8() {
    let mut noise = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..200_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        noise.push((x >> 16) as u8);
    }
    let r = extract_dump_bytes(&noise, &DumpOptions::default());
    assert!(r.articles.is_empty());
    assert!(!r.diagnostics.is_empty());

    let mut text = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/single_wire/dump.txt")).expect("dump");
    text.extend_from_slice(b"\n\xff\xfe broken \xc3 bytes\n");
    let r = extract_dump_bytes(&text, &DumpOptions::default());
    assert_eq!(r.articles.len(), 1);
    assert!(r.diagnostics.iter().any(|d| d.code == newsdesk_model::DiagnosticCode::DecodeErrors));
}

/// Random mixtures of the characters dumps are made of (words, digits,
/// punctuation, multi-byte letters, bullets, line breaks, tabs, no-break
/// spaces, © marks, date words) never panic.
#[test]
fn random_dumps_never_panic() {
    const PIECES: [&str; 24] = [
        "The ", "council ", "voted ", "2019-11-19 ", "Nov 19, 2019 7:05 AM EST ", "3 hours ago ", ". ", ", ",
        "\n", "\n\n", "\n\n\n", "\r\n", "\t", "\u{a0}", "• ", "© 2024 ", "By Jane Roe ", "(Reuters) ", "CARACAS: ",
        "Ünïcödé ", "東京 ", "—", "Share ", "Updated ",
    ];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let now = chrono::DateTime::parse_from_rfc3339("2024-03-01T12:00:00Z").ok();
    for _ in 0..300 {
        let mut s = String::new();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 400) as usize;
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push_str(PIECES[(x % PIECES.len() as u64) as usize]);
        }
        let r = extract_dump(&s, &DumpOptions { now, ..Default::default() });
        for a in &r.articles {
            assert!(!a.body.is_empty());
        }
    }
}
