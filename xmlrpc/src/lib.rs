//! A lossless XML-RPC codec for the SUSE Manager API.
//!
//! Parses and writes method calls, responses and faults exactly as SUSE
//! Manager (Uyuni) and its clients put them on the wire, for a gateway that
//! must pass every value through untouched and a simulator that must answer
//! like the real server.
//!
//! (See the section "Why not dxr" below for how this relates to the `dxr`
//! crate.)
//!
//! # Why not dxr
//! To be written with the implementation.

mod encode;
mod error;
mod fault;
mod limits;
pub mod multicall;
mod parse;
mod trim;
mod value;

pub use encode::{encode_call, encode_fault, encode_response, write_value};
pub use error::ParseError;
pub use fault::Fault;
pub use limits::Limits;
pub use parse::{parse_call, parse_response, parse_value};
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
