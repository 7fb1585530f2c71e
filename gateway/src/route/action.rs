//! `action` class: calls naming scheduled actions go to the node that runs
//! them, and calls naming a recurring schedule (`recurring.delete`,
//! `lookupById`, `*.update`) to the node(s) holding it. Cluster action and
//! schedule ids map to a node and its local id like system ids do; a list
//! of action ids is split per node and the answers merged in the client's
//! order. The routing itself is the `system` class's, keyed on the action
//! or schedule parameter the spec names.

use xmlrpc::Value;

use super::Ctx;
use crate::error::GatewayError;

/// Routes an `action` class call.
pub(crate) async fn route(ctx: Ctx<'_>) -> Result<Value, GatewayError> {
    super::system::route(ctx).await
}
