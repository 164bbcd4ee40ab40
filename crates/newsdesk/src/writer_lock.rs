//! Who writes a data directory: one process at a time (an `ingest` or a `serve`), named by pid in
//! `writer.lock` and held by an operating-system file lock, so the lock of a process that died (kill -9
//! included) is free at once and never has to be cleared by hand. A second writer waits for the first,
//! saying so, for a bounded time.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// How long a writer waits for another by default: long enough for a supervisor's immediate restart to find
/// the lock of the process it replaces free, short enough that a forgotten server is reported.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// How often a waiting writer tries again.
const POLL: Duration = Duration::from_millis(100);

/// The held lock; dropping it (or the process ending in any way) frees it.
pub struct WriterLock {
    _file: File,
}

impl WriterLock {
    /// Takes the lock of `dir` (created if missing), waiting up to `wait` for another writer; `say` is told
    /// once when waiting starts, with the other writer's pid when it left one.
    pub fn acquire(dir: &Path, wait: Duration, say: impl Fn(&str)) -> Result<WriterLock> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join("writer.lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        let start = Instant::now();
        let mut told = false;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(e).with_context(|| format!("locking {}", path.display())),
            }
            let other = holder(&mut file);
            if start.elapsed() >= wait {
                bail!(
                    "another ingest or server{other} is still writing to {} after {} s",
                    dir.display(),
                    wait.as_secs()
                );
            }
            if !told {
                say(&format!("waiting for another ingest or server{other} writing to {} …", dir.display()));
                told = true;
            }
            std::thread::sleep(POLL);
        }
        file.set_len(0)?;
        file.rewind()?;
        write!(file, "{}", std::process::id())?;
        file.flush()?;
        Ok(WriterLock { _file: file })
    }
}

/// " (pid N)" for the pid the holder wrote, or nothing.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.take(32).read_to_string(&mut text));
    match text.trim().parse::<u32>() {
        Ok(pid) => format!(" (pid {pid})"),
        Err(_) => String::new(),
    }
}
