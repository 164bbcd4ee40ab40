//! Small pure helpers shared by the API, the UI and the feeds: URL safety,
//! date parameters, path encoding, pagination bounds.

use chrono::{DateTime, NaiveDate};

use crate::error::ApiError;

/// Largest `per_page`.
pub const MAX_PER_PAGE: usize = 100;
/// Deepest result reachable by paging. Search over-fetches to fold
/// syndicated copies, so deep pages cost time linear in their depth; past
/// this a client should narrow the query instead.
pub const MAX_OFFSET: usize = 1000;

/// The href for a URL from the corpus, if it is safe to link: only
/// absolute `http`/`https` URLs (no `javascript:`, `data:`, `vbscript:`,
/// relative tricks). The URL is re-serialized by the parser, which
/// percent-encodes anything odd.
pub fn safe_href(raw: &str) -> Option<String> {
    let u = url::Url::parse(raw.trim()).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| u.to_string())
}

/// Percent-encodes one path segment (a follow or entity name in a link).
pub fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Encodes a query-string value.
pub fn qv(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A date parameter: `YYYY-MM-DD` (midnight UTC) or RFC 3339, as Unix
/// seconds. An empty value means no bound.
pub fn parse_date(name: &str, v: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if let Ok(d) = DateTime::parse_from_rfc3339(v) {
        return Ok(Some(d.timestamp()));
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        if let Some(t) = d.and_hms_opt(0, 0, 0) {
            return Ok(Some(t.and_utc().timestamp()));
        }
    }
    Err(ApiError::bad_request(format!("{name}: expected YYYY-MM-DD or an RFC 3339 time, got {v:?}")))
}

/// `(offset, per_page)` of a page request, checked.
pub fn window(page: Option<u64>, per_page: Option<u64>, default_per_page: usize) -> Result<(usize, usize), ApiError> {
    let per = per_page.unwrap_or(default_per_page as u64);
    if per == 0 || per > MAX_PER_PAGE as u64 {
        return Err(ApiError::bad_request(format!("per_page must be between 1 and {MAX_PER_PAGE}")));
    }
    let page = page.unwrap_or(1);
    if page == 0 {
        return Err(ApiError::bad_request("page numbers start at 1"));
    }
    let offset = (page - 1).saturating_mul(per);
    if offset.saturating_add(per) > MAX_OFFSET as u64 {
        return Err(ApiError::bad_request(format!(
            "page {page} is too deep: results are reachable up to {MAX_OFFSET}; narrow the query"
        )));
    }
    Ok((offset as usize, per as usize))
}

/// Escapes text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// An id path parameter: the 16-digit hex id or a unique prefix of it.
pub fn check_id(id: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.len() > 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request(format!("not an article id: {id:?} (expected up to 16 hex digits)")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_links() {
        assert_eq!(safe_href("https://example.com/a b").as_deref(), Some("https://example.com/a%20b"));
        assert!(safe_href("javascript:alert(1)").is_none());
        assert!(safe_href(" JaVaScRiPt:alert(1)").is_none());
        assert!(safe_href("data:text/html,<script>").is_none());
        assert!(safe_href("/relative").is_none());
        assert!(safe_href("vbscript:x").is_none());
    }

    #[test]
    fn windows() {
        assert_eq!(window(None, None, 20).ok(), Some((0, 20)));
        assert_eq!(window(Some(3), Some(10), 20).ok(), Some((20, 10)));
        assert!(window(Some(0), None, 20).is_err());
        assert!(window(Some(u64::MAX), Some(100), 20).is_err());
        assert!(window(None, Some(1000), 20).is_err());
    }

    #[test]
    fn dates_and_escapes() {
        assert_eq!(parse_date("since", Some("2024-01-02")).ok().flatten(), Some(1_704_153_600));
        assert!(parse_date("since", Some("yesterday")).is_err());
        assert_eq!(parse_date("since", Some("")).ok().flatten(), None);
        assert_eq!(xml_escape("<a href=\"x\">&'\u{1}"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
        assert_eq!(seg("Mara Quist/é"), "Mara%20Quist%2F%C3%A9");
    }
}
