//! Development driver: runs `analyze` over an evaluation JSONL file, writes
//! predictions in the format `score.py` reads, and prints the speed.
//!
//! `cargo run --release -p newsdesk-analyze --example eval [IN.jsonl] [OUT.jsonl]`

use std::io::{BufRead, Write};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let input = args.get(1).map(String::as_str).unwrap_or("/work/shared/eval/quotes/dev.jsonl");
    let out = args.get(2).map(String::as_str).unwrap_or("/tmp/pred.jsonl");
    let f = std::fs::File::open(input).expect("open input");
    let mut docs: Vec<(serde_json::Value, String)> = Vec::new();
    for line in std::io::BufReader::new(f).lines() {
        let line = line.expect("read");
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line).expect("json");
        let text = v["text"].as_str().unwrap_or("").to_string();
        docs.push((v["id"].clone(), text));
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(out).expect("create out"));
    for (id, text) in &docs {
        let a = newsdesk_analyze::analyze(text, None);
        let quotes: Vec<serde_json::Value> = a.quotes.iter().map(|q| serde_json::json!({
            "start": q.start, "end": q.end, "fragments": q.fragments, "speaker": q.speaker.written,
            "speaker_resolved": q.speaker.resolved, "kind": q.kind, "cue": q.cue, "text": q.text,
        })).collect();
        writeln!(w, "{}", serde_json::json!({"id": id, "quotes": quotes})).expect("write");
    }
    drop(w);
    let chars: usize = docs.iter().map(|d| d.1.chars().count()).sum();
    let mut times = Vec::new();
    for pass in 0..4 {
        let t = Instant::now();
        let mut n = 0;
        for (_, text) in &docs {
            n += newsdesk_analyze::analyze(text, None).quotes.len();
        }
        if pass > 0 {
            times.push(t.elapsed().as_secs_f64());
        }
        std::hint::black_box(n);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let med = times[1];
    eprintln!("{} docs, median {:.3}s: {:.0} articles/s, {:.0} chars/s", docs.len(), med, docs.len() as f64 / med, chars as f64 / med);
}
