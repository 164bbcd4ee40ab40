//! `newsdesk serve`: one HTTP server over a newsdesk store (the embedded
//! one, or any other [`Store`] backend such as PostgreSQL) with
//!
//! - a JSON API under `/api` whose OpenAPI 3 document (`/openapi.json`) is
//!   generated from the same list of handlers that builds the router
//!   ([`utoipa_axum`]), so the document cannot drift from the routes;
//! - a server-rendered web UI (maud: every value is escaped unless marked
//!   otherwise, and nothing from the corpus is ever marked otherwise);
//! - an Atom feed per follow and optional webhooks, delivered by a
//!   background task so that ingest never waits on a slow receiver.
//!
//! **Everything from the corpus is untrusted.** Pages are hostile input:
//! titles, bodies, captions, author names and URLs are rendered as text,
//! links are only made from `http`/`https` URLs, and every response carries
//! a Content-Security-Policy that allows no script at all (the UI needs
//! none) and styles only from the app's own stylesheet.
//!
//! Writes (ingest, follows) go through one store handle behind a mutex: the
//! embedded backend's SQLite connection is not `Sync`, and there is one
//! writer anyway. Reads (pages, search, the API's GETs) take a handle from a
//! small pool of further handles ([`OpenReader`]: read-only
//! [`EmbeddedStore::reader`]s, or more database connections), so
//! concurrent requests run side by side instead of queueing behind one
//! connection. The server sees every backend only as a [`DynStore`].
//! Both run on tokio's blocking pool, not on the async workers. Ingest is
//! pluggable ([`IngestFn`]): the pipeline lives in the
//! `newsdesk` binary, which hands it in.

mod api;
mod error;
mod feed;
mod input;
mod text;
mod ui;
mod webhook;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use newsdesk_sources::DocStream;
use newsdesk_store::{EmbeddedStore, Store, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

pub use error::{ApiError, ErrorBody, ErrorDetail};

/// The Content-Security-Policy of every response: no script from anywhere,
/// styles and images only from the app itself, forms only to the app, no
/// framing. Even if some corpus text escaped its escaping, the browser
/// would refuse to run it.
pub const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Largest request body accepted (an ingested page or dump): bigger bodies
/// get a 413 with a JSON error before they are buffered.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Longest a request may take before it is answered with a 503: a bound on
/// the time one client can hold a connection's worth of work.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What an ingest through the API did, as the pipeline reports it.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct IngestReport {
    /// Raw records read (pages, dump files, fetched URLs).
    pub records: u64,
    pub new_articles: u64,
    pub revisions: u64,
    /// Records whose text equals the article's current revision.
    pub unchanged: u64,
    /// New articles folded into an existing syndication group.
    pub syndicated: u64,
    /// Records already stored by an earlier ingest.
    pub skipped: u64,
    /// Records that failed, with why.
    pub errors: Vec<IngestFailure>,
}

/// One failed record of an ingest.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IngestFailure {
    pub location: String,
    pub message: String,
}

/// A store handle as the server holds it: any backend, since the handlers
/// only use the [`Store`] trait; `Send` so requests can run it on tokio's
/// blocking pool.
pub type DynStore = dyn Store + Send;

/// The ingest pipeline, handed in by the binary (which owns it): runs the
/// documents into the store, indexes them and matches follows.
pub type IngestFn = dyn Fn(&mut DynStore, DocStream) -> Result<IngestReport, String> + Send + Sync;

/// Opens one more handle on the server's store for the read pool. Each
/// backend has its own way (a read-only SQLite connection sharing the
/// index; another database connection), so the caller hands it in.
pub type OpenReader = dyn Fn() -> Result<Box<DynStore>, StoreError> + Send + Sync;

