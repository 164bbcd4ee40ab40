//! Human-readable renderings of an Article.

use newsdesk_model::{Analysis, Article};

/// A Markdown rendering: headline, standfirst, byline line, summary, body.
pub fn markdown(a: &Article) -> String {
    let mut s = String::new();
    if let Some(h) = &a.headline {
        s.push_str(&format!("# {h}\n\n"));
    }
    if let Some(st) = &a.standfirst {
        s.push_str(&format!("*{st}*\n\n"));
    }
    let mut meta = Vec::new();
    if !a.authors.is_empty() {
        meta.push(format!("By {}", a.authors.join(", ")));
    }
    if let Some(c) = &a.credit {
        meta.push(format!("({c})"));
    }
    if let Some(p) = &a.published {
        meta.push(format!("published {}", p.value));
    }
    if let Some(u) = &a.updated {
        meta.push(format!("updated {}", u.value));
    }
    if let Some(site) = &a.site_name {
        meta.push(site.clone());
    }
    if !meta.is_empty() {
        s.push_str(&format!("{}\n\n", meta.join(" · ")));
    }
    for b in &a.summary {
        s.push_str(&format!("- {b}\n"));
    }
    if !a.summary.is_empty() {
        s.push('\n');
    }
    if let Some(d) = &a.dateline {
        s.push_str(&format!("**{d}** — "));
    }
    for p in a.paragraphs() {
        if a.headings.iter().any(|h| h == p) {
            s.push_str(&format!("## {p}\n\n"));
        } else {
            s.push_str(&format!("{p}\n\n"));
        }
    }
    for img in &a.images {
        if let Some(u) = &img.url {
            let cap = img.caption.as_deref().unwrap_or("");
            s.push_str(&format!("![{cap}]({u})"));
            if let Some(c) = &img.credit {
                s.push_str(&format!(" — {c}"));
            }
            s.push('\n');
        }
    }
    s
}

/// A Markdown list of who said what, after the article.
pub fn quotes_markdown(an: &Analysis) -> String {
    if an.quotes.is_empty() {
        return String::new();
    }
    let mut s = String::from("## Quotes\n\n");
    for q in &an.quotes {
        let who = q.speaker.resolved.as_deref().or(q.speaker.written.as_deref()).unwrap_or("(unattributed)");
        s.push_str(&format!("- **{who}**: {}\n", q.text.replace('\n', " ")));
    }
    s.push('\n');
    s
}
