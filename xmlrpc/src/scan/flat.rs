//! The items of a listing in their common form, read straight from the
//! bytes: structs whose members are scalars or lists of scalars, written
//! as XML-RPC servers write them; and a struct result of that form.
//!
//! [`scan_items`] reads the content of an array's `<data>` element when
//! every item is such a struct in the plain form: tags without
//! attributes or prefixes, blanks between them, text whose only
//! references are the five predefined entities, no carriage return. It
//! gives what [`scan_response`](super::scan_response) gives for the same
//! items: their ranges, the picked members, the picked integers' type
//! elements. On anything else it gives up (`None`) and the caller scans
//! the document with the codec's grammar, whose verdict stands: a
//! comment, CDATA, a character reference, a nested struct or array, an
//! item that is not a struct, a scalar the codec refuses. It never
//! accepts what the codec refuses. [`scan_struct`] reads a struct result
//! the same way.
//!
//! It is the grammar of [`walk_value`](crate::value_reader::walk_value)
//! over the plain-form tokenizer, narrowed to flat structs, with no
//! tokens, no stack and no calls per tag: the gateway reads every item of
//! every node's answer to a fan-out listing through it.

use std::borrow::Cow;
use std::ops::Range;

use super::{ArrayScan, Item, Picked, Scanned, StructScan};
use crate::scalar::scalar;
use crate::tokens::fast::{is_name_byte, resolve_entities};
use crate::tokens::{Elem, is_blank};
use crate::{Limits, Value};

/// What closes an array result as servers write it.
const TRAILER: &[u8] = b"</data></array></value></param></params></methodResponse>";
/// What closes any result as servers write it.
const PARAM_TRAILER: &[u8] = b"</param></params></methodResponse>";
/// An empty struct, put in a struct result's place to check its frame.
const EMPTY_STRUCT: &[u8] = b"<value><struct></struct></value>";
/// How far into a response the start of its list is looked for.
const MAX_HEADER: usize = 8 * 1024;

/// A whole response whose result is a list read by [`scan_items`]:
/// `None` unless the document is a frame (the bytes up to the first
/// `<data>`, then [`TRAILER`] and blanks) that the codec's grammar reads
/// as an empty list, around items [`scan_items`] reads. The frame holds
/// no `<!` (comment, CDATA, DOCTYPE), so it is read by the same plain-form
/// tokenizer whether items stand inside or not.
pub(super) fn scan_list<'a>(
    body: &'a [u8],
    limits: &Limits,
    picks: &[&str],
) -> Option<ArrayScan<'a>> {
    if limits.max_depth < 2 {
        return None;
    }
    let (open, close) = frame_around(body, limits, b"<data>", TRAILER)?;
    let frame = [&body[..open], &body[close..]].concat();
    match super::walk_response(&frame, limits, &[]) {
        Ok(Scanned::Array(scan)) if scan.is_empty() && !scan.has_prefixed_names() => {}
        _ => return None,
    }
    scan_values(body, open..close, picks, limits.max_depth >= 3)
}

/// A whole response whose result is a struct that [`scan_items`] reads as
/// an item: `None` unless the document is a frame (the bytes up to the
/// first `<param>`, then [`PARAM_TRAILER`] and blanks) that the codec's
/// grammar reads as an empty struct result when [`EMPTY_STRUCT`] stands
/// in the struct's place, around one `<value>` such a struct.
pub(super) fn scan_struct<'a>(
    body: &'a [u8],
    limits: &Limits,
    picks: &[&str],
) -> Option<StructScan<'a>> {
    if limits.max_depth < 1 {
        return None;
    }
    let (open, close) = frame_around(body, limits, b"<param>", PARAM_TRAILER)?;
    let frame = [&body[..open], EMPTY_STRUCT, &body[close..]].concat();
    match super::walk_response(&frame, limits, &[]) {
        Ok(Scanned::Struct(scan)) if !scan.has_prefixed_names() => {}
        _ => return None,
    }
    let scan = scan_values(body, open..close, picks, limits.max_depth >= 2)?;
    (scan.len() == 1).then_some(StructScan {
        picked: scan.picked,
        prefixed: false,
    })
}

/// Where the content between the first `start` (within [`MAX_HEADER`])
/// and the last `trailer` lies in `body`: `None` when either is missing,
/// the body is over the limit, anything but blanks follows the trailer,
/// or the bytes before the content hold a `<!`.
fn frame_around(
    body: &[u8],
    limits: &Limits,
    start: &[u8],
    trailer: &[u8],
) -> Option<(usize, usize)> {
    if body.len() > limits.max_body_bytes {
        return None;
    }
    let head = &body[..body.len().min(MAX_HEADER)];
    let open = memchr::memmem::find(head, start)? + start.len();
    // The last trailer, followed by blanks only: the body, its trailing
    // blanks cut, ends with it (a trailer holds no blank, so none can end
    // among them). Read from the end, without building a reverse finder.
    let end = body.len()
        - body
            .iter()
            .rev()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n'))
            .count();
    let close = end.checked_sub(trailer.len()).filter(|&c| c >= open)?;
    if &body[close..end] != trailer || memchr::memmem::find(&body[..open], b"<!").is_some() {
        return None;
    }
    Some((open, close))
}

