//! The `newsdesk` command line: thin glue between files and the pure
//! pipeline crates. Every subcommand lives in its own module.

mod analyze_cmd;
mod bench;
mod cluster_ingest;
mod demo_cmd;
mod eval_dumps;
mod eval_quotes;
mod extract_cmd;
mod follow_cmd;
mod ingest_cmd;
mod input;
mod pipeline;
mod query_cmd;
mod render;
mod score;
mod serve_cmd;
mod store_bench;
mod train_cmd;
mod worker;
mod writer_lock;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "newsdesk", version, about = "News intelligence engine: extract, analyze, search and follow news")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Extract articles from HTML pages (.html, .htm, .html.gz), text dumps (.txt) or stdin (-)
    Extract(extract_cmd::Args),
    /// Quotes, entities and dates of plain-text article bodies (JSON Lines)
    Analyze {
        /// Treat each file as an article body with no page chrome (UTF-8 text)
        #[arg(long, required = true)]
        body_text: bool,
        /// Body text files
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Ingest pages, folders, WARC archives, feeds, URLs and text dumps into the store
    Ingest(ingest_cmd::Args),
    /// Process cluster ingest work items from NATS JetStream into PostgreSQL
    Worker(worker::Args),
    /// Full-text search of the stored articles (BM25, phrases, AND/OR/NOT, filters)
    Search(query_cmd::SearchArgs),
    /// Who said what: stored quotes, newest first
    Quotes(query_cmd::QuotesArgs),
    /// The most mentioned people, organisations and places
    Entities(query_cmd::EntitiesArgs),
    /// The latest stories with their articles
    Stories(query_cmd::StoriesArgs),
    /// One article with its revisions and syndication group
    Show(query_cmd::ShowArgs),
    /// Counts of everything in the store
    Stats(query_cmd::Common),
    /// Follow queries, speakers and entities; collect new matches
    Follow(follow_cmd::Args),
    /// Serve the web UI, the JSON API (/openapi.json) and Atom feeds of follows
    Serve(serve_cmd::Args),
    /// Build a store from the bundled demo corpus and serve it (start here)
    Demo(demo_cmd::Args),
    /// Measure speed and quality on an evaluation set
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
    /// Train a statistical model from an evaluation folder's train parts
    Train {
        #[command(subcommand)]
        what: TrainWhat,
    },
    /// Write predictions for an evaluation set, in its scorer's format
    Eval {
        #[command(subcommand)]
        what: EvalWhat,
    },
}

#[derive(Subcommand)]
enum TrainWhat {
    /// The name tagger of each language (writes ner-<lang>.bin)
    Ner(train_cmd::Args),
}

#[derive(Subcommand)]
enum EvalWhat {
    /// Article finding in plain-text dumps, over a folder like ../shared/eval/dumps
    Dumps {
        /// Folder with single/*.txt and multi/*.txt
        #[arg(default_value = "../shared/eval/dumps")]
        dir: PathBuf,
        /// Where to write predictions
        #[arg(long, default_value = "dumps-pred.jsonl")]
        out: PathBuf,
    },
    /// Quote attribution over a JSON Lines file like ../shared/eval/quotes/dev.jsonl
    Quotes {
        /// Input JSON Lines (one article per line with "id" and "text")
        input: PathBuf,
        /// Where to write predictions
        #[arg(long, default_value = "quotes-pred.jsonl")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum BenchWhat {
    /// Body extraction on a folder laid out like ../shared/eval/extraction
    Extraction(bench::Args),
    /// Write a synthetic news corpus (.warc.gz + truth.json) for scale runs
    Corpus(store_bench::CorpusArgs),
    /// Ingest a synthetic corpus into a fresh store: speed, memory, folding quality
    Ingest(store_bench::IngestArgs),
    /// Search latency over a store
    Search(store_bench::SearchArgs),
}

/// Output formats shared by the commands that print articles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Jsonl,
    Md,
    Text,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Extract(args) => extract_cmd::run(args),
        Command::Bench { what: BenchWhat::Extraction(args) } => bench::run(args).map(|()| true),
        Command::Bench { what: BenchWhat::Corpus(args) } => store_bench::corpus(args),
        Command::Bench { what: BenchWhat::Ingest(args) } => store_bench::ingest(args),
        Command::Bench { what: BenchWhat::Search(args) } => store_bench::search(args),
        Command::Ingest(args) => ingest_cmd::run(args),
        Command::Worker(args) => worker::run(args),
        Command::Search(args) => query_cmd::search(args),
        Command::Quotes(args) => query_cmd::quotes(args),
        Command::Entities(args) => query_cmd::entities(args),
        Command::Stories(args) => query_cmd::stories(args),
        Command::Show(args) => query_cmd::show(args),
        Command::Stats(args) => query_cmd::stats(args),
        Command::Follow(args) => follow_cmd::run(args),
        Command::Serve(args) => serve_cmd::run(args),
        Command::Demo(args) => demo_cmd::run(args),
        Command::Train { what: TrainWhat::Ner(args) } => train_cmd::run(args).map(|()| true),
        Command::Analyze { body_text: _, paths } => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            analyze_cmd::run(&paths, &mut out)
        }
        Command::Eval { what: EvalWhat::Dumps { dir, out } } => eval_dumps::run(&dir, &out).map(|s| {
            eprintln!(
                "{} files, {} articles; {:.1} MB/s (single thread, median of 3 passes); predictions in {}",
                s.files,
                s.articles,
                s.mb_per_second,
                out.display()
            );
            true
        }),
        Command::Eval { what: EvalWhat::Quotes { input, out } } => eval_quotes::run(&input, &out).map(|s| {
            eprintln!(
                "{} articles, {} quotes; {:.0} articles/s, {:.0} chars/s (single thread, median of 3 passes); predictions in {}",
                s.articles,
                s.quotes,
                s.articles_per_second,
                s.chars_per_second,
                out.display()
            );
            true
        }),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("newsdesk: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Paths given on the command line, `-` meaning stdin.
pub type Paths = Vec<PathBuf>;

/// The message of a caught panic (a `&str` or `String` payload), for reporting it as an error of one input.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}
