//! The ingest pipeline: raw documents → extract/textdump → analyze →
//! syndication folding, revisions and story clustering → store.
//!
//! Threads: the caller's thread reads the sources and hands numbered
//! documents to a pool of workers over a bounded channel; workers do the
//! pure, expensive part (extraction, analysis, MinHash, story terms) in
//! parallel; one writer thread puts results back in source order and makes
//! the order-dependent decisions (is it a copy? a revision? which story?)
//! against in-memory state, then records them in batches, one store
//! transaction each. Source order makes a run deterministic, so a rerun
//! after a crash skips what was stored and reaches the same final state as
//! an uninterrupted run.
//!
//! Memory is bounded: at most [`IN_FLIGHT`] documents are between the
//! reader and the writer at any time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset};
use crossbeam_channel::{bounded, Receiver, Sender};
use newsdesk_cluster::{
    minhash, paragraph_diff, story_terms, DiffOp, LshIndex, Signature, StoryClusterer, StoryFeatures,
    SYNDICATION_THRESHOLD,
};
use newsdesk_model::{Analysis, Article, DiagnosticCode};
use newsdesk_sources::{DocKind, RawDoc, SourceError, SKIPPED_PREFIX};
use newsdesk_store::{Batch, DiffLine, Id, IngestError, NewArticle, NewRevision, Store};
use serde::{Deserialize, Serialize};

/// Documents between the source reader and the writer at most: about a
/// batch, so the workers can prepare the next batch while one is stored.
pub const IN_FLIGHT: usize = 4096;
/// Documents per store transaction at most. Large: every transaction
/// rewrites the index pages it touches (ids are hashes, so each batch
/// touches pages all over the id indexes), and fewer, larger transactions
/// write each page once for many articles. A batch holds its articles in
/// memory, a few tens of MB at this size.
const BATCH_DOCS: usize = 4096;
/// A batch is written at least this often, so a slow source still lands.
const BATCH_TIME: Duration = Duration::from_secs(2);
/// The full-text index is committed every this many changed articles
/// (tantivy commits are costly; a crash only delays indexing, see the store).
const SYNC_ARTICLES: usize = 20_000;

/// What the caller wants to see while ingest runs.
pub trait Observer: Sync {
    /// A record failed: where, and why.
    fn error(&self, location: &str, message: &str);
    /// Counts so far, after each batch.
    fn progress(&self, counts: &Counts);
}

/// Running totals of one ingest.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    /// Raw records read from the sources (including failed ones).
    pub records: u64,
    /// Records skipped because an earlier run stored them.
    pub skipped: u64,
    pub new_articles: u64,
    pub revisions: u64,
    /// Records whose text equals the article's current revision.
    pub unchanged: u64,
    /// New articles folded into an existing syndication group.
    pub syndicated: u64,
    /// Records that failed (damaged input, no article on the page).
    pub errors: u64,
    /// Well-formed records that are not pages (redirects, non-HTML
    /// responses): reported and recorded, but not failures.
    pub not_pages: u64,
    /// Seconds the writer thread spent working (deciding, storing,
    /// indexing) rather than waiting for workers: the serial part of ingest.
    pub writer_busy_secs: f64,
    /// CPU seconds of the writer thread (Linux; 0 elsewhere).
    pub writer_cpu_secs: f64,
    /// Of the writer's time: seconds in story assignment, in store writes
    /// (`apply`) and in index commits (`sync_index`).
    pub story_secs: f64,
    pub apply_secs: f64,
    pub index_secs: f64,
    /// (articles so far, seconds since start) after each batch, for
    /// throughput curves.
    #[serde(skip)]
    pub timeline: Vec<(u64, f64)>,
}

/// One article ready for the writer's decisions.
#[derive(Clone)]
pub(crate) struct Prepared {
    id: Id,
    location: String,
    site: Option<String>,
    fetched_unix: Option<i64>,
    published_unix: Option<i64>,
    article: Article,
    analysis: Analysis,
    signature: Signature,
    entities: Vec<String>,
    terms: Vec<(String, f32)>,
}

/// What the writer gets for one source record.
#[derive(Clone)]
pub(crate) enum Outcome {
    /// Already stored by an earlier run.
    Seen,
    Done {
        key: Id,
        articles: Vec<Prepared>,
        errors: Vec<IngestError>,
    },
}

