//! One node's answer to a fan-out listing, read as it arrives: its items
//! come out in batches ([`NodeList`]s) while the node still sends the
//! rest, so the merge can write the first items of the answer before the
//! last node has finished ([`super::list_stream`]).
//!
//! Every byte is still judged by the codec's own grammar
//! ([`list_scan::scan`], [`xmlrpc::scan_response`]); what is new here
//! only decides where to cut. A node's answer is
//!
//! ```text
//! header  <?xml ...?><methodResponse><params><param><value><array><data>
//! items   <value>...</value> <value>...</value> ...
//! trailer </data></array></value></param></params></methodResponse>
//! ```
//!
//! - The header is the bytes up to the first `<data>`. It counts as the
//!   start of a list when header + trailer scans as an empty array.
//! - A batch is cut after the last `</struct></value>` read so far,
//!   where an item that is a struct of scalars ends ([`last_item_end`]),
//!   and scanned as the document header + items + trailer: a batch scans
//!   iff those items are valid in the list, and the spans found are the
//!   items' own bytes in the node's encoding (its header carries any
//!   namespace declaration). A cut whose batch scans is where an item
//!   really ends: the tokens of a document up to a point do not depend
//!   on what follows, and a batch scans only when nothing is left open.
//! - When that cut does not scan (an item holds structs and the cut fell
//!   inside it, or a comment holds those bytes), a [`Probe`] walks the
//!   items' tags from then on to find where whole items end, and gives
//!   up on anything it does not know (comments, CDATA, processing
//!   instructions, attributes).
//! - The trailer, from `</data>` to the end, is checked the same way:
//!   header + trailer must scan as an empty array.
//!
//! Valid sequences of valid items make a valid list, so an answer whose
//! batches and trailer all scan is one the whole-document scan accepts,
//! with the same items. When anything fails to fit (the header is not a
//! list's, the probe gives up, a batch the probe cut does not scan), the
//! rest of the answer is read to its end and scanned whole, with the
//! header put back in front: the codec's verdict stands. When nothing was
//! handed out yet, that is exactly the whole-document path: a fault, an
//! answer that is not a list of structs, or an error. After a batch was
//! handed out, an answer that turns out not to be a list the merge can
//! take is the node's failure.

use std::sync::Arc;

use bytes::Bytes;
use xmlrpc::{Fault, Limits};

use super::list_merge::{ChunkPool, TAIL};
use super::list_scan::{self, ListShape, NodeList, Scanned};
use crate::upstream::{NodeStream, UpstreamError};

/// Item bytes collected before a batch is cut.
const BATCH: usize = 256 * 1024;
/// Room of a feed's buffers: a batch, and what one read may add to it
/// (hyper reads at most about 400 KiB at a time).
pub(crate) const BUFFER: usize = BATCH + 512 * 1024;
/// A header that has not reached `<data>` within this many bytes is not
/// the plain start of a list; the answer is read whole.
const MAX_HEADER: usize = 8 * 1024;

/// What the next read of a node's answer gives.
#[derive(Debug)]
pub(crate) enum Step {
    /// Items, in the node's order, ids not yet translated.
    Batch(NodeList),
    /// The list ended, its end checked.
    End,
    /// The node answered a fault (only ever the first step).
    Fault(Fault),
    /// The node answered something other than a list of structs: the
    /// whole document (only ever the first step).
    Other(Bytes),
}

/// Where the reading is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Before the list's `<data>`.
    Header,
    /// Among the items.
    Items,
    /// From `</data>` on, right after the header (every item handed out).
    Trailer,
    /// Reading to the end, to scan the rest whole.
    Rest,
    /// Everything handed out.
    Done,
}

/// One node's answer being read.
#[derive(Debug)]
pub(crate) struct Feed {
    stream: NodeStream,
    /// Buffers of [`BUFFER`] bytes, shared by the feeds of one listing:
    /// a batch's buffer comes back once the merge has written its items.
    pool: ChunkPool,
    shape: Arc<ListShape>,
    mode: Mode,
    /// The header (once known), then the bytes not yet cut into batches.
    pending: Vec<u8>,
    /// Length of the header at the start of `pending`.
    header: usize,
    /// Whether batches are cut after the last struct that ends in them
    /// ([`last_item_end`]); once a cut there does not scan, the [`Probe`]
    /// walks the items' tags instead.
    fast: bool,
    probe: Probe,
    /// Whether a batch was handed out.
    sent: bool,
    /// Whether the node's answer has ended.
    ended: bool,
}

