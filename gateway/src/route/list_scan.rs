//! One node's answer to a fan-out listing, kept as the bytes it sent: the
//! byte range of each item, its sort key, and the id members to rewrite,
//! with their cluster ids looked up (or allocated) in one batch.
//!
//! [`scan`] reads the answer with [`xmlrpc::scan_response`] (the parser's
//! grammar, no value trees) off the I/O threads; [`translate`] maps the
//! ids the spec marks ([`Entry::ids`], struct members) to cluster ids.
//! What [`super::merge::merge_fanout`] reads of an item is kept: the first
//! `name` member when it is a string, the first `id` member when it is an
//! integer (its cluster id once translated).
//!
//! A routed call's answer that is one struct is scanned the same way, as
//! a list of one item: the whole document ([`Scanned::Struct`]).
//!
//! An answer this cannot carry comes back as it is ([`Scanned::Other`]) for
//! the value path: a result that is not an array or a struct, an array with
//! an item that is not a struct, or elements with a namespace prefix.

use std::sync::Arc;

use bytes::Bytes;
use spec::{Entry, IdKind, IdPlace};
use xmlrpc::{Fault, Limits, Picked};

use crate::directory::{CachedIdentity, IdMemo, SeenSystem, Sighting};
use crate::error::GatewayError;
use crate::upstream::UpstreamError;

/// Picks of every scan: the sort key, the member `id`, and what a new
/// system id is recorded with; the id members follow.
const NAME: usize = 0;
const ID: usize = 1;
const MINION: usize = 2;
const MACHINE: usize = 3;
const PICKS: [&str; 4] = ["name", "id", "minion_id", "machine_id"];

/// What the fast path needs of a fan-out method: the id members of its
/// items and the members it reads.
#[derive(Debug)]
pub(crate) struct ListShape {
    /// The translated struct members, with their kind of id and their
    /// index in `picks`.
    fields: Vec<(&'static str, IdKind, usize)>,
    /// [`PICKS`], then the fields not among them.
    picks: Vec<&'static str>,
    /// Whether items that name a copy a moved system left on its old node
    /// are left out: a fan-out listing about systems shows each once, and
    /// never the copy under the system's id.
    hide_left: bool,
}

impl ListShape {
    /// The shape of `entry`'s list items; `None` when the same member is
    /// translated twice or ids sit in nested structs (the value path
    /// translates those).
    pub(crate) fn of(entry: &'static Entry) -> Option<ListShape> {
        let mut fields: Vec<(&'static str, IdKind, usize)> = Vec::new();
        let mut picks = PICKS.to_vec();
        for r in &entry.ids.result {
            // Group, package and erratum ids may need a call to the node: the value path.
            if matches!(r.place, IdPlace::Nested(_)) || r.kind.is_shared() {
                return None;
            }
            if let IdPlace::Field(name) = &r.place {
                if fields.iter().any(|(f, _, _)| f == name) {
                    return None;
                }
                let pick = match picks.iter().position(|p| p == name) {
                    Some(pick) => pick,
                    None => {
                        picks.push(name.as_str());
                        picks.len() - 1
                    }
                };
                fields.push((name.as_str(), r.kind, pick));
            }
        }
        let hide_left = super::translate::hides_left(entry);
        Some(ListShape {
            fields,
            picks,
            hide_left,
        })
    }
}

/// Text from the answer: a range of its bytes, or resolved text.
#[derive(Debug)]
enum Text {
    At(u32, u32),
    Owned(Box<str>),
}

impl Text {
    fn of(s: &str, body: &[u8]) -> Text {
        let start = (s.as_ptr() as usize).wrapping_sub(body.as_ptr() as usize);
        match u32::try_from(start) {
            Ok(at) if start + s.len() <= body.len() && body[start..].starts_with(s.as_bytes()) => {
                Text::At(at, at + s.len() as u32)
            }
            _ => Text::Owned(s.into()),
        }
    }

    fn bytes<'a>(&'a self, body: &'a [u8]) -> &'a [u8] {
        match self {
            Text::At(a, b) => &body[*a as usize..*b as usize],
            Text::Owned(s) => s.as_bytes(),
        }
    }

