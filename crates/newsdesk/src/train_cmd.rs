//! `newsdesk train ner`: trains the name tagger of each language from the
//! train parts of an entity evaluation folder (`../shared/eval/entities`)
//! and writes `ner-<lang>.bin` model files, the ones `newsdesk-analyze`
//! embeds. One command rebuilds every committed model, byte for byte: the
//! training order comes from a fixed seed.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use newsdesk_analyze::tagger::{self, Label, TrainDoc, TrainOptions};
use serde::Deserialize;

/// The train part of each language that has one.
const TRAIN_FILES: &[(&str, &str)] =
    &[("en", "conll2003-eng.train.jsonl"), ("es", "conll2002-esp.train.jsonl"), ("nl", "conll2002-ned.train.jsonl")];

#[derive(clap::Args)]
pub struct Args {
    /// Folder with the *.train.jsonl files
    #[arg(long, default_value = "../shared/eval/entities")]
    pub data: PathBuf,
    /// Where to write ner-<lang>.bin
    #[arg(long, default_value = "crates/analyze/models")]
    pub out: PathBuf,
    /// Languages to train (en, es, nl); all by default
    #[arg(long, value_delimiter = ',')]
    pub lang: Vec<String>,
    /// Passes over the training data
    #[arg(long, default_value_t = TrainOptions::default().epochs)]
    pub epochs: usize,
    /// Hash table size as a power of two
    #[arg(long, default_value_t = TrainOptions::default().bits)]
    pub bits: u32,
}

#[derive(Deserialize)]
struct GoldDoc {
    text: String,
    #[serde(default)]
    entities: Vec<GoldEntity>,
}

#[derive(Deserialize)]
struct GoldEntity {
    start: usize,
    end: usize,
    kind: String,
}

/// Reads a gold JSON Lines file into training documents, turning its
/// code-point offsets into byte offsets.
fn read_docs(path: &Path) -> Result<Vec<TrainDoc>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut docs = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let g: GoldDoc = serde_json::from_str(line).with_context(|| format!("{}:{}", path.display(), n + 1))?;
        let bytes: Vec<usize> = g.text.char_indices().map(|(b, _)| b).chain(std::iter::once(g.text.len())).collect();
        let mut spans = Vec::new();
        for e in &g.entities {
            let (Some(&a), Some(&b)) = (bytes.get(e.start), bytes.get(e.end)) else {
                bail!("{}:{}: entity offsets {}..{} outside the text", path.display(), n + 1, e.start, e.end);
            };
            let label = match e.kind.as_str() {
                "person" => Label::Person,
                "organization" => Label::Org,
                "place" => Label::Place,
                _ => Label::Misc,
            };
            spans.push((a, b, label));
        }
        docs.push(TrainDoc { text: g.text, spans });
    }
    Ok(docs)
}

pub fn run(args: Args) -> Result<()> {
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let opts = TrainOptions { epochs: args.epochs, bits: args.bits, ..TrainOptions::default() };
    for &(lang, file) in TRAIN_FILES {
        if !args.lang.is_empty() && !args.lang.iter().any(|l| l == lang) {
            continue;
        }
        let docs = read_docs(&args.data.join(file))?;
        eprintln!("{lang}: {} documents from {file}", docs.len());
        let model =
            tagger::train(&docs, &opts, |epoch, acc| eprintln!("{lang}: epoch {epoch}: token accuracy {acc:.4}"));
        let bytes = model.to_bytes();
        let out = args.out.join(format!("ner-{lang}.bin"));
        std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
        eprintln!("{lang}: wrote {} ({} bytes)", out.display(), bytes.len());
    }
    Ok(())
}