impl Outcome {
    /// The ids of the articles found in the record (a cluster worker reads
    /// their stored bodies ahead of the decisions).
    pub(crate) fn article_ids(&self) -> impl Iterator<Item = Id> + '_ {
        let articles: &[Prepared] = match self {
            Outcome::Seen => &[],
            Outcome::Done { articles, .. } => articles,
        };
        articles.iter().map(|p| p.id)
    }
}

/// The story clusterer's input, as stored for replay.
#[derive(Serialize, Deserialize)]
struct SavedFeatures {
    p: Option<i64>,
    e: Vec<String>,
    t: Vec<(String, f32)>,
}

/// The content address of a raw document: where it says it is from, and its
/// bytes.
pub fn doc_key(doc: &RawDoc) -> Id {
    let url = doc.url.as_deref().unwrap_or("");
    Id::of(&[b"doc", doc.location.as_bytes(), url.as_bytes(), &doc.bytes])
}

/// Runs the pipeline over `docs` into `store` with `threads` workers.
pub fn ingest<S: Store + Send + ?Sized>(
    store: &mut S,
    docs: impl Iterator<Item = Result<RawDoc, SourceError>>,
    threads: usize,
    observer: &dyn Observer,
) -> Result<Counts> {
    let seen = Arc::new(store.seen_docs().context("reading the stored document keys")?);
    let writer = Writer::new(store)?;
    let threads = threads.max(1);
    let (job_tx, job_rx) = bounded::<(u64, Result<RawDoc, SourceError>)>(threads * 4);
    // Room for every document in flight: while the writer stores a batch
    // (a second or more), the workers keep preparing the next one instead
    // of blocking on a full channel. `IN_FLIGHT` still bounds memory.
    let (out_tx, out_rx) = bounded::<(u64, Outcome)>(IN_FLIGHT);
    let (permit_tx, permit_rx) = bounded::<()>(IN_FLIGHT);
    let start = Instant::now();
    std::thread::scope(|scope| -> Result<Counts> {
        for _ in 0..threads {
            let job_rx = job_rx.clone();
            let out_tx = out_tx.clone();
            let seen = Arc::clone(&seen);
            std::thread::Builder::new()
                .name("nd-prepare".into())
                .spawn_scoped(scope, move || worker(job_rx, out_tx, &seen))
                .context("starting an ingest worker thread")?;
        }
        drop(out_tx);
        drop(job_rx);
        // Named threads, so a profile tells the serial writer from the workers.
        let writer_thread = std::thread::Builder::new()
            .name("nd-writer".into())
            .spawn_scoped(scope, move || writer.run(out_rx, permit_rx, observer, start))
            .context("starting the ingest writer thread")?;
        let mut n = 0u64;
        for item in docs {
            // Blocks while IN_FLIGHT documents are unwritten.
            if permit_tx.send(()).is_err() || job_tx.send((n, item)).is_err() {
                break; // the writer stopped (a store error): it reports why
            }
            n += 1;
        }
        drop(job_tx);
        drop(permit_tx);
        writer_thread.join().map_err(|_| anyhow::anyhow!("the ingest writer panicked"))?
    })
}

fn worker(jobs: Receiver<(u64, Result<RawDoc, SourceError>)>, out: Sender<(u64, Outcome)>, seen: &HashSet<Id>) {
    yield_to_writer();
    for (n, item) in jobs {
        if out.send((n, outcome(item, seen))).is_err() {
            return;
        }
    }
}

/// The parallel part for one source record: its key and, unless `seen`
/// holds it, its prepared articles and errors (the cluster worker runs the
/// same function).
pub(crate) fn outcome(item: Result<RawDoc, SourceError>, seen: &HashSet<Id>) -> Outcome {
    match item {
        Err(e) => Outcome::Done {
            key: Id::of(&[b"source-error", e.location.as_bytes(), e.message.as_bytes()]),
            articles: vec![],
            errors: vec![IngestError { location: e.location, message: e.message }],
        },
        Ok(doc) => {
            let key = doc_key(&doc);
            if seen.contains(&key) {
                Outcome::Seen
            } else {
                let (articles, errors) = prepare_guarded(&doc);
                Outcome::Done { key, articles, errors }
            }
        }
    }
}

fn unix(t: &Option<newsdesk_model::Timestamp>) -> Option<i64> {
    t.as_ref().and_then(|t| DateTime::parse_from_rfc3339(&t.value).ok()).map(|d| d.timestamp())
}

