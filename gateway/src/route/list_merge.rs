//! Merging the scanned lists of a fan-out ([`super::list_scan`]) and
//! writing the answer from the nodes' own bytes.
//!
//! The order is [`super::merge::merge_fanout`]'s: a stable sort of the
//! lists concatenated in node order, by name then id, by id (when every
//! item has one), or none. Each node answers its list in its server's
//! order already, so the lists are checked (and sorted only if they are
//! not) and merged k ways, ties going to the earlier node: the same
//! order, in O(n log k).
//!
//! The document is written chunk by chunk ([`ListWriter`]) as the client
//! takes it: each item is its node's bytes with the id members replaced by
//! `<i4>cluster id</i4>`. Only the nodes' answers and one chunk are in
//! memory, never a second copy of the whole list. The chunks' buffers go
//! back to the writer once sent ([`ChunkPool`]): a listing of 50 MB is
//! written through a few buffers, not 200 fresh ones whose pages the
//! allocator hands back to the system and faults in again.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use bytes::Bytes;

use super::list_scan::NodeList;
use super::merge::Order;

/// What `xmlrpc::encode_response` writes before an array's items.
pub(crate) const HEAD: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodResponse><params><param><value><array><data>";
/// ... and after them: what closes a list (a streamed listing adds it
/// after a batch's items to scan them, and after a header to check it).
pub(crate) const TAIL: &[u8] = b"</data></array></value></param></params></methodResponse>";
/// About how many bytes each streamed chunk holds.
pub(crate) const CHUNK: usize = 256 * 1024;

/// The merged order of the items of `lists` (node after node as given):
/// (list, item) pairs.
pub(crate) fn merged_order(lists: &[NodeList], order: Order) -> Vec<(u32, u32)> {
    let all_ids = lists
        .iter()
        .all(|l| l.items.iter().all(|item| item.id.is_some()));
    match order {
        Order::NameThenId => k_way(lists, |l, i| (l.name(i), l.items[i].id)),
        Order::Id if all_ids => k_way(lists, |l, i| l.items[i].id),
        // Groups are united on the value path ([`super::fanout`]).
        Order::Id | Order::AsAnswered | Order::Groups(_) => lists
            .iter()
            .enumerate()
            .flat_map(|(n, l)| (0..l.items.len() as u32).map(move |i| (n as u32, i)))
            .collect(),
    }
}

