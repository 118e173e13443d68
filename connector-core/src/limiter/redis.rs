//! A fixed limit's schedule shared by machines through Redis: the next free slot under one
//! key, taken and moved on by one Lua script, atomically, on Redis's own clock (so the
//! machines' clocks need not agree). If Redis cannot be reached the call fails before
//! anything is sent; it never goes on without the limit.

use super::{Identity, Schedule};
use crate::error::Error;
use crate::options::RedisUrl;
use async_trait::async_trait;
use redis::aio::MultiplexedConnection;
use std::time::Duration;

/// Connecting and each script call give up after this.
const TIMEOUT: Duration = Duration::from_secs(3);

/// `KEYS[1]`: the next free slot (µs, Redis time). `ARGV[1]`: spacing in µs; `ARGV[2]`: a hold
/// in µs, `ARGV[3]`: a delay of every later slot in µs (with either, no slot is taken).
/// Returns the µs to wait for the slot taken.
const SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local free_at = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local spacing = tonumber(ARGV[1])
local hold = tonumber(ARGV[2])
local delay = tonumber(ARGV[3])
local wait, nxt
if hold > 0 then
  wait = 0
  nxt = math.max(free_at, now + hold)
elseif delay > 0 then
  wait = 0
  nxt = free_at + delay
else
  local slot = math.max(free_at, now)
  wait = slot - now
  nxt = slot + spacing
end
redis.call('SET', KEYS[1], string.format('%d', nxt), 'PX', math.floor((nxt - now) / 1000) + 60000)
return wait
";

pub(crate) struct RedisSchedule {
    client: redis::Client,
    url: RedisUrl,
    key: String,
    script: redis::Script,
    connection: tokio::sync::Mutex<Option<MultiplexedConnection>>,
}

impl std::fmt::Debug for RedisSchedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSchedule")
            .field("url", &self.url)
            .field("key", &self.key)
            .finish()
    }
}

impl RedisSchedule {
    pub(crate) fn new(url: &RedisUrl, id: &Identity) -> Result<Self, Error> {
        let client = redis::Client::open(url.expose())
            .map_err(|e| Error::Config(format!("rate-limit store {url}: {e}")))?;
        Ok(RedisSchedule {
            client,
            url: url.clone(),
            key: format!("connector:rate-limit:{}", id.file_stem()),
            script: redis::Script::new(SCRIPT),
            connection: tokio::sync::Mutex::new(None),
        })
    }

    fn unreachable(&self, what: impl std::fmt::Display) -> Error {
        Error::Config(format!(
            "rate-limit store {} cannot be used ({what}); nothing was sent",
            self.url
        ))
    }

    async fn call(&self, spacing: Duration, hold: Duration, delay: Duration) -> Result<u64, Error> {
        let mut slot = self.connection.lock().await;
        let mut connection = match slot.take() {
            Some(c) => c,
            None => {
                let config = redis::AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(TIMEOUT))
                    .set_response_timeout(Some(TIMEOUT));
                self.client
                    .get_multiplexed_async_connection_with_config(&config)
                    .await
                    .map_err(|e| self.unreachable(e))?
            }
        };
        let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let wait: u64 = self
            .script
            .key(&self.key)
            .arg(micros(spacing))
            .arg(micros(hold))
            .arg(micros(delay))
            .invoke_async(&mut connection)
            .await
            .map_err(|e| self.unreachable(e))?;
        // Kept only after it worked: a broken connection is made anew next time.
        *slot = Some(connection);
        Ok(wait)
    }
}

#[async_trait]
impl Schedule for RedisSchedule {
    async fn reserve(&self, spacing: Duration) -> Result<Duration, Error> {
        // Redis measured the wait at some moment during the call: counted from the call's
        // start, the round trip does not make the request late.
        let started = std::time::Instant::now();
        let wait = Duration::from_micros(self.call(spacing, Duration::ZERO, Duration::ZERO).await?);
        Ok((started + wait).saturating_duration_since(std::time::Instant::now()))
    }

    async fn hold(&self, pause: Duration) -> Result<(), Error> {
        if pause.is_zero() {
            return Ok(());
        }
        self.call(Duration::ZERO, pause, Duration::ZERO)
            .await
            .map(|_| ())
    }

    async fn delay(&self, by: Duration) -> Result<(), Error> {
        if by.is_zero() {
            return Ok(());
        }
        self.call(Duration::ZERO, Duration::ZERO, by)
            .await
            .map(|_| ())
    }
}
