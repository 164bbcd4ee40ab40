//! Webhooks of follows: after an ingest, each follow with a webhook takes
//! its new matches from the store and hands them to a background task that
//! POSTs them as JSON, retrying with exponential backoff.
//!
//! Ingest never waits on a receiver: matches go into a bounded queue with
//! `try_send`; when the queue is full (a receiver down for a long time) the
//! delivery is dropped and logged, and the matches stay visible in the
//! follow's Atom feed. Which follow has which webhook is server
//! configuration, kept in `webhooks.json` in the data directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use newsdesk_store::FollowMatch;
use serde::Serialize;
use tokio::sync::mpsc;

/// Deliveries waiting at most.
const QUEUE: usize = 1024;
/// Tries per delivery; waits double from [`FIRST_WAIT`] between them.
const TRIES: u32 = 6;
const FIRST_WAIT: Duration = Duration::from_millis(500);
/// One POST's whole time.
const POST_TIMEOUT: Duration = Duration::from_secs(10);

/// The JSON a webhook receives.
#[derive(Debug, Serialize)]
pub struct Payload {
    pub follow: String,
    pub matches: Vec<newsdesk_store::ArticleBrief>,
}

struct Delivery {
    url: String,
    payload: Payload,
}

/// The webhook table and the queue to the delivery task.
pub struct Hooks {
    path: PathBuf,
    map: Mutex<BTreeMap<String, String>>,
    tx: mpsc::Sender<Delivery>,
}

impl Hooks {
    /// Reads `webhooks.json` (missing or damaged: none) and starts the
    /// delivery task on the current tokio runtime.
    pub fn load(data_dir: &Path) -> Hooks {
        let path = data_dir.join("webhooks.json");
        let map = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(deliver(rx));
        Hooks { path, map: Mutex::new(map), tx }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The webhook of a follow.
    pub fn get(&self, follow: &str) -> Option<String> {
        self.table().get(follow).cloned()
    }

    /// Sets or removes a follow's webhook and saves the table.
    pub fn set(&self, follow: &str, url: Option<String>) {
        let mut t = self.table();
        let changed = match url {
            Some(u) => t.insert(follow.to_string(), u.clone()).as_ref() != Some(&u),
            None => t.remove(follow).is_some(),
        };
        if changed {
            let tmp = self.path.with_extension("json.tmp");
            let saved = serde_json::to_vec_pretty(&*t)
                .map_err(std::io::Error::other)
                .and_then(|b| std::fs::write(&tmp, b))
                .and_then(|()| std::fs::rename(&tmp, &self.path));
            if let Err(e) = saved {
                eprintln!("newsdesk serve: saving {}: {e}", self.path.display());
            }
        }
    }

    /// Takes the new matches of every follow with a webhook and queues
    /// them. Called with the store held, right after an ingest.
    pub fn collect(&self, store: &mut crate::DynStore) {
        let hooks: Vec<(String, String)> = self.table().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        for (follow, url) in hooks {
            let matches: Vec<FollowMatch> = match store.follow_check(Some(&follow)) {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("newsdesk serve: matches of {follow:?}: {e}");
                    continue;
                }
            };
            if matches.is_empty() {
                continue;
            }
            let payload = Payload { follow: follow.clone(), matches: matches.into_iter().map(|m| m.article).collect() };
            if self.tx.try_send(Delivery { url, payload }).is_err() {
                eprintln!("newsdesk serve: webhook queue full; dropped a delivery for {follow:?} (see its feed)");
            }
        }
    }
}

async fn deliver(mut rx: mpsc::Receiver<Delivery>) {
    let client = match reqwest::Client::builder().timeout(POST_TIMEOUT).redirect(reqwest::redirect::Policy::none()).build() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("newsdesk serve: webhooks disabled: {e}");
            return;
        }
    };
    while let Some(d) = rx.recv().await {
        // Each delivery retries on its own, so one dead receiver does not
        // hold up the others.
        tokio::spawn(post_with_retries(client.clone(), d));
    }
}

async fn post_with_retries(client: reqwest::Client, d: Delivery) {
    let body = match serde_json::to_vec(&d.payload) {
        Ok(b) => b,
        Err(e) => return eprintln!("newsdesk serve: webhook payload: {e}"),
    };
    let mut wait = FIRST_WAIT;
    for attempt in 1..=TRIES {
        let sent = client
            .post(&d.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::USER_AGENT, concat!("newsdesk/", env!("CARGO_PKG_VERSION")))
            .body(body.clone())
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => return,
            Ok(r) => eprintln!("newsdesk serve: webhook {} answered {} (try {attempt}/{TRIES})", d.url, r.status()),
            Err(e) => eprintln!("newsdesk serve: webhook {}: {e} (try {attempt}/{TRIES})", d.url),
        }
        if attempt < TRIES {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    eprintln!("newsdesk serve: gave up on webhook {} for {:?}", d.url, d.payload.follow);
}
