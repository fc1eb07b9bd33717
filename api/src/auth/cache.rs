//! The key lookups one process remembers, so neither a busy integrator nor a flood of bogus
//! tokens costs a database read per request, and the generation that tells every open
//! subscription when keys have changed.
//!
//! Both what is known (a key's stored hash and role) and what is known to be absent (an id with
//! no active key: unknown or revoked) are kept for [`KeyCache::TTL`]. Any change to the keys
//! table, made here or by another process (see `auth::changes`), empties both at once, so a
//! revocation is seen within the change feed's delay rather than the TTL, and a newly created
//! key is never refused for having been absent a moment ago.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use waybill_projections::Db;

use super::keys::{self, ActiveKey};
use super::role::Principal;
use crate::error::AppError;

/// Entries of either kind kept at most; beyond that the map starts over (a flood of random ids
/// can only cost each of its members one read, and the rate limit bounds the flood).
const MAX_ENTRIES: usize = 10_000;

pub struct KeyCache {
    active: Mutex<HashMap<String, (ActiveKey, Instant)>>,
    absent: Mutex<HashMap<String, Instant>>,
    generation: watch::Sender<u64>,
    reads: AtomicU64,
}

impl Default for KeyCache {
    fn default() -> Self {
        KeyCache {
            active: Default::default(),
            absent: Default::default(),
            generation: watch::channel(0).0,
            reads: AtomicU64::new(0),
        }
    }
}

impl KeyCache {
    /// How long a lookup is trusted when no change notice arrives (a lost notification, a
    /// revocation written by hand in SQL).
    pub const TTL: Duration = Duration::from_secs(5);

    pub async fn authenticate(&self, db: &Db, token: &str) -> Result<Principal, AppError> {
        let (key_id, secret) = keys::parse(token).ok_or_else(keys::denied)?;
        let key = self.lookup(db, key_id).await?.ok_or_else(keys::denied)?;
        key.verify(key_id, secret)
    }

    /// Whether `key_id` still names an active key (for connections that authenticated once).
    pub async fn is_active(&self, db: &Db, key_id: &str) -> Result<bool, AppError> {
        Ok(self.lookup(db, key_id).await?.is_some())
    }

    async fn lookup(&self, db: &Db, key_id: &str) -> Result<Option<ActiveKey>, AppError> {
        if let Some(known) = self.cached(key_id) {
            return Ok(known);
        }
        let generation = *self.generation.borrow();
        self.reads.fetch_add(1, Ordering::Relaxed);
        let found = keys::find_active(db, key_id).await?;
        // A change that arrived while reading may have been missed by the read; remember
        // nothing then, the next request reads again.
        if *self.generation.borrow() == generation {
            self.remember(key_id, found.as_ref());
        }
        Ok(found)
    }

    fn cached(&self, key_id: &str) -> Option<Option<ActiveKey>> {
        let fresh = |at: &Instant| at.elapsed() < Self::TTL;
        if let Some((key, _)) = lock(&self.active).get(key_id).filter(|(_, at)| fresh(at)) {
            return Some(Some(key.clone()));
        }
        lock(&self.absent)
            .get(key_id)
            .filter(|at| fresh(at))
            .map(|_| None)
    }

    fn remember(&self, key_id: &str, found: Option<&ActiveKey>) {
        let now = Instant::now();
        match found {
            Some(key) => bounded_insert(&mut lock(&self.active), key_id, (key.clone(), now)),
            None => bounded_insert(&mut lock(&self.absent), key_id, now),
        }
    }

    /// Keys changed (created, revoked), here or elsewhere: forget everything and tell every
    /// open subscription to check its key again.
    pub fn invalidate(&self) {
        lock(&self.active).clear();
        lock(&self.absent).clear();
        self.generation.send_modify(|g| *g += 1);
    }

    /// Key lookups that went to the database (what the cache is there to keep low).
    pub fn database_reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// Changes to the keys, as a counter that moves on every [`KeyCache::invalidate`].
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves only a cache behind: keep using it.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn bounded_insert<V>(map: &mut HashMap<String, V>, key: &str, value: V) {
    if map.len() >= MAX_ENTRIES && !map.contains_key(key) {
        map.clear();
    }
    map.insert(key.to_string(), value);
}
