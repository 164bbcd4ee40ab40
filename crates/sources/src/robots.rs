//! A small robots.txt parser (RFC 9309): `User-agent` groups with `Allow`
//! and `Disallow` path rules, `*` wildcards and `$` end anchors, longest
//! match wins, `Allow` wins ties.
//!
//! Written here because the rules newsdesk needs are a page of code and the
//! policy (what an unreachable robots.txt means) belongs to the fetcher.

/// Parsed robots.txt.
#[derive(Clone, Debug, Default)]
pub struct Robots {
    groups: Vec<Group>,
}

#[derive(Clone, Debug, Default)]
struct Group {
    agents: Vec<String>,
    rules: Vec<Rule>,
}

#[derive(Clone, Debug)]
struct Rule {
    allow: bool,
    pattern: String,
}

/// robots.txt past this size is not read further (RFC 9309 asks crawlers
/// to parse at least 500 KiB).
pub const MAX_ROBOTS_BYTES: usize = 512 * 1024;

impl Robots {
    /// A robots.txt that allows everything (a 4xx robots.txt means that).
    pub fn allow_all() -> Self {
        Robots::default()
    }

    /// A robots.txt that disallows everything (used when robots.txt could
    /// not be fetched because the server failed: RFC 9309 says assume
    /// complete disallow).
    pub fn disallow_all() -> Self {
        Robots {
            groups: vec![Group { agents: vec!["*".into()], rules: vec![Rule { allow: false, pattern: "/".into() }] }],
        }
    }

    /// Parses robots.txt text. Unknown lines are ignored; nothing fails.
    pub fn parse(text: &str) -> Self {
        let text = match text.char_indices().nth(MAX_ROBOTS_BYTES) {
            Some((i, _)) => &text[..i],
            None => text,
        };
        let mut groups: Vec<Group> = Vec::new();
        let mut in_agents = false;
        for raw in text.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else { continue };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if !in_agents {
                        groups.push(Group::default());
                        in_agents = true;
                    }
                    if let Some(g) = groups.last_mut() {
                        g.agents.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    // A rule before any User-agent line belongs to no group.
                    let Some(g) = groups.last_mut() else { continue };
                    if value.is_empty() {
                        continue; // "Disallow:" allows everything: no rule.
                    }
                    g.rules.push(Rule { allow: key == "allow", pattern: value.to_string() });
                }
                _ => {
                    // Sitemap, Crawl-delay and others end no group.
                }
            }
        }
        Robots { groups }
    }

    /// Whether the crawler whose product token is `agent` (e.g. "newsdesk")
    /// may fetch `path` (path plus query, starting with `/`).
    pub fn allows(&self, agent: &str, path: &str) -> bool {
        if path == "/robots.txt" {
            return true;
        }
        let agent = agent.to_ascii_lowercase();
        let specific: Vec<&Group> = self
            .groups
            .iter()
            .filter(|g| g.agents.iter().any(|a| a != "*" && !a.is_empty() && agent.starts_with(a.as_str())))
            .collect();
        let groups = if specific.is_empty() {
            self.groups.iter().filter(|g| g.agents.iter().any(|a| a == "*")).collect()
        } else {
            specific
        };
        let mut best: Option<(usize, bool)> = None;
        for g in groups {
            for r in &g.rules {
                if pattern_matches(&r.pattern, path) {
                    let len = r.pattern.len();
                    best = match best {
                        Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                        _ => Some((len, r.allow)),
                    };
                }
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Matches a robots.txt path pattern: a prefix match, where `*` matches any
/// run of characters and a final `$` anchors the end.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let Some(first) = parts.first() else { return true };
    if !path.starts_with(first) {
        return false;
    }
    let mut pos = first.len();
    let n = parts.len();
    if n == 1 {
        return !anchored || pos == path.len();
    }
    for (i, part) in parts.iter().enumerate().skip(1) {
        let last = i == n - 1;
        if last && anchored {
            return path.len() >= pos + part.len() && path.ends_with(part);
        }
        match path[pos..].find(part) {
            Some(j) => pos += j + part.len(),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(pattern_matches("/private", "/private/x"));
        assert!(!pattern_matches("/private", "/pub"));
        assert!(pattern_matches("/*.pdf$", "/docs/a.pdf"));
        assert!(!pattern_matches("/*.pdf$", "/docs/a.pdf?x=1"));
        assert!(pattern_matches("/a*b*c", "/axxbyyc/zz"));
        assert!(pattern_matches("/exact$", "/exact"));
        assert!(!pattern_matches("/exact$", "/exactly"));
    }
}