impl Feed {
    /// Reads `stream`, a node's answer to a listing of `shape`, in
    /// buffers from `pool` (of [`BUFFER`] bytes).
    pub(crate) fn new(stream: NodeStream, shape: Arc<ListShape>, pool: ChunkPool) -> Feed {
        Feed {
            stream,
            pending: pool.take(),
            pool,
            shape,
            mode: Mode::Header,
            header: 0,
            fast: true,
            probe: Probe::default(),
            sent: false,
            ended: false,
        }
    }

    /// The next step; after [`Step::End`] (or an error), `End` again.
    pub(crate) async fn next(&mut self) -> Result<Step, UpstreamError> {
        loop {
            match self.mode {
                Mode::Done => return Ok(Step::End),
                Mode::Header => {
                    if let Some(at) = memchr::memmem::find(&self.pending, b"<data>") {
                        let header = &self.pending[..at + b"<data>".len()];
                        if is_list_header(header) {
                            self.header = header.len();
                            self.mode = Mode::Items;
                        } else {
                            self.mode = Mode::Rest;
                        }
                    } else if self.ended || self.pending.len() > MAX_HEADER {
                        self.mode = Mode::Rest;
                    } else {
                        self.read().await?;
                    }
                }
                Mode::Items => {
                    let items = &self.pending[self.header..];
                    if items.len() < BATCH && !self.ended {
                        self.read().await?;
                        continue;
                    }
                    let (cut, trailer) = if self.fast {
                        match last_item_end(items) {
                            Some(found) => found,
                            // No struct ends in a batch's worth of items,
                            // or the rest is not items: the probe reads on.
                            None if self.ended || items.len() >= BATCH => {
                                self.fast = false;
                                continue;
                            }
                            None => {
                                self.read().await?;
                                continue;
                            }
                        }
                    } else {
                        if self.probe.advance(items).is_err() {
                            self.mode = Mode::Rest;
                            continue;
                        }
                        let cut = match self.probe.end {
                            // Only blanks may stand between the last item
                            // and `</data>`.
                            Some(end) if is_blank(&items[self.probe.cut..end]) => end,
                            Some(_) => {
                                self.mode = Mode::Rest;
                                continue;
                            }
                            None => self.probe.cut,
                        };
                        (cut, self.probe.end.is_some())
                    };
                    if cut == 0 {
                        if trailer {
                            self.mode = Mode::Trailer;
                        } else if self.ended {
                            self.mode = Mode::Rest;
                        } else {
                            self.read().await?;
                        }
                        continue;
                    }
                    if let Some(batch) = self.cut(cut).await {
                        if !self.fast {
                            self.probe.drop_front(cut);
                        }
                        if trailer {
                            self.mode = Mode::Trailer;
                        }
                        self.sent = true;
                        return Ok(Step::Batch(batch));
                    }
                    if self.fast {
                        // Not items the cut fits: the probe reads them.
                        self.fast = false;
                    } else {
                        self.mode = Mode::Rest;
                    }
                }
                Mode::Trailer => {
                    while !self.ended {
                        self.read().await?;
                    }
                    let mut doc = self.pending[..self.header].to_vec();
                    doc.extend_from_slice(&self.pending[self.header..]);
                    match xmlrpc::scan_response(&doc, &Limits::RESPONSE, &[]) {
                        Ok(xmlrpc::Scanned::Array(scan)) if scan.is_empty() => {
                            self.mode = Mode::Done;
                            return Ok(Step::End);
                        }
                        _ => self.mode = Mode::Rest,
                    }
                }
                Mode::Rest => {
                    self.stream.note_read_whole();
                    while !self.ended {
                        self.read().await?;
                    }
                    self.mode = Mode::Done;
                    let doc = Bytes::from(std::mem::take(&mut self.pending));
                    let shape = self.shape.clone();
                    let scanned = list_scan::scan(doc, shape).await?;
                    return match (scanned, self.sent) {
                        (Ok(Scanned::List(list)), _) => {
                            // The list's end was checked with it.
                            self.sent = true;
                            Ok(Step::Batch(list))
                        }
                        (Err(fault), false) => Ok(Step::Fault(fault)),
                        (
                            Ok(Scanned::Other(doc) | Scanned::Struct(NodeList { body: doc, .. })),
                            false,
                        ) => Ok(Step::Other(doc)),
                        (_, true) => Err(UpstreamError::BadResponse(
                            "the rest of the list holds items that cannot be merged".into(),
                        )),
                    };
                }
            }
        }
    }

