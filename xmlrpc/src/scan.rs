//! Scanning a response whose result is an array or a struct, without
//! building values: where each item sits in the document, and the few
//! struct members a caller asks for.
//!
//! A gateway that merges large lists from several nodes needs only a
//! handful of members per item (the sort key, the ids it rewrites) and
//! passes everything else on byte for byte. [`scan_response`] walks the
//! document with the very grammar [`parse_response`](crate::parse_response)
//! uses, so it accepts and refuses exactly the same documents, but keeps
//! only byte ranges and the picked members (text borrowed from the
//! document where it holds no references).
//!
//! A list of structs as servers write it (members that are scalars or
//! lists of scalars), the common case, is read by a narrower reader
//! ([`scan_items`]) that gives the same scan or gives up, and then the
//! document is walked token by token; so is a struct result of that form.
//!
//! An item's range covers its whole `<value>` element; a picked integer's
//! range covers its type element (`<i4>7</i4>`), so a caller can splice a
//! new `<i4>` in its place while copying the item.

use std::borrow::Cow;
use std::ops::Range;

use crate::parse::read;
use crate::scalar::scalar;
use crate::tokens::Elem;
use crate::value_reader::Build;
use crate::{Fault, Limits, ParseError, Value};

mod flat;

pub use flat::scan_items;

/// What a scanned response holds.
#[derive(Debug)]
pub enum Scanned<'a> {
    /// A fault.
    Fault(Fault),
    /// A result that is an array.
    Array(ArrayScan<'a>),
    /// A result that is a struct.
    Struct(StructScan<'a>),
    /// A result that is neither (parse it for its value).
    Other,
}

/// The picked members of a struct result.
#[derive(Debug)]
pub struct StructScan<'a> {
    picked: Vec<Option<Picked<'a>>>,
    prefixed: bool,
}

impl<'a> StructScan<'a> {
    /// Member `pick` (an index into the names given to
    /// [`scan_response`]); `None` when the struct has no member of that
    /// name.
    pub fn picked(&self, pick: usize) -> Option<&Picked<'a>> {
        self.picked.get(pick)?.as_ref()
    }

    /// Whether the document used an element name with a namespace prefix
    /// (as [`ArrayScan::has_prefixed_names`]).
    pub fn has_prefixed_names(&self) -> bool {
        self.prefixed
    }
}

/// The items of an array result.
#[derive(Debug)]
pub struct ArrayScan<'a> {
    items: Vec<Item>,
    picked: Vec<Option<Picked<'a>>>,
    width: usize,
    prefixed: bool,
}

/// One item of an array result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its `<value>` element in the document.
    pub span: Range<usize>,
    /// Whether it is a struct.
    pub is_struct: bool,
}

/// A picked struct member: the first member of that name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picked<'a> {
    /// An `<i4>`/`<int>`/`<i8>` and where its type element sits.
    Int {
        /// The number.
        value: i64,
        /// The type element, start tag to end tag.
        span: Range<usize>,
    },
    /// A string (`<string>` or an untyped value), references resolved.
    Str(Cow<'a, str>),
    /// Any other value.
    Other,
}

impl<'a> ArrayScan<'a> {
    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the array is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items in order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// Member `pick` (an index into the names given to [`scan_response`])
    /// of item `item`; `None` when the item is not a struct or has no
    /// member of that name.
    pub fn picked(&self, item: usize, pick: usize) -> Option<&Picked<'a>> {
        self.picked.get(item * self.width + pick)?.as_ref()
    }

    /// Whether every item is a struct.
    pub fn all_structs(&self) -> bool {
        self.items.iter().all(|i| i.is_struct)
    }

    /// Whether the document used an element name with a namespace prefix
    /// (`<ex:nil/>`, `<ex:i8>`): copied as they are, such items would
    /// need the prefix's declaration that stays behind in the document.
    pub fn has_prefixed_names(&self) -> bool {
        self.prefixed
    }
}

/// Scans a `<methodResponse>` document. For an array result, records
/// where each item is and, for struct items, the first member named by
/// each of `picks`; for a struct result, its first member named by each
/// of `picks`. Refuses exactly what [`parse_response`](crate::parse_response)
/// refuses.
pub fn scan_response<'a>(
    body: &'a [u8],
    limits: &Limits,
    picks: &[&str],
) -> Result<Scanned<'a>, ParseError> {
    if let Some(scan) = flat::scan_list(body, limits, picks) {
        return Ok(Scanned::Array(scan));
    }
    if let Some(scan) = flat::scan_struct(body, limits, picks) {
        return Ok(Scanned::Struct(scan));
    }
    walk_response(body, limits, picks)
}

