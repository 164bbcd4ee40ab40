//! `newsdesk eval dumps [DIR] --out PRED.jsonl`: runs the plain-text dump
//! extractor over the dump dev set (`shared/eval/dumps`: `single/*.txt`
//! and `multi/*.txt`), writes predictions in the format its `score.py`
//! reads, and measures single-threaded speed so the figures in a report are
//! reproducible with one command.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;

/// What one run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub files: usize,
    pub articles: usize,
    pub bytes: usize,
    /// Median wall time of one extraction pass over all files, in seconds.
    pub median_seconds: f64,
    pub mb_per_second: f64,
}

/// One prediction line as `score.py` reads it.
#[derive(Serialize)]
struct Pred<'a> {
    file: String,
    articles: Vec<PredArticle<'a>>,
}

#[derive(Serialize)]
struct PredArticle<'a> {
    headline: Option<&'a str>,
    body: &'a str,
}

/// One dump of the set: its name relative to the set, text and reference
/// time (the file's modification time, as for `newsdesk extract`).
struct Dump {
    name: String,
    text: String,
    now: DateTime<FixedOffset>,
}

fn read_set(dir: &Path) -> Result<Vec<Dump>> {
    let mut dumps = Vec::new();
    for sub in ["single", "multi"] {
        let d = dir.join(sub);
        let mut paths: Vec<_> = std::fs::read_dir(&d)
            .with_context(|| format!("reading {}", d.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        paths.sort();
        for p in paths {
            let bytes = std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
            let mtime = std::fs::metadata(&p).and_then(|m| m.modified()).unwrap_or_else(|_| SystemTime::now());
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            dumps.push(Dump {
                name: format!("{sub}/{name}"),
                text: newsdesk_textdump::decode_text(&bytes).0,
                now: DateTime::<Utc>::from(mtime).fixed_offset(),
            });
        }
    }
    Ok(dumps)
}

fn extract(d: &Dump) -> newsdesk_textdump::DumpResult {
    let opts = newsdesk_textdump::DumpOptions { now: Some(d.now), ..Default::default() };
    newsdesk_textdump::extract_dump(&d.text, &opts)
}

/// Reads every dump under `dir`, writes one prediction line per file to
/// `out`, then times three more passes (after the first, which warms
/// caches) and reports the median speed of the extraction call alone.
pub fn run(dir: &Path, out: &Path) -> Result<Summary> {
    let dumps = read_set(dir)?;
    let mut w = BufWriter::new(std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?);
    let mut articles = 0;
    for d in &dumps {
        let r = extract(d);
        articles += r.articles.len();
        let pred = Pred {
            file: d.name.clone(),
            articles: r
                .articles
                .iter()
                .map(|a| PredArticle { headline: a.headline.as_deref(), body: &a.body })
                .collect(),
        };
        serde_json::to_writer(&mut w, &pred)?;
        w.write_all(b"\n")?;
    }
    w.flush().with_context(|| format!("writing {}", out.display()))?;
    let bytes: usize = dumps.iter().map(|d| d.text.len()).sum();
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        for d in &dumps {
            std::hint::black_box(extract(d));
        }
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median_seconds = times[1];
    Ok(Summary {
        files: dumps.len(),
        articles,
        bytes,
        median_seconds,
        mb_per_second: if median_seconds > 0.0 { bytes as f64 / 1e6 / median_seconds } else { 0.0 },
    })
}
