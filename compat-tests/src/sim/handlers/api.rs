//! `api.*`: version and introspection, from the spec.

use spec::Release;
use xmlrpc::{Fault, Value};

use super::{Answer, Call};
use crate::sim::Node;

/// What a node of a release says about itself: API version, product
/// version and product name.
///
/// The API version of 4.3 is the newest `since` in its catalog; the later
/// ones are the simulator's own choice, kept increasing so that "the lowest
/// among nodes" is meaningful. Clients need only a number of at least 10.8.
pub(crate) fn identity(release: Release) -> (&'static str, &'static str, &'static str) {
    match release {
        Release::V4_3 => ("25", "4.3.14", "SUSE Manager"),
        Release::V5_0 => ("26", "5.0.5", "SUSE Manager"),
        Release::V5_1 => ("27", "5.1.0", "SUSE Multi-Linux Manager"),
        Release::Master => ("28", "2026.06", "Uyuni"),
    }
}

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    let release = node.config().release;
    let (api_version, system_version, product) = identity(release);
    let spec = spec::spec();
    Some(match method {
        "getVersion" => Ok(Value::string(api_version)),
        "systemVersion" => Ok(Value::string(system_version)),
        "productName" => Ok(Value::string(product)),
        "getApiNamespaces" => Ok(spec::introspect::namespaces(spec, release)),
        "getApiCallList" => Ok(spec::introspect::call_list(spec, release)),
        "getApiNamespaceCallList" => {
            let namespace = match call.str("namespace") {
                Ok(ns) => ns,
                Err(fault) => return Some(Err(fault)),
            };
            spec::introspect::namespace_call_list(spec, release, namespace).ok_or_else(|| {
                Fault::new(
                    -1,
                    format!("redstone.xmlrpc.XmlRpcFault: Unknown namespace: {namespace}"),
                )
            })
        }
        _ => return None,
    })
}
