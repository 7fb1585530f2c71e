//! Fan-out listings of systems (ordered by name, then id) merged while the
//! nodes still send them.
//!
//! Every serving node's answer is read in batches ([`Feed`]); each batch's
//! ids are translated as it arrives. Once every node has given its first
//! batch (or its end, a fault, or nothing), the fan-out policy is applied
//! exactly as for any fan-out ([`super::fanout`]): a node that fails
//! before then is left out or named in a fault. Then the answer starts:
//! a k-way merge takes the smallest head among the nodes (ties to the
//! earlier node) and writes the items from the nodes' own bytes, chunk by
//! chunk, as the client reads them. A node whose next batch is not in yet
//! holds the merge until it is.
//!
//! Each node's reader runs at most [`AHEAD`] batches ahead of the merge
//! (plus the one it waits to hand over), so a listing holds a few batches
//! per node, not the nodes' whole answers, however long they are or
//! however slowly the client reads; what the nodes sent meanwhile waits
//! in their sockets. That wait is the gateway's, not the node's: it does
//! not count against the node's timeout, and a reader that has to wait
//! tells the node's breaker the node did its part
//! ([`crate::upstream::NodeStream`]). A client that takes nothing for the
//! nodes' timeout loses its answer (the connection is broken off before the
//! document ends, [`Answer`]), so that a stalled client does not hold the
//! nodes' connections for ever.
//!
//! Each node's list is in its server's order already, which is what makes
//! a merge of the heads the answer one server would give. A node whose
//! list is not is merged as it came, with a warning.
//!
//! A node that fails once the answer has started cannot be left out of
//! what was already written. Under `strict` the answer is cut off (the
//! connection closes before the document ends, which every client reports
//! as an error) and the failure logged; under `partial` the answer goes
//! on without that node's remaining items, and the gap is logged and
//! counted.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, Stream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use xmlrpc::{Limits, Value};

use super::fanout::{apply_policy, gather, merge_values};
use super::list_feed::{BUFFER, Feed, Step};
use super::list_merge::{CHUNK, ChunkPool, HEAD, TAIL, write_item};
use super::list_scan::{self, ListShape, NameKey, NodeList};
use super::node_call::call_node_with;
use super::{Ctx, Routed, translate};
use crate::config::FanoutPolicy;
use crate::directory::{Directory, IdMemo, NodeInfo};
use crate::error::{GatewayError, NodeFailures};
use crate::upstream::metrics::Metrics;

/// Batches a node's reader may queue ahead of the merge.
const AHEAD: usize = 2;

/// What a node's reader passes to the merge.
#[derive(Debug)]
enum Piece {
    List(NodeList),
    End,
    Failed(String),
}

