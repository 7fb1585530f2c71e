//! A lossless XML-RPC codec for the SUSE Manager API.
//!
//! Parses and writes method calls, responses and faults exactly as SUSE
//! Manager (Uyuni) and its clients put them on the wire, for a gateway that
//! must pass every value through untouched and a simulator that must answer
//! like the real server.
//!
//! - Reading: [`parse_call`], [`parse_response`], [`parse_value`], each
//!   under [`Limits`] (body size checked before parsing, struct/array depth
//!   checked while parsing, without recursion). Errors are [`ParseError`]s
//!   that carry an offset and the codec's own words, never request text;
//!   [`ParseError::to_fault`] is the fault to answer.
//! - Scanning: [`scan_response`] walks a response with the same grammar
//!   but builds no values: for an array result it yields each item's byte
//!   range and a few picked struct members, for callers that pass items
//!   on byte for byte (the gateway's fan-out merge).
//! - Writing: [`encode_call`], [`encode_response`], [`encode_fault`],
//!   [`write_value`], straight into a `Vec<u8>`.
//! - The model: [`Value`] keeps `dateTime.iso8601` text as received, struct
//!   member order and duplicates, `<i8>` apart from `<i4>`, and nil.
//! - SUSE Manager's own habits: [`MethodCall::trim_string_params`] trims
//!   strings as the server does before dispatch; [`multicall`] splits and
//!   joins `system.multicall`.
//!
//! Accepted on input: an XML declaration (either quote style) or none,
//! whitespace, comments, `<params/>` or no `<params>` for zero-argument
//! calls, `<int>` and `<i4>`, untyped `<value>text</value>` (whitespace
//! kept), CDATA, character references and the five predefined entities,
//! `<nil/>` and `<ex:nil/>`, base64 with line breaks, any `dateTime` text,
//! faults with extra members. Refused: DOCTYPEs (so every DTD, entity
//! declaration, billion-laughs and external-entity document), undefined
//! entities, content after the root element, unknown elements, integers out
//! of range, booleans other than `0`/`1`, invalid base64, non-UTF-8
//! documents.
//!
//! # Why not dxr
//!
//! The `dxr` crates (0.9) were the obvious choice and are still used as the
//! reference implementation in this crate's tests, but they cannot carry a
//! gateway:
//!
//! - **No catch-all dispatch.** `dxr_server` routes only method names
//!   registered at compile time; a gateway must accept any name and decide
//!   at run time where it goes.
//! - **Parse errors leak the request.** Every `dxr` parse error embeds the
//!   whole input document (`Error::InvalidData` holds the body), so logging
//!   or answering it repeats the `auth.login` password. Pinned by the test
//!   `dxr_parse_errors_echo_the_request_body`.
//! - **Strict dates fail whole messages.** `dateTime.iso8601` must be
//!   exactly `YYYYMMDDTHH:MM:SS`; `2024-01-02T03:04:05`, a `Z` or an offset
//!   fails the entire call or response, and even an accepted date is
//!   re-written rather than passed on. Here the text is kept as received.
//!   Pinned by `dxr_accepts_only_one_datetime_form`.
//! - **Faults with extra members fail.** A fault struct must hold exactly
//!   `faultCode` and `faultString`, in that order; one more member and the
//!   response does not parse (`dxr_fails_on_a_fault_with_an_extra_member`).
//! - **No Content-Length, no request.** Its server refuses requests sent
//!   without a `Content-Length` header (chunked uploads).
//! - **Structs are maps.** Member order and duplicates are lost
//!   (`dxr_loses_struct_order`), and an empty or blank member name fails to
//!   parse.

mod encode;
mod error;
mod fault;
mod limits;
pub mod multicall;
mod parse;
mod scalar;
mod scan;
mod tokens;
mod trim;
mod value;
mod value_reader;
mod wire_eq;
mod xml_error;

pub use encode::{encode_call, encode_fault, encode_response, write_i4, write_value};
pub use error::ParseError;
pub use fault::Fault;
pub use limits::Limits;
pub use parse::{parse_call, parse_response, parse_value};
pub use scan::{ArrayScan, Item, Picked, Scanned, StructScan, scan_items, scan_response};
pub use value::{Struct, Value, WireType};

/// An XML-RPC method call: a method name and positional parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodCall {
    /// The method name as sent (`system.listSystems`); any name is accepted.
    pub name: String,
    /// The parameters in order.
    pub params: Vec<Value>,
}

/// What a method answers: a value or a fault.
pub type MethodResponse = Result<Value, Fault>;