/// The host of a URL, without `www.`.
fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// [`prepare`], with a panic in a stage turned into an error of this record:
/// the stages promise not to panic, but one bad page must not end an ingest
/// of millions if one does.
fn prepare_guarded(doc: &RawDoc) -> (Vec<Prepared>, Vec<IngestError>) {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| prepare(doc))) {
        Ok(r) => r,
        Err(payload) => {
            let why = crate::panic_message(payload.as_ref());
            (
                vec![],
                vec![IngestError { location: doc.location.clone(), message: format!("internal error (a bug): {why}") }],
            )
        }
    }
}

/// Extraction and analysis of one raw document: the pure, parallel part.
fn prepare(doc: &RawDoc) -> (Vec<Prepared>, Vec<IngestError>) {
    let now: Option<DateTime<FixedOffset>> = doc.fetched_at;
    let mut errors = Vec::new();
    let articles: Vec<Article> = match &doc.kind {
        DocKind::Html => {
            let opts = newsdesk_extract::Options {
                url: doc.url.clone(),
                now,
                transport_charset: doc.charset.clone(),
                ..newsdesk_extract::Options::default()
            };
            vec![newsdesk_extract::extract(&doc.bytes, &opts)]
        }
        DocKind::Text => {
            let opts = newsdesk_textdump::DumpOptions { now, ..newsdesk_textdump::DumpOptions::default() };
            let r = newsdesk_textdump::extract_dump_bytes(&doc.bytes, &opts);
            if r.articles.is_empty() {
                let why =
                    r.diagnostics.first().map_or("no article found in the text".to_string(), |d| d.message.clone());
                errors.push(IngestError { location: doc.location.clone(), message: format!("no article: {why}") });
            }
            r.articles
        }
        DocKind::FeedItem { title, published } => {
            let opts = newsdesk_extract::Options { url: doc.url.clone(), now, ..newsdesk_extract::Options::default() };
            let mut a = newsdesk_extract::extract(&doc.bytes, &opts);
            if a.body.trim().is_empty() {
                // A feed item's own content is often a short fragment the
                // page extractor rejects; its text is still the item.
                let text = strip_tags(&String::from_utf8_lossy(&doc.bytes));
                if !text.trim().is_empty() {
                    a.body = text;
                    a.diagnostics.retain(|d| d.code != DiagnosticCode::NoArticle);
                }
            }
            if a.headline.is_none() {
                a.headline = title.clone();
            }
            if a.published.is_none() {
                a.published = published.map(|p| newsdesk_model::Timestamp {
                    value: p.to_rfc3339(),
                    precision: newsdesk_model::Precision::Second,
                    assumed_utc: false,
                });
            }
            vec![a]
        }
    };
    let many = articles.len() > 1;
    let mut out = Vec::new();
    for (i, mut a) in articles.into_iter().enumerate() {
        let location = if many { format!("{}#{}", doc.location, i + 1) } else { doc.location.clone() };
        if a.body.trim().is_empty() {
            let why = a
                .diagnostics
                .iter()
                .find(|d| d.code == DiagnosticCode::NoArticle)
                .map_or("empty body".to_string(), |d| d.message.clone());
            errors.push(IngestError { location, message: format!("no article: {why}") });
            continue;
        }
        if a.url.is_none() {
            a.url = doc.url.clone();
        }
        // Identity: the fetched URL (a re-fetch is a revision), else the
        // page's canonical URL, else where the file was found.
        let identity = match (&doc.url, &a.canonical_url) {
            (Some(u), _) => format!("url:{u}"),
            (None, Some(c)) if !many => format!("url:{c}"),
            _ if many => format!("loc:{}#{}", doc.location, i + 1),
            _ => format!("loc:{}", doc.location),
        };
        let id = Id::of(&[identity.as_bytes()]);
        let published_unix = unix(&a.published);
        let analysis = newsdesk_analyze::analyze_article(&a);
        let signature = minhash(&a.body);
        let terms = story_terms(a.headline.as_deref().unwrap_or(""), &a.body);
        // Story evidence: places, organisations and people named in full.
        // A one-word "person" is mostly a group noun the analyzer took for
        // a speaker ("Residents", "Farmers"); shared by unrelated stories,
        // it would chain them together.
        let mut entities: Vec<String> = analysis
            .entities
            .iter()
            .filter(|e| e.kind != newsdesk_model::EntityKind::Person || e.name.split_whitespace().count() >= 2)
            .map(|e| e.name.to_lowercase())
            .collect();
        entities.sort();
        entities.dedup();
        let site = a.site_name.clone().or_else(|| a.url.as_deref().or(a.canonical_url.as_deref()).and_then(host));
        out.push(Prepared {
            id,
            location,
            site,
            fetched_unix: doc.fetched_at.map(|t| t.timestamp()),
            published_unix,
            article: a,
            analysis,
            signature,
            entities,
            terms,
        });
    }
    (out, errors)
}