    fn str<'a>(&'a self, body: &'a [u8]) -> Option<&'a str> {
        std::str::from_utf8(self.bytes(body)).ok()
    }
}

/// A sort key by name: the first 16 bytes as one number (big-endian,
/// zero-padded), then the whole name. Ordered as the names are: names
/// whose numbers differ compare as their numbers do, and only equal
/// numbers look at the names, which may lie anywhere in a node's answer
/// (a merge that compared them at every step would wait on memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct NameKey<'a> {
    head: u128,
    name: &'a [u8],
}

fn head(name: &[u8]) -> u128 {
    let mut buf = [0u8; 16];
    let n = name.len().min(16);
    buf[..n].copy_from_slice(&name[..n]);
    u128::from_be_bytes(buf)
}

/// One item of a node's list.
#[derive(Debug)]
pub(crate) struct ListItem {
    /// Its `<value>` element in the answer.
    pub(crate) span: (u32, u32),
    /// Its `name` member, when a string, and that name's [`NameKey`] head.
    name: Option<(u128, Text)>,
    /// Its `id` member, when an integer (the cluster id once translated).
    pub(crate) id: Option<i64>,
    /// Its first rewrite in [`NodeList::edits`].
    pub(crate) first_edit: u32,
}

/// An id member to rewrite: its type element's range and the cluster id.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edit {
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) id: i32,
}

/// An id member still to translate.
#[derive(Debug)]
struct Pending {
    item: u32,
    local: i32,
    start: u32,
    end: u32,
}

/// One node's list.
#[derive(Debug)]
pub(crate) struct NodeList {
    pub(crate) body: Bytes,
    pub(crate) items: Vec<ListItem>,
    /// Rewrites, item after item, in document order within an item.
    pub(crate) edits: Vec<Edit>,
    /// The spans of the items left out ([`ListShape::hide_left`]), in
    /// document order.
    dropped: Vec<(u32, u32)>,
    /// Whether the answer is one struct, not a list: nothing is left out
    /// of it.
    one_struct: bool,
    /// Per field of the shape, the members to translate.
    pending: Vec<Vec<Pending>>,
    /// Per item, its minion and machine ids (only for system id fields).
    who: Vec<(Option<Text>, Option<Text>)>,
}

impl NodeList {
    /// Item `i`'s sort key: its name.
    pub(crate) fn name(&self, i: usize) -> Option<NameKey<'_>> {
        self.items[i].name.as_ref().map(|(head, t)| NameKey {
            head: *head,
            name: t.bytes(&self.body),
        })
    }

    /// The whole answer, every id member rewritten and the items left out
    /// gone.
    pub(crate) fn into_document(self) -> Bytes {
        if self.edits.is_empty() && self.dropped.is_empty() {
            return self.body;
        }
        let mut out = Vec::with_capacity(self.body.len() + 8 * self.edits.len());
        let mut at = 0;
        let mut dropped = self.dropped.iter().peekable();
        for edit in &self.edits {
            while let Some(&&(start, end)) = dropped.peek()
                && start < edit.start
            {
                out.extend_from_slice(&self.body[at..start as usize]);
                at = end as usize;
                dropped.next();
            }
            out.extend_from_slice(&self.body[at..edit.start as usize]);
            xmlrpc::write_i4(edit.id, &mut out);
            at = edit.end as usize;
        }
        for &(start, end) in dropped {
            out.extend_from_slice(&self.body[at..start as usize]);
            at = end as usize;
        }
        out.extend_from_slice(&self.body[at..]);
        Bytes::from(out)
    }

    /// Item `i`'s rewrites.
    pub(crate) fn edits_of(&self, i: usize) -> &[Edit] {
        let from = self.items[i].first_edit as usize;
        let to = self
            .items
            .get(i + 1)
            .map_or(self.edits.len(), |next| next.first_edit as usize);
        &self.edits[from..to]
    }
}

/// What a node answered.
#[derive(Debug)]
pub(crate) enum Scanned {
    /// A list of structs, scanned.
    List(NodeList),
    /// One struct, scanned as a list of one item: the whole document.
    Struct(NodeList),
    /// Anything else, for the value path.
    Other(Bytes),
}

