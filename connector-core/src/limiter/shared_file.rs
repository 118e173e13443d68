//! A fixed limit's schedule shared by the processes of one machine: the next free slot, as
//! microseconds since the Unix epoch, in a small file that is read and rewritten under an
//! exclusive lock (`flock`) for every slot.

use super::{Identity, Schedule, next_slot};
use crate::error::Error;
use async_trait::async_trait;
use fs4::FileExt;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// A slot further ahead than this is a broken file or a clock that jumped: start afresh.
const IMPLAUSIBLE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// `<cache dir>/connector/rate-limits` (`~/.cache/connector/rate-limits` on Linux).
pub(crate) fn default_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("connector").join("rate-limits"))
}

/// The file of one backend and credentials (named by their hash, never by the credential).
#[derive(Debug)]
pub(crate) struct FileSchedule {
    path: PathBuf,
    /// One handle per process; the mutex orders this process's threads, the lock the processes.
    file: Arc<Mutex<File>>,
}

impl FileSchedule {
    pub(crate) fn open(dir: &Path, id: &Identity) -> Result<Self, Error> {
        let path = dir.join(format!("{}.pace", id.file_stem()));
        let fail = |e: std::io::Error| {
            Error::Config(format!("rate-limit state file {}: {e}", path.display()))
        };
        std::fs::create_dir_all(dir).map_err(fail)?;
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(fail)?;
        Ok(FileSchedule {
            path,
            file: Arc::new(Mutex::new(file)),
        })
    }

    /// Applies `change` to the stored next free slot (µs since the epoch) under the lock.
    async fn update(&self, change: Change) -> Result<u64, Error> {
        let file = Arc::clone(&self.file);
        crate::blocking::run(move || {
            let file = file.lock().unwrap_or_else(|e| e.into_inner());
            FileExt::lock(&*file)?;
            let result = read_write(&file, change);
            let unlocked = FileExt::unlock(&*file);
            let value = result?;
            unlocked.map(|()| value)
        })
        .await
        .map_err(|e| {
            Error::Config(format!(
                "rate-limit state file {}: {e}",
                self.path.display()
            ))
        })
    }
}

/// What one visit to the file does to the stored slot (a plain value rather than a closure,
/// so the file work compiles once).
#[derive(Debug, Clone, Copy)]
enum Change {
    /// Take the next slot `spacing` µs after the last; answers the slot's time.
    Reserve { spacing: u64 },
    /// Push the next free slot back by this many µs.
    Delay { by: u64 },
    /// Nothing before `now` + this many µs.
    Hold { pause: u64 },
}

impl Change {
    /// The answer and the new stored slot, from the stored slot and the time now.
    fn apply(self, free_at: u64, now: u64) -> (u64, u64) {
        match self {
            Change::Reserve { spacing } => {
                let (wait, next) = next_slot(free_at, now, spacing);
                (now.saturating_add(wait), next)
            }
            Change::Delay { by } => (0, free_at.saturating_add(by)),
            Change::Hold { pause } => (0, free_at.max(now.saturating_add(pause))),
        }
    }
}

fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

fn read_write(mut file: &File, change: Change) -> std::io::Result<u64> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_string(&mut text)?;
    let now = now_micros();
    let stored = text.trim().parse::<u64>().unwrap_or(0);
    let stored = if stored > now.saturating_add(micros(IMPLAUSIBLE)) {
        0
    } else {
        stored
    };
    let (value, next) = change.apply(stored, now);
    if next != stored {
        file.seek(SeekFrom::Start(0))?;
        file.set_len(0)?;
        writeln!(file, "{next}")?;
    }
    Ok(value)
}

#[async_trait]
impl Schedule for FileSchedule {
    async fn reserve(&self, spacing: Duration) -> Result<Duration, Error> {
        let spacing = micros(spacing);
        let slot = self.update(Change::Reserve { spacing }).await?;
        // Measured from now, not from inside the lock: time spent getting back from the
        // blocking thread must not make the request late (late requests bunch with the next).
        Ok(Duration::from_micros(slot.saturating_sub(now_micros())))
    }

    async fn delay(&self, by: Duration) -> Result<(), Error> {
        let by = micros(by);
        self.update(Change::Delay { by }).await.map(drop)
    }

    async fn hold(&self, pause: Duration) -> Result<(), Error> {
        let pause = micros(pause);
        self.update(Change::Hold { pause }).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> Identity {
        Identity {
            backend: "moco".into(),
            hash: "0123abcd".into(),
        }
    }

    #[tokio::test]
    async fn two_handles_on_one_file_share_the_slots() {
        let dir = tempfile::tempdir().unwrap();
        let a = FileSchedule::open(dir.path(), &id()).unwrap();
        let b = FileSchedule::open(dir.path(), &id()).unwrap();
        let spacing = Duration::from_secs(10);
        assert!(a.reserve(spacing).await.unwrap() < Duration::from_secs(1));
        let second = b.reserve(spacing).await.unwrap();
        assert!(second > Duration::from_secs(9), "{second:?}");
        let third = a.reserve(spacing).await.unwrap();
        assert!(third > Duration::from_secs(19), "{third:?}");
        let file = std::fs::read_to_string(dir.path().join("moco-0123abcd.pace")).unwrap();
        assert!(file.trim().parse::<u64>().is_ok(), "{file}");
    }

    #[tokio::test]
    async fn a_hold_pushes_every_holder_back() {
        let dir = tempfile::tempdir().unwrap();
        let a = FileSchedule::open(dir.path(), &id()).unwrap();
        let b = FileSchedule::open(dir.path(), &id()).unwrap();
        a.hold(Duration::from_secs(30)).await.unwrap();
        let wait = b.reserve(Duration::from_millis(1)).await.unwrap();
        assert!(wait > Duration::from_secs(29), "{wait:?}");
    }

    #[tokio::test]
    async fn a_late_start_delays_every_holder() {
        let dir = tempfile::tempdir().unwrap();
        let a = FileSchedule::open(dir.path(), &id()).unwrap();
        let b = FileSchedule::open(dir.path(), &id()).unwrap();
        let spacing = Duration::from_secs(10);
        a.reserve(spacing).await.unwrap();
        a.delay(Duration::from_secs(5)).await.unwrap();
        let wait = b.reserve(spacing).await.unwrap();
        assert!(wait > Duration::from_secs(14), "{wait:?}");
    }

    #[tokio::test]
    async fn a_broken_file_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("moco-0123abcd.pace"), "not a number").unwrap();
        let a = FileSchedule::open(dir.path(), &id()).unwrap();
        assert!(a.reserve(Duration::from_secs(5)).await.unwrap() < Duration::from_secs(1));
    }
}