/// Lowers the calling worker thread's scheduling priority. The writer is
/// the serial part of ingest: with as many workers as cores, the writer
/// otherwise gets a core only a share of the time and every worker ends
/// up waiting for it. Niced workers fill whatever the writer leaves idle.
fn yield_to_writer() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain syscalls on the calling thread; on Linux the nice
    // value is per thread, so this leaves the writer and reader alone.
    // A failure (not permitted) only leaves the priority as it was.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, WORKER_NICE);
    }
}

/// How much lower than the writer the workers run (nice levels; each is
/// about 1.25× less CPU share under contention).
#[cfg(target_os = "linux")]
const WORKER_NICE: libc::c_int = 10;

/// CPU seconds (user + system) of the calling thread, from
/// `/proc/thread-self/stat` (clock ticks of 1/100 s).
fn thread_cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let f: Vec<&str> = s.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Text of an HTML fragment: tags dropped, paragraphs kept apart.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' if in_tag => {
                in_tag = false;
                let t = tag.trim_start_matches('/').to_ascii_lowercase();
                if t.starts_with('p') || t.starts_with("br") || t.starts_with("div") || t.starts_with("li") {
                    out.push_str("\n\n");
                }
            }
            _ if in_tag => tag.push(c),
            _ => out.push(c),
        }
    }
    let paras: Vec<String> = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    paras.join("\n\n")
}

/// The writer's in-memory state: what it needs to decide, rebuilt from the
/// store on start. The cluster worker drives one per process, item by item.
pub(crate) struct Writer<'s, S: Store + ?Sized> {
    store: &'s mut S,
    lsh: LshIndex,
    /// Signature and group of every stored article, for exact Jaccard of
    /// LSH candidates.
    sigs: HashMap<u64, (Signature, Id)>,
    /// The story of each syndication group (by the group's founding article).
    group_story: HashMap<Id, Id>,
    /// Every stored or decided article id. Most records are new articles,
    /// and asking the store for their current body is a random B-tree probe
    /// that grows slower as the store grows; only ids in this set can have
    /// a body to compare with.
    known: HashSet<u64>,
    clusterer: StoryClusterer,
    /// Documents and article bodies decided but not yet stored.
    pending_docs: HashSet<Id>,
    pending_bodies: HashMap<Id, String>,
    batch: Batch,
    counts: Counts,
    unsynced: usize,
}

fn diff_lines(ops: Vec<DiffOp>) -> Vec<DiffLine> {
    ops.into_iter()
        .map(|op| match op {
            DiffOp::Same(s) => DiffLine::Same(s),
            DiffOp::Added(s) => DiffLine::Added(s),
            DiffOp::Removed(s) => DiffLine::Removed(s),
        })
        .collect()
}

impl<'s, S: Store + ?Sized> Writer<'s, S> {
    fn new(store: &'s mut S) -> Result<Self> {
        let signatures = store.signatures().context("reading stored signatures")?;
        let log = store.story_log().context("reading the story log")?;
        let mut w = Self::empty(store);
        w.absorb(signatures, log)?;
        Ok(w)
    }

    /// A writer that knows nothing stored yet (see [`Writer::absorb`]).
    pub(crate) fn empty(store: &'s mut S) -> Self {
        Writer {
            store,
            lsh: LshIndex::new(),
            sigs: HashMap::new(),
            group_story: HashMap::new(),
            known: HashSet::new(),
            clusterer: StoryClusterer::new(),
            pending_docs: HashSet::new(),
            pending_bodies: HashMap::new(),
            batch: Batch::default(),
            counts: Counts::default(),
            unsynced: 0,
        }
    }