/// How the server was started.
#[derive(Clone, Debug)]
pub struct Config {
    /// The store's data directory; webhook settings are kept beside it.
    pub data_dir: PathBuf,
    /// Allow `POST /api/ingest` with a bare URL to fetch it.
    pub allow_fetch: bool,
    /// Let fetched URLs and follows' webhooks reach private, loopback and
    /// link-local addresses. Off, both are refused (SSRF): a webhook when the
    /// follow is made and again at each connection, after resolving.
    pub allow_private: bool,
}

/// Read-only store handles open at most: enough to keep every core busy
/// while some requests wait on the disk; each holds a SQLite page cache.
const MAX_READERS: usize = 8;

/// Read-only store handles, opened on demand up to a maximum. Requests
/// queue for one at `gate`, in arrival order, before they take a blocking
/// thread, so a request leasing a handle always finds one free.
struct Readers {
    /// One permit per handle. Tokio's semaphore is first come, first
    /// served; the condition variable it replaced let a newly arrived
    /// request take a just-returned handle from under the waiter it was
    /// meant for, which went back to wait behind everyone else: under 64
    /// connections a few requests waited many turns, and that, not the
    /// work, made the search API's slowest 1 %.
    gate: Arc<tokio::sync::Semaphore>,
    /// Idle handles, and how many are open (idle or leased).
    state: Mutex<(Vec<Box<DynStore>>, usize)>,
    open: Box<OpenReader>,
    max: usize,
}

/// A pooled read-only handle in use. Dropping it returns the handle, or,
/// when there is none (opening failed) or a request panicked while holding
/// it, frees its slot so a new one can be opened.
struct Lease<'a> {
    app: &'a App,
    store: Option<Box<DynStore>>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let mut st = self.app.readers.state.lock().unwrap_or_else(|e| e.into_inner());
        match self.store.take() {
            Some(r) if !std::thread::panicking() => st.0.push(r),
            _ => st.1 = st.1.saturating_sub(1),
        }
    }
}

/// Shared state of every handler.
pub struct App {
    store: Mutex<Box<DynStore>>,
    readers: Readers,
    ingest: Box<IngestFn>,
    hooks: webhook::Hooks,
    config: Config,
}

impl App {
    /// Builds the state. Must be called inside a tokio runtime: it starts
    /// the webhook delivery task.
    pub fn new(store: EmbeddedStore, ingest: Box<IngestFn>, config: Config) -> Arc<App> {
        // Readers are opened from a read-only handle of their own, not from
        // the writer, so opening one never waits for an ingest to finish.
        let template = store.reader().map(Mutex::new).map_err(|e| e.to_string());
        let open = move || -> Result<Box<DynStore>, StoreError> {
            match &template {
                Ok(t) => Ok(Box::new(t.lock().unwrap_or_else(|e| e.into_inner()).reader()?)),
                Err(e) => Err(StoreError::Invalid(format!("opening a read-only handle: {e}"))),
            }
        };
        Self::with_backend(Box::new(store), Box::new(open), MAX_READERS, ingest, config)
    }

    /// Builds the state over any backend: `store` takes the writes, `open`
    /// makes the handles of the read pool, at most `max_readers` (at least
    /// one) of them. Must be called inside a tokio runtime, like
    /// [`App::new`].
    pub fn with_backend(
        store: Box<DynStore>,
        open: Box<OpenReader>,
        max_readers: usize,
        ingest: Box<IngestFn>,
        config: Config,
    ) -> Arc<App> {
        let hooks = webhook::Hooks::load(&config.data_dir, config.allow_private);
        let max = max_readers.max(1);
        let readers =
            Readers { gate: Arc::new(tokio::sync::Semaphore::new(max)), state: Mutex::new((Vec::new(), 0)), open, max };
        Arc::new(App { store: Mutex::new(store), readers, ingest, hooks, config })
    }

