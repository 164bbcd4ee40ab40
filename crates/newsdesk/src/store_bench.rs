//! `newsdesk bench corpus|ingest|search`: the scale figures of the ingest
//! issue, measured on a synthetic corpus whose truth is known.
//!
//! - `corpus` writes `.warc.gz` files and `truth.json` (via
//!   `newsdesk_sources::synth`);
//! - `ingest` ingests them into a fresh store and prints articles/s, peak
//!   memory, throughput over the first and the last 10k articles, and the
//!   folding quality: pairwise precision/recall of syndication groups and
//!   story purity against the truth;
//! - `search` times 1–3-word queries with a filter over a store (p50/p99).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use newsdesk_sources::synth::SynthTruth;
use newsdesk_sources::SourceOptions;
use newsdesk_store::{Assignment, SearchQuery, Store};

use crate::ingest_cmd::{default_threads, ingest_into};
use crate::query_cmd::open_existing;

#[derive(clap::Args)]
pub struct CorpusArgs {
    /// Articles to generate (syndicated copies and revisions included)
    #[arg(long, default_value_t = 10_000)]
    articles: usize,
    /// Folder to write into (created)
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub fn corpus(args: CorpusArgs) -> Result<bool> {
    std::fs::create_dir_all(&args.out)?;
    let start = Instant::now();
    newsdesk_sources::synth::write_corpus(&args.out, args.articles, args.seed)
        .with_context(|| format!("writing a corpus into {}", args.out.display()))?;
    println!("wrote {} articles into {} in {:.1} s", args.articles, args.out.display(), start.elapsed().as_secs_f64());
    Ok(true)
}

#[derive(clap::Args)]
pub struct IngestArgs {
    /// Folder written by `bench corpus`
    dir: PathBuf,
    /// Store to create (emptied first); default: DIR-store beside DIR
    #[arg(long)]
    data_dir: Option<PathBuf>,
    #[arg(long)]
    threads: Option<usize>,
}

fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// User + system CPU seconds of this process so far (Linux; clock ticks of
/// 1/100 s), so figures measured on a busy machine can be read per CPU
/// second.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at ')'.
    let rest = s.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// The `.warc` / `.warc.gz` files of a corpus folder, sorted.
fn warc_files(dir: &Path) -> Result<Vec<String>> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".warc.gz") || n.ends_with(".warc")
        })
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    Ok(files)
}

/// Articles per second over the first and the last `span` articles, from
/// the (articles, seconds) timeline.
fn edge_rates(timeline: &[(u64, f64)], span: u64) -> Option<(f64, f64)> {
    let &(total, end) = timeline.last()?;
    if total < 2 * span {
        return None;
    }
    let time_at = |n: u64| timeline.iter().find(|(a, _)| *a >= n).map(|(a, t)| (*a, *t));
    let (a1, t1) = time_at(span)?;
    let (a2, t2) = time_at(total - span)?;
    let first = a1 as f64 / t1.max(1e-9);
    let last = (total - a2) as f64 / (end - t2).max(1e-9);
    Some((first, last))
}

/// Articles per second over each successive `span` articles of the
/// timeline (the last, partial span included if it has any articles).
fn step_rates(timeline: &[(u64, f64)], span: u64) -> Vec<f64> {
    let mut out = Vec::new();
    let (mut from_n, mut from_t) = (0u64, 0.0f64);
    for &(n, t) in timeline {
        if n >= from_n + span {
            out.push((n - from_n) as f64 / (t - from_t).max(1e-9));
            (from_n, from_t) = (n, t);
        }
    }
    if let Some(&(n, t)) = timeline.last() {
        if n > from_n {
            out.push((n - from_n) as f64 / (t - from_t).max(1e-9));
        }
    }
    out
}

