//! Development driver: runs the extractor over the dump dev set and writes
//! predictions in score.py's format, like `newsdesk eval dumps`.
//!
//! `cargo run --release -p newsdesk-textdump --example eval_dumps -- DIR OUT.jsonl`

use std::time::{Instant, SystemTime};

use chrono::{DateTime, FixedOffset, Utc};
use newsdesk_textdump::{decode_text, extract_dump, DumpOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).map_or("../shared/eval/dumps", |s| s.as_str()));
    let out = std::path::PathBuf::from(args.get(2).map_or("/tmp/pred.jsonl", |s| s.as_str()));
    let mut files = Vec::new();
    for sub in ["single", "multi"] {
        let mut v: Vec<_> = std::fs::read_dir(dir.join(sub))
            .expect("read dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        v.sort();
        for p in v {
            let bytes = std::fs::read(&p).expect("read");
            let mtime = std::fs::metadata(&p).and_then(|m| m.modified()).unwrap_or(SystemTime::now());
            let now: DateTime<FixedOffset> = DateTime::<Utc>::from(mtime).fixed_offset();
            files.push((format!("{sub}/{}", p.file_name().unwrap().to_string_lossy()), decode_text(&bytes).0, now));
        }
    }
    let mut lines = String::new();
    for (name, text, now) in &files {
        let r = extract_dump(text, &DumpOptions { now: Some(*now), ..DumpOptions::default() });
        let arts: Vec<_> = r
            .articles
            .iter()
            .map(|a| serde_json::json!({"headline": a.headline, "body": a.body}))
            .collect();
        lines.push_str(&serde_json::json!({"file": name, "articles": arts}).to_string());
        lines.push('\n');
        if std::env::var("SHOW").is_ok_and(|s| name.contains(&s)) {
            for a in &r.articles {
                println!("{}", serde_json::to_string_pretty(a).unwrap());
            }
        }
    }
    std::fs::write(&out, lines).expect("write");
    let total: usize = files.iter().map(|f| f.1.len()).sum();
    let mut times = Vec::new();
    for pass in 0..4 {
        let t = Instant::now();
        for (_, text, now) in &files {
            std::hint::black_box(extract_dump(text, &DumpOptions { now: Some(*now), ..DumpOptions::default() }));
        }
        if pass > 0 {
            times.push(t.elapsed().as_secs_f64());
        }
    }
    times.sort_by(f64::total_cmp);
    println!("{} files, {} bytes, {:.1} MB/s", files.len(), total, total as f64 / 1e6 / times[1]);
}
