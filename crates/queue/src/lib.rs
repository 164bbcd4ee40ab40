//! Cluster ingest's work queue on NATS JetStream.
//!
//! `newsdesk ingest --cluster` splits its input into *work items* — runs of
//! consecutive source records, numbered from 0 within a *job* — and
//! publishes them to a durable work-queue stream; `newsdesk worker`
//! processes pull them. This crate owns everything NATS about that: the
//! item format ([`item`]), the streams and the consumer, publishing with
//! bounded outstanding acknowledgements, pulling, acknowledging, dead
//! letters and the queue's side of progress.
//!
//! - **Work stream** `<NAME>` (subject `newsdesk.<name>.work`), work-queue
//!   retention: a message is removed once a worker acknowledges it, which a
//!   worker does only after the item's transaction committed. One durable
//!   pull consumer, `workers`, shared by every worker process; JetStream
//!   spreads its messages over them and redelivers a message whose worker
//!   died after `ack_wait`.
//! - **Dead letters** `<NAME>_DEAD` (subject `newsdesk.<name>.dead`), limits
//!   retention: items given up on, with the job, the item and the reason in
//!   headers and the original bytes as payload, so they can be inspected
//!   and re-published.
//! - Publishing uses `Nats-Msg-Id` = `job/item`, so re-running a splitter
//!   within the stream's duplicate window does not queue an item twice.
//!
//! The API is synchronous: a small runtime inside [`Queue`] drives the
//! connection (and keeps answering the server's pings between calls), so
//! the worker can mix it with the synchronous PostgreSQL store.

pub mod item;

use std::collections::VecDeque;
use std::time::Duration;

use async_nats::jetstream::{self, consumer::pull, consumer::AckPolicy, context::Publish, stream};
use async_nats::HeaderMap;
use bytes::Bytes;
use futures_util::StreamExt;

pub use item::ItemError;

/// Header naming an item's job.
pub const JOB_HEADER: &str = "Newsdesk-Job";
/// Header with an item's number within its job (from 0).
pub const ITEM_HEADER: &str = "Newsdesk-Item";
/// Header with the reason a dead letter was given up on.
pub const REASON_HEADER: &str = "Newsdesk-Reason";
/// The durable consumer every worker pulls from.
pub const CONSUMER: &str = "workers";
/// Acknowledgements the publisher lets be outstanding before it waits: the
/// pipelining that keeps publishing from paying one round trip per item.
const MAX_OUTSTANDING: usize = 256;

/// What can go wrong with the queue.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The cluster address does not parse.
    #[error("invalid NATS URL {url:?}: {message} (expected nats://host:port)")]
    Url { url: String, message: String },
    /// The stream name is not usable.
    #[error("invalid stream name {0:?}: use letters, digits, '-' and '_'")]
    Name(String),
    /// The server cannot be reached.
    #[error("cannot connect to NATS at {url}: {message}")]
    Connect { url: String, message: String },
    /// JetStream refused or failed an operation.
    #[error("NATS JetStream {what}: {message}")]
    JetStream { what: &'static str, message: String },
    /// The runtime could not start.
    #[error("runtime: {0}")]
    Io(#[from] std::io::Error),
}

fn js_err(what: &'static str) -> impl Fn(&dyn std::fmt::Display) -> QueueError {
    move |e| QueueError::JetStream { what, message: e.to_string() }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, QueueError>;

/// How to reach and shape the queue.
#[derive(Clone, Debug)]
pub struct QueueConfig {
    /// `nats://host:port`.
    pub url: String,
    /// The work stream's name (`NEWSDESK` by default); the dead-letter
    /// stream is `<name>_DEAD`. One name per independent cluster, or per
    /// test.
    pub stream: String,
    /// How long a delivered item may go unacknowledged (workers report
    /// progress while they hold one) before JetStream hands it to another
    /// worker: the delay before a dead worker's items are picked up.
    pub ack_wait: Duration,
    /// Processing attempts before an item goes to the dead letters. The
    /// consumer's `max_deliver` is one more: the final delivery is the one
    /// on which a worker writes the dead letter instead of trying again.
    pub max_attempts: u32,
}

impl QueueConfig {
    /// The defaults (30 s acknowledgement wait, 3 attempts) for a URL and
    /// stream.
    pub fn new(url: &str, stream: &str) -> QueueConfig {
        QueueConfig { url: url.to_string(), stream: stream.to_string(), ack_wait: Duration::from_secs(30), max_attempts: 3 }
    }
}

/// Counts of the queue's side of a cluster ingest.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct QueueStatus {
    /// Items in the work stream (published and not yet acknowledged).
    pub queued: u64,
    /// Of those, not yet delivered to any worker.
    pub undelivered: u64,
    /// Delivered and not yet acknowledged: being worked on.
    pub in_flight: u64,
    /// Deliveries that were redeliveries (a worker died, failed or gave
    /// an item back).
    pub redelivered: u64,
    /// Messages in the dead-letter stream.
    pub dead_letters: u64,
}

/// One dead letter as stored.
#[derive(Clone, Debug)]
pub struct DeadLetter {
    pub job: Option<String>,
    pub item: Option<u64>,
    pub reason: String,
    pub bytes: usize,
}

/// One delivered work item, to be acknowledged, given back or dead-lettered.
pub struct Delivery {
    /// The job and item number from the headers; `None` for a message that
    /// is not a newsdesk work item.
    pub job: Option<String>,
    pub item: Option<u64>,
    /// Which delivery this is (1 for the first).
    pub delivered: u64,
    /// True when this is the last delivery JetStream will make: the worker
    /// must dead-letter the item now rather than try it again.
    pub last_chance: bool,
    pub payload: Bytes,
    msg: jetstream::Message,
}

/// A connection to the work queue. See the crate docs.
pub struct Queue {
    rt: tokio::runtime::Runtime,
    client: async_nats::Client,
    js: jetstream::Context,
    consumer: jetstream::consumer::Consumer<pull::Config>,
    stream: String,
    work_subject: String,
    dead_subject: String,
    max_deliver: i64,
    outstanding: VecDeque<jetstream::context::PublishAckFuture>,
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(QueueError::Name(name.to_string()))
    }
}