/// Scans a node's answer for `shape` (off the I/O threads when large): a
/// fault is the node's answer, a document that does not parse is the
/// node's failure, as on the value path.
pub(crate) async fn scan(
    body: Bytes,
    shape: Arc<ListShape>,
) -> Result<Result<Scanned, Fault>, UpstreamError> {
    if body.len() <= crate::upstream::BLOCKING_PARSE_BYTES {
        return scan_now(body, &shape);
    }
    tokio::task::spawn_blocking(move || scan_now(body, &shape))
        .await
        .unwrap_or_else(|_| Err(UpstreamError::BadResponse("the parser failed".into())))
}

fn scan_now(body: Bytes, shape: &ListShape) -> Result<Result<Scanned, Fault>, UpstreamError> {
    let scan = match xmlrpc::scan_response(&body, &Limits::RESPONSE, &shape.picks) {
        Err(e) => return Err(UpstreamError::BadResponse(e.to_string())),
        Ok(xmlrpc::Scanned::Fault(f)) => return Ok(Err(f)),
        Ok(scan) => scan,
    };
    if u32::try_from(body.len()).is_err() {
        return Ok(Ok(Scanned::Other(body)));
    }
    let mut list = Lister::new(shape, &body);
    let list = match scan {
        xmlrpc::Scanned::Array(scan) if scan.all_structs() && !scan.has_prefixed_names() => {
            for (i, item) in scan.items().iter().enumerate() {
                list.add(item.span.clone(), |p| scan.picked(i, p));
            }
            Scanned::List(list.done())
        }
        xmlrpc::Scanned::Struct(scan) if !scan.has_prefixed_names() => {
            list.add(0..body.len(), |p| scan.picked(p));
            let mut one = list.done();
            one.one_struct = true;
            Scanned::Struct(one)
        }
        _ => Scanned::Other(body.clone()),
    };
    Ok(Ok(list))
}

/// A [`NodeList`] in the making, item by item.
struct Lister<'s> {
    shape: &'s ListShape,
    list: NodeList,
    who_needed: bool,
}

impl<'s> Lister<'s> {
    fn new(shape: &'s ListShape, body: &Bytes) -> Lister<'s> {
        Lister {
            shape,
            who_needed: shape.fields.iter().any(|(_, k, _)| *k == IdKind::System),
            list: NodeList {
                body: body.clone(),
                items: Vec::new(),
                edits: Vec::new(),
                dropped: Vec::new(),
                one_struct: false,
                pending: shape.fields.iter().map(|_| Vec::new()).collect(),
                who: Vec::new(),
            },
        }
    }

    /// The item at `span` of the answer, whose members `picked` gives.
    fn add<'a>(
        &mut self,
        span: std::ops::Range<usize>,
        picked: impl Fn(usize) -> Option<&'a Picked<'a>>,
    ) {
        let body = &self.list.body;
        let i = self.list.items.len() as u32;
        let name = match picked(NAME) {
            Some(Picked::Str(s)) => Some((head(s.as_bytes()), Text::of(s, body))),
            _ => None,
        };
        let id = match picked(ID) {
            Some(Picked::Int { value, .. }) => Some(*value),
            _ => None,
        };
        for ((_, _, pick), list) in self.shape.fields.iter().zip(self.list.pending.iter_mut()) {
            if let Some(Picked::Int { value, span }) = picked(*pick)
                && let Ok(local) = i32::try_from(*value)
            {
                list.push(Pending {
                    item: i,
                    local,
                    start: span.start as u32,
                    end: span.end as u32,
                });
            }
        }
        if self.who_needed {
            let text = |p| match picked(p) {
                Some(Picked::Str(s)) => Some(Text::of(s, body)),
                _ => None,
            };
            let who = (text(MINION), text(MACHINE));
            self.list.who.push(who);
        }
        self.list.items.push(ListItem {
            span: (span.start as u32, span.end as u32),
            name,
            id,
            first_edit: 0,
        });
    }

    fn done(self) -> NodeList {
        self.list
    }
}

