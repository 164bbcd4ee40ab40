//! Ingest on PostgreSQL, alone or as a cluster job on NATS JetStream.
//!
//! - `ingest --store postgres://… PATH…` runs the ordinary pipeline with the
//!   PostgreSQL store instead of the embedded one.
//! - `ingest --cluster nats://… --store postgres://… PATH…` is the
//!   *splitter*: it reads the sources here, packs consecutive records into
//!   work items (at most `--item-records` records and the server's message
//!   size) and publishes them as one job; `newsdesk worker` processes do the
//!   work. Items carry the records' bytes, so workers need no access to
//!   these paths (see `newsdesk_queue::item`).
//! - `ingest --cluster … --store … --status` shows where jobs stand.
//!
//! Why the job is registered in PostgreSQL and not only in NATS: workers
//! commit a job's items in item order (`PgStore::apply_item`), which is
//! what makes a cluster run store exactly what a single-process run stores
//! and a redelivered item a no-op; the job row is that order's bookkeeping
//! and also the durable progress record `--status` reads.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use newsdesk_queue::{item, Queue, QueueConfig};
use newsdesk_sources::{RawDoc, SourceError, SourceOptions};
use newsdesk_store_pg::{JobStatus, PgStore};

use crate::ingest_cmd::Args;
use crate::pipeline::{self, Counts, Observer};

/// Environment variable read when `--store` is not given.
pub const DATABASE_ENV: &str = "NEWSDESK_DATABASE_URL";

/// Where the cluster's services are, shared by `ingest` and `worker`.
#[derive(clap::Args, Clone, Debug)]
pub struct ServiceArgs {
    /// NATS server of the work queue (nats://host:port): distribute the work
    #[arg(long, value_name = "URL")]
    pub cluster: Option<String>,
    /// PostgreSQL store (postgres://user@host:port/db; default $NEWSDESK_DATABASE_URL)
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// Name of the JetStream work stream (one per independent cluster)
    #[arg(long, default_value = "NEWSDESK")]
    pub stream: String,
    /// Seconds an item may go unacknowledged before another worker gets it
    /// (fixed when the stream's consumer is first created)
    #[arg(long, default_value_t = 30.0)]
    pub ack_wait: f64,
    /// Processing attempts before an item goes to the dead letters (fixed
    /// when the stream's consumer is first created)
    #[arg(long, default_value_t = 3)]
    pub max_attempts: u32,
}

/// The PostgreSQL URL of a command: its `--store`, else the environment.
pub fn store_url(flag: &Option<String>) -> Option<String> {
    flag.clone().or_else(|| std::env::var(DATABASE_ENV).ok().filter(|s| !s.is_empty()))
}

/// Checks the form of a `--store` URL before connecting, so a typo is named
/// as such rather than as a refused connection.
pub fn check_store_url(url: &str) -> Result<()> {
    if !url.starts_with("postgres://") && !url.starts_with("postgresql://") && !url.contains('=') {
        bail!("--store {url:?}: expected a PostgreSQL URL (postgres://user@host:port/db) or a key=value connection string");
    }
    Ok(())
}

impl ServiceArgs {
    /// The PostgreSQL URL, from `--store` or the environment.
    pub fn store_url(&self) -> Option<String> {
        store_url(&self.store)
    }

    /// Checks the form of both addresses before connecting to either.
    pub fn validate(&self) -> Result<()> {
        if let Some(url) = self.store_url() {
            check_store_url(&url)?;
        }
        if let Some(url) = &self.cluster {
            newsdesk_queue::check_url(url)?;
        }
        Ok(())
    }

    pub fn connect_store(&self) -> Result<PgStore> {
        let Some(url) = self.store_url() else { bail!("a PostgreSQL store is needed: --store postgres://… or {DATABASE_ENV}") };
        self.validate()?;
        PgStore::connect(&url).context("connecting to PostgreSQL")
    }

    pub fn connect_queue(&self) -> Result<Queue> {
        let Some(url) = &self.cluster else { bail!("--cluster nats://host:port is needed") };
        if !(self.ack_wait.is_finite() && self.ack_wait >= 1.0) {
            bail!("--ack-wait must be at least 1 second");
        }
        let config = QueueConfig {
            url: url.clone(),
            stream: self.stream.clone(),
            ack_wait: Duration::from_secs_f64(self.ack_wait),
            max_attempts: self.max_attempts.max(1),
        };
        Ok(Queue::connect(&config)?)
    }
}

