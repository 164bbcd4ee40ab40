//! Helpers shared by the tests that run against the local PostgreSQL: a
//! database of their own per test, and a temporary directory.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use newsdesk_store_pg::PgStore;

pub const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database made for one test, dropped at the end.
pub struct Db {
    pub name: String,
    pub url: String,
}

pub fn admin(sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(PG_ADMIN, tokio_postgres::NoTls).await.expect("connect to PostgreSQL as postgres");
        let task = tokio::spawn(conn);
        client.batch_execute(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        drop(client);
        let _ = task.await;
    });
}

impl Db {
    pub fn new(tag: &str) -> Db {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        let name = format!("nd_{tag}_{}_{t}", std::process::id());
        admin(&format!("CREATE DATABASE {name}"));
        Db { url: format!("postgres://postgres@127.0.0.1:5432/{name}"), name }
    }
    pub fn store(&self) -> PgStore {
        PgStore::connect(&self.url).expect("connect to the test database")
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            admin(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("newsdesk-test-{}-{}", name, std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsdesk"))
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

pub fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "newsdesk {args:?} failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