/// Maps the id members of `list` (from `node`) to cluster ids, one batch
/// per member, and leaves out the copies moved systems left on `node`
/// when the shape says so ([`ListShape::hide_left`]). The batches of one
/// node's list share `memo`.
pub(crate) async fn translate(
    ids: &CachedIdentity,
    shape: &ListShape,
    list: &mut NodeList,
    node: &str,
    memo: &mut IdMemo,
) -> Result<(), GatewayError> {
    let mut edits: Vec<(u32, Edit)> = Vec::new();
    let mut left_out = Vec::new();
    for (f, (field, kind, _)) in shape.fields.iter().enumerate() {
        let pending = std::mem::take(&mut list.pending[f]);
        if pending.is_empty() {
            continue;
        }
        let cluster = match super::translate::object_kind(*kind) {
            None => {
                let body = &list.body;
                let seen: Vec<SeenSystem<'_>> = pending
                    .iter()
                    .map(|p| {
                        let (minion, machine) = match list.who.get(p.item as usize) {
                            Some((minion, machine)) => (minion.as_ref(), machine.as_ref()),
                            None => (None, None),
                        };
                        SeenSystem {
                            local_id: p.local,
                            minion_id: minion.and_then(|t| t.str(body)),
                            machine_id: machine.and_then(|t| t.str(body)),
                        }
                    })
                    .collect();
                let sightings = ids.system_ids(node, &seen, memo).await?;
                if shape.hide_left && !list.one_struct {
                    left_out.extend(
                        pending
                            .iter()
                            .zip(&sightings)
                            .filter(|(_, s)| s.is_left_behind())
                            .map(|(p, _)| p.item),
                    );
                }
                sightings.into_iter().map(Sighting::cluster_id).collect()
            }
            Some(object) => {
                let locals: Vec<i32> = pending.iter().map(|p| p.local).collect();
                ids.object_ids(object, node, &locals, memo).await?
            }
        };
        for (p, id) in pending.iter().zip(cluster) {
            if *field == "id" {
                list.items[p.item as usize].id = Some(i64::from(id));
            }
            edits.push((
                p.item,
                Edit {
                    start: p.start,
                    end: p.end,
                    id,
                },
            ));
        }
    }
    list.who = Vec::new();
    if !left_out.is_empty() {
        leave_out(list, &mut edits, left_out);
    }
    edits.sort_unstable_by_key(|(item, e)| (*item, e.start));
    let mut next = 0;
    for (i, item) in list.items.iter_mut().enumerate() {
        item.first_edit = next as u32;
        while next < edits.len() && edits[next].0 as usize == i {
            next += 1;
        }
    }
    list.edits = edits.into_iter().map(|(_, e)| e).collect();
    Ok(())
}

/// Takes the items numbered `out` (and their rewrites) out of `list`:
/// the items after them move up.
fn leave_out(list: &mut NodeList, edits: &mut Vec<(u32, Edit)>, mut out: Vec<u32>) {
    out.sort_unstable();
    out.dedup();
    let gone = |i: u32| out.binary_search(&i).is_ok();
    edits.retain(|(item, _)| !gone(*item));
    // Each item's new number: its old one less the items out before it.
    for (item, _) in edits.iter_mut() {
        *item -= out.partition_point(|o| o < item) as u32;
    }
    let mut i = 0;
    list.items.retain(|item| {
        let keep = !gone(i);
        if !keep {
            list.dropped.push(item.span);
        }
        i += 1;
        keep
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_keys_order_as_names() {
        // Names over a small alphabet (zero bytes and equal heads included),
        // every pair compared.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let names: Vec<Vec<u8>> = (0..300)
            .map(|_| {
                let len = (next() % 22) as usize;
                (0..len)
                    .map(|_| [0u8, b'a', b'b', 0xff][(next() % 4) as usize])
                    .collect()
            })
            .collect();
        fn key(n: &[u8]) -> NameKey<'_> {
            NameKey {
                head: head(n),
                name: n,
            }
        }
        for a in &names {
            for b in &names {
                assert_eq!(key(a).cmp(&key(b)), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }
}
