//! `newsdesk worker`: one cluster ingest worker process.
//!
//! A worker pulls work items from the JetStream consumer, runs the pure
//! part of the pipeline on them (extract → analyze → MinHash → story terms,
//! on `--threads` threads), and commits each item in one PostgreSQL
//! transaction that also advances the job (`PgStore::apply_item`); only
//! then does it acknowledge the message.
//!
//! **Order.** Items of a job commit in item order: a worker holding item k
//! waits until item k-1 is committed, brings its in-memory clustering state
//! up to the records (`catch_up`: what other workers stored since), decides
//! copies, revisions and stories with the same `Writer` code as the
//! embedded pipeline, and commits under the store's advisory lock. The
//! right to decide thus passes from worker to worker in item order — no two
//! workers ever decide stories at the same time, so a story cannot be
//! split, and the result is exactly that of a single-process run in the
//! splitter's record order. The expensive part overlaps: while one worker
//! commits, the others extract.
//!
//! **Failures.** A redelivered item that was committed (the worker died
//! after the commit, before the ack) is acknowledged without work. A worker
//! holds a few items at once (it prepares the next while waiting for its
//! turn) and gives back the newest if the one it waits for does not come,
//! so workers that hold items never wait on each other forever. An item
//! that fails (it does not decode, or the database rejects it) is given
//! back with a growing delay and its reason recorded; on the last delivery
//! JetStream allows (`max_deliver`), the worker writes it to the dead
//! letters with the recorded reasons (or "the worker died", when attempts
//! ended in crashes) and commits it as dead, so the job goes on. A lost
//! database connection is not the item's fault: the worker reconnects with
//! backoff and retries the same decided batch.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use newsdesk_queue::{item, Delivery, Queue};
use newsdesk_sources::{RawDoc, SourceError};
use newsdesk_store::{Id, Store};
use newsdesk_store::StoreError;
use newsdesk_store_pg::{is_connection_lost, ItemCommit, PgStore};

use crate::cluster_ingest::ServiceArgs;
use crate::pipeline::{self, Counts, Observer, Outcome, Writer};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub services: ServiceArgs,
    /// Threads for extraction and analysis (default: all cores)
    #[arg(long)]
    pub threads: Option<usize>,
    /// Exit after this many seconds with nothing to do (default: run until killed)
    #[arg(long, value_name = "SECONDS")]
    pub idle_exit: Option<f64>,
    /// How long to keep retrying a lost database connection before giving up
    #[arg(long, default_value_t = 600.0, value_name = "SECONDS")]
    pub db_patience: f64,
    /// Print a line per committed item
    #[arg(long, short)]
    pub verbose: bool,
}

/// Items a worker holds at most: one being waited on plus the next being
/// prepared keeps both its threads and the commit order busy.
const WINDOW: usize = 2;

/// The worker's record errors are stored with the item; nothing to print.
struct Silent;

impl Observer for Silent {
    fn error(&self, _: &str, _: &str) {}
    fn progress(&self, _: &Counts) {}
}

/// What is ready to commit for a held item.
enum Work {
    Ready { outcomes: Vec<Outcome>, records: i64 },
    Dead { what: String, reason: String },
}

struct Held {
    delivery: Delivery,
    job: String,
    item: u64,
    work: Work,
    since: Instant,
    last_progress: Instant,
}