/// A stable merge of the lists by `key`.
fn k_way<'a, K: Ord + 'a>(
    lists: &'a [NodeList],
    key: impl Fn(&'a NodeList, usize) -> K,
) -> Vec<(u32, u32)> {
    let runs: Vec<Vec<u32>> = lists
        .iter()
        .map(|l| {
            let mut run: Vec<u32> = (0..l.items.len() as u32).collect();
            let sorted = run
                .windows(2)
                .all(|w| key(l, w[0] as usize) <= key(l, w[1] as usize));
            if !sorted {
                run.sort_by_key(|i| key(l, *i as usize));
            }
            run
        })
        .collect();
    let total = runs.iter().map(Vec::len).sum();
    let mut heads = BinaryHeap::with_capacity(lists.len());
    for (n, run) in runs.iter().enumerate() {
        if let Some(&first) = run.first() {
            heads.push(Reverse((key(&lists[n], first as usize), n, 0usize)));
        }
    }
    let mut merged = Vec::with_capacity(total);
    while let Some(Reverse((_, n, at))) = heads.pop() {
        merged.push((n as u32, runs[n][at]));
        if let Some(&next) = runs[n].get(at + 1) {
            heads.push(Reverse((key(&lists[n], next as usize), n, at + 1)));
        }
    }
    merged
}

/// How many sent chunks' buffers a writer keeps for the next chunks.
const POOLED: usize = 4;

/// Buffers of chunks already used, for the next ones: buffers of one size,
/// a few kept.
#[derive(Debug, Clone)]
pub(crate) struct ChunkPool(Arc<PoolInner>);

#[derive(Debug)]
struct PoolInner {
    size: usize,
    keep: usize,
    free: Mutex<Vec<Vec<u8>>>,
}

impl Default for ChunkPool {
    /// A pool of buffers for answer chunks.
    fn default() -> ChunkPool {
        ChunkPool::new(CHUNK + CHUNK / 8, POOLED)
    }
}

impl ChunkPool {
    /// A pool of buffers with room for `size` bytes, keeping `keep`.
    pub(crate) fn new(size: usize, keep: usize) -> ChunkPool {
        ChunkPool(Arc::new(PoolInner {
            size,
            keep,
            free: Mutex::new(Vec::new()),
        }))
    }

    /// An empty buffer with room for a chunk.
    pub(crate) fn take(&self) -> Vec<u8> {
        let mut free = self.0.free.lock().unwrap_or_else(|e| e.into_inner());
        free.pop()
            .unwrap_or_else(|| Vec::with_capacity(self.0.size))
    }

    /// `buf` as a chunk whose buffer comes back here once it is dropped.
    pub(crate) fn chunk(&self, buf: Vec<u8>) -> Bytes {
        Bytes::from_owner(Pooled {
            buf,
            pool: self.clone(),
        })
    }
}

/// A chunk's buffer, back to its pool when the chunk is dropped.
struct Pooled {
    buf: Vec<u8>,
    pool: ChunkPool,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let mut buf = std::mem::take(&mut self.buf);
        // Only buffers of the pool's size (not ones that grew) go back.
        if buf.capacity() != self.pool.0.size {
            return;
        }
        buf.clear();
        let mut free = self.pool.0.free.lock().unwrap_or_else(|e| e.into_inner());
        if free.len() < self.pool.0.keep {
            free.push(buf);
        }
    }
}

/// Writes the merged answer in chunks of about [`CHUNK`] bytes.
#[derive(Debug)]
pub(crate) struct ListWriter {
    pool: ChunkPool,
    lists: Vec<NodeList>,
    order: Vec<(u32, u32)>,
    next: usize,
    started: bool,
    done: bool,
}

impl ListWriter {
    /// A writer of `lists` in `order` (from [`merged_order`]).
    pub(crate) fn new(lists: Vec<NodeList>, order: Vec<(u32, u32)>) -> ListWriter {
        ListWriter {
            pool: ChunkPool::default(),
            lists,
            order,
            next: 0,
            started: false,
            done: false,
        }
    }

    /// The answer as a streamed response body.
    pub(crate) fn into_body(self) -> Body {
        Body::from_stream(futures::stream::iter(self.map(Ok::<_, Infallible>)))
    }
}

impl Iterator for ListWriter {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        if self.done {
            return None;
        }
        let mut out = self.pool.take();
        if !self.started {
            self.started = true;
            out.extend_from_slice(HEAD);
        }
        while out.len() < CHUNK
            && let Some(&(n, i)) = self.order.get(self.next)
        {
            write_item(&self.lists[n as usize], i as usize, &mut out);
            self.next += 1;
        }
        if self.next == self.order.len() {
            out.extend_from_slice(TAIL);
            self.done = true;
            self.lists = Vec::new();
            self.order = Vec::new();
        }
        Some(self.pool.chunk(out))
    }
}

/// Item `i` of `list`: its bytes, the id members replaced.
pub(crate) fn write_item(list: &NodeList, i: usize, out: &mut Vec<u8>) {
    let (start, end) = list.items[i].span;
    let mut at = start as usize;
    for edit in list.edits_of(i) {
        out.extend_from_slice(&list.body[at..edit.start as usize]);
        xmlrpc::write_i4(edit.id, out);
        at = edit.end as usize;
    }
    out.extend_from_slice(&list.body[at..end as usize]);
}

#[cfg(test)]
mod tests;
