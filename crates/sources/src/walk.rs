//! The top-level stream: inputs in order, folders walked lazily.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::fetch::Fetcher;
use crate::{feed, fetch, files, is_url, warc, DocResult, DocStream, SourceError, SourceOptions};

/// How a file is read, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    Warc { gz: bool },
    Html { gz: bool },
    Feed,
    Text,
    /// Any other name: read only when named explicitly, then sniffed.
    Unknown { gz: bool },
}

pub(crate) fn file_kind(path: &Path) -> FileKind {
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let (stem, gz) = match name.strip_suffix(".gz") {
        Some(s) => (s.to_string(), true),
        None => (name.clone(), false),
    };
    let ext = stem.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "warc" => FileKind::Warc { gz },
        "html" | "htm" | "xhtml" | "shtml" => FileKind::Html { gz },
        "xml" | "rss" | "atom" if !gz => FileKind::Feed,
        "txt" if !gz => FileKind::Text,
        _ => FileKind::Unknown { gz },
    }
}

pub(crate) struct Sources {
    opts: SourceOptions,
    inputs: VecDeque<String>,
    /// Directory listings being walked, innermost last.
    walk: Vec<std::vec::IntoIter<PathBuf>>,
    current: Option<DocStream>,
    fetcher: Option<Arc<Fetcher>>,
}

impl Sources {
    pub(crate) fn new(inputs: &[String], opts: SourceOptions) -> Self {
        Sources { opts, inputs: inputs.iter().cloned().collect(), walk: Vec::new(), current: None, fetcher: None }
    }

    fn fetcher(&mut self) -> Result<Arc<Fetcher>, String> {
        if let Some(f) = &self.fetcher {
            return Ok(f.clone());
        }
        let f = Arc::new(Fetcher::new(&self.opts)?);
        self.fetcher = Some(f.clone());
        Ok(f)
    }

    /// Pushes a folder's sorted listing, or returns the error reading it.
    fn enter_dir(&mut self, dir: &Path) -> Option<DocResult> {
        match std::fs::read_dir(dir) {
            Ok(rd) => {
                let mut entries = Vec::new();
                for e in rd {
                    match e {
                        Ok(e) => {
                            if e.file_name().to_string_lossy().starts_with('.') {
                                continue;
                            }
                            entries.push(e.path());
                        }
                        Err(e) => return Some(Err(SourceError::new(dir.display().to_string(), format!("cannot list folder: {e}")))),
                    }
                }
                entries.sort();
                self.walk.push(entries.into_iter());
                None
            }
            Err(e) => Some(Err(SourceError::new(dir.display().to_string(), format!("cannot list folder: {e}")))),
        }
    }

    fn open_path(&mut self, path: &Path, explicit: bool) -> Option<DocResult> {
        let kind = file_kind(path);
        if !explicit && matches!(kind, FileKind::Unknown { .. }) {
            return None;
        }
        let fetcher = if self.opts.fetch { self.fetcher().ok() } else { None };
        match kind {
            FileKind::Warc { gz } => match warc::open_file(path, gz, &self.opts) {
                Ok(s) => self.current = Some(s),
                Err(e) => return Some(Err(e)),
            },
            FileKind::Feed => self.current = Some(feed::from_file(path, &self.opts, fetcher)),
            FileKind::Unknown { gz: false } if files::file_is_feed(path) => {
                self.current = Some(feed::from_file(path, &self.opts, fetcher))
            }
            _ => return Some(files::read_single(path, kind, &self.opts)),
        }
        None
    }

    fn open_url(&mut self, url: &str) -> Option<DocResult> {
        if !self.opts.fetch {
            return Some(Err(SourceError::new(url, "fetching is off; pass --fetch")));
        }
        let fetcher = match self.fetcher() {
            Ok(f) => f,
            Err(e) => return Some(Err(SourceError::new(url, e))),
        };
        match fetch::url_stream(url, fetcher) {
            Ok(s) => {
                self.current = Some(s);
                None
            }
            Err(e) => Some(Err(e)),
        }
    }
}

impl Iterator for Sources {
    type Item = DocResult;

    fn next(&mut self) -> Option<DocResult> {
        loop {
            if let Some(cur) = &mut self.current {
                if let Some(item) = cur.next() {
                    return Some(item);
                }
                self.current = None;
            }
            if let Some(listing) = self.walk.last_mut() {
                let Some(path) = listing.next() else {
                    self.walk.pop();
                    continue;
                };
                // Symbolic links to folders are not followed: a link loop
                // would walk forever.
                let meta = match std::fs::symlink_metadata(&path) {
                    Ok(m) => m,
                    Err(e) => return Some(Err(SourceError::new(path.display().to_string(), format!("cannot read: {e}")))),
                };
                let is_dir = meta.is_dir();
                let is_link_to_dir = meta.file_type().is_symlink() && path.is_dir();
                if is_link_to_dir {
                    continue;
                }
                if is_dir {
                    if let Some(err) = self.enter_dir(&path) {
                        return Some(err);
                    }
                    continue;
                }
                // Only regular files (or links to them) are opened in a walk:
                // opening a FIFO blocks until a writer comes, which hung the
                // whole ingest, and a device or socket is never a page.
                let is_regular = if meta.file_type().is_symlink() {
                    std::fs::metadata(&path).map(|m| m.is_file()).unwrap_or(false)
                } else {
                    meta.is_file()
                };
                if !is_regular {
                    // A name the walk would not read anyway is passed over
                    // quietly, as any unknown file in a folder is; one it
                    // would read gets a diagnostic saying why it was not.
                    if matches!(file_kind(&path), FileKind::Unknown { .. }) {
                        continue;
                    }
                    return Some(Err(SourceError::skipped(
                        path.display().to_string(),
                        "not a regular file (a FIFO, socket, device or dangling link)",
                    )));
                }
                if let Some(item) = self.open_path(&path, false) {
                    return Some(item);
                }
                continue;
            }
            let input = self.inputs.pop_front()?;
            if is_url(&input) {
                if let Some(item) = self.open_url(&input) {
                    return Some(item);
                }
                continue;
            }
            let path = PathBuf::from(&input);
            match std::fs::metadata(&path) {
                Err(e) => return Some(Err(SourceError::new(input, format!("cannot open: {e}")))),
                Ok(m) if m.is_dir() => {
                    if let Some(err) = self.enter_dir(&path) {
                        return Some(err);
                    }
                }
                Ok(_) => {
                    if let Some(item) = self.open_path(&path, true) {
                        return Some(item);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name() {
        assert_eq!(file_kind(Path::new("a/CC-NEWS-1.warc.gz")), FileKind::Warc { gz: true });
        assert_eq!(file_kind(Path::new("x.WARC")), FileKind::Warc { gz: false });
        assert_eq!(file_kind(Path::new("p.html.gz")), FileKind::Html { gz: true });
        assert_eq!(file_kind(Path::new("p.htm")), FileKind::Html { gz: false });
        assert_eq!(file_kind(Path::new("f.rss")), FileKind::Feed);
        assert_eq!(file_kind(Path::new("d.txt")), FileKind::Text);
        assert_eq!(file_kind(Path::new("page")), FileKind::Unknown { gz: false });
        assert_eq!(file_kind(Path::new("x.json.gz")), FileKind::Unknown { gz: true });
    }
}
