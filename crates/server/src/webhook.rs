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

/// Why a delivery attempt failed, and whether another try can help.
#[derive(Debug)]
enum Failure {
    /// The target is refused by the address policy: no retry.
    Refused(String),
    /// Unreachable, a timeout or an error status: retried.
    Failed(String),
}

impl Hooks {
    /// Reads `webhooks.json` (missing or damaged: none) and starts the
    /// delivery task on the current tokio runtime; unless `allow_private`,
    /// it connects to public addresses only.
    pub fn load(data_dir: &Path, allow_private: bool) -> Hooks {
        let path = data_dir.join("webhooks.json");
        let map = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(deliver(rx, allow_private));
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

/// The delivery client: the address policy of page fetches at the point of connection. Names are resolved by
/// the guarded resolver, which refuses a private answer and hands the client the addresses it checked (so a
/// name that resolves elsewhere after the follow was made, DNS rebinding, cannot reach the server's network);
/// no proxy, no redirects.
fn client(allow_private: bool) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(POST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(newsdesk_sources::guarded_resolver(allow_private))
        .build()
}

async fn deliver(mut rx: mpsc::Receiver<Delivery>, allow_private: bool) {
    let client = match client(allow_private) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("newsdesk serve: webhooks disabled: {e}");
            return;
        }
    };
    while let Some(d) = rx.recv().await {
        // Each delivery retries on its own, so one dead receiver does not
        // hold up the others.
        tokio::spawn(post_with_retries(client.clone(), d, allow_private));
    }
}

/// One POST of `body` to `url`. IP literals never reach the resolver, so they are checked here, each time.
async fn post_once(client: &reqwest::Client, url: &str, body: &[u8], allow_private: bool) -> Result<(), Failure> {
    newsdesk_sources::check_literal(url, allow_private).map_err(Failure::Refused)?;
    let sent = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::USER_AGENT, concat!("newsdesk/", env!("CARGO_PKG_VERSION")))
        .body(body.to_vec())
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(Failure::Failed(format!("answered {}", r.status()))),
        // The resolver's refusal comes back as a connection error; its text names the policy.
        Err(e) => {
            let text = error_chain(&e);
            if text.contains("non-public address") {
                Err(Failure::Refused(text))
            } else {
                Err(Failure::Failed(text))
            }
        }
    }
}

/// An error with its sources, which is where reqwest keeps the reason.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        text.push_str(": ");
        text.push_str(&s.to_string());
        cur = s.source();
    }
    text
}

async fn post_with_retries(client: reqwest::Client, d: Delivery, allow_private: bool) {
    let body = match serde_json::to_vec(&d.payload) {
        Ok(b) => b,
        Err(e) => return eprintln!("newsdesk serve: webhook payload: {e}"),
    };
    let mut wait = FIRST_WAIT;
    for attempt in 1..=TRIES {
        match post_once(&client, &d.url, &body, allow_private).await {
            Ok(()) => return,
            Err(Failure::Refused(why)) => {
                return eprintln!("newsdesk serve: webhook {} for {:?} refused: {why}", d.url, d.payload.follow);
            }
            Err(Failure::Failed(why)) => eprintln!("newsdesk serve: webhook {}: {why} (try {attempt}/{TRIES})", d.url),
        }
        if attempt < TRIES {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    eprintln!("newsdesk serve: gave up on webhook {} for {:?}", d.url, d.payload.follow);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A receiver on loopback that answers 204 and counts what it got.
    async fn receiver() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let hits = std::sync::Arc::new(AtomicUsize::new(0));
        let h = std::sync::Arc::clone(&hits);
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move || {
                h.fetch_add(1, Ordering::SeqCst);
                async { axum::http::StatusCode::NO_CONTENT }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (format!("{port}"), hits)
    }

    /// A target that was stored before the policy (or that resolves to a private address by now) is refused
    /// when connecting, by literal and by name, and never reached; with `allow_private` it is delivered.
    #[tokio::test]
    async fn deliveries_to_private_addresses_are_refused_at_connection_time() {
        use std::sync::atomic::Ordering;
        let (port, hits) = receiver().await;
        let body = b"{}";
        for url in [format!("http://127.0.0.1:{port}/hook"), format!("http://localhost:{port}/hook")] {
            let got = post_once(&client(false).expect("client"), &url, body, false).await;
            assert!(matches!(&got, Err(Failure::Refused(why)) if why.contains("non-public")), "{url}: {got:?}");
        }
        assert_eq!(hits.load(Ordering::SeqCst), 0);
        let url = format!("http://localhost:{port}/hook");
        let got = post_once(&client(true).expect("client"), &url, body, true).await;
        assert!(got.is_ok(), "{got:?}");
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }
}
