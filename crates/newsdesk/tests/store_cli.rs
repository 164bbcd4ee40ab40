//! End-to-end tests of the store commands: `ingest` into a fresh data
//! directory, then `search`, `quotes`, `entities`, `stories`, `show`,
//! `stats` and `follow`; ingest idempotency; and the crash test (kill -9
//! during ingest, rerun, compare with an uninterrupted run).
//!
//! The pages are fictional and written here; the crash test uses a small
//! generated corpus (`bench corpus`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsdesk"))
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("newsdesk-store-{}-{}", name, std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("folder");
        }
        std::fs::write(&p, text).expect("write temp file");
        p
    }
    fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
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

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "newsdesk {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(args: &[&str]) -> Value {
    let out = ok(args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("newsdesk {args:?}: not JSON ({e}): {out}"))
}

fn page(canonical: &str, site: &str, headline: &str, date: &str, paragraphs: &[&str]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        r#"<!doctype html><html lang="en"><head><title>{headline} | {site}</title>
<link rel="canonical" href="{canonical}">
<meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="{date}">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>{headline}</h1><p class="byline">By Mara Lint</p>
{body}</article><footer>© {site}</footer></body></html>"#
    )
}

const DAM: [&str; 4] = [
    "The new dam on the Orla river opened on Monday after nine years of building work and two changes of contractor, officials said.",
    "“We kept our promise to the valley,” said Ana Ruiz, the regional water minister, at the opening ceremony near Tessel.",
    "The reservoir behind the dam will supply water to forty villages by the end of next summer, if the spring rains come as expected.",
    "Farmers downstream have asked the Orla Water Board to publish how much water will be released in dry months.",
];

const BRIDGE: [&str; 3] = [
    "The council of Verna voted on Tuesday to close the old stone bridge over the Lisk after inspectors found deep cracks in two of its arches.",
    "“Safety comes first, even when it is inconvenient,” said Tomas Eck, the head of the Verna Council, after the vote.",
    "A ferry will carry cyclists and pedestrians across the river until a new bridge opens, which the council expects to take three years.",
];

/// dir1: a dam story, its syndicated copy on another site, a bridge story
/// and a file that is not a page; dir2: an updated bridge story.
fn fixtures(t: &TempDir) {
    t.file(
        "dir1/orla-post-dam.html",
        &page("https://orla.example/dam", "Orla Post", "Dam opens on the Orla", "2026-03-02T09:00:00Z", &DAM),
    );
    t.file(
        "dir1/wire-daily-dam.html",
        &page("https://wire.example/dam", "Wire Daily", "Dam opens on the Orla", "2026-03-02T11:00:00Z", &DAM),
    );
    t.file(
        "dir1/verna-bridge.html",
        &page("https://verna.example/bridge", "Verna Times", "Verna bridge closes", "2026-03-05T08:00:00Z", &BRIDGE),
    );
    t.file("dir1/broken.html", "\u{0}\u{1}\u{2}\u{3} not a page \u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}");
    let mut updated: Vec<&str> = BRIDGE.to_vec();
    updated.push("The mayor said on Wednesday that repairs to the old bridge would cost four million crowns and could start in the autumn.");
    t.file(
        "dir2/verna-bridge.html",
        &page(
            "https://verna.example/bridge",
            "Verna Times",
            "Verna bridge closes for repairs",
            "2026-03-05T08:00:00Z",
            &updated,
        ),
    );
}

