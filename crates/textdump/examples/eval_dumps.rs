//! Development driver: the same code as `newsdesk eval dumps` (included
//! from the CLI crate so the two cannot drift), runnable before the CLI
//! wires it in.
//!
//! `cargo run --release -p newsdesk-textdump --example eval_dumps -- DIR OUT.jsonl`

#[path = "../../newsdesk/src/eval_dumps.rs"]
mod eval_dumps;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).map_or("../shared/eval/dumps", String::as_str));
    let out = std::path::PathBuf::from(args.get(2).map_or("dumps-pred.jsonl", String::as_str));
    let s = eval_dumps::run(&dir, &out)?;
    println!(
        "{} files, {} articles, {} bytes, median {:.4} s, {:.1} MB/s",
        s.files, s.articles, s.bytes, s.median_seconds, s.mb_per_second
    );
    Ok(())
}