/// Routes a fan-out listing ordered by name, then id, for the wire.
pub(crate) async fn route(ctx: &Ctx<'_>, shape: Arc<ListShape>) -> Result<Routed, GatewayError> {
    let directory = ctx.gw.directory().clone();
    // Each node's buffers in flight, kept for the next batches: the one
    // being read, the one being scanned, those queued for the merge and
    // the one it writes from.
    let pool = ChunkPool::new(BUFFER, (AHEAD + 3) * ctx.gw.directory().serving().len());
    let started = gather(ctx, |node| {
        let shape = shape.clone();
        let pool = pool.clone();
        let directory = directory.clone();
        async move {
            let session = ctx.session.as_ref();
            let opened =
                call_node_with(ctx.gw, &node, ctx.call.clone(), session, |client, body| {
                    let (shape, pool) = (shape.clone(), pool.clone());
                    async move {
                        let mut feed = Feed::new(client.open(body, true).await?, shape, pool);
                        Ok(match feed.next().await? {
                            Step::Fault(fault) => Err(fault),
                            step => Ok((feed, step)),
                        })
                    }
                })
                .await?;
            let (feed, mut step) = match opened {
                Ok(started) => started,
                Err(fault) => return Ok(Err(fault)),
            };
            // The node's batches share one memo, from the first on.
            let mut memo = IdMemo::default();
            if let Step::Batch(list) = &mut step {
                let ids = directory.identity();
                list_scan::translate(ids, &shape, list, &node.id, &mut memo).await?;
            }
            Ok(Ok((feed, step, memo)))
        }
    })
    .await?;
    if started
        .iter()
        .any(|(_, (_, step, _))| matches!(step, Step::Other(_)))
    {
        return whole(ctx, &shape, started).await.map(Routed::Value);
    }
    let mut sources = Vec::with_capacity(started.len());
    let mut readers = Readers(Vec::with_capacity(started.len()));
    for (node, (feed, step, memo)) in started {
        let (tx, rx) = mpsc::channel(AHEAD);
        let list = match step {
            Step::Batch(list) => {
                readers.0.push(tokio::spawn(read_on(
                    feed,
                    memo,
                    shape.clone(),
                    directory.clone(),
                    node.id.clone(),
                    tx,
                )));
                Some(list)
            }
            _ => None,
        };
        sources.push(Source {
            node: node.id,
            list,
            at: 0,
            rx,
            unsorted: false,
        });
    }
    let (body, pieces) = futures::channel::mpsc::channel::<Result<Bytes, io::Error>>(2);
    let whole = Arc::new(AtomicBool::new(false));
    let answer = Answer {
        pieces,
        whole: whole.clone(),
        ended: false,
    };
    let merge = Merge {
        sources,
        readers,
        stall: ctx.gw.config().upstream.timeout(),
        whole,
        policy: ctx.gw.config().fanout.policy,
        metrics: ctx.gw.metrics().clone(),
        method: ctx.method(),
    };
    tokio::spawn(merge.run(body));
    Ok(Routed::Encoded(axum::body::Body::from_stream(answer)))
}

/// Reads a node's answer on after its first batch, translating each.
async fn read_on(
    mut feed: Feed,
    mut memo: IdMemo,
    shape: Arc<ListShape>,
    directory: Arc<Directory>,
    node: Arc<str>,
    to_merge: mpsc::Sender<Piece>,
) {
    loop {
        let piece = match feed.next().await {
            Ok(Step::Batch(mut list)) => {
                let ids = directory.identity();
                match list_scan::translate(ids, &shape, &mut list, &node, &mut memo).await {
                    Ok(()) => Piece::List(list),
                    Err(e) => Piece::Failed(e.to_string()),
                }
            }
            Ok(Step::End) => Piece::End,
            // Only ever a first step.
            Ok(Step::Fault(_) | Step::Other(_)) => Piece::Failed("answer changed shape".into()),
            Err(e) => Piece::Failed(e.to_string()),
        };
        let more = matches!(piece, Piece::List(_));
        let sent = match to_merge.try_send(piece) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(piece)) => {
                // The node sends faster than the client reads.
                feed.vouch();
                to_merge.send(piece).await.is_ok()
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        };
        if !sent || !more {
            return;
        }
    }
}

/// The nodes' readers, stopped when the merge ends (the client went away,
/// or the answer was cut off).
struct Readers(Vec<JoinHandle<()>>);

impl Drop for Readers {
    fn drop(&mut self) {
        for reader in &self.0 {
            reader.abort();
        }
    }
}

/// One node's place in the merge.
struct Source {
    node: Arc<str>,
    /// The batch being merged; `None` once the node's list ended.
    list: Option<NodeList>,
    /// The next item of `list`.
    at: usize,
    rx: mpsc::Receiver<Piece>,
    /// Whether a warning about its order was logged.
    unsorted: bool,
}

/// A sort key: name, then id.
type Key<'a> = (Option<NameKey<'a>>, Option<i64>);

fn key(list: &NodeList, i: usize) -> Key<'_> {
    (list.name(i), list.items[i].id)
}