#[test]
fn ingest_then_query_and_follow() {
    let t = TempDir::new("e2e");
    fixtures(&t);
    let data = t.path("data");

    // Follows before the first ingest see everything ingested afterwards.
    ok(&["follow", "add", "--data-dir", &data, "ruiz", "--speaker", "Ana Ruiz"]);
    ok(&["follow", "add", "--data-dir", &data, "bridges", "bridge"]);

    // The broken file is reported with its path; the others still land.
    let out = run(&["ingest", "--quiet", "--data-dir", &data, &t.path("dir1")]);
    assert_eq!(out.status.code(), Some(1), "a failed record makes exit code 1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.html"), "the failure names its location: {stderr}");

    let stats = json(&["stats", "--format", "json", "--data-dir", &data]);
    assert_eq!(stats["articles"], 3, "{stats}");
    assert_eq!(stats["syndication_groups"], 2, "the copy is folded: {stats}");
    assert_eq!(stats["ingest_errors"], 1, "{stats}");
    assert_eq!(stats["indexed"], 3, "{stats}");

    let hits = json(&["search", "--format", "json", "--data-dir", &data, "reservoir"]);
    assert_eq!(hits.as_array().map(Vec::len), Some(1), "{hits}");
    assert_eq!(hits[0]["copies"], 2);
    assert!(hits[0]["snippet"].as_str().unwrap_or("").contains("**reservoir**"), "{hits}");
    let hits = json(&["search", "--format", "json", "--data-dir", &data, "--speaker", "eck", "--since", "2026-03-04"]);
    assert_eq!(hits.as_array().map(Vec::len), Some(1), "{hits}");
    let hits = json(&["search", "--format", "json", "--data-dir", &data, "\"stone bridge\" OR reservoir"]);
    assert_eq!(hits.as_array().map(Vec::len), Some(2), "{hits}");
    let table = ok(&["search", "--data-dir", &data, "ferry"]);
    assert!(table.contains("Verna bridge closes") && table.contains("**ferry**"), "{table}");

    let quotes = json(&["quotes", "--format", "json", "--data-dir", &data, "--speaker", "Ana Ruiz"]);
    assert_eq!(quotes.as_array().map(Vec::len), Some(1), "one quote, not one per copy: {quotes}");
    assert!(quotes[0]["text"].as_str().unwrap_or("").contains("kept our promise"));
    let lines = ok(&["entities", "--format", "jsonl", "--kind", "person", "--data-dir", &data]);
    assert!(lines.lines().any(|l| l.contains("Tomas Eck")), "{lines}");
    let stories = json(&["stories", "--format", "json", "--data-dir", &data]);
    assert_eq!(stories.as_array().map(Vec::len), Some(2), "{stories}");

    // A new version of a known page is a revision with a diff.
    ok(&["ingest", "--quiet", "--data-dir", &data, &t.path("dir2")]);
    let hits = json(&["search", "--format", "json", "--data-dir", &data, "crowns"]);
    let id = hits[0]["id"].as_str().unwrap_or("").to_string();
    let shown = json(&["show", "--format", "json", "--data-dir", &data, &id]);
    assert_eq!(shown["revisions"].as_array().map(Vec::len), Some(2), "{shown}");
    let diff = shown["revisions"][1]["diff"].to_string();
    assert!(diff.contains("\"added\"") && diff.contains("four million crowns"), "{diff}");
    assert_eq!(shown["article"]["headline"], "Verna bridge closes for repairs");
    let table = ok(&["show", "--data-dir", &data, &id[..8]]);
    assert!(table.contains("revisions: 2"), "{table}");
    let stats = json(&["stats", "--format", "json", "--data-dir", &data]);
    assert_eq!((stats["articles"].as_u64(), stats["revisions"].as_u64()), (Some(3), Some(4)), "{stats}");

    // Follow matches, each delivered once.
    let got = json(&["follow", "check", "--format", "json", "--data-dir", &data]);
    let names: Vec<&str> =
        got.as_array().map(|a| a.iter().filter_map(|m| m["follow"].as_str()).collect()).unwrap_or_default();
    assert_eq!(names.iter().filter(|n| **n == "ruiz").count(), 2, "{got}");
    assert_eq!(names.iter().filter(|n| **n == "bridges").count(), 1, "{got}");
    let again = json(&["follow", "check", "--format", "json", "--data-dir", &data]);
    assert_eq!(again.as_array().map(Vec::len), Some(0), "delivered exactly once: {again}");
    let list = ok(&["follow", "list", "--data-dir", &data]);
    assert!(list.contains("speaker Ana Ruiz"), "{list}");
    ok(&["follow", "remove", "--data-dir", &data, "bridges"]);
    assert_eq!(run(&["follow", "remove", "--data-dir", &data, "bridges"]).status.code(), Some(1));
}

