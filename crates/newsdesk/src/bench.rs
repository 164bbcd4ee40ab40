//! `newsdesk bench extraction DIR`: speed and body quality on a folder laid
//! out like `../shared/eval/extraction` (`html/ID.html.gz`, and
//! `ground-truth.json` when quality is to be scored).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::input::read_input;
use crate::score;

#[derive(clap::Args)]
pub struct Args {
    /// Folder with html/ID.html.gz (and optionally ground-truth.json)
    dir: PathBuf,
    /// Write predictions here, in the scorer's format
    #[arg(long)]
    out: Option<PathBuf>,
    /// Number of timed passes (the median is reported)
    #[arg(long, default_value_t = 3)]
    passes: usize,
    /// Metadata gold to score headline/authors/dates against
    #[arg(long)]
    metadata_gold: Option<PathBuf>,
}

struct Page {
    id: String,
    url: Option<String>,
    bytes: Vec<u8>,
}

pub fn run(args: Args) -> Result<()> {
    let html_dir = args.dir.join("html");
    let truth: Option<BTreeMap<String, Value>> = match std::fs::read(args.dir.join("ground-truth.json")) {
        Ok(b) => Some(serde_json::from_slice(&b).context("ground-truth.json is not valid JSON")?),
        Err(_) => None,
    };
    let mut pages = load_pages(&html_dir, truth.as_ref())?;
    pages.sort_by(|a, b| a.id.cmp(&b.id));
    if pages.is_empty() {
        bail!("no pages (*.html, *.htm, *.html.gz) in {}", html_dir.display());
    }
    let total_bytes: usize = pages.iter().map(|p| p.bytes.len()).sum();
    let largest = pages.iter().map(|p| p.bytes.len()).max().unwrap_or(0);
    eprintln!("{} pages, {:.1} MB of HTML (largest {:.1} MB)", pages.len(), total_bytes as f64 / 1e6, largest as f64 / 1e6);
    let opts_for = |p: &Page| newsdesk_extract::Options { url: p.url.clone(), ..Default::default() };
    let mem_before = peak_rss_kb();
    // Warm-up pass, which also gives the predictions.
    let articles: Vec<newsdesk_model::Article> = pages.iter().map(|p| newsdesk_extract::extract(&p.bytes, &opts_for(p))).collect();
    let mut times = Vec::new();
    for _ in 0..args.passes.max(1) {
        let t = Instant::now();
        for p in &pages {
            let a = newsdesk_extract::extract(&p.bytes, &opts_for(p));
            std::hint::black_box(&a);
        }
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!("speed: {:.0} pages/s, {:.1} MB/s (median of {} passes, single thread, extraction call only)", pages.len() as f64 / median, total_bytes as f64 / 1e6 / median, times.len());
    match (mem_before, peak_rss_kb()) {
        (Some(b), Some(a)) => println!(
            "memory: peak RSS {:.1} MB (pages held in memory: {:.1} MB; growth during extraction {:.1} MB)",
            a as f64 / 1024.0,
            total_bytes as f64 / 1e6,
            a.saturating_sub(b) as f64 / 1024.0
        ),
        _ => println!("memory: peak RSS not available on this platform"),
    }
    if let Some(truth) = &truth {
        let mut scores = Vec::new();
        for (p, a) in pages.iter().zip(&articles) {
            let t = truth.get(&p.id).and_then(|v| v.get("articleBody")).and_then(Value::as_str).unwrap_or("");
            scores.push(score::score_page(t, &a.body));
        }
        let s = score::summarize(&scores);
        println!("quality: F1 {:.4}  precision {:.4}  recall {:.4}  accuracy {:.4}  (n = {})", s.f1, s.precision, s.recall, s.accuracy, s.n);
        if std::env::var_os("NEWSDESK_BENCH_DETAIL").is_some() {
            let mut rows: Vec<_> = pages.iter().zip(&scores).collect();
            rows.sort_by(|a, b| {
                let f = |s: &score::PageScore| s.precision.unwrap_or(0.0).min(s.recall.unwrap_or(0.0));
                f(a.1).total_cmp(&f(b.1))
            });
            for (p, s) in rows.iter().take(30) {
                println!("  {}  P {:.3} R {:.3}  {}", &p.id[..12.min(p.id.len())], s.precision.unwrap_or(0.0), s.recall.unwrap_or(0.0), p.url.as_deref().unwrap_or(""));
            }
        }
    }
    if let Some(gold) = &args.metadata_gold {
        crate::bench::metadata_report(gold, &pages.iter().map(|p| p.id.clone()).collect::<Vec<_>>(), &articles)?;
    }
    if let Some(out) = &args.out {
        let mut m = serde_json::Map::new();
        for (p, a) in pages.iter().zip(&articles) {
            m.insert(p.id.clone(), json!({ "articleBody": a.body, "headline": a.headline }));
        }
        std::fs::write(out, serde_json::to_vec_pretty(&Value::Object(m))?).with_context(|| format!("writing {}", out.display()))?;
        eprintln!("predictions written to {}", out.display());
    }
    Ok(())
}

fn load_pages(dir: &Path, truth: Option<&BTreeMap<String, Value>>) -> Result<Vec<Page>> {
    let mut pages = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for e in entries {
        let path = e?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        let id = ["html.gz", "htm.gz", "html", "htm"]
            .iter()
            .find_map(|ext| name.strip_suffix(&format!(".{ext}")))
            .map(String::from);
        let Some(id) = id else { continue };
        let bytes = read_input(&path)?;
        let url = truth.and_then(|t| t.get(&id)).and_then(|v| v.get("url")).and_then(Value::as_str).map(String::from);
        pages.push(Page { id, url, bytes });
    }
    Ok(pages)
}

/// Peak resident memory of this process in KiB (Linux).
fn peak_rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Field accuracy against a hand-checked metadata gold.
fn metadata_report(gold_path: &Path, ids: &[String], articles: &[newsdesk_model::Article]) -> Result<()> {
    let gold: BTreeMap<String, Value> = serde_json::from_slice(&std::fs::read(gold_path).with_context(|| format!("reading {}", gold_path.display()))?)?;
    let mut n = 0;
    let (mut head, mut auth, mut publ, mut upd) = (0, 0, 0, 0);
    for (id, a) in ids.iter().zip(articles) {
        let Some(g) = gold.get(id) else { continue };
        n += 1;
        let gh = g.get("headline").and_then(Value::as_str).unwrap_or("");
        if a.headline.as_deref().is_some_and(|h| norm(h) == norm(gh)) {
            head += 1;
        } else if std::env::var_os("NEWSDESK_BENCH_DETAIL").is_some() {
            println!("  headline {id:.12}: got {:?} want {gh:?}", a.headline);
        }
        let mut ga: Vec<String> = g.get("authors").and_then(Value::as_array).map(|v| v.iter().filter_map(Value::as_str).map(norm).collect()).unwrap_or_default();
        let mut pa: Vec<String> = a.authors.iter().map(|s| norm(s)).collect();
        ga.sort();
        pa.sort();
        if ga == pa {
            auth += 1;
        } else if std::env::var_os("NEWSDESK_BENCH_DETAIL").is_some() {
            println!("  authors {id:.12}: got {pa:?} want {ga:?}");
        }
        let day = |v: Option<&str>| v.map(|s| s.chars().take(10).collect::<String>());
        if day(g.get("published").and_then(Value::as_str)) == day(a.published.as_ref().map(|t| t.value.as_str())) {
            publ += 1;
        } else if std::env::var_os("NEWSDESK_BENCH_DETAIL").is_some() {
            println!("  published {id:.12}: got {:?} want {:?}", a.published.as_ref().map(|t| &t.value), g.get("published"));
        }
        if day(g.get("updated").and_then(Value::as_str)) == day(a.updated.as_ref().map(|t| t.value.as_str())) {
            upd += 1;
        } else if std::env::var_os("NEWSDESK_BENCH_DETAIL").is_some() {
            println!("  updated {id:.12}: got {:?} want {:?}", a.updated.as_ref().map(|t| &t.value), g.get("updated"));
        }
    }
    let pct = |k: usize| if n == 0 { 0.0 } else { k as f64 / n as f64 };
    println!("metadata ({n} hand-checked pages): headline {:.2}  authors {:.2}  published {:.2}  updated {:.2}", pct(head), pct(auth), pct(publ), pct(upd));
    Ok(())
}

fn norm(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}
