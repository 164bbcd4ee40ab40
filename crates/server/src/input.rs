//! The shapes of API input that a type alone does not state: URLs, times,
//! names, kinds. Each is one regular expression that the OpenAPI document
//! carries (through the `*_schema` functions, used as `schema_with`) and
//! that the server enforces before anything else, so the document admits
//! exactly what the server accepts. The expressions use only what
//! ECMA-262, Python's `re` and the `regex` crate read alike: explicit
//! ASCII classes and `\uXXXX` escapes, no `\s`, `\d` or `\w` (whose
//! meaning differs between them).
//!
//! Every pattern is also narrower than the parser behind it (the WHATWG
//! URL parser, chrono's RFC 3339), so a value that matches is never
//! refused later.

use std::sync::LazyLock;

use regex::Regex;
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, SchemaFormat, SchemaType, Type};

use crate::error::ApiError;

/// A calendar date `YYYY-MM-DD` that exists: days past 28 only in months
/// that have them, 29 February only in leap years (chrono refuses the
/// others).
macro_rules! date {
    () => {
        concat!(
            "(?:[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])",
            "|[0-9]{4}-(?:0[13-9]|1[0-2])-(?:29|30)",
            "|[0-9]{4}-(?:0[13578]|1[02])-31",
            "|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)"
        )
    };
}

/// The time of an RFC 3339 timestamp after its date: `T`, seconds 00 to 59
/// (no leap second), at most nine fractional digits, `Z` or an offset
/// under 24 hours.
macro_rules! time {
    () => {
        "T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
    };
}

/// An RFC 3339 timestamp, as `fetched_at` takes it.
pub const DATE_TIME: &str = concat!("^", date!(), time!(), "$");

/// A date bound of a search: empty (no bound), `YYYY-MM-DD` (midnight UTC)
/// or an RFC 3339 timestamp.
pub const DATE_BOUND: &str = concat!("^(?:", date!(), "(?:", time!(), ")?)?$");

/// An absolute `http`/`https` URL with a DNS name (the last label starting
/// with a letter, labels joined by single hyphens, so the URL parser never
/// takes it for an IPv4 number or punycode) or a dotted IPv4 address, an
/// optional port up to 65535, then path, query and fragment in URL
/// characters (RFC 3986's unreserved, sub-delims, `:@/?#` and `%`). No
/// user info, no IPv6 literals, no spaces: the URL parser would take some
/// of those and refuse others.
pub const HTTP_URL: &str = concat!(
    "^https?://",
    "(?:(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\\.)*[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*",
    "|(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))",
    "(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?",
    "(?:[/?#][A-Za-z0-9._~!$&'()*+,;=:@/?#%-]*)?$"
);

/// Text with at least one character that is not a space. "Space" is the
/// union of what Rust's `trim`, ECMA-262's `\s` and Python's `isspace`
/// count, so whichever a client uses, a value it finds blank is refused
/// and one the store would trim to nothing never gets through.
pub const NOT_BLANK: &str =
    "[^\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]";

/// What a follow follows ([`crate::api::follow_spec`] matches the same
/// words).
pub const FOLLOW_KIND: &str = "^(?:query|speaker|entity)$";

/// An entity kind filter; empty means any, `organisation` is accepted as
/// well as `organization` ([`crate::api::entity_kind`] matches the same
/// words).
pub const ENTITY_KIND: &str = "^(?:person|organization|organisation|place)?$";

/// Compiled once; the patterns are constants, checked by the tests.
fn compiled(pattern: &'static str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("pattern {pattern:?}: {e}"))
}

static DATE_TIME_RE: LazyLock<Regex> = LazyLock::new(|| compiled(DATE_TIME));
static DATE_BOUND_RE: LazyLock<Regex> = LazyLock::new(|| compiled(DATE_BOUND));
static HTTP_URL_RE: LazyLock<Regex> = LazyLock::new(|| compiled(HTTP_URL));
static NOT_BLANK_RE: LazyLock<Regex> = LazyLock::new(|| compiled(NOT_BLANK));

/// Refuses `value` of field `name` unless it matches `re`; `what` says
/// what was expected.
fn check(re: &Regex, name: &str, value: &str, what: &str) -> Result<(), ApiError> {
    if re.is_match(value) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!("{name} must be {what}, not {value:?}")))
    }
}

/// An RFC 3339 timestamp ([`DATE_TIME`]).
pub fn check_date_time(name: &str, v: &str) -> Result<(), ApiError> {
    check(&DATE_TIME_RE, name, v, "an RFC 3339 time like 2026-03-04T09:30:00Z")
}

/// A search date bound ([`DATE_BOUND`]).
pub fn check_date_bound(name: &str, v: &str) -> Result<(), ApiError> {
    check(&DATE_BOUND_RE, name, v, "empty, YYYY-MM-DD or an RFC 3339 time")
}

/// An `http`/`https` URL ([`HTTP_URL`]).
pub fn check_http_url(name: &str, v: &str) -> Result<(), ApiError> {
    check(&HTTP_URL_RE, name, v, "an http or https URL with a DNS name or IPv4 address")
}

/// Text that is not blank ([`NOT_BLANK`]).
pub fn check_not_blank(name: &str, v: &str) -> Result<(), ApiError> {
    check(&NOT_BLANK_RE, name, v, "more than spaces")
}