/// The items in `doc[items]`, the content of an array's `<data>` element
/// (blanks and `<value>` elements), when they are all structs of scalars
/// and lists of scalars in the plain form; `None` when anything else is
/// met. Ranges are offsets in `doc`; `picks` are member names as for
/// [`scan_response`](super::scan_response). The items are read as a top
/// array's: a list in an item is within `limits`' nesting depth when it
/// allows three levels.
pub fn scan_items<'a>(
    doc: &'a [u8],
    items: Range<usize>,
    picks: &[&str],
    limits: &Limits,
) -> Option<ArrayScan<'a>> {
    scan_values(doc, items, picks, limits.max_depth >= 3)
}

/// [`scan_items`]; lists in members are read when `lists` (the nesting
/// depth allows them), else given up on.
fn scan_values<'a>(
    doc: &'a [u8],
    items: Range<usize>,
    picks: &[&str],
    lists: bool,
) -> Option<ArrayScan<'a>> {
    let text = std::str::from_utf8(doc.get(items.clone())?).ok()?;
    let mut cursor = Cursor {
        doc,
        at: items.start,
        end: items.end,
        base: items.start,
        text,
        lists,
    };
    let mut scan = ArrayScan {
        items: Vec::new(),
        picked: Vec::new(),
        width: picks.len(),
        prefixed: false,
    };
    loop {
        cursor.blank();
        if cursor.at == cursor.end {
            return Some(scan);
        }
        let start = cursor.at;
        cursor.lit(b"<value>")?;
        cursor.blank();
        cursor.lit(b"<struct>")?;
        let row = scan.picked.len();
        scan.picked.extend(std::iter::repeat_n(None, picks.len()));
        loop {
            cursor.blank();
            if cursor.eat(b"</struct>") {
                break;
            }
            let (name, value) = cursor.member()?;
            if let Some(pick) = picks.iter().position(|p| *p == name)
                && let Some(slot @ None) = scan.picked.get_mut(row + pick)
            {
                *slot = Some(value);
            }
        }
        cursor.blank();
        cursor.lit(b"</value>")?;
        scan.items.push(Item {
            span: start..cursor.at,
            is_struct: true,
        });
    }
}

/// Bytes [`find_special`] looks at a word at a time before the vector
/// search.
const SHORT: usize = 32;

/// Where the first `<`, `&` or carriage return in `bytes` is. The texts
/// of a listing are mostly a few bytes (numbers, names, dates), and for
/// those eight bytes at a time in a word are cheaper than setting up
/// `memchr3`'s vector search; longer ones go on with it after the first
/// [`SHORT`] bytes.
#[inline(always)]
fn find_special(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while at < SHORT
        && let Some(word) = bytes.get(at..).and_then(|b| b.first_chunk::<8>())
    {
        let found = specials(u64::from_le_bytes(*word));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    if at < SHORT {
        // Fewer than eight bytes left.
        return bytes[at..]
            .iter()
            .position(|b| matches!(b, b'<' | b'&' | b'\r'))
            .map(|i| at + i);
    }
    memchr::memchr3(b'<', b'&', b'\r', &bytes[at..]).map(|i| at + i)
}

/// The bytes of `word` (little-endian) that are `<`, `&` or a carriage
/// return, as their high bits. Exact for the lowest such byte: a false
/// mark can only stand above a true one (a borrow runs upwards), so the
/// lowest mark is the first match.
#[inline(always)]
fn specials(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_of = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    zero_of(word ^ (ONES * u64::from(b'<')))
        | zero_of(word ^ (ONES * u64::from(b'&')))
        | zero_of(word ^ (ONES * u64::from(b'\r')))
}

/// Where the reading is, in `doc[..end]`.
struct Cursor<'a> {
    doc: &'a [u8],
    at: usize,
    end: usize,
    /// `text` is `doc[base..end]`, checked UTF-8.
    base: usize,
    text: &'a str,
    /// Whether a member's value may be a list of scalars.
    lists: bool,
}

impl<'a> Cursor<'a> {
    /// Skips XML blanks (a carriage return is not read here).
    fn blank(&mut self) {
        while self.at < self.end && matches!(self.doc[self.at], b' ' | b'\t' | b'\n') {
            self.at += 1;
        }
    }

    /// Whether `lit` comes next, read past it when it does. Inlined, so
    /// that the comparison of a literal of known length is a few loads
    /// rather than a call to `memcmp` for every tag of a listing.
    #[inline(always)]
    fn eat<const N: usize>(&mut self, lit: &[u8; N]) -> bool {
        if self.doc[self.at..self.end].first_chunk::<N>() == Some(lit) {
            self.at += lit.len();
            true
        } else {
            false
        }
    }

    /// `lit` must come next.
    #[inline(always)]
    fn lit<const N: usize>(&mut self, lit: &[u8; N]) -> Option<()> {
        self.eat(lit).then_some(())
    }

