//! The writer: documents straight into a `Vec<u8>`, escaping in place.
//!
//! The form is compact (no whitespace between elements) and always UTF-8:
//! integers as `<i4>`, booleans as `1`/`0`, strings inside `<string>`,
//! dates as their stored text, base64 without line breaks, nil as
//! `<nil/>`. Text escapes `&`, `<` and `>`, and `\r` as `&#13;` so that it
//! survives the receiver's line-end normalisation.
//!
//! Doubles are written with Rust's shortest round-trip `Display`, which
//! never uses an exponent, so they parse back to the same `f64` (and `-0`
//! stays negative). NaN and the infinities are written `NaN`, `Infinity` and
//! `-Infinity`: the spellings Java writes and reads, which Python's
//! `float()` (and this parser) read too — Python's own `nan`/`inf` would
//! fail on a Java peer.
//!
//! No recursion: nesting is walked with an explicit stack.

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::{Fault, MethodCall, Value};

const DECLARATION: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

/// Writes a `<methodCall>` document.
pub fn encode_call(call: &MethodCall) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(DECLARATION);
    out.extend_from_slice(b"<methodCall><methodName>");
    escape(&call.name, &mut out);
    out.extend_from_slice(b"</methodName><params>");
    for param in &call.params {
        out.extend_from_slice(b"<param>");
        write_value(param, &mut out);
        out.extend_from_slice(b"</param>");
    }
    out.extend_from_slice(b"</params></methodCall>");
    out
}

/// Writes a `<methodResponse>` document carrying one value.
pub fn encode_response(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(DECLARATION);
    out.extend_from_slice(b"<methodResponse><params><param>");
    write_value(value, &mut out);
    out.extend_from_slice(b"</param></params></methodResponse>");
    out
}

/// Writes a `<methodResponse>` document carrying a fault.
pub fn encode_fault(fault: &Fault) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(DECLARATION);
    out.extend_from_slice(b"<methodResponse><fault>");
    write_value(&fault.to_value(), &mut out);
    out.extend_from_slice(b"</fault></methodResponse>");
    out
}

/// A struct or array being written.
enum Open<'v> {
    Array(std::slice::Iter<'v, Value>),
    Struct {
        members: std::slice::Iter<'v, (String, Value)>,
        in_member: bool,
    },
}

/// Appends one `<value>` element to `out`.
pub fn write_value(value: &Value, out: &mut Vec<u8>) {
    let mut stack: Vec<Open<'_>> = Vec::new();
    let mut next = Some(value);
    loop {
        if let Some(value) = next.take() {
            out.extend_from_slice(b"<value>");
            match value {
                Value::Array(items) => {
                    out.extend_from_slice(b"<array><data>");
                    stack.push(Open::Array(items.iter()));
                }
                Value::Struct(s) => {
                    out.extend_from_slice(b"<struct>");
                    stack.push(Open::Struct {
                        members: s.members().iter(),
                        in_member: false,
                    });
                }
                scalar => {
                    write_scalar(scalar, out);
                    out.extend_from_slice(b"</value>");
                }
            }
        }
        match stack.last_mut() {
            None => return,
            Some(Open::Array(items)) => match items.next() {
                Some(item) => next = Some(item),
                None => {
                    stack.pop();
                    out.extend_from_slice(b"</data></array></value>");
                }
            },
            Some(Open::Struct { members, in_member }) => {
                if *in_member {
                    out.extend_from_slice(b"</member>");
                }
                match members.next() {
                    Some((name, value)) => {
                        *in_member = true;
                        out.extend_from_slice(b"<member><name>");
                        escape(name, out);
                        out.extend_from_slice(b"</name>");
                        next = Some(value);
                    }
                    None => {
                        stack.pop();
                        out.extend_from_slice(b"</struct></value>");
                    }
                }
            }
        }
    }
}

/// The type element of a value that is neither struct nor array.
fn write_scalar(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Int(i) => write_i4(*i, out),
        Value::I8(i) => {
            out.extend_from_slice(b"<i8>");
            write_int(*i, out);
            out.extend_from_slice(b"</i8>");
        }
        Value::Bool(b) => {
            out.extend_from_slice(if *b {
                b"<boolean>1</boolean>"
            } else {
                b"<boolean>0</boolean>"
            });
        }
        Value::String(s) => {
            out.extend_from_slice(b"<string>");
            escape(s, out);
            out.extend_from_slice(b"</string>");
        }
        Value::Double(d) => {
            out.extend_from_slice(b"<double>");
            write_double(*d, out);
            out.extend_from_slice(b"</double>");
        }
        Value::DateTime(t) => {
            out.extend_from_slice(b"<dateTime.iso8601>");
            escape(t, out);
            out.extend_from_slice(b"</dateTime.iso8601>");
        }
        Value::Base64(bytes) => {
            out.extend_from_slice(b"<base64>");
            write_base64(bytes, out);
            out.extend_from_slice(b"</base64>");
        }
        Value::Nil => out.extend_from_slice(b"<nil/>"),
        // Containers are written by `write_value`.
        Value::Struct(_) | Value::Array(_) => {}
    }
}

/// Escapes `&`, `<`, `>` and `\r`, copying unescaped runs whole.
fn escape(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let replacement: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#13;",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(replacement);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Appends an `<i4>` type element (the inside of an int's `<value>`):
/// for callers that splice ids into bytes already encoded.
pub fn write_i4(i: i32, out: &mut Vec<u8>) {
    out.extend_from_slice(b"<i4>");
    write_int(i64::from(i), out);
    out.extend_from_slice(b"</i4>");
}

fn write_int(i: i64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    let mut n = i.unsigned_abs();
    loop {
        pos -= 1;
        // `n % 10` is below 10, so the cast cannot truncate.
        buf[pos] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[pos..]);
}

fn write_double(d: f64, out: &mut Vec<u8>) {
    if d.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if d == f64::INFINITY {
        out.extend_from_slice(b"Infinity");
    } else if d == f64::NEG_INFINITY {
        out.extend_from_slice(b"-Infinity");
    } else {
        // Writing into a Vec cannot fail.
        let _ = write!(out, "{d}");
    }
}

fn write_base64(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    match base64::encoded_len(bytes.len(), true) {
        Some(len) => {
            out.resize(start + len, 0);
            let written = STANDARD.encode_slice(bytes, &mut out[start..]).unwrap_or(0);
            out.truncate(start + written);
        }
        None => out.extend_from_slice(STANDARD.encode(bytes).as_bytes()),
    }
}

#[cfg(test)]
mod tests;
