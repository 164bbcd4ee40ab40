//! `newsdesk serve`: the web UI, JSON API and feeds over a data directory,
//! or over PostgreSQL (`--store postgres://…` or `NEWSDESK_DATABASE_URL`,
//! as `ingest` takes it), so any number of servers can answer from the
//! store a cluster ingest fills. The server crate knows nothing of the
//! ingest pipeline or of PostgreSQL; this module hands both in
//! ([`ingest_fn`], the reader pool's connections) and runs the tokio runtime.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use newsdesk_server::{App, Config, DynStore, IngestFailure, IngestReport};
use newsdesk_sources::DocStream;
use newsdesk_store::EmbeddedStore;
use newsdesk_store_pg::PgStore;

use crate::cluster_ingest::{check_store_url, store_url};
use crate::pipeline::{self, Counts, Observer};
use crate::query_cmd::DEFAULT_DATA_DIR;
use crate::writer_lock::WriterLock;

#[derive(clap::Args)]
pub struct Args {
    /// Where the store lives (created if missing); with --store, only where
    /// the webhook settings are kept
    #[arg(long, default_value = DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,
    /// Address to listen on (port 0 picks a free port; the URL is printed)
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Let POST /api/ingest fetch a bare URL (public addresses only)
    #[arg(long)]
    pub fetch: bool,
    /// Let fetched URLs and follows' webhooks reach private, loopback and
    /// link-local addresses (refused by default: a follow must not make the
    /// server POST into its own network)
    #[arg(long)]
    pub allow_private: bool,
    /// Serve from PostgreSQL instead (postgres://user@host:port/db; default
    /// $NEWSDESK_DATABASE_URL)
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
}

/// Collects failed records for the API's ingest report.
struct Collect(Mutex<Vec<IngestFailure>>);

impl Observer for Collect {
    fn error(&self, location: &str, message: &str) {
        if let Ok(mut v) = self.0.lock() {
            if v.len() < 100 {
                v.push(IngestFailure { location: location.to_string(), message: message.to_string() });
            }
        }
    }
    fn progress(&self, _: &Counts) {}
}

/// The pipeline as the server calls it: one worker thread (an API ingest
/// is a page or a dump; the server's other requests keep the cores).
fn ingest_fn(store: &mut DynStore, docs: DocStream) -> Result<IngestReport, String> {
    let obs = Collect(Mutex::new(Vec::new()));
    let c = pipeline::ingest(store, docs, 1, &obs).map_err(|e| format!("{e:#}"))?;
    let errors = obs.0.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(IngestReport {
        records: c.records,
        new_articles: c.new_articles,
        revisions: c.revisions,
        unchanged: c.unchanged,
        syndicated: c.syndicated,
        skipped: c.skipped,
        errors,
    })
}

/// Serves the store in `data_dir` on `addr` until Ctrl-C; `banner` is
/// printed with the URL once the port is bound.
pub fn serve_dir(config: Config, addr: SocketAddr, banner: &str) -> Result<bool> {
    let data_dir = config.data_dir.as_path();
    // The server writes too (API ingests, follows): it holds the writer lock while it runs, so an ingest
    // started meanwhile waits and names it. It does not wait itself: a server refused at once is clearer.
    let lock = WriterLock::acquire(data_dir, Duration::ZERO, |_| {})?;
    let store =
        EmbeddedStore::open(data_dir).with_context(|| format!("opening the store in {}", data_dir.display()))?;
    if !store.can_write_index() {
        bail!("another process (an ingest?) is writing to {}; stop it first", data_dir.display());
    }
    let served = run_server(addr, banner, || App::new(store, Box::new(ingest_fn), config));
    drop(lock);
    served
}

/// Readers of a PostgreSQL server at most: each is a connection of its
/// own, and a database's connections are a shared, limited resource when
/// M servers use one PostgreSQL.
const PG_READERS: usize = 4;

/// Serves the PostgreSQL store at `url` on `addr` until Ctrl-C. Writes go
/// through one connection, reads through up to [`PG_READERS`] more, opened
/// when needed; webhook settings are kept in `data_dir`.
pub fn serve_pg(url: &str, config: Config, addr: SocketAddr) -> Result<bool> {
    check_store_url(url)?;
    // Connected (and migrated) before the port is bound, so a wrong URL or a
    // stopped database fails the start instead of every request.
    let store = PgStore::connect(url).context("connecting to PostgreSQL")?;
    std::fs::create_dir_all(&config.data_dir).with_context(|| format!("creating {}", config.data_dir.display()))?;
    let url = url.to_string();
    let open = move || -> Result<Box<DynStore>, newsdesk_store::StoreError> { Ok(Box::new(PgStore::connect(&url)?)) };
    run_server(addr, "", || App::with_backend(Box::new(store), Box::new(open), PG_READERS, Box::new(ingest_fn), config))
}

/// Binds `addr`, builds the app (inside the runtime, which its webhook task
/// needs) and serves it until Ctrl-C, printing the URL once bound.
fn run_server(addr: SocketAddr, banner: &str, app: impl FnOnce() -> std::sync::Arc<App>) -> Result<bool> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))?;
        let local = listener.local_addr()?;
        let app = app();
        // Scripts (and the browser tests) read this line for the URL.
        println!("{banner}newsdesk: serving http://{local}/ (Ctrl-C to stop)");
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        newsdesk_server::serve(listener, app).await.context("serving")
    })?;
    Ok(true)
}

pub fn run(args: Args) -> Result<bool> {
    let config = Config { data_dir: args.data_dir, allow_fetch: args.fetch, allow_private: args.allow_private };
    match store_url(&args.store) {
        Some(url) => serve_pg(&url, config, args.addr),
        None => serve_dir(config, args.addr, ""),
    }
}