    /// The end tag of element `name` must come next. Compared byte by
    /// byte: a type name is a few bytes, and a call to `memcmp` for each
    /// value of a listing costs more than the comparison.
    fn end_tag(&mut self, name: &[u8]) -> Option<()> {
        let rest = &self.doc[self.at..self.end];
        let n = name.len();
        let found = rest.len() >= n + 3
            && rest[..2] == *b"</"
            && rest[2..2 + n].iter().zip(name).all(|(a, b)| a == b)
            && rest[2 + n] == b'>';
        found.then(|| self.at += n + 3)
    }

    /// One `<member>`, up to its `</member>`: its name and what is picked
    /// of its value.
    fn member(&mut self) -> Option<(Cow<'a, str>, Picked<'a>)> {
        self.lit(b"<member>")?;
        self.blank();
        let name = if self.eat(b"<name>") {
            let name = self.text()?;
            self.lit(b"</name>")?;
            name
        } else {
            self.lit(b"<name/>")?;
            Cow::Borrowed("")
        };
        self.blank();
        let value = self.value(self.lists)?;
        self.blank();
        self.lit(b"</member>")?;
        Some((name, value))
    }

    /// One `<value>` holding a scalar, or, when `list`, a list of
    /// scalars (picked as [`Picked::Other`]).
    fn value(&mut self, list: bool) -> Option<Picked<'a>> {
        if self.eat(b"<value/>") {
            return Some(Picked::Str(Cow::Borrowed("")));
        }
        self.lit(b"<value>")?;
        let text = self.text()?;
        if self.eat(b"</value>") {
            return Some(Picked::Str(text));
        }
        if !is_blank(&text) {
            return None;
        }
        let value = if list && self.eat(b"<array>") {
            self.list()?;
            Picked::Other
        } else {
            self.typed()?
        };
        self.blank();
        self.lit(b"</value>")?;
        Some(value)
    }

    /// The rest of an `<array>` of scalars, up to its `</array>`.
    fn list(&mut self) -> Option<()> {
        self.blank();
        self.lit(b"<data>")?;
        loop {
            self.blank();
            if self.eat(b"</data>") {
                break;
            }
            self.value(false)?;
        }
        self.blank();
        self.lit(b"</array>")
    }

    /// A scalar type element, as the codec's scanner picks it.
    fn typed(&mut self) -> Option<Picked<'a>> {
        let start = self.at;
        let rest = &self.doc[self.at..self.end];
        let name_len = rest.iter().skip(1).position(|b| !is_name_byte(*b))?;
        if rest.first() != Some(&b'<') || name_len == 0 {
            return None;
        }
        let name = &rest[1..1 + name_len];
        let elem = match name {
            b"string" => Elem::String,
            b"i4" | b"int" => Elem::Int,
            b"i8" => Elem::I8,
            b"boolean" => Elem::Boolean,
            b"double" => Elem::Double,
            b"dateTime.iso8601" => Elem::DateTime,
            b"base64" => Elem::Base64,
            b"nil" => Elem::Nil,
            _ => return None,
        };
        self.at += 1 + name_len;
        let content = if self.eat(b"/>") {
            Cow::Borrowed("")
        } else {
            self.lit(b">")?;
            let content = self.text()?;
            self.end_tag(name)?;
            content
        };
        Some(match elem {
            Elem::String => Picked::Str(content),
            // Kept as sent: nothing to check.
            Elem::DateTime => Picked::Other,
            _ => match scalar(elem, content).ok()? {
                Value::Int(i) => Picked::Int {
                    value: i64::from(i),
                    span: start..self.at,
                },
                Value::I8(i) => Picked::Int {
                    value: i,
                    span: start..self.at,
                },
                _ => Picked::Other,
            },
        })
    }

    /// Text up to the next `<`, the five predefined entities resolved;
    /// `None` on a carriage return, any other reference, or no `<`.
    fn text(&mut self) -> Option<Cow<'a, str>> {
        let start = self.at;
        let mut plain = true;
        loop {
            let i = self.at + find_special(&self.doc[self.at..self.end])?;
            match self.doc[i] {
                b'<' => {
                    self.at = i;
                    break;
                }
                b'&' => {
                    plain = false;
                    self.at = i + 1;
                }
                _ => return None,
            }
        }
        let raw = &self.text[start - self.base..self.at - self.base];
        if plain {
            return Some(Cow::Borrowed(raw));
        }
        resolve_entities(raw).map(Cow::Owned)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::find_special;

    proptest! {
        #[test]
        fn the_word_search_finds_the_first_special_byte(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b'<'), Just(b'&'), Just(b'\r'), Just(b'='), Just(b'%'), Just(0xbcu8), any::<u8>()],
                0..80,
            ),
            plain in 0usize..80,
        ) {
            // Runs of plain bytes first, so matches fall at every offset
            // of the words and past the word search.
            let mut bytes = bytes;
            bytes.splice(0..0, std::iter::repeat_n(b'a', plain));
            let naive = bytes.iter().position(|b| matches!(b, b'<' | b'&' | b'\r'));
            prop_assert_eq!(find_special(&bytes), naive);
        }
    }
}
