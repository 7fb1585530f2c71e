//! Reads one `<value>` element, nested structs and arrays included, with an
//! explicit stack: deep input cannot overflow the thread's stack, and the
//! depth limit is checked before each struct/array level is opened.
//!
//! The grammar is walked once, here; what is made of it is up to a
//! [`Build`]: [`ValueBuilder`] makes [`Value`] trees (the parser), the
//! array scanner ([`crate::scan`]) only notes where items and a few
//! members are. Both accept and refuse exactly the same documents.

use std::borrow::Cow;
use std::ops::Range;

use crate::scalar::scalar;
use crate::tokens::{Elem, Tok, Tokens, is_blank};
use crate::{Limits, ParseError, Struct, Value};

/// What a walk over a value makes of what it reads.
pub(crate) trait Build<'a> {
    /// A finished value.
    type Out;
    /// An array being read.
    type Array;
    /// A struct being read.
    type Struct;

    /// A `<value>` with text only (`None`: nothing at all, `<value/>` or
    /// `<value></value>`).
    fn untyped(&mut self, text: Option<Cow<'a, str>>) -> Self::Out;
    /// A scalar type element whose text is `text`; `span` covers the type
    /// element from its start tag to its end tag. `Err` holds the reason.
    fn scalar(
        &mut self,
        elem: Elem,
        text: Cow<'a, str>,
        span: Range<usize>,
    ) -> Result<Self::Out, &'static str>;
    /// An `<array>` opens.
    fn array(&mut self) -> Self::Array;
    /// An item of `array` is complete; `span` covers its `<value>` element.
    fn item(&mut self, array: &mut Self::Array, item: Self::Out, span: Range<usize>);
    /// An array is complete.
    fn end_array(&mut self, array: Self::Array) -> Self::Out;
    /// A `<struct>` opens.
    fn structure(&mut self) -> Self::Struct;
    /// A member of `s` is complete; `span` covers its `<value>` element.
    fn member(
        &mut self,
        s: &mut Self::Struct,
        name: Cow<'a, str>,
        value: Self::Out,
        span: Range<usize>,
    );
    /// A struct is complete.
    fn end_struct(&mut self, s: Self::Struct) -> Self::Out;
}

/// Builds [`Value`] trees.
pub(crate) struct ValueBuilder;

impl<'a> Build<'a> for ValueBuilder {
    type Out = Value;
    type Array = Vec<Value>;
    type Struct = Struct;

    fn untyped(&mut self, text: Option<Cow<'a, str>>) -> Value {
        Value::String(text.map(Cow::into_owned).unwrap_or_default())
    }

    fn scalar(
        &mut self,
        elem: Elem,
        text: Cow<'a, str>,
        _: Range<usize>,
    ) -> Result<Value, &'static str> {
        scalar(elem, text)
    }

    fn array(&mut self) -> Vec<Value> {
        Vec::new()
    }

    fn item(&mut self, array: &mut Vec<Value>, item: Value, _: Range<usize>) {
        array.push(item);
    }

    fn end_array(&mut self, array: Vec<Value>) -> Value {
        Value::Array(array)
    }

    fn structure(&mut self) -> Struct {
        Struct::new()
    }

    fn member(&mut self, s: &mut Struct, name: Cow<'a, str>, value: Value, _: Range<usize>) {
        s.push(name.into_owned(), value);
    }

    fn end_struct(&mut self, s: Struct) -> Value {
        Value::Struct(s)
    }
}