#[test]
fn ingest_twice_changes_nothing() {
    let t = TempDir::new("idem");
    fixtures(&t);
    let data = t.path("data");
    let dirs = [t.path("dir1"), t.path("dir2")];
    let _ = run(&["ingest", "--quiet", "--data-dir", &data, &dirs[0], &dirs[1]]);
    let first = json(&["stats", "--format", "json", "--data-dir", &data]);
    let out = run(&["ingest", "--quiet", "--json", "--data-dir", &data, &dirs[0], &dirs[1]]);
    let summary: Value = serde_json::from_slice(&out.stdout).expect("JSON summary");
    assert_eq!(summary["new_articles"], 0, "{summary}");
    assert_eq!(summary["skipped"], 5, "every page is skipped as already stored: {summary}");
    assert_eq!(first, json(&["stats", "--format", "json", "--data-dir", &data]));
}

#[test]
fn missing_store_is_a_usage_error() {
    let t = TempDir::new("missing");
    let out = run(&["search", "--data-dir", &t.path("nothing"), "dam"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store"));
}

fn dump(dir: &str) -> String {
    let store = newsdesk_store::EmbeddedStore::open(Path::new(dir)).expect("open store");
    newsdesk_store::Store::dump(&store).expect("dump")
}

/// A cheap varying number (no rand dependency): the clock's nanoseconds.
fn jitter(max_ms: u64) -> u64 {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos() as u64);
    n % max_ms.max(1)
}

#[test]
fn killed_ingest_resumes_to_the_same_store() {
    let t = TempDir::new("crash");
    let corpus = t.path("corpus");
    ok(&["bench", "corpus", "--articles", "400", "--out", &corpus, "--seed", "7"]);
    let clean = t.path("clean");
    let crashed = t.path("crashed");
    // Follow matching must survive kills too: no match lost or doubled.
    for d in [&clean, &crashed] {
        ok(&["follow", "add", "--data-dir", d, "council", "council"]);
        ok(&["follow", "add", "--data-dir", d, "people", "--entity", "Residents"]);
    }
    let start = std::time::Instant::now();
    // Exit code 1 (some record failed) is fine here: failures are part of
    // the state compared below. Only a fatal error (2) or a crash is not.
    let finished = |dir: &str| {
        let out = run(&["ingest", "--quiet", "--data-dir", dir, &corpus]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "ingest failed: {}", String::from_utf8_lossy(&out.stderr));
    };
    finished(&clean);
    let full_ms = start.elapsed().as_millis() as u64;
    let expected = dump(&clean);
    assert!(expected.lines().count() > 400, "the clean run stored the corpus");

    assert!(expected.contains("\ncouncil\t"), "the follow matched in the clean run");
    let mut kills = 0;
    // Four kill points in CI; `NEWSDESK_CRASH_ROUNDS=20` runs the issue's
    // longer probe (every rerun starts at once after the kill).
    let rounds: u64 = std::env::var("NEWSDESK_CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(4).max(1);
    for round in 0..rounds {
        let mut child = bin()
            .args(["ingest", "--quiet", "--data-dir", &crashed, &corpus])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn ingest");
        // Somewhere inside the run: early, middle or late.
        // With more rounds each one gets a shorter window, so that later
        // rounds still find work left to interrupt.
        let window = full_ms.max(200) * 4 / rounds.max(4);
        let wait = 50 + jitter(window * (round % 4 + 1) / 4);
        std::thread::sleep(Duration::from_millis(wait));
        if child.try_wait().expect("poll").is_none() {
            child.kill().expect("kill -9"); // SIGKILL on Unix
            kills += 1;
            eprintln!("killed ingest round {round} after {wait} ms (a full run took {full_ms} ms)");
        }
        let _ = child.wait();
    }
    finished(&crashed);
    assert!(kills > 0, "at least one run was killed mid-way");
    let got = dump(&crashed);
    if got != expected {
        let diff: Vec<String> = expected
            .lines()
            .zip(got.lines())
            .filter(|(a, b)| a != b)
            .take(5)
            .map(|(a, b)| format!("- {a}\n+ {b}"))
            .collect();
        panic!(
            "store after {kills} kills differs from an uninterrupted run ({} vs {} lines):\n{}",
            got.lines().count(),
            expected.lines().count(),
            diff.join("\n")
        );
    }
}

/// A second writer waits for the first, naming it, instead of failing at once; the lock of a killed process
/// is free right away (an immediate restart by a supervisor, or `ingest || ingest`, used to be refused for up
/// to a second). The first writer here is a server, which holds the store while it runs.
#[test]
fn a_second_writer_waits_for_the_first_and_a_killed_ones_lock_is_free() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let t = TempDir::new("lock");
    fixtures(&t);
    let data = t.path("data");
    let mut server = bin()
        .args(["serve", "--data-dir", &data, "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let mut banner = String::new();
    BufReader::new(server.stdout.take().expect("stdout")).read_line(&mut banner).expect("banner");
    assert!(banner.contains("serving"), "{banner}");
    let pid = format!("(pid {})", server.id());

    let refused = run(&["ingest", "--quiet", "--lock-wait", "0", "--data-dir", &data, &t.path("dir1")]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&pid) && stderr.contains("still writing"), "{stderr}");

    let mut ingest = bin()
        .args(["ingest", "--quiet", "--lock-wait", "60", "--data-dir", &data, &t.path("dir1")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ingest");
    let mut messages = BufReader::new(ingest.stderr.take().expect("stderr"));
    let mut waiting = String::new();
    messages.read_line(&mut waiting).expect("a waiting message");
    assert!(waiting.contains("waiting for another ingest") && waiting.contains(&pid), "{waiting}");
    server.kill().expect("kill -9 the server");
    let _ = server.wait();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut messages, &mut rest).expect("the ingest's messages");
    let status = ingest.wait().expect("ingest ends");
    // Exit code 1: the fixtures hold one broken page on purpose.
    assert_eq!(status.code(), Some(1), "the ingest ran once the server was gone: {rest}");
    let stats = json(&["stats", "--format", "json", "--data-dir", &data]);
    assert_eq!(stats["articles"], 3, "{stats}");
}

/// Read-only commands work on a store on a read-only file system: they used to open it for writing (pragmas,
/// schema statements, an index writer and its catch-up) and failed with "unable to open database file". Tests
/// run as root, for whom permissions do not stop writes, so the store is copied onto a tmpfs mounted read-only
/// in a user and mount namespace of its own (`unshare`); where that is not possible the test says so and
/// passes without checking.
#[test]
fn read_only_commands_work_on_a_read_only_mount() {
    let t = TempDir::new("ro");
    fixtures(&t);
    let data = t.path("data");
    let out = run(&["ingest", "--quiet", "--data-dir", &data, &t.path("dir1")]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    let probe = Command::new("unshare").args(["-rm", "sh", "-c", "mount -t tmpfs none /mnt"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("SKIPPED: cannot mount a tmpfs in a namespace of its own (unshare -rm) here");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_newsdesk");
    let script = format!(
        "set -e; mount -t tmpfs none /mnt; cp -a '{data}' /mnt/store; mount -o remount,ro /mnt; \
         if touch /mnt/store/x 2>/dev/null; then echo 'mount is writable'; exit 3; fi; \
         '{bin}' stats --format json --data-dir /mnt/store; echo; \
         '{bin}' search --format json --data-dir /mnt/store reservoir; echo; \
         '{bin}' quotes --format json --data-dir /mnt/store --speaker 'Ana Ruiz'"
    );
    let out = Command::new("unshare").args(["-rm", "sh", "-c", &script]).output().expect("unshare runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    let mut docs = serde_json::Deserializer::from_str(&stdout).into_iter::<Value>();
    let stats = docs.next().and_then(Result::ok).unwrap_or_default();
    assert_eq!(stats["articles"], 3, "{stdout}");
    let hits = docs.next().and_then(Result::ok).unwrap_or_default();
    assert_eq!(hits.as_array().map(Vec::len), Some(1), "{stdout}");
    let quotes = docs.next().and_then(Result::ok).unwrap_or_default();
    assert_eq!(quotes.as_array().map(Vec::len), Some(1), "{stdout}");
}
