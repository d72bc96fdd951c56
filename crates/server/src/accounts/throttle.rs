//! Slowing down guessing: after too many failures for one key (a client id, an e-mail address)
//! within a window, further attempts are refused until the oldest failure leaves the window.
//! Counted per node, with the injectable clock.

use std::collections::HashMap;
use std::sync::Mutex;

/// Keys remembered before stale ones are pruned.
const MAX_KEYS: usize = 100_000;

pub struct Throttle {
    max_failures: usize,
    window_ms: i64,
    max_keys: usize,
    state: Mutex<State>,
}

struct State {
    failures: HashMap<String, Vec<i64>>,
    /// Prune when the map grows past this; raised when locked-out keys alone fill it, so that a
    /// flood does not make every failure walk the whole map.
    prune_at: usize,
}

impl Throttle {
    pub fn new(max_failures: usize, window_ms: i64) -> Self {
        Self::with_capacity(max_failures, window_ms, MAX_KEYS)
    }

    pub fn with_capacity(max_failures: usize, window_ms: i64, max_keys: usize) -> Self {
        let state = State { failures: HashMap::new(), prune_at: max_keys };
        Self { max_failures, window_ms, max_keys, state: Mutex::new(state) }
    }

    /// When `key` may try again, if it is locked out now.
    pub fn locked_until(&self, key: &str, now: i64) -> Option<i64> {
        let mut state = self.state.lock().expect("throttle poisoned");
        let times = state.failures.get_mut(key)?;
        times.retain(|t| now - t < self.window_ms);
        (times.len() >= self.max_failures).then(|| times[0] + self.window_ms)
    }

    pub fn fail(&self, key: &str, now: i64) {
        let mut state = self.state.lock().expect("throttle poisoned");
        let times = state.failures.entry(key.to_string()).or_default();
        times.retain(|t| now - t < self.window_ms);
        times.push(now);
        if state.failures.len() > state.prune_at {
            self.prune(&mut state, key, now);
        }
    }

    /// A flood of distinct keys: forget failures that left the window, then the keys failed
    /// longest ago; never a key that is locked out now.
    fn prune(&self, state: &mut State, failing: &str, now: i64) {
        let window = self.window_ms;
        state.failures.retain(|_, times| {
            times.retain(|t| now - t < window);
            !times.is_empty()
        });
        let target = self.max_keys * 9 / 10;
        if state.failures.len() > target {
            let mut evictable: Vec<(i64, String)> = state
                .failures
                .iter()
                .filter(|(key, times)| times.len() < self.max_failures && key.as_str() != failing)
                .map(|(key, times)| (times.last().copied().unwrap_or(0), key.clone()))
                .collect();
            evictable.sort_unstable();
            let excess = state.failures.len() - target;
            for (_, key) in evictable.into_iter().take(excess) {
                state.failures.remove(&key);
            }
        }
        state.prune_at = if state.failures.len() <= target { self.max_keys } else { state.failures.len() * 2 };
    }

    pub fn clear(&self, key: &str) {
        self.state.lock().expect("throttle poisoned").failures.remove(key);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.state.lock().unwrap().failures.len()
    }
}

/// Minutes (rounded up) from `now` until `until`.
pub fn minutes_until(until: i64, now: i64) -> i64 {
    ((until - now).max(0) + 59_999) / 60_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_limit_and_unlocks_when_the_window_passes() {
        let throttle = Throttle::new(3, 1000);
        for t in [0, 10, 20] {
            assert!(throttle.locked_until("k", t).is_none());
            throttle.fail("k", t);
        }
        assert_eq!(throttle.locked_until("k", 30), Some(1000));
        assert!(throttle.locked_until("other", 30).is_none());
        assert!(throttle.locked_until("k", 1001).is_none());
        throttle.fail("k", 1002);
        throttle.clear("k");
        assert!(throttle.locked_until("k", 1003).is_none());
        assert_eq!(minutes_until(61_000, 0), 2);
    }

    #[test]
    fn a_flood_of_distinct_keys_never_lifts_a_lockout() {
        let throttle = Throttle::with_capacity(3, 1_000_000, 100);
        for t in 0..3 {
            throttle.fail("victim", t);
        }
        for i in 0..100_000 {
            throttle.fail(&format!("flood-{i}"), 10 + i);
        }
        assert_eq!(throttle.locked_until("victim", 200_000), Some(1_000_000), "still locked out");
        assert!(throttle.len() <= 101, "memory stays bounded: {}", throttle.len());
        // The newest failures are the ones kept.
        throttle.fail("flood-99999", 200_001);
        throttle.fail("flood-99999", 200_002);
        assert!(throttle.locked_until("flood-99999", 200_003).is_some());
    }

    #[test]
    fn locked_out_keys_are_kept_even_when_they_alone_pass_the_capacity() {
        let throttle = Throttle::with_capacity(2, 1_000_000, 10);
        for i in 0..50 {
            throttle.fail(&format!("k{i}"), i);
            throttle.fail(&format!("k{i}"), i);
        }
        for i in 0..50 {
            assert!(throttle.locked_until(&format!("k{i}"), 100).is_some(), "k{i}");
        }
        // Once their failures leave the window, they go at the next pruning.
        for i in 0..200 {
            throttle.fail(&format!("late-{i}"), 2_000_000);
        }
        assert!(throttle.locked_until("k0", 2_000_000).is_none());
        assert!(throttle.len() < 150, "{}", throttle.len());
    }
}