/// What is open on the stack.
enum Frame<'a, B: Build<'a>> {
    /// Inside `<value>` (which starts at `start`): untyped text seen so
    /// far, or the typed result.
    Value {
        start: usize,
        text: Option<Cow<'a, str>>,
        result: Option<B::Out>,
    },
    Array {
        items: B::Array,
        state: ArrayState,
    },
    Struct {
        members: B::Struct,
        state: StructState<'a>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ArrayState {
    /// After `<array>`.
    Open,
    /// Inside `<data>`.
    Data,
    /// After `</data>`.
    Closed,
}

enum StructState<'a> {
    /// Between members.
    Between,
    /// After `<member>`.
    Member,
    /// After `</name>`.
    Named(Cow<'a, str>),
    /// The member's value is being read.
    InValue(Cow<'a, str>),
    /// After the member's `</value>`.
    Done,
}

/// What a token asks of the stack.
enum Step<'a, B: Build<'a>> {
    Stay,
    Push(Frame<'a, B>),
    /// The top frame is complete.
    Pop,
}

/// Reads the rest of a value whose `<value>` start tag was just read
/// (`empty` for `<value/>`), up to and including its `</value>`.
pub(crate) fn read_value(
    tokens: &mut Tokens<'_>,
    limits: &Limits,
    empty: bool,
) -> Result<Value, ParseError> {
    walk_value(tokens, limits, empty, &mut ValueBuilder)
}

/// Walks the rest of a value whose `<value>` start tag was just read
/// (`empty` for `<value/>`), up to and including its `</value>`, handing
/// what it reads to `build`.
pub(crate) fn walk_value<'a, B: Build<'a>>(
    tokens: &mut Tokens<'a>,
    limits: &Limits,
    empty: bool,
    build: &mut B,
) -> Result<B::Out, ParseError> {
    if empty {
        return Ok(build.untyped(None));
    }
    let mut stack: Vec<Frame<'a, B>> = vec![Frame::Value {
        start: tokens.pos(),
        text: None,
        result: None,
    }];
    let mut depth = 0usize;
    loop {
        let tok = tokens.next()?;
        let Some(top) = stack.last_mut() else {
            return Err(tokens.error("internal parser state"));
        };
        let step = match top {
            Frame::Value { text, result, .. } => {
                in_value(tokens, limits, depth, tok, text, result, build)?
            }
            Frame::Array { items, state } => in_array(tokens, tok, items, state, build)?,
            Frame::Struct { members, state } => in_struct(tokens, tok, members, state, build)?,
        };
        match step {
            Step::Stay => {}
            Step::Push(frame) => {
                if !matches!(frame, Frame::Value { .. }) {
                    depth += 1;
                }
                stack.push(frame);
            }
            Step::Pop => {
                let (done, span) = match stack.pop() {
                    Some(Frame::Value {
                        start,
                        text,
                        result,
                    }) => (
                        match result {
                            Some(result) => result,
                            None => build.untyped(text),
                        },
                        start..tokens.end(),
                    ),
                    Some(Frame::Array { items, .. }) => {
                        depth -= 1;
                        (build.end_array(items), 0..0)
                    }
                    Some(Frame::Struct { members, .. }) => {
                        depth -= 1;
                        (build.end_struct(members), 0..0)
                    }
                    None => return Err(tokens.error("internal parser state")),
                };
                match stack.last_mut() {
                    None => return Ok(done),
                    Some(Frame::Value { result, .. }) => *result = Some(done),
                    Some(Frame::Array { items, .. }) => build.item(items, done, span),
                    Some(Frame::Struct { members, state }) => {
                        if let StructState::InValue(name) =
                            std::mem::replace(state, StructState::Done)
                        {
                            build.member(members, name, done, span);
                        }
                    }
                }
            }
        }
    }
}

/// A token inside `<value>`.
fn in_value<'a, B: Build<'a>>(
    tokens: &mut Tokens<'a>,
    limits: &Limits,
    depth: usize,
    tok: Tok<'a>,
    text: &mut Option<Cow<'a, str>>,
    result: &mut Option<B::Out>,
    build: &mut B,
) -> Result<Step<'a, B>, ParseError> {
    let (elem, empty) = match tok {
        Tok::Text(t) if result.is_some() => {
            return if is_blank(&t) {
                Ok(Step::Stay)
            } else {
                Err(tokens.error("text after the type element of a value"))
            };
        }
        Tok::Text(t) => {
            *text = Some(t);
            return Ok(Step::Stay);
        }
        Tok::End(Elem::Value) => return Ok(Step::Pop),
        Tok::End(_) | Tok::Eof => return Err(tokens.error("unclosed <value>")),
        Tok::Start(elem) => (elem, false),
        Tok::Empty(elem) => (elem, true),
    };
    if result.is_some() {
        return Err(tokens.error("more than one type element in a value"));
    }
    if text.take().is_some_and(|t| !is_blank(&t)) {
        return Err(tokens.error("text mixed with a type element in a value"));
    }
    match elem {
        Elem::Array | Elem::Struct => {
            if depth >= limits.max_depth {
                return Err(tokens.error(&format!(
                    "struct/array nesting deeper than the limit of {}",
                    limits.max_depth
                )));
            }
            let frame = if elem == Elem::Array {
                Frame::Array {
                    items: build.array(),
                    state: ArrayState::Open,
                }
            } else {
                Frame::Struct {
                    members: build.structure(),
                    state: StructState::Between,
                }
            };
            if !empty {
                return Ok(Step::Push(frame));
            }
            *result = Some(match frame {
                Frame::Array { items, .. } => build.end_array(items),
                Frame::Struct { members, .. } => build.end_struct(members),
                Frame::Value { .. } => return Err(tokens.error("internal parser state")),
            });
            Ok(Step::Stay)
        }
        Elem::Int
        | Elem::I8
        | Elem::Boolean
        | Elem::String
        | Elem::Double
        | Elem::DateTime
        | Elem::Base64
        | Elem::Nil => {
            let at = tokens.pos();
            let content = if empty {
                Cow::Borrowed("")
            } else {
                text_content(tokens, elem)?
            };
            *result = Some(
                build
                    .scalar(elem, content, at..tokens.end())
                    .map_err(|reason| ParseError {
                        offset: at,
                        reason: reason.to_owned(),
                    })?,
            );
            Ok(Step::Stay)
        }
        _ => Err(tokens.error("unknown value type element")),
    }
}