/// [`scan_response`] token by token, with the parser's own walk.
fn walk_response<'a>(
    body: &'a [u8],
    limits: &Limits,
    picks: &[&str],
) -> Result<Scanned<'a>, ParseError> {
    read(body, limits, |mut doc| {
        let mut picker = Picker {
            picks,
            level: 0,
            top_is_array: false,
            top_is_struct: false,
            items: Vec::new(),
            picked: Vec::new(),
        };
        let response = doc.response(&mut picker)?;
        let prefixed = doc.saw_prefixed();
        let scanned = match response {
            Err(fault) => Scanned::Fault(fault),
            Ok(Out::Array) if picker.top_is_array => Scanned::Array(ArrayScan {
                items: picker.items,
                picked: picker.picked,
                width: picks.len(),
                prefixed,
            }),
            Ok(Out::Struct) if picker.top_is_struct => Scanned::Struct(StructScan {
                picked: picker.picked,
                prefixed,
            }),
            Ok(_) => Scanned::Other,
        };
        doc.finish(scanned)
    })
}

/// What the picker makes of a value.
enum Out<'a> {
    Scalar(Picked<'a>),
    Array,
    Struct,
}

impl<'a> Out<'a> {
    fn into_picked(self) -> Picked<'a> {
        match self {
            Out::Scalar(p) => p,
            Out::Array | Out::Struct => Picked::Other,
        }
    }
}

/// Notes the items of the top array and the picked members of its struct
/// items, or the picked members of the top struct; everything deeper is
/// only checked.
struct Picker<'a, 'p> {
    picks: &'p [&'p str],
    /// Open arrays and structs.
    level: usize,
    top_is_array: bool,
    top_is_struct: bool,
    items: Vec<Item>,
    picked: Vec<Option<Picked<'a>>>,
}

impl<'a> Picker<'a, '_> {
    /// Whether the container at the current level is an item of the top
    /// array, or the top struct (whose picks take the first row).
    fn in_item(&self) -> bool {
        (self.level == 2 && self.top_is_array) || (self.level == 1 && self.top_is_struct)
    }

    fn open(&mut self, array: bool) {
        if self.level == 0 {
            self.top_is_array = array;
            self.top_is_struct = !array;
        }
        self.level += 1;
    }
}

impl<'a> Build<'a> for Picker<'a, '_> {
    type Out = Out<'a>;
    type Array = ();
    type Struct = ();

    fn untyped(&mut self, text: Option<Cow<'a, str>>) -> Out<'a> {
        Out::Scalar(Picked::Str(text.unwrap_or(Cow::Borrowed(""))))
    }

    fn scalar(
        &mut self,
        elem: Elem,
        text: Cow<'a, str>,
        span: Range<usize>,
    ) -> Result<Out<'a>, &'static str> {
        Ok(Out::Scalar(match elem {
            Elem::String => Picked::Str(text),
            // Kept as sent: nothing to check.
            Elem::DateTime => Picked::Other,
            _ => match scalar(elem, text)? {
                Value::Int(i) => Picked::Int {
                    value: i64::from(i),
                    span,
                },
                Value::I8(i) => Picked::Int { value: i, span },
                _ => Picked::Other,
            },
        }))
    }

    fn array(&mut self) {
        self.open(true);
    }

    fn item(&mut self, (): &mut (), item: Out<'a>, span: Range<usize>) {
        if self.level != 1 || !self.top_is_array {
            return;
        }
        let is_struct = matches!(item, Out::Struct);
        if !is_struct {
            let width = self.picks.len();
            self.picked.extend(std::iter::repeat_n(None, width));
        }
        self.items.push(Item { span, is_struct });
    }

    fn end_array(&mut self, (): ()) -> Out<'a> {
        self.level -= 1;
        Out::Array
    }

    fn structure(&mut self) {
        self.open(false);
        if self.in_item() {
            let width = self.picks.len();
            self.picked.extend(std::iter::repeat_n(None, width));
        }
    }

    fn member(&mut self, (): &mut (), name: Cow<'a, str>, value: Out<'a>, _: Range<usize>) {
        if !self.in_item() {
            return;
        }
        let Some(pick) = self.picks.iter().position(|p| *p == name) else {
            return;
        };
        let slot = self.items.len() * self.picks.len() + pick;
        if let Some(slot @ None) = self.picked.get_mut(slot) {
            *slot = Some(value.into_picked());
        }
    }

    fn end_struct(&mut self, (): ()) -> Out<'a> {
        self.level -= 1;
        Out::Struct
    }
}

#[cfg(test)]
mod tests;
