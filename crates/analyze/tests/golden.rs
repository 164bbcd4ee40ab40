//! Table-driven golden tests: each `tests/golden/*.json` holds a short
//! fictional passage and what must (and must not) be found in it.
//!
//! Case format: `{"text", "quotes": [{"contains", "kind"?, "speaker"?,
//! "resolved"?, "role"?, "cue"?, "addressee"?, "fragments"?, "count"?}],
//! "absent": ["snippet that no quote may contain"]}`. A key present with
//! `null` expects `None`.

use serde_json::Value;

fn check_opt(case: &str, what: &str, exp: &Value, got: Option<&str>) -> Option<String> {
    let want = exp.as_str();
    if want != got {
        Some(format!("{case}: {what}: expected {want:?}, got {got:?}"))
    } else {
        None
    }
}

#[test]
fn golden_passages() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut paths: Vec<_> = std::fs::read_dir(&dir).expect("golden dir").filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().map(|x| x == "json").unwrap_or(false)).collect();
    paths.sort();
    assert!(paths.len() >= 15, "golden cases missing");
    let mut failures = Vec::new();
    for p in &paths {
        let case = p.file_stem().and_then(|s| s.to_str()).unwrap_or("?").to_string();
        let v: Value = serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json");
        let text = v["text"].as_str().expect("text");
        let a = newsdesk_analyze::analyze(text, None);
        let chars: Vec<char> = text.chars().collect();
        for q in &a.quotes {
            let s: String = chars[q.start..q.end].iter().collect();
            assert_eq!(s, q.text, "{case}: offsets do not match text");
        }
        for exp in v["quotes"].as_array().into_iter().flatten() {
            let snippet = exp["contains"].as_str().expect("contains");
            let hits: Vec<_> = a.quotes.iter().filter(|q| q.text.contains(snippet)).collect();
            let Some(q) = hits.first() else {
                failures.push(format!("{case}: no quote containing {snippet:?}; got {:?}", a.quotes.iter().map(|q| &q.text).collect::<Vec<_>>()));
                continue;
            };
            if let Some(n) = exp.get("count").and_then(Value::as_u64) {
                if a.quotes.len() as u64 != n {
                    failures.push(format!("{case}: expected {n} quotes, got {}", a.quotes.len()));
                }
            }
            if let Some(k) = exp.get("kind").and_then(Value::as_str) {
                let got = serde_json::to_value(q.kind).ok();
                if got.as_ref().and_then(Value::as_str) != Some(k) {
                    failures.push(format!("{case}: kind: expected {k}, got {got:?}"));
                }
            }
            for (key, got) in [
                ("speaker", q.speaker.written.as_deref()),
                ("resolved", q.speaker.resolved.as_deref()),
                ("role", q.speaker.role.as_deref()),
                ("cue", q.cue.as_deref()),
                ("addressee", q.addressee.as_deref()),
            ] {
                if let Some(e) = exp.get(key) {
                    failures.extend(check_opt(&case, key, e, got));
                }
            }
            if let Some(n) = exp.get("fragments").and_then(Value::as_u64) {
                if q.fragments.len() as u64 != n {
                    failures.push(format!("{case}: expected {n} fragments, got {:?}", q.fragments));
                }
            }
        }
        for s in v["absent"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if a.quotes.iter().any(|q| q.text.contains(s)) {
                failures.push(format!("{case}: {s:?} should not be a quote"));
            }
        }
    }
    assert!(failures.is_empty(), "{} golden failures:\n{}", failures.len(), failures.join("\n"));
}