impl Source {
    /// The key of the next item; `None` once the list ended.
    fn head(&self) -> Option<Key<'_>> {
        let list = self.list.as_ref()?;
        Some(key(list, self.at))
    }

    /// Makes sure the next item is at hand: waits for the node's next
    /// batch when this one is used up. `Err` holds why the node failed.
    async fn fill(&mut self) -> Result<(), String> {
        loop {
            let Some(list) = &self.list else {
                return Ok(());
            };
            if self.at < list.items.len() {
                return Ok(());
            }
            match self.rx.recv().await {
                Some(Piece::List(next)) => {
                    if !next.items.is_empty()
                        && !list.items.is_empty()
                        && key(list, list.items.len() - 1) > key(&next, 0)
                    {
                        self.note_unsorted();
                    }
                    self.list = Some(next);
                    self.at = 0;
                }
                Some(Piece::End) => self.list = None,
                Some(Piece::Failed(why)) => {
                    self.list = None;
                    return Err(why);
                }
                None => {
                    self.list = None;
                    return Err("its reader stopped".into());
                }
            }
        }
    }

    /// Takes the next item, noting when it comes before the one taken last.
    fn advance(&mut self) {
        if let Some(list) = &self.list
            && self.at + 1 < list.items.len()
            && key(list, self.at) > key(list, self.at + 1)
        {
            self.note_unsorted();
        }
        self.at += 1;
    }

    fn note_unsorted(&mut self) {
        if !self.unsorted {
            self.unsorted = true;
            tracing::warn!(node = %self.node, "a node's listing is not in name order: merged as it came");
        }
    }
}

/// The merge of the nodes' lists into the answer.
struct Merge {
    sources: Vec<Source>,
    readers: Readers,
    /// How long the client may take nothing before its answer is dropped.
    stall: Duration,
    /// Set once the document's end is handed to the client's connection.
    whole: Arc<AtomicBool>,
    policy: FanoutPolicy,
    metrics: Arc<Metrics>,
    method: String,
}

impl Merge {
    /// Writes the answer into `body` until it is complete, cut off, or
    /// no longer read.
    async fn run(mut self, mut body: futures::channel::mpsc::Sender<Result<Bytes, io::Error>>) {
        let pool = ChunkPool::default();
        let mut out = pool.take();
        out.extend_from_slice(HEAD);
        // The sources whose next item may not be at hand: all at first,
        // then the one an item was just taken from.
        let mut stale: Option<usize> = None;
        loop {
            let sources = match stale {
                None => &mut self.sources[..],
                Some(n) => &mut self.sources[n..=n],
            };
            for source in sources {
                if let Err(why) = source.fill().await {
                    match self.policy {
                        FanoutPolicy::Strict => {
                            tracing::error!(node = %source.node, cause = %why, method = %self.method, "fan-out answer cut off: a node failed after the answer had started");
                            let cut = io::Error::other(format!("node {} failed", source.node));
                            self.pass(&mut body, Err(cut)).await;
                            return;
                        }
                        FanoutPolicy::Partial => {
                            self.metrics.fanout_gap(&source.node);
                            tracing::warn!(node = %source.node, cause = %why, method = %self.method, "fan-out answered without the rest of this node's items");
                        }
                    }
                }
            }
            let mut best: Option<(usize, Key<'_>)> = None;
            for (n, source) in self.sources.iter().enumerate() {
                if let Some(head) = source.head()
                    && best.is_none_or(|(_, b)| head < b)
                {
                    best = Some((n, head));
                }
            }
            let Some((n, _)) = best else {
                break;
            };
            let source = &mut self.sources[n];
            if let Some(list) = &source.list {
                write_item(list, source.at, &mut out);
            }
            source.advance();
            stale = Some(n);
            if out.len() >= CHUNK {
                let full = std::mem::replace(&mut out, pool.take());
                if !self.pass(&mut body, Ok(pool.chunk(full))).await {
                    return;
                }
            }
        }
        out.extend_from_slice(TAIL);
        if self.pass(&mut body, Ok(pool.chunk(out))).await {
            self.whole.store(true, Ordering::Release);
        }
        drop(self.readers);
    }

    /// Hands `piece` to the client's connection; `false` when the client
    /// went away or took nothing for [`Merge::stall`] (logged: its answer
    /// is dropped, and with it the nodes' readers).
    async fn pass(
        &self,
        body: &mut futures::channel::mpsc::Sender<Result<Bytes, io::Error>>,
        piece: Result<Bytes, io::Error>,
    ) -> bool {
        match tokio::time::timeout(self.stall, body.send(piece)).await {
            Ok(sent) => sent.is_ok(),
            Err(_) => {
                tracing::warn!(method = %self.method, stalled_ms = self.stall.as_millis() as u64, "fan-out answer dropped: its client took nothing for the nodes' timeout");
                false
            }
        }
    }
}

/// The answer's body: the merge's pieces, then, unless the merge handed
/// over the document's end, an error, so that hyper breaks the connection
/// off instead of ending the body as if it were whole. A client whose
/// answer was dropped ([`Merge::pass`]) sees a broken connection, as for
/// a strict answer cut off, not a well-formed HTTP body with half a
/// document in it.
struct Answer {
    pieces: futures::channel::mpsc::Receiver<Result<Bytes, io::Error>>,
    whole: Arc<AtomicBool>,
    ended: bool,
}

impl Stream for Answer {
    type Item = Result<Bytes, io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.pieces).poll_next(cx) {
            Poll::Ready(None) => {
                self.ended = true;
                if self.whole.load(Ordering::Acquire) {
                    Poll::Ready(None)
                } else {
                    Poll::Ready(Some(Err(io::Error::other("the answer was dropped"))))
                }
            }
            Poll::Ready(Some(Err(cut))) => {
                self.ended = true;
                Poll::Ready(Some(Err(cut)))
            }
            other => other,
        }
    }
}