    /// Adds stored articles (signatures, then story assignments, each in
    /// arrival order) to the in-memory state: all of them on start, or
    /// those other cluster workers stored since the last call.
    pub(crate) fn absorb(
        &mut self,
        signatures: Vec<(Id, Id, Vec<u8>)>,
        log: Vec<newsdesk_store::StoryLogEntry>,
    ) -> Result<()> {
        for (article, group, bytes) in signatures {
            self.known.insert(article.0);
            let Some(sig) = Signature::from_bytes(&bytes) else { continue };
            self.lsh.insert(article.0, &sig);
            self.sigs.insert(article.0, (sig, group));
        }
        // Replaying the assignments in arrival order brings the clusterer
        // to the state it had when the last run stopped.
        for entry in log {
            let f: SavedFeatures = serde_json::from_slice(&entry.features).context("a stored story feature record")?;
            self.clusterer.assign(&StoryFeatures {
                id: entry.article.0,
                published_unix: f.p,
                entities: f.e,
                terms: f.t,
            });
            self.group_story.insert(entry.article, entry.story);
        }
        Ok(())
    }

    /// Forgets everything (decisions that were not stored included), for a
    /// fresh [`Writer::absorb`] from the store.
    pub(crate) fn reset(&mut self) {
        self.lsh = LshIndex::new();
        self.sigs.clear();
        self.group_story.clear();
        self.known.clear();
        self.clusterer = StoryClusterer::new();
        self.pending_docs.clear();
        self.pending_bodies.clear();
        self.batch = Batch::default();
    }

    /// The decided batch, taken for the caller to store (cluster workers
    /// store it with their item's bookkeeping).
    pub(crate) fn take_batch(&mut self) -> Batch {
        self.pending_docs.clear();
        self.pending_bodies.clear();
        std::mem::take(&mut self.batch)
    }

    pub(crate) fn store(&mut self) -> &mut S {
        self.store
    }

    fn run(
        mut self,
        results: Receiver<(u64, Outcome)>,
        permits: Receiver<()>,
        observer: &dyn Observer,
        start: Instant,
    ) -> Result<Counts> {
        let mut waiting: BTreeMap<u64, Outcome> = BTreeMap::new();
        let mut next = 0u64;
        let mut last_flush = Instant::now();
        loop {
            let got = results.recv_timeout(BATCH_TIME);
            match got {
                Ok((n, outcome)) => {
                    waiting.insert(n, outcome);
                }
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
            }
            let busy = Instant::now();
            while let Some(outcome) = waiting.remove(&next) {
                next += 1;
                let _ = permits.try_recv();
                self.decide(outcome, observer)?;
            }
            if self.batch.docs.len() >= BATCH_DOCS
                || (last_flush.elapsed() >= BATCH_TIME && !self.batch.docs.is_empty())
            {
                self.flush(observer, start)?;
                last_flush = Instant::now();
            }
            self.counts.writer_busy_secs += busy.elapsed().as_secs_f64();
        }
        while let Some(outcome) = waiting.remove(&next) {
            next += 1;
            self.decide(outcome, observer)?;
        }
        let busy = Instant::now();
        self.flush(observer, start)?;
        let t = Instant::now();
        self.store.sync_index().context("indexing")?;
        self.store.finish_ingest().context("merging the full-text index")?;
        self.counts.index_secs += t.elapsed().as_secs_f64();
        self.counts.writer_busy_secs += busy.elapsed().as_secs_f64();
        self.counts.writer_cpu_secs = thread_cpu_secs().unwrap_or(0.0);
        Ok(self.counts)
    }

    fn flush(&mut self, observer: &dyn Observer, start: Instant) -> Result<()> {
        if !self.batch.docs.is_empty() || !self.batch.errors.is_empty() {
            let batch = std::mem::take(&mut self.batch);
            let t = Instant::now();
            self.store.apply(&batch).context("writing a batch to the store")?;
            self.counts.apply_secs += t.elapsed().as_secs_f64();
            self.unsynced += batch.articles.len() + batch.revisions.len();
            self.pending_docs.clear();
            self.pending_bodies.clear();
        }
        if self.unsynced >= SYNC_ARTICLES {
            let t = Instant::now();
            self.store.sync_index().context("indexing")?;
            self.counts.index_secs += t.elapsed().as_secs_f64();
            self.unsynced = 0;
        }
        let articles = self.counts.new_articles;
        self.counts.timeline.push((articles, start.elapsed().as_secs_f64()));
        observer.progress(&self.counts);
        Ok(())
    }

