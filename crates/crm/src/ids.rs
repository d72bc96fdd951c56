//! Ids minted by the application (no sequences, so the schema stays portable to distributed
//! PostgreSQL engines). On the wire they are 19-digit strings, as Bigin's are.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// Offset that keeps every minted id at 19 digits.
const BASE: u64 = 1_000_000_000_000_000_000;
/// Milliseconds before this instant (2024-01-01) are never minted.
const EPOCH_MS: u64 = 1_704_067_200_000;
const NODE_BITS: u32 = 8;
const SEQ_BITS: u32 = 14;

/// A Bigin-style 64-bit id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Id(i64);

impl Id {
    pub fn from_i64(raw: i64) -> Self {
        Self(raw)
    }

    pub fn as_i64(self) -> i64 {
        self.0
    }

    /// Parses the decimal form a client sends; anything else is not an id.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() || text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse::<i64>().ok().filter(|v| *v > 0).map(Self)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<Id> for String {
    fn from(id: Id) -> Self {
        id.to_string()
    }
}

impl TryFrom<String> for Id {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Id::parse(&value).ok_or_else(|| format!("not an id: {value}"))
    }
}

/// Mints ids that grow with time: `BASE + (ms << 22 | node << 14 | seq)`.
/// The node bits keep two processes on one database from colliding.
#[derive(Debug)]
pub struct IdMinter {
    node: u64,
    /// Where the sequence starts each millisecond: random per process, so that two processes that
    /// drew the same node bits still collide only by a further 1-in-8192 chance.
    seq_start: u64,
    last: AtomicU64,
}

impl IdMinter {
    pub fn new(node: u8) -> Self {
        Self { node: u64::from(node), seq_start: 0, last: AtomicU64::new(0) }
    }

    pub fn random_node() -> Self {
        let seq_start = rand::random::<u64>() % (1 << (SEQ_BITS - 1));
        Self { seq_start, ..Self::new(rand::random()) }
    }

    pub fn mint(&self, now_ms: i64) -> Id {
        let ms = (now_ms.max(0) as u64).saturating_sub(EPOCH_MS);
        let floor = (ms << (NODE_BITS + SEQ_BITS)) | (self.node << SEQ_BITS) | self.seq_start;
        let mut prev = self.last.load(Ordering::Relaxed);
        loop {
            // Same node bits, next sequence; after the sequence runs out, borrow from the next ms.
            let next = if prev >= floor { next_after(prev, self.node) } else { floor };
            match self.last.compare_exchange_weak(prev, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return Id((BASE + next) as i64),
                Err(actual) => prev = actual,
            }
        }
    }
}

fn next_after(prev: u64, node: u64) -> u64 {
    let seq_mask = (1u64 << SEQ_BITS) - 1;
    if prev & seq_mask == seq_mask {
        let ms = (prev >> (NODE_BITS + SEQ_BITS)) + 1;
        (ms << (NODE_BITS + SEQ_BITS)) | (node << SEQ_BITS)
    } else {
        prev + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_19_digits_and_strictly_increasing() {
        let minter = IdMinter::new(7);
        let now = 1_790_000_000_000;
        let mut prev = minter.mint(now);
        for _ in 0..40_000 {
            let id = minter.mint(now);
            assert!(id > prev);
            assert_eq!(id.to_string().len(), 19);
            prev = id;
        }
    }

    #[test]
    fn parse_refuses_non_digits() {
        assert!(Id::parse("12a").is_none());
        assert!(Id::parse("").is_none());
        assert!(Id::parse("99999999999999999999").is_none());
        assert_eq!(Id::parse("4876876000000596045").unwrap().as_i64(), 4876876000000596045);
    }
}
