//! `newsdesk extract`: pages in, articles out, one bad input never stopping
//! the others.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset};
use newsdesk_model::{Analysis, Article};
use serde::Serialize;

use crate::input::read_input;
use crate::{render, Format};

#[derive(clap::Args)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// URL the page was fetched from (resolves image links, dates from URL)
    #[arg(long)]
    url: Option<String>,
    /// Reference time for relative dates, RFC 3339 (default: now)
    #[arg(long, value_parser = parse_now)]
    now: Option<DateTime<FixedOffset>>,
    /// Print how the body was chosen instead of the article (HTML only)
    #[arg(long)]
    explain: bool,
    /// Skip the analysis stage (quotes, entities, dates): extraction only
    #[arg(long)]
    no_analyze: bool,
    /// How to read the inputs: by file name (.txt is a text dump, the rest
    /// HTML), or force one kind (needed for text on stdin)
    #[arg(long, value_enum, default_value = "auto")]
    input: InputKind,
    /// HTML files (.html, .htm, .html.gz) or - for stdin
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// What an input holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InputKind {
    Auto,
    Html,
    Text,
}

fn is_text_dump(path: &std::path::Path, kind: InputKind) -> bool {
    match kind {
        InputKind::Html => false,
        InputKind::Text => true,
        InputKind::Auto => {
            let name = path.to_string_lossy().to_ascii_lowercase();
            name.ends_with(".txt") || name.ends_with(".txt.gz")
        }
    }
}

/// The reference time for relative dates: `--now`, else the file's
/// modification time (when the page was saved), else the current time.
fn reference_time(path: &std::path::Path, given: Option<DateTime<FixedOffset>>) -> DateTime<FixedOffset> {
    given
        .or_else(|| {
            let modified = std::fs::metadata(path).ok()?.modified().ok()?;
            Some(DateTime::<chrono::Utc>::from(modified).fixed_offset())
        })
        .unwrap_or_else(|| chrono::Utc::now().fixed_offset())
}

fn parse_now(s: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(s).map_err(|e| format!("not an RFC 3339 time ({e}), e.g. 2024-03-01T12:00:00Z"))
}

/// An extracted article with what the analyze stage found in its body,
/// printed as one object: the Article's fields, then `quotes`,
/// `entities` and `dates` (absent with `--no-analyze`).
#[derive(Serialize)]
struct Output {
    #[serde(flatten)]
    article: Article,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    analysis: Option<Analysis>,
}

impl Output {
    fn new(article: Article, analyze: bool) -> Output {
        let analysis = analyze.then(|| newsdesk_analyze::analyze_article(&article));
        Output { article, analysis }
    }
}

/// Runs the command; `Ok(false)` when some input failed.
pub fn run(args: Args) -> Result<bool> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut all_ok = true;
    let mut articles: Vec<Output> = Vec::new();
    for path in &args.paths {
        let source = path.display().to_string();
        // The stages promise not to panic; if one does anyway, that input is reported and the others still
        // come out (a panic here used to end the process with nothing printed for any input).
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| one_input(path, &source, &args)));
        let outputs = match done {
            Ok(Ok(Done::Articles(outputs))) => outputs,
            Ok(Ok(Done::Explained(text))) => {
                writeln!(out, "== {source}\n{text}")?;
                continue;
            }
            Ok(Err(message)) => {
                eprintln!("newsdesk: {source}: {message}");
                all_ok = false;
                continue;
            }
            Err(payload) => {
                eprintln!("newsdesk: {source}: internal error (a bug): {}", crate::panic_message(payload.as_ref()));
                all_ok = false;
                continue;
            }
        };
        for o in outputs {
            if args.format == Format::Json {
                articles.push(o);
            } else {
                write_one(&mut out, args.format, &o)?;
            }
        }
    }
    if args.format == Format::Json && !args.explain {
        if articles.len() == 1 {
            serde_json::to_writer_pretty(&mut out, &articles[0])?;
        } else {
            serde_json::to_writer_pretty(&mut out, &articles)?;
        }
        writeln!(out)?;
    }
    out.flush().context("writing output")?;
    Ok(all_ok)
}

/// What one input gave.
enum Done {
    Articles(Vec<Output>),
    /// `--explain` on an HTML page.
    Explained(String),
}

/// Reads, extracts and analyses one input, printing its diagnostics; `Err` is the message of an input that
/// gave nothing.
fn one_input(path: &std::path::Path, source: &str, args: &Args) -> Result<Done, String> {
    let analyze = !args.no_analyze;
    let bytes = read_input(path).map_err(|e| format!("{e:#}"))?;
    if bytes.is_empty() {
        return Err("empty input".into());
    }
    let now = reference_time(path, args.now);
    if is_text_dump(path, args.input) {
        let opts = newsdesk_textdump::DumpOptions { now: Some(now), ..Default::default() };
        let res = newsdesk_textdump::extract_dump_bytes(&bytes, &opts);
        for d in &res.diagnostics {
            eprintln!("newsdesk: {source}: {}: {}", code_name(d.code), d.message);
        }
        let outputs = res
            .articles
            .into_iter()
            .map(|mut article| {
                article.source = Some(source.to_string());
                article.url = args.url.clone();
                Output::new(article, analyze)
            })
            .collect();
        return Ok(Done::Articles(outputs));
    }
    let opts = newsdesk_extract::Options { url: args.url.clone(), now: Some(now), ..Default::default() };
    if args.explain {
        return Ok(Done::Explained(newsdesk_extract::explain(&bytes, &opts)));
    }
    let mut article = newsdesk_extract::extract(&bytes, &opts);
    article.source = Some(source.to_string());
    for d in &article.diagnostics {
        eprintln!("newsdesk: {source}: {}: {}", code_name(d.code), d.message);
    }
    Ok(Done::Articles(vec![Output::new(article, analyze)]))
}

fn write_one(out: &mut impl Write, format: Format, o: &Output) -> Result<()> {
    let a = &o.article;
    match format {
        Format::Jsonl => {
            serde_json::to_writer(&mut *out, o)?;
            writeln!(out)?;
        }
        Format::Md => {
            out.write_all(render::markdown(a).as_bytes())?;
            if let Some(an) = &o.analysis {
                out.write_all(render::quotes_markdown(an).as_bytes())?;
            }
            writeln!(out, "\n---\n")?;
        }
        Format::Text => {
            writeln!(out, "{}\n", a.body)?;
        }
        Format::Json => unreachable!("json is written at the end"),
    }
    Ok(())
}

fn code_name(code: newsdesk_model::DiagnosticCode) -> String {
    serde_json::to_value(code).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}
