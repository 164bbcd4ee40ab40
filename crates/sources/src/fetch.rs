//! Fetching URLs: a blocking reqwest client (rustls) with timeouts, a size
//! bound, a polite user agent, robots.txt, and refusal of private, loopback
//! and link-local addresses unless `allow_private`.
//!
//! The address check is enforced where connections are made — in the DNS
//! resolver the client uses, which refuses a host if any address it resolves
//! to is not public — so a redirect to an internal name or a DNS answer that
//! changes between check and connect cannot slip through. IP literals never
//! reach a resolver, so they are checked before each request and redirect.

use std::collections::HashMap;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use url::{Host, Url};

use crate::files::{looks_like_feed, looks_like_markup};
use crate::robots::{Robots, MAX_ROBOTS_BYTES};
use crate::{feed, http, DocStream, RawDoc, SourceError, SourceOptions};

/// True for addresses on the public internet: not private (RFC 1918, unique
/// local), loopback, link-local, unspecified, shared (CGNAT), documentation,
/// benchmarking, multicast, broadcast or reserved. IPv4-mapped and NAT64
/// IPv6 addresses are judged by their IPv4 part.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return is_public_v4(v4);
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || s[0..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible, deprecated
}

fn refusal(ip: IpAddr) -> String {
    format!("refusing to connect to non-public address {ip} (pass --allow-private to allow)")
}

/// Checks a URL's host: scheme http(s), and when private addresses are not
/// allowed, every address the host resolves to is public.
fn check_url(url: &Url, allow_private: bool) -> Result<(), String> {
    match literal(url, allow_private)? {
        Some(d) if !allow_private => {
            let addrs = resolve(d)?;
            match addrs.iter().find(|a| !is_public_ip(a.ip())) {
                Some(bad) => Err(format!("{d}: {}", refusal(bad.ip()))),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// The checks that need no DNS: scheme http(s), a host, and (unless private addresses are allowed) a public
/// address when the host is an IP literal. Returns the host name still to resolve, if any.
fn literal(url: &Url, allow_private: bool) -> Result<Option<&str>, String> {
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("unsupported URL scheme {}", url.scheme()));
    }
    match url.host() {
        None => Err("URL without host".into()),
        Some(Host::Ipv4(ip)) if !allow_private && !is_public_v4(ip) => Err(refusal(IpAddr::V4(ip))),
        Some(Host::Ipv6(ip)) if !allow_private && !is_public_v6(ip) => Err(refusal(IpAddr::V6(ip))),
        Some(Host::Domain(d)) => Ok(Some(d)),
        Some(_) => Ok(None),
    }
}

fn parse(url: &str) -> Result<Url, String> {
    Url::parse(url).map_err(|e| format!("not a URL ({e})"))
}

/// The address policy of page fetches, for any other URL newsdesk connects to on a user's say (a follow's
/// webhook): http(s) only, and unless `allow_private`, an IP literal or every address the host resolves to must
/// be public. Resolves the host, so it blocks; a check at the time a URL is accepted, which the connection
/// repeats through [`guarded_resolver`] and [`check_literal`] (a name may resolve elsewhere later).
pub fn check_target(url: &str, allow_private: bool) -> Result<(), String> {
    check_url(&parse(url)?, allow_private)
}

/// [`check_target`] without resolving: scheme and IP literal only. Before each connection of a client that
/// resolves through [`guarded_resolver`], which judges host names, since IP literals never reach a resolver.
pub fn check_literal(url: &str, allow_private: bool) -> Result<(), String> {
    literal(&parse(url)?, allow_private).map(|_| ())
}

/// A DNS resolver for reqwest clients under the address policy: it refuses a host if any address it resolves
/// to is not public (unless `allow_private`) and hands the client exactly the addresses it checked, so an
/// answer that changes between a check and the connection (DNS rebinding) cannot reach an internal address.
pub fn guarded_resolver(allow_private: bool) -> Arc<impl reqwest::dns::Resolve> {
    Arc::new(GuardedResolver { allow_private })
}

fn resolve(host: &str) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> =
        (host, 0).to_socket_addrs().map_err(|e| format!("cannot resolve {host}: {e}"))?.collect();
    if addrs.is_empty() {
        return Err(format!("{host} has no addresses"));
    }
    Ok(addrs)
}

/// The resolver the client connects through: the address policy at the
/// point of connection.
struct GuardedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let allow = self.allow_private;
        Box::pin(async move {
            let addrs = resolve(&host).map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { e.into() })?;
            if !allow {
                if let Some(bad) = addrs.iter().find(|a| !is_public_ip(a.ip())) {
                    return Err(format!("{host}: {}", refusal(bad.ip())).into());
                }
            }
            let it: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(it)
        })
    }
}

