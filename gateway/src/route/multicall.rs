//! `system.multicall` through the gateway: the calls are split out, each
//! routed on its own (in order, as the server runs them: a later call may
//! use what an earlier one created), and the answers joined back with a
//! fault in the place of each call that failed.

use xmlrpc::{MethodResponse, Value};

use crate::state::Gateway;

/// Routes a `system.multicall`.
pub(crate) async fn route(gw: &Gateway, call: xmlrpc::MethodCall) -> MethodResponse {
    let calls = xmlrpc::multicall::split(&call.params)?;
    let mut results: Vec<Result<Value, xmlrpc::Fault>> = Vec::with_capacity(calls.len());
    for inner in calls {
        let result = match inner {
            Ok(inner) => {
                let mut class = "unresolved";
                let answer = super::route_one(gw, inner, &mut class).await;
                gw.metrics().request(class, answer.is_err());
                answer.map_err(|e| e.to_fault())
            }
            Err(fault) => Err(fault),
        };
        results.push(result);
    }
    Ok(xmlrpc::multicall::join(results))
}
