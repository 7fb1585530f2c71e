//! Nanostates: small YAML state files (an id, a description, and an ordered
//! map of groups, each an ordered list of `shell`, `file` and `service`
//! calls), found by id under configured roots, run locally or over SSH,
//! reported as structured JSON.
//!
//! | file | what |
//! |---|---|
//! | [`model`] | the file format, checked while read |
//! | [`load`] | reading a file; errors name the file, line and field |
//! | [`index`] | finding states by id under roots |
//! | [`script`] | module calls as `sh` programs |
//! | [`runner`], [`ssh`] | local and SSH connections |
//! | [`run`] | hosts in parallel, stop at the first failure |
//! | [`report`] | the JSON result |

mod error;
pub mod index;
pub mod load;
pub mod model;
pub mod report;
pub mod run;
pub mod runner;
pub mod script;
pub mod ssh;

pub use error::StateError;
pub use index::StateIndex;
pub use load::{load_file, parse};
pub use model::{
    Ensure, FileCall, Group, Groups, ModuleCall, NanoState, ServiceAction, ServiceCall,
    ShellCommand,
};
pub use report::{CommandReport, GroupReport, HostReport, ModuleReport, RunReport};
pub use run::{LOCAL, RunOptions, check_hosts, run_state};
