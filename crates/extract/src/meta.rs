//! Everything a page says about itself in markup rather than in its visible
//! text: `<title>`, `<meta>` tags, `<link rel>`, `<html lang>`, schema.org
//! JSON-LD and microdata.

use newsdesk_html::{Document, NodeId, Tag};
use serde_json::Value;

/// Metadata gathered in one pass over the document.
#[derive(Debug, Default)]
pub struct PageMeta {
    pub title: Option<String>,
    /// `(key, content)` where key is the lower-cased `property`, `name`,
    /// `itemprop` or `http-equiv` of a `<meta>`, in document order.
    pub metas: Vec<(String, String)>,
    pub canonical: Option<String>,
    pub lang: Option<String>,
    /// The schema.org object describing the article, when one is found.
    pub article_ld: Option<Value>,
    /// Every JSON-LD object on the page, `@graph` flattened.
    pub ld_objects: Vec<Value>,
    /// JSON-LD blocks that did not parse.
    pub ld_errors: usize,
    /// Microdata `itemprop` values: `(prop, value)`.
    pub itemprops: Vec<(String, String, NodeId)>,
}

impl PageMeta {
    /// The first non-empty content of a `<meta>` with one of `keys`, tried
    /// in the order given.
    pub fn meta(&self, keys: &[&str]) -> Option<(&str, &str)> {
        keys.iter().find_map(|k| {
            self.metas.iter().find(|(mk, v)| mk == k && !v.trim().is_empty()).map(|(mk, v)| (mk.as_str(), v.trim()))
        })
    }

    /// All non-empty contents of `<meta>` tags with `key`.
    pub fn meta_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.metas.iter().filter(move |(k, v)| k == key && !v.trim().is_empty()).map(|(_, v)| v.trim())
    }

    /// A string property of the article's JSON-LD object.
    pub fn ld_str(&self, key: &str) -> Option<String> {
        let v = self.article_ld.as_ref()?.get(key)?;
        value_text(v).filter(|s| !s.is_empty())
    }

    /// The first microdata value of `prop`.
    pub fn itemprop(&self, prop: &str) -> Option<&str> {
        self.itemprops.iter().find(|(p, v, _)| p == prop && !v.is_empty()).map(|(_, v, _)| v.as_str())
    }
}

/// The text of a JSON value that is a string, a number, or an object with a
/// `name` / `@value` / `text`, or the first such item of an array.
pub fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(a) => a.iter().find_map(value_text),
        Value::Object(o) => ["name", "@value", "text", "@id"].iter().find_map(|k| o.get(*k).and_then(value_text)),
        _ => None,
    }
}

/// Types of schema.org objects that describe an article page.
const ARTICLE_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "blogposting",
    "socialmediaposting",
    "liveblogposting",
    "scholarlyarticle",
    "techarticle",
    "report",
    "webpage",
    "medicalwebpage",
    "creativework",
    "videoobject",
];

fn type_rank(v: &Value) -> Option<usize> {
    let ty = v.get("@type")?;
    let names: Vec<String> = match ty {
        Value::String(s) => vec![s.to_ascii_lowercase()],
        Value::Array(a) => a.iter().filter_map(|x| x.as_str()).map(str::to_ascii_lowercase).collect(),
        _ => return None,
    };
    names
        .iter()
        .filter_map(|n| {
            let n = n.rsplit('/').next().unwrap_or(n);
            ARTICLE_TYPES.iter().position(|t| *t == n)
        })
        .min()
}

