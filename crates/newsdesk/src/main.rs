//! The `newsdesk` command line: thin glue between files and the pure
//! pipeline crates. Every subcommand lives in its own module.

mod bench;
mod extract_cmd;
mod input;
mod render;
mod score;

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
    /// Extract articles from HTML pages (.html, .htm, .html.gz) or stdin (-)
    Extract(extract_cmd::Args),
    /// Measure speed and quality on an evaluation set
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
}

#[derive(Subcommand)]
enum BenchWhat {
    /// Body extraction on a folder laid out like ../shared/eval/extraction
    Extraction(bench::Args),
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