/// Runs the pure part of the pipeline over an item's records on `threads`
/// threads, keeping record order.
fn prepare(records: Vec<Result<RawDoc, SourceError>>, seen: &HashSet<Id>, threads: usize) -> Vec<Outcome> {
    let threads = threads.clamp(1, records.len().max(1));
    let mut lanes: Vec<Vec<(usize, Result<RawDoc, SourceError>)>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, r) in records.into_iter().enumerate() {
        lanes[i % threads].push((i, r));
    }
    let mut out: Vec<(usize, Outcome)> = std::thread::scope(|scope| {
        let handles: Vec<_> = lanes
            .into_iter()
            .map(|lane| scope.spawn(move || lane.into_iter().map(|(i, r)| (i, pipeline::outcome(r, seen))).collect::<Vec<_>>()))
            .collect();
        // `outcome` catches panics of the stages itself; a lane can only
        // fail by a bug here, which then fails the item.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, o)| o).collect()
}

fn record_key(r: &Result<RawDoc, SourceError>) -> Option<Id> {
    r.as_ref().ok().map(pipeline::doc_key)
}

pub fn run(args: Args) -> Result<bool> {
    args.services.validate()?;
    let mut store = args.services.connect_store()?;
    let queue = args.services.connect_queue()?;
    let threads = args.threads.unwrap_or_else(crate::ingest_cmd::default_threads).max(1);
    let patience = Duration::from_secs_f64(args.db_patience.max(0.0));
    let mut w = Worker { writer: Writer::empty(&mut store), queue, upto: 0, threads, patience, verbose: args.verbose, committed: 0, prepare_secs: 0.0, commit_secs: 0.0, store_secs: 0.0 };
    w.catch_up()?;
    let mut held: BTreeMap<(String, u64), Held> = BTreeMap::new();
    let mut idle_since = Instant::now();
    let ack_wait = Duration::from_secs_f64(args.services.ack_wait.max(1.0));
    loop {
        // Take items while there is room.
        while held.len() < WINDOW {
            let wait = if held.is_empty() { Duration::from_millis(500) } else { Duration::from_millis(100) };
            let d = match w.queue.fetch(wait) {
                Ok(Some(d)) => d,
                Ok(None) => break,
                Err(e) => {
                    // The client reconnects by itself; a slow or restarting
                    // server is waited for, not fatal.
                    eprintln!("newsdesk worker: {e}; retrying");
                    std::thread::sleep(Duration::from_secs(1));
                    break;
                }
            };
            idle_since = Instant::now();
            if let Some(work) = w.with_db(|w| w.receive(&d))? {
                let (Some(job), Some(item)) = (d.job.clone(), d.item) else { continue };
                let now = Instant::now();
                held.insert((job.clone(), item), Held { delivery: d, job, item, work, since: now, last_progress: now });
            }
        }
        // Commit, in order, what is next in its job.
        let mut progressed = false;
        let keys: Vec<(String, u64)> = held.keys().cloned().collect();
        for key in keys {
            let next = w.with_db(|w| Ok(w.writer.store().job_next_item(&key.0)?))?;
            match next {
                Some(n) if n as u64 > key.1 => {
                    if let Some(h) = held.remove(&key) {
                        soft(w.queue.ack(&h.delivery));
                    }
                    progressed = true;
                }
                Some(n) if n as u64 == key.1 => {
                    if let Some(h) = held.remove(&key) {
                        w.commit(h)?;
                    }
                    progressed = true;
                }
                Some(_) => {}
                None => {
                    // The job is not in this store: a worker pointed at
                    // another database than the splitter. Give it back.
                    if let Some(h) = held.remove(&key) {
                        eprintln!("newsdesk worker: job {:?} is not in this store (same --store as the splitter?)", key.0);
                        soft(w.queue.nak(&h.delivery, Duration::from_secs(5)));
                    }
                }
            }
        }
        if progressed {
            idle_since = Instant::now();
            continue;
        }
        let now = Instant::now();
        for h in held.values_mut() {
            if now.duration_since(h.last_progress) >= ack_wait / 3 {
                soft(w.queue.in_progress(&h.delivery));
                h.last_progress = now;
            }
        }
        // Waited too long for an item nobody here holds: give the newest
        // back so this worker can take the one everybody waits for.
        if held.len() >= WINDOW && held.values().all(|h| now.duration_since(h.since) >= ack_wait) {
            if let Some((_, h)) = held.pop_last() {
                soft(w.queue.nak(&h.delivery, Duration::ZERO));
            }
        }
        if held.is_empty() {
            if let Some(limit) = args.idle_exit {
                if idle_since.elapsed().as_secs_f64() >= limit {
                    break;
                }
            }
        } else {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    if args.verbose {
        eprintln!(
            "newsdesk worker: {} items committed; {:.1} s preparing (extract, analyze), {:.1} s deciding and committing ({:.1} s in the item transactions)",
            w.committed, w.prepare_secs, w.commit_secs, w.store_secs
        );
    }
    Ok(true)
}

/// Reports a failed acknowledgement, nak or progress report and goes on:
/// its only effect is that JetStream delivers the item again later, and a
/// redelivered item that was committed is recognised and acknowledged then.
fn soft(r: newsdesk_queue::Result<()>) {
    if let Err(e) = r {
        eprintln!("newsdesk worker: {e} (the item will come back and be recognised)");
    }
}

struct Worker<'s> {
    writer: Writer<'s, PgStore>,
    queue: Queue,
    /// The highest arrival number the writer's state includes.
    upto: i64,
    threads: usize,
    patience: Duration,
    verbose: bool,
    committed: u64,
    /// Seconds in the parallel part and in the serial part (catch-up,
    /// decisions, the item's transaction), for `--verbose`.
    prepare_secs: f64,
    commit_secs: f64,
    /// Of `commit_secs`, in the item's transaction.
    store_secs: f64,
}

impl Worker<'_> {
    /// Adds what other workers stored since the last call.
    fn catch_up(&mut self) -> Result<()> {
        let cu = self.writer.store().catch_up(self.upto).context("reading new signatures and story assignments")?;
        self.writer.absorb(cu.signatures, cu.story_log)?;
        self.upto = cu.upto;
        Ok(())
    }

    /// Forgets the in-memory state (after decisions that were not stored).
    fn reset(&mut self) {
        self.writer.reset();
        self.upto = 0;
    }

    /// Whether `e` is the database connection going away rather than a
    /// failure of the work.
    fn lost(&mut self, e: &anyhow::Error) -> bool {
        self.writer.store().is_closed() || e.chain().any(|c| c.downcast_ref::<StoreError>().is_some_and(is_connection_lost))
    }

    /// Runs `f`; when it fails because the database connection is gone,
    /// reconnects with backoff and runs it again.
    fn with_db<T>(&mut self, mut f: impl FnMut(&mut Self) -> Result<T>) -> Result<T> {
        loop {
            match f(self) {
                Ok(v) => return Ok(v),
                Err(e) if self.lost(&e) => {
                    eprintln!("newsdesk worker: database connection lost ({e:#}); reconnecting");
                    self.reset();
                    self.writer.store().reconnect(self.patience).context("reconnecting to PostgreSQL")?;
                    self.catch_up()?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Looks at a new delivery: done before, last chance, or work to
    /// prepare.
    fn receive(&mut self, d: &Delivery) -> Result<Option<Work>> {
        let (Some(job), Some(item)) = (d.job.clone(), d.item) else {
            // Not ours to order: no job to commit it in.
            self.queue.dead_letter(d, "not a newsdesk work item (no Newsdesk-Job / Newsdesk-Item headers)")?;
            soft(self.queue.ack(d));
            return Ok(None);
        };
        if self.writer.store().job_next_item(&job)?.is_some_and(|n| n as u64 > item) {
            // Committed before: the worker that did it died before its ack.
            soft(self.queue.ack(d));
            return Ok(None);
        }
        let store = self.writer.store();
        if d.last_chance {
            let failures = store.job_failures(&job, item as i64)?;
            let reason = if failures.is_empty() {
                format!("gave up after {} deliveries: the workers processing it stopped (crash, kill or acknowledgement timeout)", d.delivered - 1)
            } else {
                format!("gave up after {} deliveries: {}", d.delivered - 1, failures.join("; "))
            };
            let what = format!("job {job} item {item} ({} bytes)", d.payload.len());
            return Ok(Some(Work::Dead { what, reason }));
        }
        match item::decode(&d.payload) {
            Ok(records) => {
                let keys: Vec<Id> = records.iter().filter_map(record_key).collect();
                let seen = store.seen_among(&keys)?;
                let n = records.len() as i64;
                let t = Instant::now();
                let outcomes = prepare(records, &seen, self.threads);
                self.prepare_secs += t.elapsed().as_secs_f64();
                Ok(Some(Work::Ready { outcomes, records: n }))
            }
            Err(e) => {
                self.fail(d, &job, item, &e.to_string())?;
                Ok(None)
            }
        }
    }

    /// Records why an attempt failed and gives the item back with a delay
    /// that grows with each attempt.
    fn fail(&mut self, d: &Delivery, job: &str, item: u64, reason: &str) -> Result<()> {
        eprintln!("newsdesk worker: job {job} item {item}, attempt {}: {reason}", d.delivered);
        self.writer.store().job_record_failure(job, item as i64, d.delivered as i32, reason)?;
        soft(self.queue.nak(d, Duration::from_millis(500) * (d.delivered.min(20) as u32)));
        Ok(())
    }

    /// Decides and stores an item that is next in its job, then acks it.
    fn commit(&mut self, h: Held) -> Result<()> {
        let Held { delivery, job, item, work, .. } = h;
        let t = Instant::now();
        let mut attempt_batch = None;
        let outcome = loop {
            let result = (|| -> Result<(ItemCommit, i64)> {
                if attempt_batch.is_none() {
                    self.catch_up()?;
                    if let Work::Ready { outcomes, .. } = &work {
                        let ids: Vec<Id> = outcomes.iter().flat_map(Outcome::article_ids).collect();
                        self.writer.store().prefetch_bodies(&ids)?;
                        for o in outcomes.iter().cloned() {
                            self.writer.decide(o, &Silent)?;
                        }
                    }
                    attempt_batch = Some(self.writer.take_batch());
                }
                let batch = attempt_batch.as_ref().map_or_else(Default::default, Clone::clone);
                let (records, dead) = match &work {
                    Work::Ready { records, .. } => (*records, None),
                    Work::Dead { what, reason } => (0, Some((what.as_str(), reason.as_str()))),
                };
                if let Work::Dead { reason, .. } = &work {
                    self.queue.dead_letter(&delivery, reason)?;
                }
                let t = Instant::now();
                let r = self.writer.store().apply_item(&job, item as i64, &batch, records, dead)?;
                self.store_secs += t.elapsed().as_secs_f64();
                Ok(r)
            })();
            match result {
                Ok(r) => break r,
                Err(e) if self.lost(&e) => {
                    // A fully decided batch is kept and retried as it was;
                    // if its commit did land before the connection went,
                    // the retry finds the item done. Decisions cut short
                    // left the in-memory state half-updated: start over.
                    eprintln!("newsdesk worker: database connection lost ({e:#}); reconnecting");
                    if attempt_batch.is_none() {
                        self.reset();
                    }
                    self.writer.store().reconnect(self.patience).context("reconnecting to PostgreSQL")?;
                }
                Err(e) => {
                    self.reset();
                    let reason = format!("{e:#}");
                    self.with_db(|w| w.fail(&delivery, &job, item, &reason))?;
                    return self.with_db(|w| w.catch_up());
                }
            }
        };
        self.commit_secs += t.elapsed().as_secs_f64();
        match outcome {
            (ItemCommit::Committed, upto) => {
                if upto > 0 {
                    self.upto = self.upto.max(upto);
                }
                self.committed += 1;
                // Follows match against what was just stored.
                self.with_db(|w| Ok(w.writer.store().sync_index()?))?;
                if self.verbose {
                    eprintln!("newsdesk worker: job {job} item {item} committed");
                }
            }
            (ItemCommit::AlreadyDone | ItemCommit::NotYet, _) => {
                // Another delivery of this item won: what was decided here
                // is not what is stored.
                self.reset();
                self.with_db(|w| w.catch_up())?;
            }
        }
        if !matches!(outcome.0, ItemCommit::NotYet) {
            soft(self.queue.ack(&delivery));
        }
        Ok(())
    }
}
