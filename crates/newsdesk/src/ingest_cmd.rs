//! `newsdesk ingest`: sources into the store, with a progress bar and a
//! summary; a failed record is reported with its location and the batch
//! goes on.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use newsdesk_sources::{SourceOptions, SKIPPED_PREFIX};
use newsdesk_store::EmbeddedStore;

use crate::pipeline::{self, Counts, Observer};
use crate::query_cmd::DEFAULT_DATA_DIR;
use crate::writer_lock::WriterLock;

#[derive(clap::Args)]
pub struct Args {
    /// Where the store lives (created if missing)
    #[arg(long, default_value = DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,
    /// Fetch URLs (and the links of feed items) over HTTP
    #[arg(long)]
    pub fetch: bool,
    /// Allow fetching from private and loopback addresses
    #[arg(long)]
    pub allow_private: bool,
    /// Worker threads for extraction and analysis (default: all cores)
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
    /// Seconds to wait for another ingest or server writing to the same
    /// store before giving up
    #[arg(long, value_name = "SECONDS", default_value_t = crate::writer_lock::DEFAULT_WAIT.as_secs())]
    pub lock_wait: u64,
    /// PostgreSQL store and cluster ingest (see `newsdesk worker`)
    #[command(flatten)]
    pub cluster: crate::cluster_ingest::ClusterArgs,
    /// HTML files, folders, .warc/.warc.gz, RSS/Atom feeds, .txt dumps, URLs
    #[arg(required_unless_present = "status")]
    pub inputs: Vec<String>,
}

/// Prints failures above the progress bar and keeps the bar's counters.
struct Cli {
    bar: ProgressBar,
    errors: AtomicU64,
    quiet: bool,
}

impl Observer for Cli {
    fn error(&self, location: &str, message: &str) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if !self.quiet || !message.starts_with(SKIPPED_PREFIX) {
            self.bar.suspend(|| eprintln!("newsdesk: {location}: {message}"));
        }
    }

    fn progress(&self, c: &Counts) {
        self.bar.set_position(c.records);
        self.bar.set_message(format!("{} articles, {} revisions, {} errors", c.new_articles, c.revisions, c.errors));
    }
}

pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Runs an ingest into `data_dir` and returns the counts and seconds taken,
/// first waiting up to `wait` for another writer of the store to finish.
pub fn ingest_into(
    data_dir: &std::path::Path,
    inputs: &[String],
    opts: &SourceOptions,
    threads: usize,
    quiet: bool,
    wait: std::time::Duration,
) -> Result<(Counts, f64)> {
    let _lock = WriterLock::acquire(data_dir, wait, |m| eprintln!("newsdesk: {m}"))?;
    let mut store =
        EmbeddedStore::open(data_dir).with_context(|| format!("opening the store in {}", data_dir.display()))?;
    if !store.can_write_index() {
        bail!("another process is writing the index of {} without holding its writer.lock", data_dir.display());
    }
    let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new_spinner() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} {pos} records ({per_sec}) · {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let cli = Cli { bar, errors: AtomicU64::new(0), quiet };
    let start = Instant::now();
    let docs = newsdesk_sources::open(inputs, opts);
    let counts = pipeline::ingest(&mut store, docs, threads, &cli)?;
    cli.bar.finish_and_clear();
    Ok((counts, start.elapsed().as_secs_f64()))
}

pub fn run(args: Args) -> Result<bool> {
    if args.cluster.wanted() {
        return crate::cluster_ingest::run(args);
    }
    let opts = SourceOptions { fetch: args.fetch, allow_private: args.allow_private, ..SourceOptions::default() };
    let threads = args.threads.unwrap_or_else(default_threads);
    let wait = std::time::Duration::from_secs(args.lock_wait);
    let (c, secs) = ingest_into(&args.data_dir, &args.inputs, &opts, threads, args.quiet, wait)?;
    summary(&c, secs, args.json)?;
    Ok(c.errors == 0)
}

/// Prints the closing summary of an ingest (any store).
pub fn summary(c: &Counts, secs: f64, json: bool) -> Result<()> {
    if json {
        let mut v = serde_json::to_value(&c)?;
        if let Some(m) = v.as_object_mut() {
            m.insert("seconds".into(), serde_json::json!(secs));
        }
        println!("{}", serde_json::to_string(&v)?);
    } else {
        println!(
            "{} records in {:.1} s ({:.0} articles/s): {} new articles ({} syndicated copies), {} revisions, {} unchanged, {} already stored, {} errors",
            c.records,
            secs,
            c.new_articles as f64 / secs.max(1e-9),
            c.new_articles,
            c.syndicated,
            c.revisions,
            c.unchanged,
            c.skipped,
            c.errors
        );
    }
    Ok(())
}
