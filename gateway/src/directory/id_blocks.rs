//! A moka cache of ids kept in blocks of [`BLOCK`] consecutive keys.
//!
//! The identity caches map dense integers (local ids of a node, cluster
//! ids) to small values. One moka entry per id costs a few hundred bytes
//! of bookkeeping (its key and value boxes, its places in the access and
//! expiry orders); a fan-out listing of 100,000 systems would pay that for
//! every id. Here one entry holds a block of [`BLOCK`] neighbouring keys,
//! each slot an atomic word (0: nothing cached), so the bookkeeping is
//! paid once per block and a slot is set in place without a new insert.
//!
//! Expiry is per block: a slot lives at most the time to live from when
//! its block was made (a slot set late in a block's life simply goes
//! sooner). Eviction under the capacity drops whole blocks.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moka::sync::Cache;

/// Keys per block.
pub(crate) const BLOCK: u64 = 32;

type Block = Arc<[AtomicU64; BLOCK as usize]>;

/// Blocks of one [`IdBlocks`] already looked up, kept by a caller across
/// calls of [`IdBlocks::get_many`] (the batches of one node's listing).
/// A block kept here sees later changes of its slots; one evicted from the
/// cache meanwhile still answers what it held for the rest of the listing
/// (a local id's cluster id never changes; that a system's copy became one
/// left behind by a move is seen by the next listing).
#[derive(Debug, Default)]
pub(crate) struct BlockMemo(HashMap<u64, Block, BuildHasherDefault<BlockNumberHasher>>);

/// A hash of a block number: one multiplication (Fibonacci hashing)
/// rather than SipHash, a memo being asked once per id of a listing.
/// SipHash guards against keys chosen to collide; these numbers come from
/// the nodes' answers, not from clients, and a memo lives for one listing.
#[derive(Debug, Default)]
struct BlockNumberHasher(u64);

impl Hasher for BlockNumberHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Values (non-zero `u64`s) under `u64` keys, in blocks.
#[derive(Debug)]
pub(crate) struct IdBlocks {
    blocks: Cache<u64, Block>,
}

impl IdBlocks {
    /// Room for about `capacity` keys; each block lives `ttl`.
    pub(crate) fn new(capacity: u64, ttl: Duration) -> IdBlocks {
        IdBlocks {
            blocks: Cache::builder()
                .max_capacity(capacity.div_ceil(BLOCK))
                .time_to_live(ttl)
                .build(),
        }
    }

    /// The value under `key`.
    pub(crate) fn get(&self, key: u64) -> Option<u64> {
        let block = self.blocks.get(&(key / BLOCK))?;
        match block[(key % BLOCK) as usize].load(Ordering::Relaxed) {
            0 => None,
            v => Some(v),
        }
    }

    /// The values under `keys`, in order. A block found is kept in
    /// `memo`, so that each block is looked up once per memo, however the
    /// keys are spread: a listing in name order visits the blocks of its
    /// ids in no order at all, batch after batch.
    pub(crate) fn get_many(
        &self,
        keys: impl Iterator<Item = u64>,
        memo: &mut BlockMemo,
    ) -> Vec<Option<u64>> {
        keys.map(|key| {
            let number = key / BLOCK;
            let block = match memo.0.get(&number) {
                Some(block) => block,
                None => {
                    let found = self.blocks.get(&number)?;
                    memo.0.entry(number).or_insert(found)
                }
            };
            let v = block[(key % BLOCK) as usize].load(Ordering::Relaxed);
            (v != 0).then_some(v)
        })
        .collect()
    }

    /// Sets `value` (non-zero) under `key`.
    pub(crate) fn insert(&self, key: u64, value: u64) {
        self.insert_many([(key, value)].into_iter());
    }

    /// Sets many values; neighbouring keys share one look-up of their
    /// block.
    pub(crate) fn insert_many(&self, pairs: impl Iterator<Item = (u64, u64)>) {
        let mut last: Option<(u64, Block)> = None;
        for (key, value) in pairs {
            let number = key / BLOCK;
            if !matches!(&last, Some((n, _)) if *n == number) {
                let block = self.blocks.get_with(number, || {
                    Arc::new(std::array::from_fn(|_| AtomicU64::new(0)))
                });
                last = Some((number, block));
            }
            if let Some((_, block)) = &last {
                block[(key % BLOCK) as usize].store(value, Ordering::Relaxed);
            }
        }
    }

    /// Forgets the value under `key`.
    pub(crate) fn remove(&self, key: u64) {
        if let Some(block) = self.blocks.get(&(key / BLOCK)) {
            block[(key % BLOCK) as usize].store(0, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_in_blocks() {
        let c = IdBlocks::new(1000, Duration::from_secs(60));
        assert_eq!(c.get(5), None);
        c.insert_many((0..100).map(|k| (k * 3, k + 1)));
        assert_eq!(c.get(3), Some(2));
        assert_eq!(c.get(4), None);
        let mut memo = BlockMemo::default();
        assert_eq!(
            c.get_many([0, 3, 4, 297, 298, 10_000].into_iter(), &mut memo),
            [Some(1), Some(2), None, Some(100), None, None]
        );
        c.remove(3);
        assert_eq!(c.get(3), None);
        c.insert(3, 7);
        assert_eq!(c.get(3), Some(7));
        // A remembered block sees later changes; a block missing when
        // first asked for is found once made.
        c.insert(10_000, 9);
        assert_eq!(
            c.get_many([3, 10_000, u64::MAX / 2].into_iter(), &mut memo),
            [Some(7), Some(9), None]
        );
        c.blocks.run_pending_tasks();
        // The blocks of 0..300, and the one of 10,000.
        assert_eq!(c.blocks.entry_count(), 300u64.div_ceil(BLOCK) + 1);
    }
}
