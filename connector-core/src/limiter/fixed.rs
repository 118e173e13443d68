//! A fixed limit's schedule kept in this process.

use super::{Schedule, next_slot};
use crate::error::Error;
use async_trait::async_trait;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The next free slot, in microseconds from `epoch`.
#[derive(Debug)]
pub(crate) struct LocalSchedule {
    epoch: Instant,
    free_at: Mutex<u64>,
}

impl Default for LocalSchedule {
    fn default() -> Self {
        LocalSchedule {
            epoch: Instant::now(),
            free_at: Mutex::new(0),
        }
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

#[async_trait]
impl Schedule for LocalSchedule {
    async fn reserve(&self, spacing: Duration) -> Result<Duration, Error> {
        let now = micros(self.epoch.elapsed());
        let mut free_at = self.free_at.lock().unwrap_or_else(|e| e.into_inner());
        let (wait, next) = next_slot(*free_at, now, micros(spacing));
        *free_at = next;
        Ok(Duration::from_micros(wait))
    }

    async fn delay(&self, by: Duration) -> Result<(), Error> {
        let mut free_at = self.free_at.lock().unwrap_or_else(|e| e.into_inner());
        *free_at = free_at.saturating_add(micros(by));
        Ok(())
    }

    async fn hold(&self, pause: Duration) -> Result<(), Error> {
        let until = micros(self.epoch.elapsed() + pause);
        let mut free_at = self.free_at.lock().unwrap_or_else(|e| e.into_inner());
        *free_at = (*free_at).max(until);
        Ok(())
    }
}
