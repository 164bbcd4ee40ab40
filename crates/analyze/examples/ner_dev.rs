//! Development driver for the name tagger: trains on a train part and
//! writes the full analysis's entity predictions for a dev part in the
//! format the entity scorer reads, without embedding the model first.
//!
//! `cargo run --release -p newsdesk-analyze --example ner_dev TRAIN.jsonl DEV.jsonl OUT.jsonl [EPOCHS] [BITS] [MODEL.bin]`
//! (TRAIN may be `-` with MODEL.bin given, or `rules` for the hand-written rules)

use std::io::Write;

use newsdesk_analyze::tagger::{self, Label, TrainDoc, TrainOptions};

fn read(path: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .expect("read")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let epochs = args.get(4).and_then(|x| x.parse().ok()).unwrap_or(TrainOptions::default().epochs);
    let bits = args.get(5).and_then(|x| x.parse().ok()).unwrap_or(TrainOptions::default().bits);
    let model = if args[1] == "rules" {
        None
    } else if args[1] == "-" {
        Some(tagger::Model::from_bytes(&std::fs::read(&args[6]).expect("model")).expect("model bytes"))
    } else {
        let mut docs = Vec::new();
        for v in read(&args[1]) {
            let text = v["text"].as_str().unwrap_or("").to_string();
            let bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).collect();
            let mut spans = Vec::new();
            for e in v["entities"].as_array().into_iter().flatten() {
                let (a, b) = (e["start"].as_u64().unwrap_or(0) as usize, e["end"].as_u64().unwrap_or(0) as usize);
                let label = match e["kind"].as_str() {
                    Some("person") => Label::Person,
                    Some("organization") => Label::Org,
                    Some("place") => Label::Place,
                    _ => Label::Misc,
                };
                spans.push((bytes[a], bytes[b], label));
            }
            docs.push(TrainDoc { text, spans });
        }
        let t = std::time::Instant::now();
        let m = tagger::train(&docs, &TrainOptions { epochs, bits, ..TrainOptions::default() }, |e, acc| {
            eprintln!("epoch {e}: {acc:.4}")
        });
        eprintln!("trained in {:.1}s, {} bytes", t.elapsed().as_secs_f64(), m.to_bytes().len());
        if let Some(p) = args.get(6) {
            std::fs::write(p, m.to_bytes()).expect("write model");
        }
        Some(m)
    };
    let dev = read(&args[2]);
    let mut w = std::io::BufWriter::new(std::fs::File::create(&args[3]).expect("create"));
    let t = std::time::Instant::now();
    let mut toks = 0usize;
    for v in &dev {
        let text = v["text"].as_str().unwrap_or("");
        toks += text.split_whitespace().count();
        let a = newsdesk_analyze::analyze_with(text, None, model.as_ref());
        let mut ents = Vec::new();
        for e in &a.entities {
            let kind = serde_json::to_value(e.kind).expect("kind");
            for m in &e.mentions {
                ents.push(serde_json::json!({"start": m.start, "end": m.end, "kind": kind}));
            }
        }
        writeln!(w, "{}", serde_json::json!({"id": v["id"], "entities": ents})).expect("write");
    }
    eprintln!(
        "dev: {toks} tokens in {:.2}s = {:.0} tokens/s",
        t.elapsed().as_secs_f64(),
        toks as f64 / t.elapsed().as_secs_f64()
    );
}
