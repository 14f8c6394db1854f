//! Small in-process caches for what every signed-in page needs but rarely changes: the session
//! record, the caller (account, person, role grants) and a reader's progress through a module.
//!
//! Measured on this machine, one sea-orm read costs a Leptos page about three quarters of its
//! throughput; a signed-in module page needs five. Entries are dropped
//!   - at once when this process changes what they hold (the write paths call `invalidate` or
//!     bump the [`Epoch`]), and
//!   - after a short time-to-live, which bounds how stale another instance's change can look when
//!     several servers share one PostgreSQL database.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

/// A generation counter: entries stored under an older generation are misses. Bumped whenever
/// accounts, roles, passwords or sessions change in bulk, so no cached sign-in outlives them.
#[derive(Clone, Debug, Default)]
pub struct Epoch(Arc<AtomicU64>);

impl Epoch {
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

struct Entry<V> {
    value: V,
    stored: Instant,
    epoch: u64,
}

/// A map with a time-to-live, a size cap and an [`Epoch`]. When full, expired entries are swept;
/// if it is still full, it starts over (a cache miss costs one query, never a wrong answer).
pub struct TtlCache<K, V> {
    map: Mutex<HashMap<K, Entry<V>>>,
    ttl: Duration,
    capacity: usize,
    epoch: Epoch,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    pub fn new(ttl: Duration, capacity: usize, epoch: Epoch) -> Self {
        TtlCache { map: Mutex::new(HashMap::new()), ttl, capacity, epoch }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let epoch = self.epoch.current();
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).filter(|e| e.epoch == epoch && e.stored.elapsed() < self.ttl).map(|e| e.value.clone())
    }

    /// Stores `value` unless the epoch moved since `epoch` was read (the value may predate a change).
    pub fn insert_at(&self, key: K, value: V, epoch: u64) {
        if self.ttl.is_zero() || epoch != self.epoch.current() {
            return;
        }
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.capacity {
            let ttl = self.ttl;
            map.retain(|_, e| e.epoch == epoch && e.stored.elapsed() < ttl);
            if map.len() >= self.capacity {
                map.clear();
            }
        }
        map.insert(key, Entry { value, stored: Instant::now(), epoch });
    }

    pub fn epoch(&self) -> u64 {
        self.epoch.current()
    }

    pub fn invalidate(&self, key: &K) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(ttl_ms: u64) -> (TtlCache<u32, &'static str>, Epoch) {
        let epoch = Epoch::default();
        (TtlCache::new(Duration::from_millis(ttl_ms), 2, epoch.clone()), epoch)
    }

    #[test]
    fn a_stored_value_is_returned_until_invalidated() {
        let (c, _) = cache(60_000);
        c.insert_at(1, "a", c.epoch());
        assert_eq!(c.get(&1), Some("a"));
        c.invalidate(&1);
        assert_eq!(c.get(&1), None);
    }

    #[test]
    fn bumping_the_epoch_drops_every_entry() {
        let (c, epoch) = cache(60_000);
        c.insert_at(1, "a", c.epoch());
        epoch.bump();
        assert_eq!(c.get(&1), None);
    }

    #[test]
    fn a_value_read_before_a_change_is_not_stored() {
        let (c, epoch) = cache(60_000);
        let seen = c.epoch();
        epoch.bump();
        c.insert_at(1, "stale", seen);
        assert_eq!(c.get(&1), None);
    }

    #[test]
    fn entries_expire_after_their_time_to_live() {
        let (c, _) = cache(1);
        c.insert_at(1, "a", c.epoch());
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(c.get(&1), None);
    }

    #[test]
    fn a_full_cache_starts_over_rather_than_grow() {
        let (c, _) = cache(60_000);
        for k in 0..5 {
            c.insert_at(k, "v", c.epoch());
        }
        assert!(c.map.lock().unwrap().len() <= 2);
        assert_eq!(c.get(&4), Some("v"));
    }
}
