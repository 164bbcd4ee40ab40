//! Cluster ingest end to end, against the local PostgreSQL and NATS
//! JetStream: a cluster run stores exactly what a single-process run
//! stores; a worker killed with SIGKILL mid-job is replaced and the result
//! is still exactly that, with nothing doubled; a poison item ends in the
//! dead letters with its reason while the rest of the job completes.
//!
//! Each test makes its own database and its own stream, so tests do not
//! see each other. Without the services they skip with a message; with
//! `NEWSDESK_REQUIRE_SERVICES=1` (set by `.ci/run`) they fail instead.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use newsdesk_queue::{item, Queue, QueueConfig};
use newsdesk_sources::{DocKind, RawDoc};
use newsdesk_store::{EmbeddedStore, Store};

mod common;
use common::{admin, bin, ok, run, Db, TempDir};


const NATS: &str = "nats://127.0.0.1:4222";

fn reachable(addr: &str) -> bool {
    addr.parse().ok().is_some_and(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok())
}

/// True when PostgreSQL and NATS answer; otherwise skips (or fails when
/// the services are required).
fn services(test: &str) -> bool {
    let pg = reachable("127.0.0.1:5432");
    let nats = reachable("127.0.0.1:4222");
    if pg && nats {
        return true;
    }
    let missing = [(!pg).then_some("PostgreSQL 127.0.0.1:5432"), (!nats).then_some("NATS 127.0.0.1:4222")];
    let missing: Vec<&str> = missing.into_iter().flatten().collect();
    if std::env::var("NEWSDESK_REQUIRE_SERVICES").is_ok_and(|v| v == "1") {
        panic!("{test}: NEWSDESK_REQUIRE_SERVICES=1 but {} cannot be reached", missing.join(" and "));
    }
    eprintln!("SKIPPED {test}: {} not reachable (start them, or see .ci/run)", missing.join(" and "));
    false
}

fn stream_name(tag: &str) -> String {
    format!("T{}_{}_{}", tag.to_ascii_uppercase(), std::process::id(), Instant::now().elapsed().subsec_nanos())
}

/// Deletes a test's streams at the end.
struct Streams(String);

impl Drop for Streams {
    fn drop(&mut self) {
        if let Ok(q) = Queue::connect(&QueueConfig::new(NATS, &self.0)) {
            let _ = q.delete_streams();
        }
    }
}