/// Checks the form of a NATS URL without connecting, so a typo is reported
/// before anything else is started.
pub fn check_url(url: &str) -> Result<async_nats::ServerAddr> {
    let addr: async_nats::ServerAddr = url.parse().map_err(|e: std::io::Error| QueueError::Url { url: url.to_string(), message: e.to_string() })?;
    if !matches!(addr.scheme(), "nats" | "tls") || !url.contains("://") {
        return Err(QueueError::Url { url: url.to_string(), message: format!("scheme {:?}", addr.scheme()) });
    }
    Ok(addr)
}

impl Queue {
    /// Connects and makes sure the streams and the consumer exist (the
    /// splitter and every worker call this; whoever comes first creates
    /// them, with this config's `ack_wait` and `max_attempts`).
    pub fn connect(config: &QueueConfig) -> Result<Queue> {
        check_name(&config.stream)?;
        let addr = check_url(&config.url)?;
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
        let lower = config.stream.to_ascii_lowercase();
        let (work_subject, dead_subject) = (format!("newsdesk.{lower}.work"), format!("newsdesk.{lower}.dead"));
        let max_deliver = i64::from(config.max_attempts.max(1)) + 1;
        let (client, js, consumer) = rt.block_on(async {
            let client = async_nats::ConnectOptions::new()
                .name("newsdesk")
                .connection_timeout(Duration::from_secs(5))
                .connect(addr)
                .await
                .map_err(|e| QueueError::Connect { url: config.url.clone(), message: e.to_string() })?;
            let js = jetstream::new(client.clone());
            let work = js
                .get_or_create_stream(stream::Config {
                    name: config.stream.clone(),
                    subjects: vec![work_subject.clone()],
                    retention: stream::RetentionPolicy::WorkQueue,
                    storage: stream::StorageType::File,
                    duplicate_window: Duration::from_secs(120),
                    ..Default::default()
                })
                .await
                .map_err(|e| js_err("creating the work stream")(&e))?;
            js.get_or_create_stream(stream::Config {
                name: format!("{}_DEAD", config.stream),
                subjects: vec![dead_subject.clone()],
                storage: stream::StorageType::File,
                duplicate_window: Duration::from_secs(120),
                ..Default::default()
            })
            .await
            .map_err(|e| js_err("creating the dead-letter stream")(&e))?;
            let consumer = work
                .get_or_create_consumer(
                    CONSUMER,
                    pull::Config {
                        durable_name: Some(CONSUMER.to_string()),
                        ack_policy: AckPolicy::Explicit,
                        ack_wait: config.ack_wait,
                        max_deliver,
                        // One worker may hold several items (it prepares the
                        // next while waiting to commit one).
                        max_ack_pending: 10_000,
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| js_err("creating the consumer")(&e))?;
            Ok::<_, QueueError>((client, js, consumer))
        })?;
        // The consumer may have been made by another process with other
        // settings: what it says is what JetStream does.
        let max_deliver = match consumer.cached_info().config.max_deliver {
            n if n > 0 => n,
            _ => i64::MAX,
        };
        Ok(Queue { rt, client, js, consumer, stream: config.stream.clone(), work_subject, dead_subject, max_deliver, outstanding: VecDeque::new() })
    }

    /// The largest message the server accepts, which bounds an item.
    pub fn max_payload(&self) -> usize {
        self.client.server_info().max_payload
    }

    /// Processing attempts per item before it is dead-lettered.
    pub fn max_attempts(&self) -> i64 {
        self.max_deliver.saturating_sub(1)
    }

    /// Publishes one item. Returns once the message is sent; the stream's
    /// acknowledgement is awaited later (at most [`MAX_OUTSTANDING`] are
    /// outstanding), or by [`Queue::flush`].
    pub fn publish(&mut self, job: &str, item: u64, payload: Vec<u8>) -> Result<()> {
        let mut headers = HeaderMap::new();
        headers.insert(JOB_HEADER, job);
        headers.insert(ITEM_HEADER, item.to_string().as_str());
        let publish = Publish::build().payload(Bytes::from(payload)).headers(headers).message_id(format!("{job}/{item}"));
        let ack = self.rt.block_on(self.js.send_publish(self.work_subject.clone(), publish)).map_err(|e| js_err("publishing an item")(&e))?;
        self.outstanding.push_back(ack);
        while self.outstanding.len() > MAX_OUTSTANDING {
            self.await_one()?;
        }
        Ok(())
    }

    fn await_one(&mut self) -> Result<()> {
        if let Some(ack) = self.outstanding.pop_front() {
            self.rt.block_on(async { ack.await }).map_err(|e| js_err("storing an item")(&e))?;
        }
        Ok(())
    }

    /// Waits until every published item is stored by the server.
    pub fn flush(&mut self) -> Result<()> {
        while !self.outstanding.is_empty() {
            self.await_one()?;
        }
        Ok(())
    }

    /// The next item for this worker, waiting up to `wait`; `None` if none
    /// came.
    pub fn fetch(&self, wait: Duration) -> Result<Option<Delivery>> {
        let wait = wait.max(Duration::from_millis(100));
        let msg = self.rt.block_on(async {
            let mut batch = self
                .consumer
                .fetch()
                .max_messages(1)
                .expires(wait)
                .messages()
                .await
                .map_err(|e| js_err("pulling an item")(&e))?;
            match batch.next().await {
                Some(Ok(m)) => Ok(Some(m)),
                Some(Err(e)) => Err(js_err("pulling an item")(&e)),
                None => Ok(None),
            }
        })?;
        let Some(msg) = msg else { return Ok(None) };
        let delivered = msg.info().map(|i| i.delivered.max(1) as u64).unwrap_or(1);
        let header = |name: &str| msg.headers.as_ref().and_then(|h| h.get(name)).map(|v| v.as_str().to_string());
        let job = header(JOB_HEADER);
        let item = header(ITEM_HEADER).and_then(|s| s.parse().ok());
        Ok(Some(Delivery {
            job,
            item,
            delivered,
            last_chance: delivered as i64 >= self.max_deliver,
            payload: msg.payload.clone(),
            msg,
        }))
    }

    fn ack_kind(&self, d: &Delivery, kind: jetstream::AckKind, what: &'static str) -> Result<()> {
        self.rt.block_on(d.msg.ack_with(kind)).map_err(|e| js_err(what)(&*e))
    }

    /// Done with the item: JetStream removes it. Waits for the server's
    /// confirmation, so a successful return means it will not come back.
    pub fn ack(&self, d: &Delivery) -> Result<()> {
        self.rt.block_on(d.msg.double_ack()).map_err(|e| js_err("acknowledging an item")(&*e))
    }

    /// Gives the item back for another delivery after `delay`.
    pub fn nak(&self, d: &Delivery, delay: Duration) -> Result<()> {
        self.ack_kind(d, jetstream::AckKind::Nak(Some(delay)), "giving an item back")
    }

    /// Still working on it: restarts the item's `ack_wait`.
    pub fn in_progress(&self, d: &Delivery) -> Result<()> {
        self.ack_kind(d, jetstream::AckKind::Progress, "reporting progress")
    }

    /// Writes the item to the dead letters with `reason` (not yet
    /// acknowledging it: the caller records the outcome, then acks).
    /// Deduplicated by job and item, so a retried dead-lettering stores one
    /// letter.
    pub fn dead_letter(&self, d: &Delivery, reason: &str) -> Result<()> {
        let mut headers = HeaderMap::new();
        if let Some(job) = &d.job {
            headers.insert(JOB_HEADER, job.as_str());
        }
        if let Some(item) = d.item {
            headers.insert(ITEM_HEADER, item.to_string().as_str());
        }
        // Header values are single lines.
        let one_line: String = reason.chars().map(|c| if c.is_control() { ' ' } else { c }).take(2000).collect();
        headers.insert(REASON_HEADER, one_line.as_str());
        let id = match (&d.job, d.item) {
            (Some(j), Some(i)) => format!("dead/{j}/{i}"),
            _ => format!("dead/seq/{}", d.msg.info().map(|i| i.stream_sequence).unwrap_or(0)),
        };
        let publish = Publish::build().payload(d.payload.clone()).headers(headers).message_id(id);
        self.rt.block_on(async {
            let ack = self.js.send_publish(self.dead_subject.clone(), publish).await.map_err(|e| js_err("writing a dead letter")(&e))?;
            ack.await.map_err(|e| js_err("storing a dead letter")(&e))
        })?;
        Ok(())
    }

    /// The queue's counts.
    pub fn status(&self) -> Result<QueueStatus> {
        self.rt.block_on(async {
            let mut work = self.js.get_stream(&self.stream).await.map_err(|e| js_err("reading the work stream")(&e))?;
            let queued = work.info().await.map_err(|e| js_err("reading the work stream")(&e))?.state.messages;
            let mut consumer: jetstream::consumer::PullConsumer =
                work.get_consumer(CONSUMER).await.map_err(|e| js_err("reading the consumer")(&e))?;
            let info = consumer.info().await.map_err(|e| js_err("reading the consumer")(&e))?;
            let (undelivered, in_flight, redelivered) = (info.num_pending, info.num_ack_pending as u64, info.num_redelivered as u64);
            let mut dead = self.js.get_stream(format!("{}_DEAD", self.stream)).await.map_err(|e| js_err("reading the dead letters")(&e))?;
            let dead_letters = dead.info().await.map_err(|e| js_err("reading the dead letters")(&e))?.state.messages;
            Ok(QueueStatus { queued, undelivered, in_flight, redelivered, dead_letters })
        })
    }

    /// Every dead letter, oldest first (for `--status` and tests).
    pub fn dead_letters(&self) -> Result<Vec<DeadLetter>> {
        self.rt.block_on(async {
            let name = format!("{}_DEAD", self.stream);
            let mut stream = self.js.get_stream(&name).await.map_err(|e| js_err("reading the dead letters")(&e))?;
            let state = stream.info().await.map_err(|e| js_err("reading the dead letters")(&e))?.state.clone();
            let mut out = Vec::new();
            if state.messages == 0 {
                return Ok(out);
            }
            for seq in state.first_sequence..=state.last_sequence {
                let Ok(m) = stream.get_raw_message(seq).await else { continue };
                let header = |n: &str| m.headers.get(n).map(|v| v.as_str().to_string());
                out.push(DeadLetter {
                    job: header(JOB_HEADER),
                    item: header(ITEM_HEADER).and_then(|s| s.parse().ok()),
                    reason: header(REASON_HEADER).unwrap_or_default(),
                    bytes: m.payload.len(),
                });
            }
            Ok(out)
        })
    }

    /// Deletes both streams (tests clean up their own).
    pub fn delete_streams(&self) -> Result<()> {
        self.rt.block_on(async {
            let _ = self.js.delete_stream(&self.stream).await;
            let _ = self.js.delete_stream(format!("{}_DEAD", self.stream)).await;
        });
        Ok(())
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        // Best effort: acknowledgements not awaited are the caller's
        // business (`flush`); this only lets queued writes reach the socket.
        let _ = self.rt.block_on(self.client.flush());
    }
}