    /// Tells the node's breaker the node did its part
    /// ([`NodeStream::vouch`]).
    pub(crate) fn vouch(&mut self) {
        self.stream.vouch();
    }

    /// Reads the next piece of the answer into `pending`.
    async fn read(&mut self) -> Result<(), UpstreamError> {
        match self.stream.chunk().await? {
            Some(chunk) => self.pending.extend_from_slice(&chunk),
            None => self.ended = true,
        }
        Ok(())
    }

    /// Cuts the first `len` item bytes into a batch and scans it; `None`
    /// (and `pending` as it was) when it does not scan as a list of
    /// structs.
    async fn cut(&mut self, len: usize) -> Option<NodeList> {
        let at = self.header + len;
        let mut rest = self.pool.take();
        rest.extend_from_slice(&self.pending[..self.header]);
        rest.extend_from_slice(&self.pending[at..]);
        let mut doc = std::mem::replace(&mut self.pending, rest);
        doc.truncate(at);
        doc.extend_from_slice(TAIL);
        let doc = self.pool.chunk(doc);
        match list_scan::scan(doc.clone(), self.shape.clone()).await {
            Ok(Ok(Scanned::List(list))) => Some(list),
            _ => {
                self.put_back(&doc);
                None
            }
        }
    }

    /// Puts a batch document (header, items, trailer) back in front of
    /// the bytes still pending.
    fn put_back(&mut self, doc: &[u8]) {
        let items = &doc[..doc.len() - TAIL.len()];
        let mut pending = Vec::with_capacity(items.len() + self.pending.len());
        pending.extend_from_slice(items);
        pending.extend_from_slice(&self.pending[self.header..]);
        self.pending = pending;
    }
}

/// Whether `header` (up to and including the first `<data>`) opens a
/// list: with the trailer after it, the document scans as an empty array.
fn is_list_header(header: &[u8]) -> bool {
    let mut doc = Vec::with_capacity(header.len() + TAIL.len());
    doc.extend_from_slice(header);
    doc.extend_from_slice(TAIL);
    matches!(
        xmlrpc::scan_response(&doc, &Limits::RESPONSE, &[]),
        Ok(xmlrpc::Scanned::Array(scan)) if scan.is_empty() && !scan.has_prefixed_names()
    )
}