/// Options of `ingest` that only cluster ingest has.
#[derive(clap::Args, Clone, Debug)]
pub struct ClusterArgs {
    #[command(flatten)]
    pub services: ServiceArgs,
    /// With --cluster: show the progress of jobs instead of ingesting
    #[arg(long)]
    pub status: bool,
    /// With --cluster: the job's name (default: a new one from the time); with --status, show only this job
    #[arg(long)]
    pub job: Option<String>,
    /// With --cluster: wait until the workers have finished the job, showing progress
    #[arg(long)]
    pub wait: bool,
    /// With --cluster: records per work item at most
    #[arg(long, default_value_t = 64)]
    pub item_records: usize,
}

impl ClusterArgs {
    /// True when this ingest is not the embedded one.
    pub fn wanted(&self) -> bool {
        self.services.cluster.is_some() || self.services.store_url().is_some() || self.status
    }
}

/// Runs `ingest` with `--cluster`, `--store` or `--status`.
pub fn run(args: Args) -> Result<bool> {
    let c = &args.cluster;
    c.services.validate()?;
    if c.status {
        return status(c, args.json);
    }
    let opts = SourceOptions { fetch: args.fetch, allow_private: args.allow_private, ..SourceOptions::default() };
    if c.services.cluster.is_none() {
        return single(&args, &opts);
    }
    split(&args, &opts)
}

/// Quiet observer: counts go to the summary, errors to stderr unless quiet.
struct Plain {
    quiet: bool,
}

impl Observer for Plain {
    fn error(&self, location: &str, message: &str) {
        if !self.quiet && !message.starts_with(newsdesk_sources::SKIPPED_PREFIX) {
            eprintln!("newsdesk: {location}: {message}");
        }
    }
    fn progress(&self, _: &Counts) {}
}

/// The ordinary pipeline into PostgreSQL.
fn single(args: &Args, opts: &SourceOptions) -> Result<bool> {
    let mut store = args.cluster.services.connect_store()?;
    let threads = args.threads.unwrap_or_else(crate::ingest_cmd::default_threads);
    let start = Instant::now();
    let docs = newsdesk_sources::open(&args.inputs, opts);
    let c = pipeline::ingest(&mut store, docs, threads, &Plain { quiet: args.quiet })?;
    crate::ingest_cmd::summary(&c, start.elapsed().as_secs_f64(), args.json)?;
    Ok(c.errors == 0)
}

/// A job name from the clock and the process, unique enough for a
/// cluster's jobs and readable in `--status`.
fn new_job_name() -> String {
    let now = chrono::Utc::now();
    format!("{}-{}", now.format("%Y%m%dT%H%M%S%.3fZ"), std::process::id())
}

/// Publishes the inputs as one job's items.
fn split(args: &Args, opts: &SourceOptions) -> Result<bool> {
    let c = &args.cluster;
    let store = c.services.connect_store()?;
    let mut queue = c.services.connect_queue()?;
    let job = c.job.clone().unwrap_or_else(new_job_name);
    if job.is_empty() || job.contains(['/', '\n', '\r']) {
        bail!("--job {job:?}: a job name is non-empty, without '/' or line breaks");
    }
    if let Some(old) = store.jobs()?.into_iter().find(|j| j.id == job) {
        if old.items.is_some() {
            bail!("job {job:?} was published before (see --status); pick another --job name");
        }
    }
    store.job_create(&job)?;
    // Room for headers and the item's JSON header around the records.
    let max_payload = queue.max_payload();
    let budget = max_payload.saturating_sub(16 * 1024).max(4096);
    let per_item = c.item_records.max(1);
    let start = Instant::now();
    let (mut items, mut records) = (0u64, 0u64);
    let mut pending: Vec<Result<RawDoc, SourceError>> = Vec::new();
    let mut size = 0usize;
    let mut publish = |pending: &mut Vec<Result<RawDoc, SourceError>>, queue: &mut Queue| -> Result<()> {
        if pending.is_empty() {
            return Ok(());
        }
        let bytes = item::encode(pending);
        queue.publish(&job, items, bytes).with_context(|| format!("publishing item {items} of job {job}"))?;
        items += 1;
        pending.clear();
        Ok(())
    };
    for record in newsdesk_sources::open(&args.inputs, opts) {
        records += 1;
        let record = match record {
            Ok(doc) if item::record_size(&Ok(doc.clone())) > budget => Err(SourceError {
                location: doc.location.clone(),
                message: format!(
                    "too large for a cluster work item ({} bytes; the NATS server's max_payload is {max_payload}: raise it in its configuration)",
                    doc.bytes.len()
                ),
            }),
            r => r,
        };
        let n = item::record_size(&record);
        if !pending.is_empty() && (pending.len() >= per_item || size + n > budget) {
            publish(&mut pending, &mut queue)?;
            size = 0;
        }
        size += n;
        pending.push(record);
    }
    publish(&mut pending, &mut queue)?;
    queue.flush().context("waiting for the stream to store the items")?;
    drop(publish);
    store.job_set_items(&job, items as i64)?;
    let secs = start.elapsed().as_secs_f64();
    if args.json && !c.wait {
        println!("{}", serde_json::json!({"job": job, "items": items, "records": records, "publish_seconds": secs}));
    } else if !args.quiet || !c.wait {
        println!("job {job}: {items} items ({records} records) published to stream {} in {secs:.1} s", c.services.stream);
    }
    if !c.wait {
        return Ok(true);
    }
    let done = wait_for(&store, &job, args.quiet)?;
    let total = start.elapsed().as_secs_f64();
    if args.json {
        let mut v = serde_json::to_value(&done)?;
        if let Some(m) = v.as_object_mut() {
            m.insert("wall_seconds".into(), serde_json::json!(total));
        }
        println!("{}", serde_json::to_string(&v)?);
    } else {
        println!(
            "job {job} done in {total:.1} s: {} records, {} articles ({:.0} articles/s), {} errors, {} dead-lettered items",
            done.records,
            done.articles,
            done.articles as f64 / total.max(1e-9),
            done.errors,
            done.dead
        );
    }
    Ok(done.errors == 0 && done.dead == 0)
}