pub fn ingest(args: IngestArgs) -> Result<bool> {
    let data_dir = args.data_dir.unwrap_or_else(|| {
        let name = args.dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "corpus".into());
        args.dir.with_file_name(format!("{name}-store"))
    });
    if data_dir.exists() {
        std::fs::remove_dir_all(&data_dir).with_context(|| format!("emptying {}", data_dir.display()))?;
    }
    let inputs = warc_files(&args.dir)?;
    let threads = args.threads.unwrap_or_else(default_threads);
    let (counts, secs) =
        ingest_into(&data_dir, &inputs, &SourceOptions::default(), threads, true, std::time::Duration::ZERO)?;
    println!("store: {}", data_dir.display());
    println!(
        "ingest: {} records, {} articles ({} syndicated copies), {} revisions, {} errors in {:.1} s = {:.0} articles/s ({} threads)",
        counts.records,
        counts.new_articles,
        counts.syndicated,
        counts.revisions,
        counts.errors,
        secs,
        (counts.new_articles + counts.revisions) as f64 / secs.max(1e-9),
        threads
    );
    println!(
        "writer thread (serial part: decisions, SQLite, index): busy {:.1} s of {secs:.1} s, {:.1} CPU s",
        counts.writer_busy_secs, counts.writer_cpu_secs
    );
    println!(
        "  of which: story assignment {:.1} s, store writes {:.1} s, index commits {:.1} s",
        counts.story_secs, counts.apply_secs, counts.index_secs
    );
    if let Some(cpu) = cpu_seconds() {
        println!(
            "cpu: {cpu:.1} s user+system = {:.0} articles per CPU-second ({:.0}% of {threads} cores busy)",
            (counts.new_articles + counts.revisions) as f64 / cpu.max(1e-9),
            cpu / secs.max(1e-9) / threads as f64 * 100.0
        );
    }
    if let Some(mib) = peak_rss_mib() {
        println!("peak memory (VmHWM): {mib:.0} MiB");
    }
    match edge_rates(&counts.timeline, 10_000) {
        Some((first, last)) => println!(
            "throughput: first 10k {first:.0} articles/s, last 10k {last:.0} articles/s ({:+.0} %)",
            (last / first - 1.0) * 100.0
        ),
        None => println!("throughput: fewer than 20k articles, no first/last 10k comparison"),
    }
    let steps = step_rates(&counts.timeline, 10_000);
    if !steps.is_empty() {
        let shown: Vec<String> = steps.iter().map(|r| format!("{r:.0}")).collect();
        println!("articles/s per 10k articles, in order (where a slowdown starts): {}", shown.join(" "));
    }
    let truth_path = args.dir.join("truth.json");
    if truth_path.exists() {
        let store = open_existing(&data_dir)?;
        let truth: SynthTruth = serde_json::from_str(&std::fs::read_to_string(&truth_path)?)?;
        report_quality(&truth, &store.assignments()?);
    }
    Ok(true)
}

/// Truth labels per URL: (syndication group, story), from the
/// generator's `truth.json`; an article in no syndication group is its own.
fn truth_labels(truth: &SynthTruth) -> HashMap<String, (String, String)> {
    truth
        .articles
        .iter()
        .map(|a| {
            let group = a.syndication_group.map_or_else(|| format!("url:{}", a.url), |g| format!("g{g}"));
            (a.url.clone(), (group, a.story.to_string()))
        })
        .collect()
}

/// Pairwise precision and recall of a clustering against truth labels:
/// a pair is positive when both items share a label.
fn pairwise(pred: &[u64], truth: &[String]) -> (f64, f64) {
    let mut by_pred: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, p) in pred.iter().enumerate() {
        by_pred.entry(*p).or_default().push(i);
    }
    let mut by_truth: HashMap<&str, u64> = HashMap::new();
    for t in truth {
        *by_truth.entry(t.as_str()).or_default() += 1;
    }
    let mut tp = 0u64;
    let mut pred_pairs = 0u64;
    for members in by_pred.values() {
        let n = members.len() as u64;
        pred_pairs += n * (n - 1) / 2;
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for &i in members {
            *counts.entry(truth[i].as_str()).or_default() += 1;
        }
        tp += counts.values().map(|c| c * (c.saturating_sub(1)) / 2).sum::<u64>();
    }
    let truth_pairs: u64 = by_truth.values().map(|c| c * (c - 1) / 2).sum();
    let p = if pred_pairs == 0 { 1.0 } else { tp as f64 / pred_pairs as f64 };
    let r = if truth_pairs == 0 { 1.0 } else { tp as f64 / truth_pairs as f64 };
    (p, r)
}

/// Share of articles whose story is the majority truth story of their
/// predicted story.
fn purity(pred: &[u64], truth: &[String]) -> f64 {
    let mut by_pred: HashMap<u64, HashMap<&str, usize>> = HashMap::new();
    for (p, t) in pred.iter().zip(truth) {
        *by_pred.entry(*p).or_default().entry(t.as_str()).or_default() += 1;
    }
    let majority: usize = by_pred.values().map(|c| c.values().copied().max().unwrap_or(0)).sum();
    majority as f64 / pred.len().max(1) as f64
}