    pub(crate) fn decide(&mut self, outcome: Outcome, observer: &dyn Observer) -> Result<()> {
        self.counts.records += 1;
        let (key, articles, errors) = match outcome {
            Outcome::Seen => {
                self.counts.skipped += 1;
                return Ok(());
            }
            Outcome::Done { key, articles, errors } => (key, articles, errors),
        };
        if !self.pending_docs.insert(key) {
            self.counts.skipped += 1;
            return Ok(());
        }
        self.batch.docs.push(key);
        for e in errors {
            observer.error(&e.location, &e.message);
            if e.message.starts_with(SKIPPED_PREFIX) {
                self.counts.not_pages += 1;
            } else {
                self.counts.errors += 1;
            }
            self.batch.errors.push(e);
        }
        for p in articles {
            let current = match self.pending_bodies.get(&p.id) {
                Some(body) => Some(body.clone()),
                None if self.known.contains(&p.id.0) => {
                    self.store.current_body(p.id).context("reading an article")?.map(|(_, b)| b)
                }
                None => None,
            };
            match current {
                Some(old) if old == p.article.body => self.counts.unchanged += 1,
                Some(old) => {
                    self.counts.revisions += 1;
                    self.pending_bodies.insert(p.id, p.article.body.clone());
                    let diff = diff_lines(paragraph_diff(&old, &p.article.body));
                    self.batch.revisions.push(NewRevision {
                        article: p.id,
                        location: p.location,
                        fetched_unix: p.fetched_unix,
                        published_unix: p.published_unix,
                        new: p.article,
                        analysis: p.analysis,
                        diff,
                    });
                }
                None => self.new_article(p),
            }
        }
        Ok(())
    }

    fn new_article(&mut self, p: Prepared) {
        self.counts.new_articles += 1;
        self.pending_bodies.insert(p.id, p.article.body.clone());
        // The most similar stored text among the LSH candidates; ties go to
        // the earliest article so the choice does not depend on hash order.
        let mut best: Option<(f32, u64, Id)> = None;
        let mut cands = self.lsh.candidates(&p.signature);
        cands.sort_unstable();
        for c in cands {
            if let Some((sig, group)) = self.sigs.get(&c) {
                let j = p.signature.jaccard(sig);
                if j >= SYNDICATION_THRESHOLD && best.is_none_or(|(bj, _, _)| j > bj) {
                    best = Some((j, c, *group));
                }
            }
        }
        let (group, story, features) = match best.and_then(|(_, _, g)| self.group_story.get(&g).map(|s| (g, *s))) {
            Some((group, story)) => {
                self.counts.syndicated += 1;
                (group, story, Vec::new())
            }
            None => {
                let f = StoryFeatures {
                    id: p.id.0,
                    published_unix: p.published_unix,
                    entities: p.entities.clone(),
                    terms: p.terms.clone(),
                };
                let t = Instant::now();
                let story = Id(self.clusterer.assign(&f));
                self.counts.story_secs += t.elapsed().as_secs_f64();
                self.group_story.insert(p.id, story);
                let saved = SavedFeatures { p: p.published_unix, e: p.entities, t: p.terms };
                (p.id, story, serde_json::to_vec(&saved).unwrap_or_default())
            }
        };
        self.known.insert(p.id.0);
        self.lsh.insert(p.id.0, &p.signature);
        let bytes = p.signature.to_bytes();
        self.sigs.insert(p.id.0, (p.signature, group));
        self.batch.articles.push(NewArticle {
            id: p.id,
            site: p.site,
            location: p.location,
            fetched_unix: p.fetched_unix,
            published_unix: p.published_unix,
            article: p.article,
            analysis: p.analysis,
            signature: bytes,
            group,
            story,
            story_features: features,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(host("https://www.orla.example/a/b?c").as_deref(), Some("orla.example"));
        assert_eq!(host("http://user@News.Example:8080/").as_deref(), Some("news.example"));
        assert_eq!(host("nonsense"), None);
    }

    #[test]
    fn feed_fragments_become_text() {
        assert_eq!(strip_tags("<p>One &amp; two</p><p>Three</p>"), "One & two\n\nThree");
    }
}
