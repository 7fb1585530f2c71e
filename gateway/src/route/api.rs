//! `api.*`: the cluster's version and introspection.
//!
//! `getVersion`, `systemVersion` and `productName` describe the cluster as
//! its lowest node: every serving node is asked (answers kept for a few
//! seconds) and the three values of the node with the lowest API version
//! are answered together, so `getVersion` stays a number-like string and
//! the three agree. Introspection is answered from the spec for the
//! release the gateway presents, with or without a session key.

use std::cmp::Ordering;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use xmlrpc::{Fault, MethodCall, Value};

use super::Ctx;
use super::node_call::call_node;
use crate::directory::NodeInfo;
use crate::error::GatewayError;
use crate::state::Gateway;
use crate::upstream::call_many::{RequestStrategy, call_many};

/// How long the nodes' versions are reused.
const VERSIONS_TTL: Duration = Duration::from_secs(10);

/// What a node says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Versions {
    api: String,
    system: String,
    product: String,
}

/// The nodes' lowest versions, cached briefly.
#[derive(Debug, Default)]
pub(crate) struct VersionCache(Mutex<Option<(Instant, Versions)>>);

/// Routes an `api.*` call.
pub(crate) async fn route(ctx: Ctx<'_>) -> Result<Value, GatewayError> {
    let spec = spec::spec();
    let release = ctx.gw.release();
    match ctx.entry.method.as_str() {
        "getVersion" => Ok(Value::string(cluster_versions(ctx.gw).await?.api)),
        "systemVersion" => Ok(Value::string(cluster_versions(ctx.gw).await?.system)),
        "productName" => Ok(Value::string(cluster_versions(ctx.gw).await?.product)),
        "getApiNamespaces" => Ok(spec::introspect::namespaces(spec, release)),
        "getApiCallList" => Ok(spec::introspect::call_list(spec, release)),
        "getApiNamespaceCallList" => {
            let namespace = ctx.call.params.last().and_then(Value::as_str).unwrap_or("");
            spec::introspect::namespace_call_list(spec, release, namespace).ok_or_else(|| {
                GatewayError::Fault(Fault::new(
                    -1,
                    format!("redstone.xmlrpc.XmlRpcFault: Unknown namespace: {namespace}"),
                ))
            })
        }
        _ => Err(GatewayError::NoNode("this api call")),
    }
}

async fn cluster_versions(gw: &Gateway) -> Result<Versions, GatewayError> {
    let cache = &gw.versions().0;
    if let Some((at, v)) = &*cache.lock().unwrap_or_else(|e| e.into_inner())
        && at.elapsed() < VERSIONS_TTL
    {
        return Ok(v.clone());
    }
    let gathered = call_many(
        gw.directory().serving(),
        RequestStrategy::ALL,
        |node: NodeInfo| async move { ask(gw, &node).await },
        || GatewayError::NoNode("api.getVersion in time"),
    )
    .await;
    let lowest = gathered
        .ok
        .into_iter()
        .map(|(_, v)| v)
        .min_by(compare)
        .ok_or(GatewayError::NoNode("api.getVersion"))?;
    *cache.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), lowest.clone()));
    Ok(lowest)
}

async fn ask(gw: &Gateway, node: &NodeInfo) -> Result<Versions, GatewayError> {
    let get = |name: &str| {
        let call = MethodCall {
            name: name.to_owned(),
            params: Vec::new(),
        };
        async move {
            match call_node(gw, node, call, None, true).await? {
                Ok(Value::String(s)) => Ok(s),
                Ok(_) => Ok(String::new()),
                Err(f) => Err(GatewayError::Fault(f)),
            }
        }
    };
    let (api, system, product) = tokio::try_join!(
        get("api.getVersion"),
        get("api.systemVersion"),
        get("api.productName")
    )?;
    Ok(Versions {
        api,
        system,
        product,
    })
}

/// Orders versions by API version (as a number), then product version (by
/// its dotted numeric parts).
fn compare(a: &Versions, b: &Versions) -> Ordering {
    let number = |s: &str| s.trim().parse::<f64>().unwrap_or(f64::MAX);
    number(&a.api)
        .total_cmp(&number(&b.api))
        .then_with(|| dotted(&a.system).cmp(&dotted(&b.system)))
}

fn dotted(s: &str) -> Vec<u64> {
    s.split(['.', '-'])
        .map(|p| p.trim().parse().unwrap_or(u64::MAX))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(api: &str, system: &str) -> Versions {
        Versions {
            api: api.into(),
            system: system.into(),
            product: String::new(),
        }
    }

    #[test]
    fn the_lowest_node_wins() {
        let all = [v("28", "2026.06"), v("25", "4.3.14"), v("27", "5.1.0")];
        assert_eq!(
            all.iter().min_by(|a, b| compare(a, b)).unwrap().system,
            "4.3.14"
        );
        assert_eq!(
            compare(&v("25", "4.3.9"), &v("25", "4.3.14")),
            Ordering::Less
        );
        assert_eq!(compare(&v("9.5", "x"), &v("25", "x")), Ordering::Less);
    }
}