/// Where a batch of structs of scalars may be cut: after the last
/// `</struct></value>` in `items`, and, when only blanks follow it up to
/// the list's `</data>`, after those blanks, with the trailer right after
/// the cut (`true`). Such a cut may fall inside an item whose
/// members hold structs; the batch then does not scan and the probe
/// takes over.
fn last_item_end(items: &[u8]) -> Option<(usize, bool)> {
    const END: &[u8] = b"</struct></value>";
    let cut = memchr::memmem::rfind(items, END)? + END.len();
    let blanks = items[cut..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .count();
    Some(if items[cut + blanks..].starts_with(b"</data>") {
        (cut + blanks, true)
    } else {
        (cut, false)
    })
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Where whole items end among a list's item bytes: a walk over the
/// tags, resumed as more bytes arrive.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Probe {
    /// Where the walk goes on.
    at: usize,
    /// Open `<value>` elements.
    depth: u32,
    /// Just past the last whole item.
    cut: usize,
    /// Where the list's `</data>` starts, once seen.
    end: Option<usize>,
}

/// The probe met something it does not know.
#[derive(Debug, PartialEq, Eq)]
struct Unusual;

impl Probe {
    /// Goes on after the first `len` bytes (whole items, up to a cut)
    /// were taken away: what was walked past the cut stays walked, with
    /// the `<value>` elements it opened still open.
    fn drop_front(&mut self, len: usize) {
        debug_assert!(len <= self.cut);
        self.at -= len;
        self.cut -= len;
        self.end = self.end.map(|end| end - len);
    }

    /// Walks `items` from where it stopped, up to the last whole tag or
    /// the list's `</data>`. Tags are read in place: a name, then `>` or
    /// `/>`; anything else in a tag (attributes, a comment, CDATA, a
    /// processing instruction) is unusual.
    fn advance(&mut self, items: &[u8]) -> Result<(), Unusual> {
        if self.end.is_some() {
            return Ok(());
        }
        let from = self.at;
        for lt in memchr::memchr_iter(b'<', &items[from..]).map(|i| from + i) {
            let closing = items.get(lt + 1) == Some(&b'/');
            let name_start = lt + 1 + usize::from(closing);
            let Some(name_len) = items
                .get(name_start..)
                .and_then(|rest| rest.iter().position(|b| !is_name_byte(*b)))
            else {
                // A tag still arriving.
                self.at = lt;
                return Ok(());
            };
            let name = &items[name_start..name_start + name_len];
            let after = name_start + name_len;
            let (empty, tag_end) = match (items[after], items.get(after + 1)) {
                (b'>', _) => (false, after + 1),
                (b'/', Some(b'>')) if !closing => (true, after + 2),
                (b'/', None) if !closing => {
                    self.at = lt;
                    return Ok(());
                }
                _ => return Err(Unusual),
            };
            if name.is_empty() {
                return Err(Unusual);
            }
            self.at = tag_end;
            match (closing, empty, name) {
                (false, false, b"value") => self.depth += 1,
                (false, true, b"value") if self.depth == 0 => self.cut = tag_end,
                (true, _, b"value") => {
                    self.depth = self.depth.checked_sub(1).ok_or(Unusual)?;
                    if self.depth == 0 {
                        self.cut = tag_end;
                    }
                }
                (true, _, b"data") if self.depth == 0 => {
                    self.end = Some(lt);
                    return Ok(());
                }
                // Anything else between items.
                _ if self.depth == 0 => return Err(Unusual),
                _ => {}
            }
        }
        self.at = items.len();
        Ok(())
    }
}

/// A byte of an element name as the probe reads it (prefixes included).
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(items: &str) -> Result<Probe, Unusual> {
        let mut p = Probe::default();
        p.advance(items.as_bytes())?;
        Ok(p)
    }

    #[test]
    fn the_probe_cuts_after_whole_items() {
        let one = "<value><struct><member><name>a</name><value><i4>1</i4></value></member></struct></value>";
        let p = probe(&format!("{one}\n<value/>{one}<value><struct><mem")).unwrap();
        assert_eq!(p.cut, 2 * one.len() + "\n<value/>".len());
        assert_eq!(p.end, None);
        let p = probe(&format!("{one} </data></array>")).unwrap();
        assert_eq!((p.cut, p.end), (one.len(), Some(one.len() + 1)));
        assert_eq!(probe("").unwrap(), Probe::default());
    }

    #[test]
    fn the_probe_resumes_where_a_tag_was_cut() {
        let doc = "<value><string>x &gt; y</string></value><value>z</value></data>";
        for split in 0..doc.len() {
            let mut p = Probe::default();
            p.advance(&doc.as_bytes()[..split]).unwrap();
            p.advance(doc.as_bytes()).unwrap();
            assert_eq!(p, probe(doc).unwrap(), "split at {split}");
        }
    }

    #[test]
    fn the_probe_goes_on_after_a_cut_as_over_the_rest_alone() {
        // Items cut off while the walk is inside the next one, at every
        // length read so far: the walk over what is left agrees with a
        // walk over those bytes alone.
        let one = "<value><struct><member><name>a</name><value><dateTime.iso8601>x</dateTime.iso8601></value></member></struct></value>";
        let doc = format!("{one}{one}<value>z</value>{one}</data>");
        for read in 1..doc.len() {
            let mut p = Probe::default();
            p.advance(&doc.as_bytes()[..read]).unwrap();
            let cut = p.cut;
            p.drop_front(cut);
            let rest = &doc.as_bytes()[cut..];
            p.advance(rest).unwrap();
            assert_eq!(p, probe(&doc[cut..]).unwrap(), "read {read}, cut {cut}");
        }
    }

    #[test]
    fn the_probe_gives_up_on_what_it_does_not_know() {
        for items in [
            "<!-- c --><value/>",
            "<value><![CDATA[<value>]]></value>",
            "<?pi?><value/>",
            "<value a='1'></value>",
            "</value>",
            "<struct></struct>",
        ] {
            assert_eq!(probe(items), Err(Unusual), "{items}");
        }
    }
}