    /// The store, also after a panic in another request (the store's own
    /// transactions keep it consistent; the lock adds nothing to undo).
    fn lock(&self) -> MutexGuard<'_, Box<DynStore>> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the store on the blocking pool.
    async fn with_store<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&App, &mut DynStore) -> Result<T, ApiError> + Send + 'static,
    {
        let app = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut store = app.lock();
            f(&app, &mut **store)
        })
        .await
        .map_err(|e| ApiError::internal(format!("request task failed: {e}")))?
    }

    /// A read-only handle from the pool (opening one if fewer than the
    /// maximum exist); it goes back to the pool when the lease is
    /// dropped. The caller holds a permit of `gate`, and a lease is dropped
    /// before its permit, so with as many permits as handles one is always
    /// idle or can be opened.
    fn lease_reader(&self) -> Result<Lease<'_>, ApiError> {
        let mut st = self.readers.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = st.0.pop() {
            return Ok(Lease { app: self, store: Some(r) });
        }
        if st.1 >= self.readers.max {
            return Err(ApiError::internal("every store handle is in use"));
        }
        st.1 += 1;
        drop(st);
        // The lease frees the slot again if opening fails.
        let mut lease = Lease { app: self, store: None };
        lease.store = Some((self.readers.open)()?);
        Ok(lease)
    }

    /// Runs the read-only `f` on a pooled handle on the blocking pool.
    async fn with_reader<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&App, &DynStore) -> Result<T, ApiError> + Send + 'static,
    {
        let app = Arc::clone(self);
        let permit = Arc::clone(&app.readers.gate)
            .acquire_owned()
            .await
            .map_err(|_| ApiError::internal("the read pool is closed"))?;
        tokio::task::spawn_blocking(move || {
            // Declared first, so dropped after the lease: the handle is back
            // in the pool before the next request is let in.
            let _permit = permit;
            let lease = app.lease_reader()?;
            match &lease.store {
                Some(r) => f(&app, &**r),
                None => Err(ApiError::internal("no store handle")),
            }
        })
        .await
        .map_err(|e| ApiError::internal(format!("request task failed: {e}")))?
    }
}

/// The router and the OpenAPI document, built from one list of routes.
fn parts(app: Arc<App>) -> (Router, utoipa::openapi::OpenApi) {
    let (api, mut doc) = api::router().split_for_parts();
    if !app.config.allow_fetch {
        api::without_fetch(&mut doc);
    }
    let doc_json = Arc::new(doc.clone());
    let router = Router::new()
        .merge(api)
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let d = Arc::clone(&doc_json);
                async move { axum::Json((*d).clone()) }
            }),
        )
        .merge(ui::router())
        .fallback(error::fallback)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(app)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(guard));
    (router, doc)
}

/// The whole application as an axum router.
pub fn router(app: Arc<App>) -> Router {
    parts(app).0
}

/// The OpenAPI document of the JSON API, as a server started with
/// `--fetch` serves it (without, the fetch form of an ingest is left out).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::router().split_for_parts().1
}

/// Security headers on every response, and the request time bound.
async fn guard(req: Request, next: Next) -> Response {
    let mut res = match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::timeout().into_response(),
    };
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // same-origin, not no-referrer: with no-referrer browsers send
    // `Origin: null` on the app's own form posts, which the CSRF check
    // must then refuse. Outside links still get no referrer.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    res
}

/// Limits of the connections `serve` accepts.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Time a client has to send a request's headers, counted from when its connection opens or its previous
    /// response was sent: a client that sends half a request line and stops (slowloris) is cut off, and so is
    /// a kept-alive connection idle this long.
    pub header_timeout: Duration,
    /// Connections open at once at most; further ones wait in the listen queue. Kept below the process's
    /// descriptor limit (see [`connection_limit`]), so the store, the index and webhooks always have files.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { header_timeout: Duration::from_secs(10), max_connections: connection_limit(1024) }
    }
}

/// Descriptors kept free for everything but client connections: SQLite and its WAL per store handle, the
/// index's segment files, webhook and fetch connections.
const RESERVED_DESCRIPTORS: u64 = 256;

