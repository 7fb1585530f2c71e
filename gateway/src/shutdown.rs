//! The one shutdown signal (SIGINT or SIGTERM), shared with the director
//! so every binary of the product stops the same way.

pub use director::server::shutdown_signal as signal;