/// Collects the metadata of `doc`.
pub fn collect(doc: &Document) -> PageMeta {
    let mut m = PageMeta::default();
    for id in doc.ids() {
        let Some(tag) = doc.tag(id) else { continue };
        match tag {
            Tag::Title if m.title.is_none() => {
                let t = crate::text::squash(doc.raw_content(id));
                if !t.is_empty() {
                    m.title = Some(t);
                }
            }
            Tag::Meta => {
                let content = doc.attr(id, "content").or_else(|| doc.attr(id, "value"));
                let Some(content) = content else { continue };
                for key in ["property", "name", "itemprop", "http-equiv"] {
                    if let Some(k) = doc.attr(id, key) {
                        // `property` may hold several space-separated names.
                        for k in k.split_ascii_whitespace() {
                            m.metas.push((k.to_ascii_lowercase(), content.to_string()));
                        }
                    }
                }
                if let Some(p) = doc.attr(id, "itemprop") {
                    m.itemprops.push((p.to_string(), content.to_string(), id));
                }
            }
            Tag::Link
                if m.canonical.is_none()
                    && doc
                        .attr(id, "rel")
                        .is_some_and(|r| r.split_ascii_whitespace().any(|x| x.eq_ignore_ascii_case("canonical"))) =>
            {
                m.canonical = doc.attr(id, "href").map(str::trim).filter(|h| !h.is_empty()).map(String::from);
            }
            Tag::Html if m.lang.is_none() => {
                m.lang = doc.attr(id, "lang").or_else(|| doc.attr(id, "xml:lang")).map(String::from);
            }
            Tag::Script => {
                let is_ld = doc.attr(id, "type").is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
                if is_ld {
                    let raw = doc.raw_content(id).trim();
                    // Comment and CDATA wrappers, as XHTML-era templates write them.
                    let raw = raw.trim_start_matches("<!--").trim_end_matches("-->").trim();
                    let raw = raw.trim_start_matches("//").trim_start();
                    let raw = raw.strip_prefix("<![CDATA[").unwrap_or(raw);
                    let raw = raw.trim_end().strip_suffix("]]>").unwrap_or(raw).trim_end();
                    let raw = raw.strip_suffix("//").unwrap_or(raw).trim();
                    match serde_json::from_str::<Value>(raw) {
                        Ok(v) => flatten_ld(v, &mut m.ld_objects, 0),
                        Err(_) => m.ld_errors += 1,
                    }
                }
            }
            _ => {}
        }
        if tag != Tag::Meta {
            if let Some(p) = doc.attr(id, "itemprop") {
                let v = doc
                    .attr(id, "content")
                    .or_else(|| doc.attr(id, "datetime"))
                    .map(String::from)
                    .unwrap_or_else(|| crate::text::squash(&doc.text_content(id)));
                for p in p.split_ascii_whitespace() {
                    m.itemprops.push((p.to_string(), v.clone(), id));
                }
            }
        }
    }
    m.article_ld = m
        .ld_objects
        .iter()
        .filter_map(|o| type_rank(o).map(|r| (r, o)))
        // The most specific type wins; among equals, the one with a headline.
        .min_by_key(|(r, o)| (*r, o.get("headline").is_none()))
        .map(|(_, o)| o.clone());
    m
}

fn flatten_ld(v: Value, out: &mut Vec<Value>, depth: usize) {
    if depth > 4 {
        return;
    }
    match v {
        Value::Array(a) => a.into_iter().for_each(|x| flatten_ld(x, out, depth + 1)),
        Value::Object(mut o) => {
            if let Some(g) = o.remove("@graph") {
                flatten_ld(g, out, depth + 1);
            }
            if o.contains_key("@type") {
                out.push(Value::Object(o));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_meta_link_lang_and_json_ld() {
        let html = r#"<html lang="en-GB"><head><title> Dam opens | Valley Post </title>
            <meta property="og:title" content="Dam opens">
            <meta name="author" content="Ana Ruiz">
            <link rel="canonical" href="https://valley.example/dam">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"WebSite","name":"Valley Post"},
              {"@type":"NewsArticle","headline":"Dam opens at last","author":{"@type":"Person","name":"Ana Ruiz"}}]}</script>
            <script type="application/ld+json">{broken</script>
            <script type="application/ld+json"> <![CDATA[ {"@type":"Person","name":"Tom Becker"} ]]> </script>
            </head><body><span itemprop="author">Ana Ruiz</span></body></html>"#;
        let doc = Document::parse(html);
        let m = collect(&doc);
        assert_eq!(m.title.as_deref(), Some("Dam opens | Valley Post"));
        assert_eq!(m.meta(&["og:title"]).map(|x| x.1), Some("Dam opens"));
        assert_eq!(m.canonical.as_deref(), Some("https://valley.example/dam"));
        assert_eq!(m.lang.as_deref(), Some("en-GB"));
        assert_eq!(m.ld_str("headline").as_deref(), Some("Dam opens at last"));
        assert_eq!(m.ld_errors, 1);
        assert!(m.ld_objects.iter().any(|o| o.get("name").and_then(Value::as_str) == Some("Tom Becker")));
        assert_eq!(m.itemprop("author"), Some("Ana Ruiz"));
    }
}