/// `wanted` connections, or fewer when the descriptor limit (`RLIMIT_NOFILE`) leaves less room beside
/// [`RESERVED_DESCRIPTORS`]; at least 16.
pub fn connection_limit(wanted: usize) -> usize {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes only into the struct it is given.
    let known = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0;
    let room = if known { lim.rlim_cur.saturating_sub(RESERVED_DESCRIPTORS) } else { 1024 - RESERVED_DESCRIPTORS };
    wanted.min(usize::try_from(room).unwrap_or(usize::MAX)).max(16)
}

/// Serves the app on `listener` until Ctrl-C, with the default [`Limits`].
pub async fn serve(listener: tokio::net::TcpListener, app: Arc<App>) -> std::io::Result<()> {
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    serve_with(listener, app, Limits::default(), shutdown).await
}

/// Serves the app on `listener` until `shutdown` completes, then lets open requests finish. HTTP/1 on
/// hyper directly, because axum's `serve` has neither a header-read timeout nor a connection limit: 1,100
/// connections that each sent half a request line were held forever and used up the descriptors.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let router = router(app);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let (closing, closed) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&slots).acquire_owned() => p.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            a = listener.accept() => match a {
                Ok((stream, _)) => stream,
                // Out of descriptors or a connection reset before it was taken: not the listener's end.
                Err(e) => {
                    eprintln!("newsdesk serve: accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let mut closed = closed.clone();
        tokio::spawn(async move {
            let _slot = permit;
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = closed.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    // Stop accepting; open connections finish their request and close.
    let _ = closing.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = slots.acquire_many(all).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn no_ingest(_: &mut DynStore, _: DocStream) -> Result<IngestReport, String> {
        Err("not in this test".into())
    }

    /// With every handle in use, waiting requests get one in the order they
    /// asked, however many wait.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn read_requests_are_served_in_arrival_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path()).unwrap();
        let template = Mutex::new(store.reader().unwrap());
        let open = move || -> Result<Box<DynStore>, StoreError> {
            Ok(Box::new(template.lock().unwrap_or_else(|e| e.into_inner()).reader()?))
        };
        let config = Config { data_dir: dir.path().to_path_buf(), allow_fetch: false, allow_private: false };
        let app = App::with_backend(Box::new(store), Box::new(open), 1, Box::new(no_ingest), config);

        // The first request holds the only handle until told to let go.
        let (release, held) = mpsc::channel::<()>();
        let (started, is_started) = tokio::sync::oneshot::channel();
        let first = {
            let app = Arc::clone(&app);
            tokio::spawn(async move {
                app.with_reader(move |_, _| {
                    let _ = started.send(());
                    let _ = held.recv();
                    Ok(())
                })
                .await
            })
        };
        is_started.await.unwrap();

        let order = Arc::new(Mutex::new(Vec::new()));
        let mut waiting = Vec::new();
        for i in 0..24 {
            let (app, order) = (Arc::clone(&app), Arc::clone(&order));
            let mut request = Box::pin(async move {
                app.with_reader(move |_, _| {
                    order.lock().unwrap().push(i);
                    Ok(())
                })
                .await
            });
            // Polled once here, so it is queued before the next arrives.
            assert!(tokio::time::timeout(Duration::ZERO, &mut request).await.is_err());
            waiting.push(tokio::spawn(request));
        }
        // Let go while more requests pour in: none of them may take the
        // handle before a request that was already waiting.
        release.send(()).unwrap();
        for i in 24..96 {
            let (app, order) = (Arc::clone(&app), Arc::clone(&order));
            waiting.push(tokio::spawn(async move {
                app.with_reader(move |_, _| {
                    order.lock().unwrap().push(i);
                    Ok(())
                })
                .await
            }));
        }
        first.await.unwrap().unwrap();
        for w in waiting {
            w.await.unwrap().unwrap();
        }
        let order = order.lock().unwrap();
        assert_eq!(order.len(), 96);
        assert_eq!(order[..24], (0..24).collect::<Vec<_>>(), "served: {order:?}");
    }
}
