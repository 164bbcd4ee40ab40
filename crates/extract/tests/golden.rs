//! Data-driven golden tests: every folder of `tests/golden/html/` is a page
//! with the fields it must produce (see that folder's README). One test runs
//! them all and reports every mismatch, naming the case and the field.

use std::io::Read;
use std::path::{Path, PathBuf};

use newsdesk_extract::{extract, Options};
use newsdesk_model::Article;
use serde_json::Value;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/html")
}

fn load_page(dir: &Path) -> Vec<u8> {
    if let Ok(b) = std::fs::read(dir.join("page.html")) {
        return b;
    }
    let gz = std::fs::read(dir.join("page.html.gz")).expect("case has page.html or page.html.gz");
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut out).expect("valid gzip");
    out
}

fn check(case: &str, a: &Article, exp: &Value, failures: &mut Vec<String>) {
    let Some(obj) = exp.as_object() else {
        failures.push(format!("{case}: expected.json is not an object"));
        return;
    };
    let got = serde_json::to_value(a).expect("article serialises");
    let mut fail = |field: &str, want: &Value, have: &Value| {
        failures.push(format!("{case}: {field}: want {want}, got {have}"));
    };
    for (key, want) in obj {
        match key.as_str() {
            "has_article" => {
                let has = !a.body.is_empty()
                    && !a.diagnostics.iter().any(|d| d.code == newsdesk_model::DiagnosticCode::NoArticle);
                if Some(has) != want.as_bool() {
                    fail(key, want, &Value::Bool(has));
                }
            }
            "body_first" => {
                let w = want.as_str().unwrap_or_default();
                if !a.body.starts_with(w) {
                    fail(key, want, &Value::String(a.body.chars().take(80).collect()));
                }
            }
            "body_last" => {
                let w = want.as_str().unwrap_or_default();
                if !a.body.trim_end().ends_with(w) {
                    let tail: String = a.body.chars().rev().take(80).collect::<Vec<_>>().into_iter().rev().collect();
                    fail(key, want, &Value::String(tail));
                }
            }
            "body_excludes" => {
                for s in want.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    if a.body.contains(s) {
                        fail(key, &Value::String(s.into()), &Value::String("present in body".into()));
                    }
                }
            }
            "body_paragraphs" => {
                let n = a.paragraphs().count();
                if want.as_u64() != Some(n as u64) {
                    fail(key, want, &Value::from(n));
                }
            }
            "published" | "updated" => {
                let have = got.get(key).and_then(|t| t.get("value")).cloned().unwrap_or(Value::Null);
                let ok = match (want.as_str(), have.as_str()) {
                    (None, None) => want.is_null() && have.is_null(),
                    // A date-only expectation matches on the calendar day.
                    (Some(w), Some(h)) if w.len() == 10 => h.starts_with(w),
                    (Some(w), Some(h)) => same_instant(w, h),
                    _ => false,
                };
                if !ok {
                    fail(key, want, &have);
                }
            }
            _ => {
                let have = got.get(key).cloned().unwrap_or(Value::Null);
                if &have != want {
                    fail(key, want, &have);
                }
            }
        }
    }
}

fn same_instant(a: &str, b: &str) -> bool {
    match (chrono::DateTime::parse_from_rfc3339(a), chrono::DateTime::parse_from_rfc3339(b)) {
        (Ok(x), Ok(y)) => x == y && x.offset() == y.offset(),
        _ => a == b,
    }
}

#[test]
fn golden_pages() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .expect("tests/golden/html exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "golden corpus has {} cases", cases.len());
    // After the newest page of the corpus: a page is never dated after the time it was read.
    let now = chrono::DateTime::parse_from_rfc3339("2024-09-01T12:00:00Z").ok();
    let mut failures = Vec::new();
    for dir in &cases {
        let case = dir.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
        let bytes = load_page(dir);
        let url = std::fs::read_to_string(dir.join("url.txt")).ok().map(|s| s.trim().to_string());
        let article = extract(&bytes, &Options { url, now, ..Options::default() });
        let exp: Value = serde_json::from_slice(&std::fs::read(dir.join("expected.json")).expect("expected.json"))
            .unwrap_or_else(|e| panic!("{case}: expected.json: {e}"));
        check(&case, &article, &exp, &mut failures);
    }
    assert!(failures.is_empty(), "{} golden mismatches:\n{}", failures.len(), failures.join("\n"));
}
