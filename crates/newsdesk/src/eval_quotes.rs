//! `newsdesk eval quotes FILE.jsonl --out PRED.jsonl`: runs the analyze
//! stage over an evaluation set (`shared/eval/quotes/*.jsonl`: one article
//! per line with `id` and `text`), writes predictions in the format
//! `score.py` reads, and measures single-threaded speed so the figure in a
//! report is reproducible with one command.

use std::io::{BufRead, BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use serde::Serialize;

/// What one run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub articles: usize,
    pub quotes: usize,
    pub chars: usize,
    /// Median wall time of one pass over all texts, in seconds.
    pub median_seconds: f64,
    pub articles_per_second: f64,
    pub chars_per_second: f64,
}

/// One prediction line: the quote fields `score.py` reads, plus the rest of
/// the quote for inspection.
#[derive(Serialize)]
struct Pred<'a> {
    id: &'a serde_json::Value,
    quotes: &'a [newsdesk_model::Quote],
}

/// Reads `input`, analyses each `text`, writes one prediction per line to
/// `out`, then times three more passes (after the first, which warms
/// caches and the lexicon) and reports the median.
pub fn run(input: &Path, out: &Path) -> Result<Summary> {
    let f = std::fs::File::open(input).with_context(|| format!("opening {}", input.display()))?;
    let mut docs: Vec<(serde_json::Value, String)> = Vec::new();
    for (n, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", input.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(&line).with_context(|| format!("{}:{}: not JSON", input.display(), n + 1))?;
        let text = v.get("text").and_then(|t| t.as_str()).unwrap_or_default().to_string();
        let id = v.get("id").cloned().unwrap_or(serde_json::Value::Null);
        docs.push((id, text));
    }
    let mut w = BufWriter::new(std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?);
    let mut quotes = 0;
    for (id, text) in &docs {
        let a = newsdesk_analyze::analyze(text, None);
        quotes += a.quotes.len();
        serde_json::to_writer(&mut w, &Pred { id, quotes: &a.quotes })?;
        w.write_all(b"\n")?;
    }
    w.flush().with_context(|| format!("writing {}", out.display()))?;

    let chars: usize = docs.iter().map(|d| d.1.chars().count()).sum();
    let mut times = Vec::with_capacity(3);
    for _ in 0..3 {
        let t = Instant::now();
        let mut n = 0usize;
        for (_, text) in &docs {
            n += newsdesk_analyze::analyze(text, None).quotes.len();
        }
        std::hint::black_box(n);
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times[1].max(1e-9);
    Ok(Summary {
        articles: docs.len(),
        quotes,
        chars,
        median_seconds: median,
        articles_per_second: docs.len() as f64 / median,
        chars_per_second: chars as f64 / median,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_one_prediction_per_article() {
        let dir = std::env::temp_dir().join(format!("nd-evalq-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let input = dir.join("in.jsonl");
        std::fs::write(
            &input,
            "{\"id\":\"a\",\"text\":\"“We will win,” Ana Ruiz said.\"}\n\n{\"id\":7,\"text\":\"\"}\n",
        )
        .unwrap();
        let out = dir.join("out.jsonl");
        let s = run(&input, &out).unwrap();
        assert_eq!(s.articles, 2);
        let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["id"], "a");
        assert_eq!(lines[0]["quotes"][0]["speaker"], "Ana Ruiz");
        assert_eq!(lines[0]["quotes"][0]["start"], 0);
        assert_eq!(lines[1]["id"], 7);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