/// Polls the job until every item is committed.
fn wait_for(store: &PgStore, job: &str, quiet: bool) -> Result<JobStatus> {
    let mut last_line = Instant::now();
    loop {
        let Some(j) = store.jobs()?.into_iter().find(|j| j.id == job) else { bail!("job {job:?} disappeared from the store") };
        if j.items.is_some_and(|n| j.done >= n) {
            return Ok(j);
        }
        if !quiet && last_line.elapsed() >= Duration::from_secs(5) {
            eprintln!("newsdesk: job {job}: {}/{} items, {} articles", j.done, j.items.unwrap_or(0), j.articles);
            last_line = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `--status`: every job (or one) from PostgreSQL, and the queue's counts.
fn status(c: &ClusterArgs, json: bool) -> Result<bool> {
    let store = c.services.connect_store()?;
    let queue = match c.services.cluster {
        Some(_) => Some(c.services.connect_queue()?),
        None => None,
    };
    let jobs: Vec<JobStatus> = store.jobs()?.into_iter().filter(|j| c.job.as_ref().is_none_or(|want| &j.id == want)).collect();
    if let Some(want) = &c.job {
        if jobs.is_empty() {
            bail!("no job {want:?} in the store");
        }
    }
    let q = queue.as_ref().map(|q| q.status()).transpose()?;
    let mut dead = Vec::new();
    for j in &jobs {
        for (item, what, reason) in store.job_dead(&j.id)? {
            dead.push((j.id.clone(), item, what, reason));
        }
    }
    if json {
        let v = serde_json::json!({
            "jobs": jobs.iter().map(|j| {
                let mut v = serde_json::to_value(j).unwrap_or_default();
                if let Some(m) = v.as_object_mut() {
                    m.insert("pending".into(), serde_json::json!(j.items.map(|n| n - j.done)));
                }
                v
            }).collect::<Vec<_>>(),
            "queue": q,
            "dead": dead.iter().map(|(job, item, what, reason)| serde_json::json!({"job": job, "item": item, "what": what, "reason": reason})).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(true);
    }
    if jobs.is_empty() {
        println!("no cluster jobs in the store");
    }
    for j in &jobs {
        let published = j.items.map_or("still publishing".to_string(), |n| format!("{n} items published"));
        let pending = j.items.map_or(String::new(), |n| format!(", {} pending", n - j.done));
        let rate = match j.seconds {
            Some(s) if s > 0.0 => format!(", {:.0} articles/s", j.articles as f64 / s),
            _ => String::new(),
        };
        println!(
            "job {}: {published}, {} done{pending}, {} dead-lettered; {} records, {} articles, {} errors{rate}",
            j.id, j.done, j.dead, j.records, j.articles, j.errors
        );
    }
    if let Some(q) = q {
        println!(
            "queue {}: {} items queued ({} not yet delivered, {} being worked on), {} redeliveries, {} dead letters",
            c.services.stream, q.queued, q.undelivered, q.in_flight, q.redelivered, q.dead_letters
        );
    }
    for (job, item, what, reason) in &dead {
        println!("dead letter: job {job} item {item} ({what}): {reason}");
    }
    Ok(true)
}
