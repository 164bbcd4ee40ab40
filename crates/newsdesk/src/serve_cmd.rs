//! `newsdesk serve`: the web UI, JSON API and feeds over a data directory.
//! The server crate knows nothing of the ingest pipeline; this module hands
//! it in ([`ingest_fn`]) and runs the tokio runtime.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use newsdesk_server::{App, Config, IngestFailure, IngestReport};
use newsdesk_sources::DocStream;
use newsdesk_store::EmbeddedStore;

use crate::pipeline::{self, Counts, Observer};
use crate::query_cmd::DEFAULT_DATA_DIR;

#[derive(clap::Args)]
pub struct Args {
    /// Where the store lives (created if missing)
    #[arg(long, default_value = DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,
    /// Address to listen on (port 0 picks a free port; the URL is printed)
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Let POST /api/ingest fetch a bare URL (public addresses only)
    #[arg(long)]
    pub fetch: bool,
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
fn ingest_fn(store: &mut EmbeddedStore, docs: DocStream) -> Result<IngestReport, String> {
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
pub fn serve_dir(data_dir: &Path, addr: SocketAddr, fetch: bool, banner: &str) -> Result<bool> {
    let store = EmbeddedStore::open(data_dir).with_context(|| format!("opening the store in {}", data_dir.display()))?;
    if !store.can_write_index() {
        bail!("another process (an ingest?) is writing to {}; stop it first", data_dir.display());
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))?;
        let local = listener.local_addr()?;
        let config = Config { data_dir: data_dir.to_path_buf(), allow_fetch: fetch };
        let app = App::new(store, Box::new(ingest_fn), config);
        // Scripts (and the browser tests) read this line for the URL.
        println!("{banner}newsdesk: serving http://{local}/ (Ctrl-C to stop)");
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        newsdesk_server::serve(listener, app).await.context("serving")
    })?;
    Ok(true)
}

pub fn run(args: Args) -> Result<bool> {
    serve_dir(&args.data_dir, args.addr, args.fetch, "")
}