/// A string schema with `pattern` and `description`, `null` allowed when
/// `nullable`.
fn string(pattern: &str, description: &str, nullable: bool) -> ObjectBuilder {
    let ty = if nullable { SchemaType::from_iter([Type::String, Type::Null]) } else { SchemaType::Type(Type::String) };
    ObjectBuilder::new().schema_type(ty).pattern(Some(pattern)).description(Some(description))
}

/// `fetched_at` of an ingest.
pub fn fetched_at_schema() -> Object {
    string(DATE_TIME, "When the page was fetched (RFC 3339, seconds 00 to 59); default now.", false)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .build()
}

/// `url` beside an ingested page or dump.
pub fn page_url_schema() -> Object {
    string(HTTP_URL, "The page's address (http or https; a DNS name or IPv4 address).", false).build()
}

/// `url` of an ingest that fetches it.
pub fn fetch_url_schema() -> Object {
    string(HTTP_URL, "The URL to fetch (http or https; a DNS name or IPv4 address; public addresses only).", false).build()
}

/// `webhook` of a new follow.
pub fn webhook_schema() -> Object {
    string(
        HTTP_URL,
        "Optional http or https URL (a DNS name or IPv4 address) to POST new matches to; null or absent: none. \
         Public addresses only: a host that is or resolves to a loopback, private or link-local address is a 400 \
         unless the server runs with --allow-private.",
        true,
    )
    .build()
}

/// `name` of a new follow.
pub fn follow_name_schema() -> Object {
    string(NOT_BLANK, "Unique name; also the follow's id in paths. Spaces around it are dropped.", false).build()
}

/// `value` of a new follow.
pub fn follow_value_schema() -> Object {
    string(NOT_BLANK, "The query text, speaker name or entity name.", false).build()
}

/// `kind` of a new follow.
pub fn follow_kind_schema() -> Object {
    string(FOLLOW_KIND, "`query`, `speaker` or `entity`.", false).build()
}

/// `since` of a search or article list.
pub fn since_schema() -> Object {
    string(DATE_BOUND, "Published at or after: `YYYY-MM-DD` (midnight UTC) or RFC 3339; empty: no bound.", false).build()
}

/// `until` of a search or article list.
pub fn until_schema() -> Object {
    string(DATE_BOUND, "Published before: `YYYY-MM-DD` (midnight UTC) or RFC 3339; empty: no bound.", false).build()
}

/// `kind` of the entity list.
pub fn entity_kind_schema() -> Object {
    string(ENTITY_KIND, "`person`, `organization` (or `organisation`) or `place`; empty: any.", false).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        for p in [DATE_TIME, DATE_BOUND, HTTP_URL, NOT_BLANK, FOLLOW_KIND, ENTITY_KIND] {
            compiled(p);
        }
    }

    #[test]
    fn urls_that_match_parse() {
        for ok in [
            "http://127.0.0.1:8080/hook",
            "https://example.com",
            "https://news.example.co.uk/a/b?c=d&e=f#g",
            "http://localhost:65535/",
            "http://a-b.c1/%zz",
            "http://X.COM:0",
        ] {
            assert!(check_http_url("url", ok).is_ok(), "{ok}");
            assert!(crate::text::safe_href(ok).is_some(), "{ok} matches but does not parse");
        }
        for bad in [
            "",
            " https://example.com",
            "https://example.com ",
            "https://example.com\n",
            "ftp://example.com",
            "javascript:alert(1)",
            "http://",
            "http://[::1]/",
            "http://1.2.3.4.5/",
            "http://999.1.1.1/",
            "http://a.0x1/",
            "http://xn--a.com/",
            "http://a:65536/",
            "http://user@a.com/",
            "http://a.com/a b",
            "http://-a.com/",
        ] {
            assert!(check_http_url("url", bad).is_err(), "{bad:?} should not match");
        }
    }

    #[test]
    fn times_that_match_parse() {
        for ok in [
            "2026-03-04T09:30:00Z",
            "2024-02-29T00:00:00.123456789+23:59",
            "2000-02-29T23:59:59-00:00",
            "0000-02-29T00:00:00Z",
            "1999-12-31T23:59:59Z",
        ] {
            assert!(check_date_time("t", ok).is_ok(), "{ok}");
            assert!(chrono::DateTime::parse_from_rfc3339(ok).is_ok(), "{ok} matches but does not parse");
            assert!(check_date_bound("t", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-03-04T24:00:00Z",
            "2026-03-04T23:59:60Z",
            "2026-03-04 09:30:00Z",
            "2026-03-04T09:30:00",
            "2026-03-04T09:30:00.Z",
            "2026-03-04T09:30:00Z\n",
        ] {
            assert!(check_date_time("t", bad).is_err(), "{bad:?} should not match");
        }
        for ok in ["", "2026-03-04", "2024-02-29"] {
            assert!(check_date_bound("since", ok).is_ok(), "{ok}");
        }
        for bad in [" ", "2026-3-4", "yesterday", "2023-02-29"] {
            assert!(check_date_bound("since", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn blank_is_what_any_reader_calls_blank() {
        for blank in ["", " ", "\t\n", "\u{a0}\u{3000}", "\u{1c}", "\u{feff}", "\u{85}"] {
            assert!(check_not_blank("name", blank).is_err(), "{blank:?}");
        }
        // What passes is never trimmed to nothing by the store.
        for ok in ["x", " Mara Quist ", "\u{0}", "\u{200b}"] {
            assert!(check_not_blank("name", ok).is_ok(), "{ok:?}");
            assert!(!ok.trim().is_empty(), "{ok:?}");
        }
    }
}