/// A fetched response.
pub(crate) struct Fetched {
    pub(crate) url: String,
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// The shared HTTP client with its robots.txt cache.
pub(crate) struct Fetcher {
    client: reqwest::blocking::Client,
    allow_private: bool,
    max_doc: usize,
    agent_token: String,
    robots: Mutex<HashMap<String, Arc<Robots>>>,
}

const MAX_REDIRECTS: usize = 5;

impl Fetcher {
    pub(crate) fn new(opts: &SourceOptions) -> Result<Self, String> {
        let allow = opts.allow_private;
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
            }
            let literal_refused = match attempt.url().host() {
                Some(Host::Ipv4(ip)) => !allow && !is_public_v4(ip),
                Some(Host::Ipv6(ip)) => !allow && !is_public_v6(ip),
                _ => false,
            };
            if literal_refused {
                let msg = format!("redirect to {} refused: non-public address", attempt.url());
                return attempt.error(msg);
            }
            attempt.follow()
        });
        let client = reqwest::blocking::Client::builder()
            .user_agent(opts.user_agent.clone())
            .timeout(opts.timeout)
            .connect_timeout(opts.timeout.min(std::time::Duration::from_secs(10)))
            .redirect(policy)
            .no_proxy()
            .dns_resolver(guarded_resolver(allow))
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        let agent_token = opts.user_agent.split(['/', ' ']).next().unwrap_or("newsdesk").to_ascii_lowercase();
        Ok(Fetcher {
            client,
            allow_private: allow,
            max_doc: opts.max_doc_bytes,
            agent_token,
            robots: Mutex::new(HashMap::new()),
        })
    }

    /// GETs `url` with every check; the body is read up to `limit` bytes.
    fn get(&self, url: &Url, limit: usize) -> Result<Fetched, String> {
        check_url(url, self.allow_private)?;
        let resp = self.client.get(url.clone()).send().map_err(|e| describe(&e))?;
        let status = resp.status().as_u16();
        let final_url = resp.url().to_string();
        let content_type =
            resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
        if let Some(len) = resp.content_length() {
            if len > limit as u64 {
                return Err(format!("response of {len} bytes is larger than max_doc_bytes ({limit}); not read"));
            }
        }
        let mut body = Vec::new();
        resp.take(limit as u64 + 1).read_to_end(&mut body).map_err(|e| format!("reading the response: {e}"))?;
        if body.len() > limit {
            return Err(format!("response larger than max_doc_bytes ({limit}); stopped reading"));
        }
        Ok(Fetched { url: final_url, status, content_type, body })
    }

    fn robots_for(&self, url: &Url) -> Arc<Robots> {
        let origin = url.origin().ascii_serialization();
        if let Ok(cache) = self.robots.lock() {
            if let Some(r) = cache.get(&origin) {
                return r.clone();
            }
        }
        let robots = match url.join("/robots.txt") {
            Err(_) => Robots::allow_all(),
            Ok(robots_url) => match self.get(&robots_url, MAX_ROBOTS_BYTES) {
                Ok(f) if (200..300).contains(&f.status) => Robots::parse(&String::from_utf8_lossy(&f.body)),
                // No robots.txt (4xx): everything is allowed (RFC 9309).
                Ok(f) if (400..500).contains(&f.status) => Robots::allow_all(),
                // Server errors and unreachable robots.txt: assume disallow.
                _ => Robots::disallow_all(),
            },
        };
        let robots = Arc::new(robots);
        if let Ok(mut cache) = self.robots.lock() {
            cache.insert(origin, robots.clone());
        }
        robots
    }

    /// Fetches a page or feed URL after checking robots.txt.
    pub(crate) fn fetch(&self, url: &str) -> Result<Fetched, String> {
        let parsed = Url::parse(url).map_err(|e| format!("invalid URL: {e}"))?;
        check_url(&parsed, self.allow_private)?;
        let robots = self.robots_for(&parsed);
        let mut path = parsed.path().to_string();
        if let Some(q) = parsed.query() {
            path.push('?');
            path.push_str(q);
        }
        if !robots.allows(&self.agent_token, &path) {
            return Err("disallowed by robots.txt".into());
        }
        self.get(&parsed, self.max_doc)
    }

    /// Fetches `url` as one HTML document (a feed item's link).
    pub(crate) fn fetch_page(&self, url: &str) -> Result<RawDoc, SourceError> {
        let f = self.fetch(url).map_err(|e| SourceError::new(url, e))?;
        page_doc(url, f)
    }
}

