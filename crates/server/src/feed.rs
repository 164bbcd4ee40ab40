//! Atom feeds (RFC 4287) of follows: one entry per matched article, newest
//! first. Written by hand: the format is small, and every text goes through
//! one escaping function.

use chrono::{DateTime, FixedOffset, Utc};
use newsdesk_store::FollowMatch;

use crate::text::{safe_href, seg, xml_escape};

/// Entries per feed.
pub const FEED_ENTRIES: usize = 50;

fn rfc3339(s: Option<&str>) -> Option<DateTime<FixedOffset>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(s).ok())
}

/// The feed of follow `name` with its `matches` (newest first); `base` is
/// this server's origin (`http://host:port`) for absolute links.
pub fn atom(base: &str, name: &str, description: &str, matches: &[FollowMatch]) -> String {
    let now = Utc::now().fixed_offset();
    // A feed's `updated` is its newest entry's, so it only changes when the
    // content does (feed readers compare it).
    let updated = matches.iter().filter_map(|m| rfc3339(m.article.published.as_deref())).max().unwrap_or(now);
    let self_url = format!("{base}/follows/{}/feed.atom", seg(name));
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!("  <id>{}</id>\n", xml_escape(&format!("urn:newsdesk:follow:{}", seg(name)))));
    out.push_str(&format!("  <title>newsdesk follow: {}</title>\n", xml_escape(name)));
    out.push_str(&format!("  <subtitle>{}</subtitle>\n", xml_escape(description)));
    out.push_str(&format!("  <updated>{}</updated>\n", updated.to_rfc3339()));
    out.push_str(&format!("  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n", xml_escape(&self_url)));
    out.push_str(&format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", xml_escape(&format!("{base}/follows"))));
    out.push_str("  <author><name>newsdesk</name></author>\n  <generator>newsdesk</generator>\n");
    for m in matches {
        let a = &m.article;
        let when = rfc3339(a.published.as_deref()).unwrap_or(updated);
        let title = a.headline.as_deref().filter(|h| !h.trim().is_empty()).unwrap_or("(untitled article)");
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>urn:newsdesk:article:{}</id>\n", a.id));
        out.push_str(&format!("    <title type=\"text\">{}</title>\n", xml_escape(title)));
        out.push_str(&format!("    <updated>{}</updated>\n", when.to_rfc3339()));
        if let Some(p) = rfc3339(a.published.as_deref()) {
            out.push_str(&format!("    <published>{}</published>\n", p.to_rfc3339()));
        }
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml_escape(&format!("{base}/articles/{}", a.id))
        ));
        if let Some(u) = a.url.as_deref().and_then(safe_href) {
            out.push_str(&format!("    <link rel=\"via\" href=\"{}\"/>\n", xml_escape(&u)));
        }
        let summary = match &a.site {
            Some(s) => format!("{title} ({s})"),
            None => title.to_string(),
        };
        out.push_str(&format!("    <summary type=\"text\">{}</summary>\n", xml_escape(&summary)));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}