fn worker(db: &Db, stream: &str, extra: &[&str]) -> Child {
    bin()
        .args(["worker", "--cluster", NATS, "--store", &db.url, "--stream", stream, "--threads", "1"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("worker starts")
}

/// Waits until the job has committed every item.
fn wait_done(db: &Db, job: &str, limit: Duration) -> newsdesk_store_pg::JobStatus {
    let mut store = db.store();
    let start = Instant::now();
    loop {
        let jobs = match store.jobs() {
            Ok(jobs) => jobs,
            Err(_) if store.is_closed() => {
                store = db.store();
                continue;
            }
            Err(e) => panic!("reading jobs: {e}"),
        };
        let j = jobs.into_iter().find(|j| j.id == job).expect("the job is registered");
        if j.items.is_some_and(|n| j.done >= n) {
            return j;
        }
        assert!(start.elapsed() < limit, "job {job} not done after {limit:?}: {j:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn corpus(dir: &TempDir, articles: usize) -> String {
    let out = dir.path("corpus");
    ok(&["bench", "corpus", "--articles", &articles.to_string(), "--out", &out]);
    out
}

fn finish(mut children: Vec<Child>) {
    for c in &mut children {
        let status = c.wait().expect("worker ends");
        assert!(status.success(), "a worker failed: {status}");
    }
}

#[test]
fn cluster_ingest_equals_single_process_ingest() {
    if !services("cluster_ingest_equals_single_process_ingest") {
        return;
    }
    let tmp = TempDir::new("e2e");
    let input = corpus(&tmp, 400);
    let (single, cluster) = (Db::new("single"), Db::new("cluster"));
    let stream = stream_name("e2e");
    let _cleanup = Streams(stream.clone());

    ok(&["ingest", "--quiet", "--store", &single.url, &input]);
    let published = ok(&["ingest", "--cluster", NATS, "--store", &cluster.url, "--stream", &stream, "--job", "e2e", "--item-records", "16", &input]);
    assert!(published.contains("job e2e:"), "{published}");
    let workers = vec![worker(&cluster, &stream, &["--idle-exit", "3"]), worker(&cluster, &stream, &["--idle-exit", "3"])];
    let job = wait_done(&cluster, "e2e", Duration::from_secs(300));
    finish(workers);
    assert_eq!(job.dead, 0);
    assert!(job.articles > 300, "{job:?}");

    let (a, b) = (single.store(), cluster.store());
    assert_eq!(b.stats().expect("stats"), a.stats().expect("stats"));
    assert!(a.dump().expect("dump") == b.dump().expect("dump"), "the cluster run's store differs from the single-process run's");

    // And the same decisions as the embedded store's ingest of the input.
    let data = tmp.path("embedded");
    ok(&["ingest", "--quiet", "--data-dir", &data, &input]);
    let embedded = EmbeddedStore::open(Path::new(&data)).expect("open embedded store");
    assert_eq!(b.assignments().expect("assignments"), embedded.assignments().expect("assignments"));
    let (se, sb) = (embedded.stats().expect("stats"), b.stats().expect("stats"));
    assert_eq!((sb.articles, sb.revisions, sb.syndication_groups, sb.stories, sb.quotes), (se.articles, se.revisions, se.syndication_groups, se.stories, se.quotes));

    // Progress is visible.
    let status = ok(&["ingest", "--cluster", NATS, "--store", &cluster.url, "--stream", &stream, "--status"]);
    assert!(status.contains(&format!("job e2e: {} items published, {} done, 0 pending, 0 dead-lettered", job.done, job.done)), "{status}");
    assert!(status.contains("0 items queued"), "{status}");
}

#[test]
fn a_killed_worker_is_replaced_and_nothing_is_lost_or_doubled() {
    if !services("a_killed_worker_is_replaced_and_nothing_is_lost_or_doubled") {
        return;
    }
    let tmp = TempDir::new("kill");
    let input = corpus(&tmp, 1500);
    let (single, cluster) = (Db::new("ksingle"), Db::new("kcluster"));
    let stream = stream_name("kill");
    let _cleanup = Streams(stream.clone());
    ok(&["ingest", "--quiet", "--store", &single.url, &input]);
    // A short acknowledgement wait, so the dead worker's items come back soon.
    ok(&["ingest", "--cluster", NATS, "--store", &cluster.url, "--stream", &stream, "--job", "k", "--item-records", "8", "--ack-wait", "2", &input]);

    let store = cluster.store();
    let items = store.jobs().expect("jobs")[0].items.expect("published");
    let mut first = worker(&cluster, &stream, &[]);
    let start = Instant::now();
    loop {
        let done = store.jobs().expect("jobs")[0].done;
        if done >= items / 3 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(300), "the first worker made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill().expect("SIGKILL the worker");
    let _ = first.wait();
    let at_kill = store.jobs().expect("jobs")[0].done;
    assert!(at_kill < items, "the job finished before the kill; make the corpus larger");

    let second = worker(&cluster, &stream, &["--idle-exit", "5"]);
    let job = wait_done(&cluster, "k", Duration::from_secs(600));
    finish(vec![second]);
    assert_eq!(job.dead, 0);
    let a = single.store();
    assert_eq!(store.stats().expect("stats"), a.stats().expect("stats"));
    assert!(a.dump().expect("dump") == store.dump().expect("dump"), "after the kill the store differs from an uninterrupted run's");
}

#[test]
fn lost_database_connections_are_retried_and_change_nothing() {
    if !services("lost_database_connections_are_retried_and_change_nothing") {
        return;
    }
    let tmp = TempDir::new("dbloss");
    let input = corpus(&tmp, 600);
    let (single, cluster) = (Db::new("lsingle"), Db::new("lcluster"));
    let stream = stream_name("dbloss");
    let _cleanup = Streams(stream.clone());
    ok(&["ingest", "--quiet", "--store", &single.url, &input]);
    ok(&["ingest", "--cluster", NATS, "--store", &cluster.url, "--stream", &stream, "--job", "l", "--item-records", "8", &input]);
    let w = worker(&cluster, &stream, &["--idle-exit", "5"]);
    // Cut every connection to the cluster's database (the worker's among
    // them) a few times while the job runs.
    let mut cuts = 0;
    let start = Instant::now();
    while cuts < 4 && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(700));
        admin(&format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()", cluster.name));
        cuts += 1;
    }
    let job = wait_done(&cluster, "l", Duration::from_secs(300));
    finish(vec![w]);
    assert_eq!(job.dead, 0, "a lost connection is not the item's fault");
    let store = cluster.store();
    for item in 0..job.done {
        assert_eq!(store.job_failures("l", item).expect("failures"), Vec::<String>::new(), "item {item} was charged an attempt");
    }
    assert!(single.store().dump().expect("dump") == cluster.store().dump().expect("dump"), "the store differs after lost connections");
}

fn page(n: usize) -> RawDoc {
    let body = format!(
        "<html><head><title>Harbour report {n}</title></head><body><article><h1>Harbour report {n}</h1>\
         <p>The harbour master of Velmora said on Tuesday that the new pier number {n} would open in spring after two years of work.</p>\
         <p>\"We expect the first ferries in April,\" said Ana Ferreira, who runs the harbour authority. Local traders welcomed the plan.</p>\
         <p>Fishermen had asked for a longer breakwater for years, and the council approved the money in a vote last autumn.</p>\
         </article></body></html>"
    );
    RawDoc {
        location: format!("poison-test/page{n}.html"),
        url: Some(format!("https://velmora.example/news/{n}")),
        fetched_at: None,
        charset: None,
        kind: DocKind::Html,
        bytes: body.into_bytes(),
    }
}

#[test]
fn a_poison_item_goes_to_the_dead_letters_and_the_rest_completes() {
    if !services("a_poison_item_goes_to_the_dead_letters_and_the_rest_completes") {
        return;
    }
    let db = Db::new("poison");
    let stream = stream_name("poison");
    let _cleanup = Streams(stream.clone());
    let store = db.store();
    store.job_create("p").expect("job");
    let mut config = QueueConfig::new(NATS, &stream);
    config.max_attempts = 2;
    config.ack_wait = Duration::from_secs(2);
    let mut queue = Queue::connect(&config).expect("queue");
    queue.publish("p", 0, item::encode(&[Ok(page(1)), Ok(page(2))])).expect("publish");
    // Bytes that are not a work item: every attempt fails the same way.
    queue.publish("p", 1, b"NDQ1\xff\xff\xff\xffgarbage".to_vec()).expect("publish");
    queue.publish("p", 2, item::encode(&[Ok(page(3))])).expect("publish");
    queue.flush().expect("flush");
    store.job_set_items("p", 3).expect("items");

    let w = worker(&db, &stream, &["--idle-exit", "3"]);
    let job = wait_done(&db, "p", Duration::from_secs(120));
    finish(vec![w]);
    assert_eq!((job.done, job.dead, job.articles), (3, 1, 3), "{job:?}");
    let dead = store.job_dead("p").expect("dead");
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].0, 1);
    assert!(dead[0].2.contains("malformed work item"), "{dead:?}");
    let letters = queue.dead_letters().expect("letters");
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!((letters[0].job.as_deref(), letters[0].item), (Some("p"), Some(1)));
    assert!(letters[0].reason.contains("gave up after 2 deliveries"), "{letters:?}");
    assert_eq!(store.stats().expect("stats").articles, 3);
    let status = ok(&["ingest", "--cluster", NATS, "--store", &db.url, "--stream", &stream, "--status"]);
    assert!(status.contains("1 dead-lettered") && status.contains("dead letter: job p item 1"), "{status}");
}

#[test]
fn bad_connection_strings_are_clear_errors() {
    let out = run(&["ingest", "--cluster", NATS, "--store", "mysql://x/y", "a.html"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("expected a PostgreSQL URL"), "{err}");
    let out = run(&["worker", "--cluster", "http://127.0.0.1:4222", "--store", "postgres://postgres@127.0.0.1:1/x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid NATS URL"), "{err}");
}
