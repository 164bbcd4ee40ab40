//! End-to-end tests of the `newsdesk` binary: formats, the `source` field,
//! exit codes, and bad input that must be reported without stopping the
//! batch. Each test writes its own inputs into a fresh temporary folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsdesk"))
}

fn golden(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/html").join(case).join("page.html")
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("newsdesk-cli-{}-{}", name, std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).expect("write temp file");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn jsonl(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

#[test]
fn jsonl_has_one_line_per_input_with_source() {
    let a = golden("jsonld-full");
    let b = golden("opengraph-only");
    let out = run(&["extract", "--format", "jsonl", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let lines = jsonl(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["source"], a.to_str().unwrap());
    assert_eq!(lines[1]["source"], b.to_str().unwrap());
    assert_eq!(lines[0]["schema_version"], 1);
    assert!(lines[0]["body"].as_str().unwrap().len() > 200);
}

#[test]
fn markdown_and_text_formats() {
    let p = golden("jsonld-full");
    let md = run(&["extract", "--format", "md", p.to_str().unwrap()]);
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(md.starts_with("# "), "markdown starts with the headline: {md:.80}");
    let text = run(&["extract", "--format", "text", p.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(!text.starts_with('#') && !text.contains("\"body\""));
    assert!(text.split("\n\n").count() >= 3);
}

#[test]
fn stdin_is_read_for_dash() {
    let page = std::fs::read(golden("jsonld-full")).unwrap();
    let mut child = bin()
        .args(["extract", "--format", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().unwrap().write_all(&page).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(jsonl(&out)[0]["source"], "-");
}

#[test]
fn bad_inputs_are_reported_and_the_batch_goes_on() {
    let dir = TempDir::new("bad");
    let empty = dir.file("empty.html", b"");
    let garbage =
        dir.file("garbage.html", &(0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect::<Vec<_>>());
    let mut gz = Vec::new();
    {
        let mut enc = flate2::write::GzEncoder::new(&mut gz, flate2::Compression::default());
        enc.write_all(&std::fs::read(golden("jsonld-full")).unwrap()).unwrap();
        enc.finish().unwrap();
    }
    let truncated = dir.file("cut.html.gz", &gz[..gz.len() / 2]);
    let missing = dir.0.join("missing.html");
    let good = golden("jsonld-full");
    let out = run(&[
        "extract",
        "--format",
        "jsonl",
        empty.to_str().unwrap(),
        garbage.to_str().unwrap(),
        truncated.to_str().unwrap(),
        missing.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "a failed input makes the exit code 1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("empty.html: empty input"), "{stderr}");
    assert!(stderr.contains("cut.html.gz") && stderr.contains("gzip"), "{stderr}");
    assert!(stderr.contains("missing.html"), "{stderr}");
    let lines = jsonl(&out);
    // The garbage page and the good page still produce articles.
    let sources: Vec<&str> = lines.iter().map(|l| l["source"].as_str().unwrap()).collect();
    assert!(sources.contains(&garbage.to_str().unwrap()));
    assert!(sources.contains(&good.to_str().unwrap()));
    let g = lines.iter().find(|l| l["source"] == garbage.to_str().unwrap()).unwrap();
    let codes: Vec<&str> = g["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"no-article"), "{codes:?}");
}

#[test]
fn no_article_pages_say_so() {
    let out = run(&["extract", "--format", "jsonl", golden("section-front").to_str().unwrap()]);
    assert!(out.status.success(), "a page without an article is not a failure");
    let a = &jsonl(&out)[0];
    assert_eq!(a["body"], "");
    assert!(a["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == "no-article"));
}

#[test]
fn deep_nesting_and_huge_pages_are_bounded() {
    let dir = TempDir::new("huge");
    let deep = "<div>".repeat(200_000) + "<p>deep text</p>";
    let deep = dir.file("deep.html", deep.as_bytes());
    // Larger than the parse bound: the page is cut and says so.
    let para = "<p>The council met on Tuesday and voted to repair the old bridge before winter, officials said.</p>\n";
    let mut big = String::from("<html><body><article><h1>Bridge</h1>");
    while big.len() < 17 * 1024 * 1024 {
        big.push_str(para);
    }
    let big = dir.file("big.html", big.as_bytes());
    let out = run(&["extract", "--format", "jsonl", deep.to_str().unwrap(), big.to_str().unwrap()]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let lines = jsonl(&out);
    let codes = |i: usize| -> Vec<String> {
        lines[i]["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
    };
    assert!(codes(0).contains(&"too-deep".to_string()), "{:?}", codes(0));
    assert!(codes(1).contains(&"truncated".to_string()), "{:?}", codes(1));
    assert!(lines[1]["body"].as_str().unwrap().len() > 1_000_000);
}

#[test]
fn bench_scores_a_folder_and_writes_predictions() {
    let dir = TempDir::new("bench");
    std::fs::create_dir_all(dir.0.join("html")).unwrap();
    let page = std::fs::read(golden("jsonld-full")).unwrap();
    std::fs::write(dir.0.join("html/one.html"), &page).unwrap();
    let truth =
        serde_json::json!({"one": {"articleBody": "nothing like the page at all", "url": "https://x.example/1"}});
    std::fs::write(dir.0.join("ground-truth.json"), truth.to_string()).unwrap();
    let pred = dir.0.join("pred.json");
    let out = run(&["bench", "extraction", dir.0.to_str().unwrap(), "--passes", "1", "--out", pred.to_str().unwrap()]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("pages/s") && stdout.contains("F1 0.0000"), "{stdout}");
    let p: serde_json::Value = serde_json::from_slice(&std::fs::read(&pred).unwrap()).unwrap();
    assert!(p["one"]["articleBody"].as_str().unwrap().len() > 200);
}

#[test]
fn text_dumps_give_one_line_per_article() {
    let dump = Path::new(env!("CARGO_MANIFEST_DIR")).join("../textdump/tests/golden/multi_two/dump.txt");
    let out = run(&["extract", "--format", "jsonl", "--now", "2019-11-20T12:00:00Z", dump.to_str().unwrap()]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let lines = jsonl(&out);
    assert_eq!(lines.len(), 2, "two articles in the dump");
    for l in &lines {
        assert_eq!(l["source"], dump.to_str().unwrap());
    }
    assert_eq!(lines[0]["headline"], "Library to stay open until midnight during exam season");
    // The same text on stdin needs --input text.
    let bytes = std::fs::read(&dump).unwrap();
    let mut child = bin()
        .args(["extract", "--format", "jsonl", "--input", "text", "--now", "2019-11-20T12:00:00Z", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(jsonl(&out).len(), 2);
}

/// A dump whose small middle block sits close to two pages (found by fuzzing) panicked in the dump reader, and
/// `extract` exited 101 with nothing printed for its other inputs. Now every input comes out.
#[test]
fn a_fuzzed_dump_does_not_lose_the_other_inputs() {
    let dir = TempDir::new("fuzzed-dump");
    let p = "The council voted on Tuesday to close the old bridge, citing cracks found by inspectors in the spring";
    let q = "The match was played in heavy rain, and the home side defended with ten men for most of the second half";
    let small =
        "Officials said the repairs would take at least two summers and cost far more than the council had planned.";
    let text = format!(
        "{p}, one.\n{p}, two.\n{p}, three.\nN\nHe would not say any more.\n{small}\nAll rights reserved\n\n\n\
         {q}, once.\n{q}, twice.\n{q}, thrice.\n"
    );
    let dump = dir.file("fuzzed.txt", text.as_bytes());
    let good = golden("jsonld-full");
    let out = run(&["extract", "--format", "jsonl", dump.to_str().unwrap(), good.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(101), "{stderr}");
    let sources: Vec<String> =
        jsonl(&out).iter().map(|l| l["source"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(sources.iter().filter(|s| **s == dump.to_str().unwrap()).count(), 2, "{sources:?} {stderr}");
    assert!(sources.contains(&good.to_str().unwrap().to_string()), "{sources:?} {stderr}");
}

#[test]
fn extract_output_carries_quotes_entities_and_dates() {
    let dir = TempDir::new("analyzed");
    let page = dir.file(
        "page.html",
        br#"<html><head><title>Ferry fares to rise</title>
<meta property="article:published_time" content="2024-05-15T09:00:00Z"></head>
<body><article><h1>Ferry fares to rise</h1>
<p>The island ferry company will raise fares by a tenth from June, its chief executive Marta Quill said on Tuesday.</p>
<p>"We held prices for three winters, and we cannot hold them for a fourth," Quill told the Harbour Gazette.</p>
<p>Passengers in Port Selby said the rise would hit commuters hardest, and the island council promised to review the subsidy.</p>
</article></body></html>"#,
    );
    let out = run(&["extract", "--format", "jsonl", page.to_str().unwrap()]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let v = &jsonl(&out)[0];
    let quotes = v["quotes"].as_array().expect("quotes array");
    let direct = quotes.iter().find(|q| q["kind"] == "direct").expect("the direct quote");
    assert_eq!(direct["speaker_resolved"], "Marta Quill");
    assert!(direct["text"].as_str().unwrap().contains("three winters"));
    let people: Vec<&str> = v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "person")
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert!(people.contains(&"Marta Quill"), "{people:?}");
    // "on Tuesday" resolved against the published time (a Wednesday).
    let dates = v["dates"].as_array().unwrap();
    assert!(dates.iter().any(|d| d["text"] == "on Tuesday" && d["value"] == "2024-05-14"), "{dates:?}");
    // Extraction only: the analysis fields are left out.
    let bare = run(&["extract", "--format", "jsonl", "--no-analyze", page.to_str().unwrap()]);
    assert!(jsonl(&bare)[0].get("quotes").is_none());
}
