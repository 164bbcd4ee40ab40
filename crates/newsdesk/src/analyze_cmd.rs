//! `newsdesk analyze --body-text PATH...`: treats each file as an article
//! body with no page chrome (UTF-8 text) and prints one JSON line per file,
//! `{"source", "quotes", "entities", "dates"}`. A file that cannot be read
//! is reported on its own line with an `error` and does not stop the batch.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use serde::Serialize;

#[derive(Serialize)]
struct Line<'a> {
    source: String,
    quotes: &'a [newsdesk_model::Quote],
    entities: &'a [newsdesk_model::Entity],
    dates: &'a [newsdesk_model::TextDate],
}

#[derive(Serialize)]
struct ErrLine {
    source: String,
    error: String,
}

/// Analyses each file and writes its JSON line to `out`. Returns whether
/// every file was read; invalid UTF-8 is replaced, not rejected, since a
/// copied page with one bad byte still has quotes worth finding.
pub fn run(paths: &[PathBuf], out: &mut dyn Write) -> Result<bool> {
    let mut all_ok = true;
    for p in paths {
        let source = p.display().to_string();
        match std::fs::read(p) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let a = newsdesk_analyze::analyze(&text, None);
                let line = Line { source, quotes: &a.quotes, entities: &a.entities, dates: &a.dates };
                serde_json::to_writer(&mut *out, &line)?;
            }
            Err(e) => {
                all_ok = false;
                serde_json::to_writer(&mut *out, &ErrLine { source, error: e.to_string() })?;
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(all_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_a_line_per_file_and_reports_missing_ones() {
        let dir = std::env::temp_dir().join(format!("nd-analyze-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("body.txt");
        std::fs::write(&f, "Mayor Lena Holt said on Monday that the bridge would reopen.").unwrap();
        let mut buf = Vec::new();
        let ok = run(&[f.clone(), dir.join("missing.txt")], &mut buf).unwrap();
        assert!(!ok);
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["source"], f.display().to_string());
        assert_eq!(lines[0]["quotes"][0]["speaker_resolved"], "Lena Holt");
        assert!(lines[0]["dates"].as_array().map(|d| !d.is_empty()).unwrap_or(false));
        assert!(lines[1]["error"].is_string());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