fn report_quality(truth: &SynthTruth, assigned: &[Assignment]) {
    let labels = truth_labels(truth);
    let mut groups = Vec::new();
    let mut stories = Vec::new();
    let mut tg = Vec::new();
    let mut ts = Vec::new();
    for a in assigned {
        if let Some((g, s)) = a.url.as_deref().and_then(|u| labels.get(u)) {
            groups.push(a.group.0);
            stories.push(a.story.0);
            tg.push(g.clone());
            ts.push(s.clone());
        }
    }
    if groups.is_empty() {
        println!("quality: truth.json has no articles matching the stored URLs");
        return;
    }
    let (p, r) = pairwise(&groups, &tg);
    let (sp, sr) = pairwise(&stories, &ts);
    let truth_stories: std::collections::HashSet<&String> = ts.iter().collect();
    let pred_stories: std::collections::HashSet<&u64> = stories.iter().collect();
    println!("syndication folding over {} labelled articles: pairwise precision {p:.3}, recall {r:.3}", groups.len());
    println!(
        "stories: purity {:.3}, pairwise precision {sp:.3}, recall {sr:.3} ({} predicted, {} true)",
        purity(&stories, &ts),
        pred_stories.len(),
        truth_stories.len()
    );
}

#[derive(clap::Args)]
pub struct SearchArgs {
    /// The store to query
    #[arg(long, default_value = crate::query_cmd::DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// Queries to time
    #[arg(long, default_value_t = 1000)]
    queries: usize,
}

pub fn search(args: SearchArgs) -> Result<bool> {
    let store = open_existing(&args.data_dir)?;
    let assigned = store.assignments()?;
    let words: Vec<String> = assigned
        .iter()
        .filter_map(|a| a.headline.as_deref())
        .flat_map(|h| h.split(|c: char| !c.is_alphanumeric()).map(str::to_lowercase).collect::<Vec<_>>())
        .filter(|w| w.chars().count() >= 4)
        .collect();
    let dates: Vec<i64> = assigned.iter().filter_map(|a| a.published_unix).collect();
    if words.is_empty() {
        anyhow::bail!("the store has no headlines to draw query words from");
    }
    // A fixed LCG: the same store gives the same queries.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: usize| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n.max(1)
    };
    let mut times = Vec::with_capacity(args.queries);
    let mut total_hits = 0usize;
    for i in 0..args.queries {
        let n = 1 + next(3);
        let text: Vec<&str> = (0..n).map(|_| words[next(words.len())].as_str()).collect();
        let mut q = SearchQuery { text: text.join(" "), limit: 10, ..SearchQuery::default() };
        // Every query carries a filter: a date range or the language.
        if i % 2 == 0 && !dates.is_empty() {
            q.since = Some(dates[next(dates.len())] - 30 * 86400);
        } else {
            q.lang = Some("en".into());
        }
        let t = Instant::now();
        total_hits += store.search(&q)?.len();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "search over {} articles: {} queries (1-3 words + a date or language filter), p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {:.1} hits/query",
        assigned.len(),
        times.len(),
        pct(0.50),
        pct(0.99),
        times.last().copied().unwrap_or(0.0),
        total_hits as f64 / times.len().max(1) as f64
    );
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_scores() {
        let truth: Vec<String> = ["a", "a", "b", "b"].iter().map(|s| s.to_string()).collect();
        assert_eq!(pairwise(&[1, 1, 2, 2], &truth), (1.0, 1.0));
        let (p, r) = pairwise(&[1, 1, 1, 1], &truth);
        assert!((p - 2.0 / 6.0).abs() < 1e-9 && r == 1.0);
        assert_eq!(purity(&[1, 1, 1, 1], &truth), 0.5);
    }

    #[test]
    fn step_rates_follow_the_timeline() {
        // 1000 articles/s for 20k articles, then 500/s for 10k, then 5k more.
        let mut tl: Vec<(u64, f64)> = (1..=20).map(|i| (i * 1000, i as f64)).collect();
        tl.extend((1..=15).map(|i| (20_000 + i * 1000, 20.0 + 2.0 * i as f64)));
        let r = step_rates(&tl, 10_000);
        assert_eq!(r.len(), 4, "{r:?}");
        assert!((r[0] - 1000.0).abs() < 1e-6 && (r[1] - 1000.0).abs() < 1e-6, "{r:?}");
        assert!((r[2] - 500.0).abs() < 1e-6 && (r[3] - 500.0).abs() < 1e-6, "{r:?}");
    }

    #[test]
    fn edge_rates_compare_first_and_last() {
        let tl: Vec<(u64, f64)> = (1..=30).map(|i| (i * 1000, i as f64)).collect();
        let (a, b) = edge_rates(&tl, 10_000).expect("enough articles");
        assert!((a - 1000.0).abs() < 1e-6 && (b - 1000.0).abs() < 1e-6);
    }
}
