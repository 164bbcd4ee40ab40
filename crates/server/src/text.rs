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
/// Largest `page`: the deepest page that can still hold a reachable result
/// (at one result per page). The cap on results depends on `page` and
/// `per_page` together, which OpenAPI cannot state, so it is not an error:
/// a page past it is served empty and says `truncated` (see [`Window`]).
/// Page numbers beyond this one are refused, as documented.
pub const MAX_PAGE: u64 = MAX_OFFSET as u64;

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
/// seconds. An empty value means no bound. Anything else the document's
/// pattern ([`crate::input::DATE_BOUND`]) refuses is refused here too.
pub fn parse_date(name: &str, v: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(v) = v else { return Ok(None) };
    crate::input::check_date_bound(name, v)?;
    if v.is_empty() {
        return Ok(None);
    }
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

/// A checked page request: which results it shows. Only the first
/// [`MAX_OFFSET`] results are served; the part of a page past them is left
/// out (so pages wholly past them are empty) and the page says
/// `truncated` when results go on beyond. Each of `page` and `per_page`
/// then has a plain range the OpenAPI document states exactly, and every
/// request within those ranges is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Results before this page.
    pub offset: usize,
    pub per: usize,
    pub page: u64,
}

/// What a [`Window`] shows of the rows fetched for it.
pub struct Shown<T> {
    pub rows: Vec<T>,
    /// Whether the next page has rows.
    pub has_more: bool,
    /// Whether rows go on past [`MAX_OFFSET`], where no page reaches.
    pub truncated: bool,
}

impl Window {
    /// End of the served part of this page.
    fn end(&self) -> usize {
        (self.offset + self.per).min(MAX_OFFSET)
    }

    /// Rows to ask the store for: through the served end of this page,
    /// plus one that tells whether more follow.
    pub fn fetch(&self) -> usize {
        self.end() + 1
    }

    /// This page's rows of `rows` (fetched with [`Window::fetch`]).
    pub fn show<T>(&self, rows: Vec<T>) -> Shown<T> {
        let end = self.end();
        let beyond = rows.len() > end;
        let at_cap = end == MAX_OFFSET;
        let rows = rows.into_iter().take(end).skip(self.offset).collect();
        Shown { rows, has_more: beyond && !at_cap, truncated: beyond && at_cap }
    }
}

/// The [`Window`] of a page request, checked against the documented
/// ranges: `per_page` 1 to [`MAX_PER_PAGE`], `page` 1 to [`MAX_PAGE`].
pub fn window(page: Option<u64>, per_page: Option<u64>, default_per_page: usize) -> Result<Window, ApiError> {
    let per = per_page.unwrap_or(default_per_page as u64);
    if per == 0 || per > MAX_PER_PAGE as u64 {
        return Err(ApiError::bad_request(format!("per_page must be between 1 and {MAX_PER_PAGE}")));
    }
    let page = page.unwrap_or(1);
    if page == 0 || page > MAX_PAGE {
        return Err(ApiError::bad_request(format!(
            "page must be between 1 and {MAX_PAGE} (results are served up to the {MAX_OFFSET}th; narrow the query to see others)"
        )));
    }
    // Both bounded above, so this cannot overflow.
    let offset = (page - 1) as usize * per as usize;
    Ok(Window { offset, per: per as usize, page })
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

/// An id path parameter: the 16-digit hex id or a unique prefix of it, at
/// least 4 digits long (as the document's pattern says; shorter prefixes
/// would mostly be ambiguous).
pub fn check_id(id: &str) -> Result<(), ApiError> {
    if !(4..=16).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request(format!("not an article id: {id:?} (expected 4 to 16 hex digits)")));
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
        assert_eq!(window(None, None, 20).ok(), Some(Window { offset: 0, per: 20, page: 1 }));
        assert_eq!(window(Some(3), Some(10), 20).ok(), Some(Window { offset: 20, per: 10, page: 3 }));
        assert!(window(Some(0), None, 20).is_err());
        assert!(window(Some(MAX_PAGE + 1), Some(1), 20).is_err());
        assert!(window(Some(u64::MAX), Some(100), 20).is_err());
        assert!(window(None, Some(1000), 20).is_err());
        assert!(window(Some(MAX_PAGE), Some(MAX_PER_PAGE as u64), 20).is_ok(), "every documented page is served");
    }

    #[test]
    fn pages_stop_at_the_cap() {
        let rows: Vec<usize> = (0..MAX_OFFSET + 50).collect();
        // An ordinary page: one row more than it shows says there is more.
        let w = window(Some(2), Some(10), 20).expect("window");
        assert_eq!(w.fetch(), 21);
        let s = w.show(rows[..w.fetch()].to_vec());
        assert_eq!(s.rows, (10..20).collect::<Vec<_>>());
        assert!(s.has_more && !s.truncated);
        // The page across the cap is cut at it and says results go on.
        let w = window(Some(34), Some(30), 20).expect("window");
        let s = w.show(rows[..w.fetch()].to_vec());
        assert_eq!(s.rows, (990..MAX_OFFSET).collect::<Vec<_>>());
        assert!(!s.has_more && s.truncated);
        // A page past the cap is empty, not an error.
        let w = window(Some(MAX_PAGE), Some(100), 20).expect("window");
        assert_eq!(w.fetch(), MAX_OFFSET + 1);
        let s = w.show(rows[..w.fetch()].to_vec());
        assert!(s.rows.is_empty() && !s.has_more && s.truncated);
        // Fewer results than the cap: nothing is truncated.
        let s = w.show(rows[..10].to_vec());
        assert!(s.rows.is_empty() && !s.has_more && !s.truncated);
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
