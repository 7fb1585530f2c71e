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
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moka::sync::Cache;

/// Keys per block.
pub(crate) const BLOCK: u64 = 32;

type Block = Arc<[AtomicU64; BLOCK as usize]>;

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

    /// The values under `keys`, in order. Each block is looked up once
    /// per call, however its keys are spread: a listing in name order
    /// visits the blocks of its ids in no order at all.
    pub(crate) fn get_many(&self, keys: impl Iterator<Item = u64>) -> Vec<Option<u64>> {
        let keys: Vec<u64> = keys.collect();
        let (Some(low), Some(high)) = (keys.iter().min(), keys.iter().max()) else {
            return Vec::new();
        };
        let (first, last) = (low / BLOCK, high / BLOCK);
        let slot = |block: &Option<Block>, key: u64| {
            let v = block.as_ref()?[(key % BLOCK) as usize].load(Ordering::Relaxed);
            (v != 0).then_some(v)
        };
        // The usual case, ids of one node a few to a block: the blocks
        // side by side, looked up as first needed.
        let span = last - first + 1;
        if span <= 4 * keys.len() as u64 + 64 {
            let mut blocks: Vec<Option<Option<Block>>> = vec![None; span as usize];
            return keys
                .iter()
                .map(|&key| {
                    let block = blocks[(key / BLOCK - first) as usize]
                        .get_or_insert_with(|| self.blocks.get(&(key / BLOCK)));
                    slot(block, key)
                })
                .collect();
        }
        let mut blocks: HashMap<u64, Option<Block>> = HashMap::new();
        keys.iter()
            .map(|&key| {
                let block = blocks
                    .entry(key / BLOCK)
                    .or_insert_with(|| self.blocks.get(&(key / BLOCK)));
                slot(block, key)
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
        assert_eq!(
            c.get_many([0, 3, 4, 297, 298, 10_000].into_iter()),
            [Some(1), Some(2), None, Some(100), None, None]
        );
        c.remove(3);
        assert_eq!(c.get(3), None);
        c.insert(3, 7);
        assert_eq!(c.get(3), Some(7));
        // Keys far apart, and in no order: each block looked up once.
        let far = [u64::MAX / 2, 3, 1 << 40, 297];
        assert_eq!(
            c.get_many(far.into_iter()),
            [None, Some(7), None, Some(100)]
        );
        assert_eq!(c.get_many([].into_iter()), []);
        c.blocks.run_pending_tasks();
        assert_eq!(c.blocks.entry_count(), 300u64.div_ceil(BLOCK));
    }
}
