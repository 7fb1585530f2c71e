//! Reads one `<value>` element, nested structs and arrays included, with an
//! explicit stack: deep input cannot overflow the thread's stack, and the
//! depth limit is checked before each struct/array level is opened.

use std::borrow::Cow;

use crate::scalar::scalar;
use crate::tokens::{Elem, Tok, Tokens, is_blank};
use crate::{Limits, ParseError, Struct, Value};

/// What is open on the stack.
enum Frame<'a> {
    /// Inside `<value>`: untyped text seen so far, or the typed result.
    Value {
        text: Option<Cow<'a, str>>,
        result: Option<Value>,
    },
    Array {
        items: Vec<Value>,
        state: ArrayState,
    },
    Struct {
        members: Struct,
        state: StructState,
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

enum StructState {
    /// Between members.
    Between,
    /// After `<member>`.
    Member,
    /// After `</name>`.
    Named(String),
    /// The member's value is being read.
    InValue(String),
    /// After the member's `</value>`.
    Done,
}

/// What a token asks of the stack.
enum Step<'a> {
    Stay,
    Push(Frame<'a>),
    /// The top frame is complete.
    Pop,
}

/// Reads the rest of a value whose `<value>` start tag was just read
/// (`empty` for `<value/>`), up to and including its `</value>`.
pub(crate) fn read_value<'a>(
    tokens: &mut Tokens<'a>,
    limits: &Limits,
    empty: bool,
) -> Result<Value, ParseError> {
    if empty {
        return Ok(Value::String(String::new()));
    }
    let mut stack = vec![Frame::Value {
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
            Frame::Value { text, result } => in_value(tokens, limits, depth, tok, text, result)?,
            Frame::Array { items, state } => in_array(tokens, tok, items, state)?,
            Frame::Struct { members, state } => in_struct(tokens, tok, members, state)?,
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
                let done = match stack.pop() {
                    Some(Frame::Value { text, result }) => result.unwrap_or_else(|| {
                        Value::String(text.map(Cow::into_owned).unwrap_or_default())
                    }),
                    Some(Frame::Array { items, .. }) => {
                        depth -= 1;
                        Value::Array(items)
                    }
                    Some(Frame::Struct { members, .. }) => {
                        depth -= 1;
                        Value::Struct(members)
                    }
                    None => return Err(tokens.error("internal parser state")),
                };
                match stack.last_mut() {
                    None => return Ok(done),
                    Some(Frame::Value { result, .. }) => *result = Some(done),
                    Some(Frame::Array { items, .. }) => items.push(done),
                    Some(Frame::Struct { members, state }) => {
                        if let StructState::InValue(name) =
                            std::mem::replace(state, StructState::Done)
                        {
                            members.push(name, done);
                        }
                    }
                }
            }
        }
    }
}

/// A token inside `<value>`.
fn in_value<'a>(
    tokens: &mut Tokens<'a>,
    limits: &Limits,
    depth: usize,
    tok: Tok<'a>,
    text: &mut Option<Cow<'a, str>>,
    result: &mut Option<Value>,
) -> Result<Step<'a>, ParseError> {
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
                    items: Vec::new(),
                    state: ArrayState::Open,
                }
            } else {
                Frame::Struct {
                    members: Struct::new(),
                    state: StructState::Between,
                }
            };
            if !empty {
                return Ok(Step::Push(frame));
            }
            *result = Some(match frame {
                Frame::Array { .. } => Value::Array(Vec::new()),
                _ => Value::Struct(Struct::new()),
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
            *result = Some(scalar(elem, content).map_err(|reason| ParseError {
                offset: at,
                reason: reason.to_owned(),
            })?);
            Ok(Step::Stay)
        }
        _ => Err(tokens.error("unknown value type element")),
    }
}

/// A token inside `<array>`.
fn in_array<'a>(
    tokens: &Tokens<'a>,
    tok: Tok<'a>,
    items: &mut Vec<Value>,
    state: &mut ArrayState,
) -> Result<Step<'a>, ParseError> {
    if tok.is_blank() {
        return Ok(Step::Stay);
    }
    match (*state, tok) {
        (ArrayState::Open, Tok::Start(Elem::Data)) => *state = ArrayState::Data,
        (ArrayState::Open, Tok::Empty(Elem::Data)) | (ArrayState::Data, Tok::End(Elem::Data)) => {
            *state = ArrayState::Closed;
        }
        (ArrayState::Open | ArrayState::Closed, Tok::End(Elem::Array)) => return Ok(Step::Pop),
        (ArrayState::Data, Tok::Start(Elem::Value)) => return Ok(Step::Push(new_value())),
        (ArrayState::Data, Tok::Empty(Elem::Value)) => items.push(Value::String(String::new())),
        _ => return Err(tokens.error("unexpected content in an array")),
    }
    Ok(Step::Stay)
}

/// A token inside `<struct>`.
fn in_struct<'a>(
    tokens: &mut Tokens<'a>,
    tok: Tok<'a>,
    members: &mut Struct,
    state: &mut StructState,
) -> Result<Step<'a>, ParseError> {
    if tok.is_blank() {
        return Ok(Step::Stay);
    }
    match (std::mem::replace(state, StructState::Between), tok) {
        (StructState::Between, Tok::Start(Elem::Member)) => *state = StructState::Member,
        (StructState::Between, Tok::End(Elem::Struct)) => return Ok(Step::Pop),
        (StructState::Member, Tok::Start(Elem::Name)) => {
            let name = text_content(tokens, Elem::Name)?;
            *state = StructState::Named(name.into_owned());
        }
        (StructState::Member, Tok::Empty(Elem::Name)) => *state = StructState::Named(String::new()),
        (StructState::Named(name), Tok::Start(Elem::Value)) => {
            *state = StructState::InValue(name);
            return Ok(Step::Push(new_value()));
        }
        (StructState::Named(name), Tok::Empty(Elem::Value)) => {
            members.push(name, Value::String(String::new()));
            *state = StructState::Done;
        }
        (StructState::Done, Tok::End(Elem::Member)) => {}
        _ => return Err(tokens.error("unexpected content in a struct")),
    }
    Ok(Step::Stay)
}

fn new_value<'a>() -> Frame<'a> {
    Frame::Value {
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