/// The value path, for when a node answered something other than a list
/// of structs: every node's answer as a value, merged as any fan-out.
async fn whole(
    ctx: &Ctx<'_>,
    shape: &ListShape,
    started: Vec<(NodeInfo, (Feed, Step, IdMemo))>,
) -> Result<Value, GatewayError> {
    let ids = ctx.gw.directory().identity();
    let mut values = Vec::with_capacity(started.len());
    let mut failures = NodeFailures::default();
    for (node, (mut feed, step, mut memo)) in started {
        let unavailable = |source| GatewayError::NodeUnavailable {
            node: node.id.to_string(),
            source,
        };
        if let Step::Other(doc) = step {
            let mut value = crate::upstream::parse(doc)
                .await
                .map_err(unavailable)?
                .map_err(GatewayError::Fault)?;
            translate::result_from_node(ids, ctx.entry, &mut value, &node.id).await?;
            values.push(value);
            continue;
        }
        // A list, its first batch translated.
        let mut items = Vec::new();
        let mut step = step;
        let mut first = true;
        loop {
            match step {
                Step::Batch(mut list) => {
                    if !first {
                        list_scan::translate(ids, shape, &mut list, &node.id, &mut memo).await?;
                    }
                    match values_of(&list) {
                        Some(values) => items.extend(values),
                        None => {
                            failures.0.push((
                                node.id.to_string(),
                                "its items could not be read back".into(),
                            ));
                            items.clear();
                            break;
                        }
                    }
                }
                Step::End => break,
                Step::Fault(_) | Step::Other(_) => {
                    failures
                        .0
                        .push((node.id.to_string(), "answer changed shape".into()));
                    break;
                }
            }
            first = false;
            step = match feed.next().await {
                Ok(step) => step,
                Err(e) => {
                    failures.0.push((node.id.to_string(), e.to_string()));
                    items.clear();
                    break;
                }
            };
        }
        values.push(Value::Array(items));
    }
    apply_policy(ctx, failures, false)?;
    merge_values(ctx, values).await
}

/// A batch's items as values, ids translated.
fn values_of(list: &NodeList) -> Option<Vec<Value>> {
    let mut doc = HEAD.to_vec();
    for i in 0..list.items.len() {
        write_item(list, i, &mut doc);
    }
    doc.extend_from_slice(TAIL);
    match xmlrpc::parse_response(&doc, &Limits::RESPONSE) {
        Ok(Ok(Value::Array(items))) => Some(items),
        _ => None,
    }
}
