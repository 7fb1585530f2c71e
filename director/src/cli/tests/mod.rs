//! Tests of the command-line client as a whole: the command line as clap
//! parses it, and HTTP round trips against a small in-test director.

mod args;
mod roundtrip;
