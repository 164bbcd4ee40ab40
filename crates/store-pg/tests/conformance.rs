//! The store conformance suite against PostgreSQL (a fresh schema per
//! store), plus the checks the suite cannot make on its own.

use newsdesk_store::{conformance, Store};
use newsdesk_store_pg::{drop_schema, fresh_schema, test_database_url, PgStore};

#[test]
fn conformance_postgres() {
    let Some(url) = test_database_url("conformance_postgres") else { return };
    let schemas = std::cell::RefCell::new(Vec::new());
    conformance::conformance(|| {
        let schema = fresh_schema("conf");
        schemas.borrow_mut().push(schema.clone());
        PgStore::connect_in_schema(&url, &schema).expect("connect")
    });
    for s in schemas.into_inner() {
        drop_schema(&url, &s);
    }
}

#[test]
fn reopen_keeps_everything_and_migrations_run_once() {
    let Some(url) = test_database_url("reopen_keeps_everything") else { return };
    let schema = fresh_schema("reopen");
    let first = {
        let mut s = PgStore::connect_in_schema(&url, &schema).expect("connect");
        s.apply(&conformance::batch_one()).expect("apply");
        s.sync_index().expect("sync");
        s.dump().expect("dump")
    };
    let s = PgStore::connect_in_schema(&url, &schema).expect("reconnect");
    assert_eq!(first, s.dump().expect("dump"));
    assert_eq!(s.stats().expect("stats").articles, 3);
    drop_schema(&url, &schema);
}

#[test]
fn unreachable_server_is_a_clear_error() {
    let e = PgStore::connect("postgres://nobody@127.0.0.1:1/none?connect_timeout=2").err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("database server"), "{e}");
}
