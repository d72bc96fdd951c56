//! Slowing down guessing: after too many failures for one key (a client id, an e-mail address)
//! within a window, further attempts are refused until the oldest failure leaves the window.
//! Counted per node, with the injectable clock.

use std::collections::HashMap;
use std::sync::Mutex;

pub struct Throttle {
    max_failures: usize,
    window_ms: i64,
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

impl Throttle {
    pub fn new(max_failures: usize, window_ms: i64) -> Self {
        Self { max_failures, window_ms, failures: Mutex::new(HashMap::new()) }
    }

    /// When `key` may try again, if it is locked out now.
    pub fn locked_until(&self, key: &str, now: i64) -> Option<i64> {
        let mut failures = self.failures.lock().expect("throttle poisoned");
        let times = failures.get_mut(key)?;
        times.retain(|t| now - t < self.window_ms);
        (times.len() >= self.max_failures).then(|| times[0] + self.window_ms)
    }

    pub fn fail(&self, key: &str, now: i64) {
        let mut failures = self.failures.lock().expect("throttle poisoned");
        let times = failures.entry(key.to_string()).or_default();
        times.retain(|t| now - t < self.window_ms);
        times.push(now);
        if failures.len() > 100_000 {
            // A flood of distinct keys: forget the oldest state rather than grow without bound.
            failures.clear();
        }
    }

    pub fn clear(&self, key: &str) {
        self.failures.lock().expect("throttle poisoned").remove(key);
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
}