fn describe(e: &reqwest::Error) -> String {
    use std::error::Error;
    let mut msg = if e.is_timeout() { "timed out".to_string() } else { e.to_string() };
    let mut src = e.source();
    while let Some(s) = src {
        let m = s.to_string();
        if !msg.contains(&m) {
            msg.push_str(": ");
            msg.push_str(&m);
        }
        src = s.source();
    }
    msg
}

fn page_doc(location: &str, f: Fetched) -> Result<RawDoc, SourceError> {
    if !(200..300).contains(&f.status) {
        return Err(SourceError::skipped(location, format!("HTTP status {}", f.status)));
    }
    let kind = http::classify(f.content_type.as_deref(), &f.body).map_err(|r| SourceError::skipped(location, r))?;
    Ok(RawDoc {
        location: location.to_string(),
        url: Some(f.url),
        fetched_at: Some(Utc::now().fixed_offset()),
        charset: f.content_type.as_deref().and_then(http::charset_of),
        kind,
        bytes: f.body,
    })
}

/// A URL input: a page becomes one document, a feed its items.
pub(crate) fn url_stream(url: &str, fetcher: Arc<Fetcher>) -> Result<DocStream, SourceError> {
    let f = fetcher.fetch(url).map_err(|e| SourceError::new(url, e))?;
    let ct = f.content_type.clone().unwrap_or_default().to_ascii_lowercase();
    let is_feed = ct.contains("rss")
        || ct.contains("atom")
        || ((ct.contains("xml") || ct.is_empty() || ct.contains("text/plain"))
            && looks_like_markup(&f.body)
            && looks_like_feed(&f.body));
    if (200..300).contains(&f.status) && is_feed {
        return Ok(feed::from_bytes(url.to_string(), f.body, Some(fetcher), Some(Utc::now().fixed_offset())));
    }
    let doc = page_doc(url, f);
    Ok(Box::new(std::iter::once(doc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_private() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "255.255.255.255",
            "224.0.0.1",
        ] {
            assert!(!is_public_ip(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public_ip(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn literal_urls_refused_without_resolving() {
        for u in ["http://127.0.0.1/", "http://[::1]:8080/x", "http://10.0.0.1/", "http://169.254.169.254/latest"] {
            let e = check_url(&Url::parse(u).unwrap(), false).unwrap_err();
            assert!(e.contains("non-public"), "{e}");
        }
        assert!(check_url(&Url::parse("ftp://example.org/").unwrap(), true).is_err());
        assert!(check_url(&Url::parse("http://127.0.0.1/").unwrap(), true).is_ok());
    }

    /// What webhooks use: the same policy by URL text, with and without resolving, and the resolver itself
    /// refusing a name that resolves to loopback.
    #[test]
    fn targets_are_checked_like_fetches() {
        for u in ["http://127.0.0.1:9/hook", "http://[::ffff:10.0.0.1]/", "http://localhost:9/hook"] {
            let e = check_target(u, false).unwrap_err();
            assert!(e.contains("non-public"), "{u}: {e}");
            assert!(check_target(u, true).is_ok(), "{u}");
        }
        assert!(check_literal("http://127.0.0.1:9/hook", false).is_err());
        assert!(check_literal("http://localhost:9/hook", false).is_ok(), "a name is left to the resolver");
        assert!(check_target("file:///etc/passwd", true).is_err());
        assert!(check_target("not a url", true).is_err());
        use reqwest::dns::Resolve;
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let name = || "localhost".parse::<reqwest::dns::Name>().unwrap();
        let refused = rt.block_on(guarded_resolver(false).resolve(name()));
        assert!(refused.err().is_some_and(|e| e.to_string().contains("non-public")));
        let allowed = rt.block_on(guarded_resolver(true).resolve(name()));
        assert!(allowed.is_ok_and(|mut a| a.next().is_some_and(|a| a.ip().is_loopback())));
    }
}
