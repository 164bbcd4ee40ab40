//! `newsdesk demo`: the whole product in one command. Builds a store from
//! the bundled fictional corpus (`demo/corpus`) and serves it.
//!
//! The HTML pages go in through a WARC written on the fly from the
//! manifest's URLs and fetch times, so the demo exercises the same path as
//! a crawl archive (record offsets, WARC dates as fetch times, revisions
//! ordered by fetch time); the text dumps and the Atom feed go in as files.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::{DateTime, FixedOffset, Utc};
use newsdesk_sources::SourceOptions;

use crate::ingest_cmd::{default_threads, ingest_into};

/// The corpus beside the sources, for `cargo run -- demo`.
const BUNDLED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/corpus");

#[derive(clap::Args)]
pub struct Args {
    /// Keep the store here (default: a temporary folder removed on exit)
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The corpus folder (default: the bundled demo/corpus)
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// Build the store and exit without serving
    #[arg(long)]
    pub no_serve: bool,
}

/// A page's address and fetch time from the manifest.
#[derive(Clone, Debug, Default)]
struct PageInfo {
    url: Option<String>,
    fetched: Option<DateTime<FixedOffset>>,
    /// The charset the HTTP response declares (some pages are not UTF-8).
    charset: Option<String>,
}

/// Reads `manifest.json` leniently: any object naming a file (`file` or
/// `path`) with a `url` and a fetch time (`fetched_at`, `fetched`, `date`)
/// anywhere in the document describes that file.
fn manifest(corpus: &Path) -> Result<HashMap<String, PageInfo>> {
    let path = corpus.join("manifest.json");
    let mut out = HashMap::new();
    let Ok(bytes) = std::fs::read(&path) else { return Ok(out) };
    let v: serde_json::Value = serde_json::from_slice(&bytes).with_context(|| format!("reading {}", path.display()))?;
    fn walk(v: &serde_json::Value, out: &mut HashMap<String, PageInfo>) {
        match v {
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => {
                let file = o.get("file").or_else(|| o.get("path")).and_then(|f| f.as_str());
                if let Some(file) = file {
                    let s = |k: &str| o.get(k).and_then(|x| x.as_str());
                    let fetched = ["fetched_at", "fetched", "fetch_time", "date"]
                        .iter()
                        .find_map(|k| s(k))
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
                    let charset = s("charset").filter(|c| c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')).map(str::to_string);
                    out.insert(file.trim_start_matches("./").to_string(), PageInfo { url: s("url").map(str::to_string), fetched, charset });
                }
                o.values().for_each(|x| walk(x, out));
            }
            _ => {}
        }
    }
    walk(&v, &mut out);
    Ok(out)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<std::io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if e.file_type()?.is_dir() {
            files(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// Writes the HTML pages as WARC response records (one gzip member each),
/// in fetch-time order so an updated page comes after its first version.
fn write_warc(corpus: &Path, pages: &[PathBuf], info: &HashMap<String, PageInfo>, out: &Path) -> Result<usize> {
    let default_time: DateTime<FixedOffset> = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").context("default time")?;
    let mut recs: Vec<(DateTime<FixedOffset>, String, String, Vec<u8>)> = Vec::new();
    for p in pages {
        let rel = p.strip_prefix(corpus).unwrap_or(p).to_string_lossy().replace('\\', "/");
        let i = info.get(&rel).cloned().unwrap_or_default();
        let url = i.url.unwrap_or_else(|| format!("https://demo.newsdesk.invalid/{rel}"));
        let body = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
        let charset = i.charset.unwrap_or_else(|| "utf-8".into());
        recs.push((i.fetched.unwrap_or(default_time), url, charset, body));
    }
    recs.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let mut f = std::io::BufWriter::new(std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?);
    for (n, (when, url, charset, body)) in recs.iter().enumerate() {
        let mut block =
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset={charset}\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
        block.extend_from_slice(body);
        let mut gz = flate2::write::GzEncoder::new(&mut f, flate2::Compression::default());
        write!(
            gz,
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Date: {}\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-{:012x}>\r\nWARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
            when.with_timezone(&Utc).format("%Y-%m-%dT%H:%M:%SZ"),
            n,
            block.len()
        )?;
        gz.write_all(&block)?;
        gz.write_all(b"\r\n\r\n")?;
        gz.finish()?;
    }
    f.flush()?;
    Ok(recs.len())
}

/// Ingests the corpus into `data_dir`; returns a one-line summary.
pub fn build(corpus: &Path, data_dir: &Path) -> Result<String> {
    if !corpus.is_dir() {
        bail!("no demo corpus at {} (give --corpus DIR)", corpus.display());
    }
    std::fs::create_dir_all(data_dir)?;
    let info = manifest(corpus)?;
    let mut all = Vec::new();
    files(corpus, &mut all)?;
    let ext = |p: &Path| p.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let pages: Vec<PathBuf> = all.iter().filter(|p| matches!(ext(p).as_str(), "html" | "htm")).cloned().collect();
    // A stable WARC path: re-running the demo on the same data directory
    // finds its records already stored.
    let warc = data_dir.join("demo-pages.warc.gz");
    let n = write_warc(corpus, &pages, &info, &warc)?;
    let mut inputs = vec![warc.to_string_lossy().into_owned()];
    for p in &all {
        let e = ext(p);
        let is_atom = matches!(e.as_str(), "xml" | "atom")
            && std::fs::read_to_string(p).map(|t| t.contains("http://www.w3.org/2005/Atom")).unwrap_or(false);
        if e == "txt" || is_atom {
            inputs.push(p.to_string_lossy().into_owned());
        }
    }
    let no_wait = std::time::Duration::ZERO;
    let (c, secs) = ingest_into(data_dir, &inputs, &SourceOptions::default(), default_threads(), true, no_wait)?;
    Ok(format!(
        "demo corpus: {n} pages (as WARC) + {} dump/feed files → {} articles ({} syndicated copies), {} revisions in {secs:.1} s",
        inputs.len() - 1,
        c.new_articles,
        c.syndicated,
        c.revisions
    ))
}

pub fn run(args: Args) -> Result<bool> {
    let corpus = args.corpus.clone().unwrap_or_else(|| PathBuf::from(BUNDLED));
    // Held until the server stops; the temporary store is removed then.
    let temp;
    let data_dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => {
            temp = tempfile::Builder::new().prefix("newsdesk-demo-").tempdir().context("creating a temporary store")?;
            temp.path().to_path_buf()
        }
    };
    let summary = build(&corpus, &data_dir)?;
    eprintln!("newsdesk: {summary}");
    eprintln!("newsdesk: store in {}", data_dir.display());
    if args.no_serve {
        return Ok(true);
    }
    let config = newsdesk_server::Config { data_dir, allow_fetch: false, allow_private: false };
    crate::serve_cmd::serve_dir(config, args.addr, "")
}
