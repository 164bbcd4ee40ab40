//! Reading inputs: files, gzip files and stdin, with bounded sizes.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use anyhow::{bail, Context, Result};

/// Inputs larger than this (after decompression) are cut here; the extractor
/// then reports the truncation. It bounds memory per input, so a 200 MB page
/// or a gzip bomb cannot take the machine.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// The bytes of `path` (`-` is stdin), gunzipped when the name ends in `.gz`.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        io::stdin().lock().take(MAX_INPUT_BYTES).read_to_end(&mut buf).context("reading stdin")?;
        return Ok(buf);
    }
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        bail!("{} is a directory", path.display());
    }
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz")) {
        flate2::read::MultiGzDecoder::new(file)
            .take(MAX_INPUT_BYTES)
            .read_to_end(&mut buf)
            .with_context(|| format!("{}: not a valid gzip file (truncated or corrupt)", path.display()))?;
    } else {
        file.take(MAX_INPUT_BYTES).read_to_end(&mut buf).with_context(|| format!("reading {}", path.display()))?;
    }
    Ok(buf)
}