/// A token inside `<array>`.
fn in_array<'a, B: Build<'a>>(
    tokens: &Tokens<'a>,
    tok: Tok<'a>,
    items: &mut B::Array,
    state: &mut ArrayState,
    build: &mut B,
) -> Result<Step<'a, B>, ParseError> {
    if tok.is_blank() {
        return Ok(Step::Stay);
    }
    match (*state, tok) {
        (ArrayState::Open, Tok::Start(Elem::Data)) => *state = ArrayState::Data,
        (ArrayState::Open, Tok::Empty(Elem::Data)) | (ArrayState::Data, Tok::End(Elem::Data)) => {
            *state = ArrayState::Closed;
        }
        (ArrayState::Open | ArrayState::Closed, Tok::End(Elem::Array)) => return Ok(Step::Pop),
        (ArrayState::Data, Tok::Start(Elem::Value)) => return Ok(Step::Push(new_value(tokens))),
        (ArrayState::Data, Tok::Empty(Elem::Value)) => {
            let empty = build.untyped(None);
            build.item(items, empty, tokens.pos()..tokens.end());
        }
        _ => return Err(tokens.error("unexpected content in an array")),
    }
    Ok(Step::Stay)
}

/// A token inside `<struct>`.
fn in_struct<'a, B: Build<'a>>(
    tokens: &mut Tokens<'a>,
    tok: Tok<'a>,
    members: &mut B::Struct,
    state: &mut StructState<'a>,
    build: &mut B,
) -> Result<Step<'a, B>, ParseError> {
    if tok.is_blank() {
        return Ok(Step::Stay);
    }
    match (std::mem::replace(state, StructState::Between), tok) {
        (StructState::Between, Tok::Start(Elem::Member)) => *state = StructState::Member,
        (StructState::Between, Tok::End(Elem::Struct)) => return Ok(Step::Pop),
        (StructState::Member, Tok::Start(Elem::Name)) => {
            *state = StructState::Named(text_content(tokens, Elem::Name)?);
        }
        (StructState::Member, Tok::Empty(Elem::Name)) => {
            *state = StructState::Named(Cow::Borrowed(""));
        }
        (StructState::Named(name), Tok::Start(Elem::Value)) => {
            *state = StructState::InValue(name);
            return Ok(Step::Push(new_value(tokens)));
        }
        (StructState::Named(name), Tok::Empty(Elem::Value)) => {
            let empty = build.untyped(None);
            build.member(members, name, empty, tokens.pos()..tokens.end());
            *state = StructState::Done;
        }
        (StructState::Done, Tok::End(Elem::Member)) => {}
        _ => return Err(tokens.error("unexpected content in a struct")),
    }
    Ok(Step::Stay)
}

fn new_value<'a, B: Build<'a>>(tokens: &Tokens<'a>) -> Frame<'a, B> {
    Frame::Value {
        start: tokens.pos(),
        text: None,
        result: None,
    }
}

/// The character data of a text-only element whose start tag was just read,
/// up to and including its end tag.
pub(crate) fn text_content<'a>(
    tokens: &mut Tokens<'a>,
    elem: Elem,
) -> Result<Cow<'a, str>, ParseError> {
    let mut text = Cow::Borrowed("");
    loop {
        match tokens.next()? {
            Tok::Text(t) => text = t,
            Tok::End(e) if e == elem => return Ok(text),
            Tok::Eof => return Err(tokens.error("unexpected end of document")),
            _ => return Err(tokens.error("unexpected element inside a text-only element")),
        }
    }
}
