//! Moves: creating them from a plan, directing them (capped in flight),
//! deadlines and retries, and the outcomes client agents report.
//!
//! A move is directed by three directives on the bus: to the client's agent
//! (`directive.client.<minion>`: re-point the minion), to the new node's
//! agent (`directive.node.<to>`: expect the minion) and, once the client is
//! over, to the old node's agent (`directive.node.<from>`: release it).
//! The client agent also sees its move at check-in, so a client without a
//! bus connection moves too.

use std::collections::BTreeSet;

use bytes::Bytes;
use serde_json::json;

use super::{Director, DirectorError, MoveDirective, PlannedMove, Result, subject_token};
use crate::model::{
    Client, ClientStatus, Keys, MoveOutcome, MoveRecord, MoveState, Operation, OperationKind,
    OperationState, now_ms,
};
use crate::store::Txn;

/// Records written per store transaction when a plan is applied.
const BATCH: usize = 256;

impl Director {
    /// Turns planned moves into pending move records under one operation.
    pub(super) async fn create_moves(
        &self,
        kind: OperationKind,
        planned: Vec<PlannedMove>,
        deadline: Option<i64>,
    ) -> Result<Operation> {
        let now = now_ms();
        let op_id = self.store.allocate_counter(Keys::counter("op")).await?;
        let mut op = Operation {
            id: op_id,
            kind,
            state: if planned.is_empty() {
                OperationState::Done
            } else {
                OperationState::Running
            },
            total: planned.len() as u64,
            done: 0,
            failed: 0,
            created: now,
            updated: now,
            deadline,
        };
        self.store.put_json(Keys::operation(op_id), &op).await?;
        let mut loads = self.placement.lock().await;
        let mut created = 0u64;
        for chunk in planned.chunks(BATCH) {
            let mut txn = Txn::new();
            let mut ids = Vec::new();
            for planned in chunk {
                let Some(mut client) = self
                    .store
                    .get_json::<Client>(Keys::client(&planned.minion_id))
                    .await?
                else {
                    continue;
                };
                if client.move_id.is_some() || client.status == ClientStatus::Deleted {
                    continue;
                }
                let id = self.store.allocate_counter(Keys::counter("move")).await?;
                let record = MoveRecord {
                    id,
                    minion_id: planned.minion_id.clone(),
                    cluster_id: planned.cluster_id,
                    from: planned.from.clone(),
                    to: planned.to.clone(),
                    reason: planned.reason,
                    state: MoveState::Pending,
                    attempts: 0,
                    operation: Some(op_id),
                    created: now,
                    updated: now,
                    deadline: None,
                    error: None,
                };
                if let Some(from) = &planned.from
                    && let Some(n) = loads.by_node.get_mut(from)
                {
                    *n = n.saturating_sub(1);
                }
                *loads.by_node.entry(planned.to.clone()).or_default() += 1;
                client.moving_to = Some(planned.to.clone());
                client.move_id = Some(id);
                client.updated = now;
                txn = txn
                    .put_json(Keys::move_record(id), &record)?
                    .put_json(Keys::client(&client.minion_id), &client)?;
                ids.push(id);
            }
            if !ids.is_empty() {
                self.store.transact(txn).await?.map_err(|c| {
                    DirectorError::Conflict(format!(
                        "plan write conflicted on {:?}",
                        String::from_utf8_lossy(&c.key)
                    ))
                })?;
                created += ids.len() as u64;
                self.active_moves.lock().await.extend(ids);
            }
            // A look at the cluster meanwhile shows the plan so far.
            self.saw_loads(&loads.by_node);
        }
        drop(loads);
        if created != op.total {
            op.total = created;
            if created == 0 {
                op.state = OperationState::Done;
            }
            self.store.put_json(Keys::operation(op_id), &op).await?;
        }
        tracing::info!(operation = op_id, moves = created, "operation started");
        Ok(op)
    }

    /// One executor round: retries or fails moves past their deadline and
    /// directs pending moves while fewer than the cap are in flight.
    pub(super) async fn drive_moves(&self) -> Result<()> {
        let now = now_ms();
        let active: Vec<u64> = self.active_moves.lock().await.iter().copied().collect();
        let mut directed = 0usize;
        let mut pending = Vec::new();
        for id in active {
            let Some(m) = self
                .store
                .get_json::<MoveRecord>(Keys::move_record(id))
                .await?
            else {
                self.active_moves.lock().await.remove(&id);
                continue;
            };
            match m.state {
                MoveState::Directed if m.deadline.is_some_and(|d| d <= now) => {
                    if m.attempts >= self.config.move_attempts {
                        let error = format!("not done after {} attempts", m.attempts);
                        tracing::warn!(move_id = id, minion = %m.minion_id, to = %m.to, "move failed: {error}");
                        self.finish_move(id, MoveState::Failed, Some(error)).await?;
                    } else {
                        self.direct(m).await?;
                        directed += 1;
                    }
                }
                MoveState::Directed => directed += 1,
                MoveState::Pending => pending.push(m),
                _ => {
                    self.active_moves.lock().await.remove(&id);
                }
            }
        }
        for m in pending {
            if directed >= self.config.max_moves_in_flight {
                break;
            }
            self.direct(m).await?;
            directed += 1;
        }
        self.check_deadlines(now).await
    }

    /// Sends a move's directives and marks it directed.
    async fn direct(&self, mut m: MoveRecord) -> Result<()> {
        let to = self.get_node(&m.to).await?;
        m.attempts += 1;
        m.state = MoveState::Directed;
        m.updated = now_ms();
        m.deadline = Some(m.updated + self.config.move_timeout.as_millis() as i64);
        let directive = MoveDirective {
            move_id: m.id,
            minion_id: m.minion_id.clone(),
            cluster_id: m.cluster_id,
            from: m.from.clone(),
            to: m.to.clone(),
            master: to.master.clone(),
            attempt: m.attempts,
        };
        // The record first: a crash after it re-sends on the next deadline.
        self.store.put_json(Keys::move_record(m.id), &m).await?;
        let client_payload = serde_json::to_vec(&json!({ "kind": "move", "move": directive }))
            .map_err(|e| DirectorError::Invalid(e.to_string()))?;
        let node_payload = serde_json::to_vec(&json!({
            "kind": "expect-minion", "move_id": m.id, "minion_id": m.minion_id,
        }))
        .map_err(|e| DirectorError::Invalid(e.to_string()))?;
        let sent = async {
            self.bus
                .publish_directive(
                    &format!("directive.client.{}", subject_token(&m.minion_id)),
                    Bytes::from(client_payload),
                )
                .await?;
            self.bus
                .publish_directive(
                    &format!("directive.node.{}", subject_token(&m.to)),
                    Bytes::from(node_payload),
                )
                .await
        };
        if let Err(e) = sent.await {
            // The client still sees the move at check-in; the deadline
            // brings another attempt.
            tracing::warn!(move_id = m.id, cause = %e, "move directive not published");
        }
        tracing::debug!(move_id = m.id, minion = %m.minion_id, to = %m.to, attempt = m.attempts, "move directed");
        Ok(())
    }

    /// A client agent reports the outcome of a move.
    pub async fn report_move(
        &self,
        move_id: u64,
        minion_id: &str,
        outcome: MoveOutcome,
    ) -> Result<MoveRecord> {
        let m: MoveRecord = self
            .store
            .get_json(Keys::move_record(move_id))
            .await?
            .ok_or_else(|| DirectorError::not_found("move", move_id.to_string()))?;
        if m.minion_id != minion_id {
            return Err(DirectorError::Conflict(format!(
                "move {move_id} is not for minion {minion_id}"
            )));
        }
        if m.state.is_final() {
            return Ok(m);
        }
        match outcome {
            MoveOutcome::Done => self.finish_move(move_id, MoveState::Done, None).await,
            MoveOutcome::RolledBack { error } => {
                if m.attempts >= self.config.move_attempts {
                    self.finish_move(move_id, MoveState::Failed, Some(error))
                        .await
                } else {
                    // Try again at once on the next executor round.
                    let mut retry = m;
                    retry.error = Some(error);
                    retry.deadline = Some(now_ms());
                    retry.updated = now_ms();
                    self.store
                        .put_json(Keys::move_record(move_id), &retry)
                        .await?;
                    Ok(retry)
                }
            }
        }
    }

    /// Ends a move: updates the client, loads, the operation, and tells the
    /// old node to release the client when it is done.
    pub(super) async fn finish_move(
        &self,
        id: u64,
        state: MoveState,
        error: Option<String>,
    ) -> Result<MoveRecord> {
        let mut loads = self.placement.lock().await;
        let mut m: MoveRecord = self
            .store
            .get_json(Keys::move_record(id))
            .await?
            .ok_or_else(|| DirectorError::not_found("move", id.to_string()))?;
        if m.state.is_final() {
            return Ok(m);
        }
        m.state = state;
        m.error = error;
        m.updated = now_ms();
        m.deadline = None;
        let mut client: Option<Client> = self.store.get_json(Keys::client(&m.minion_id)).await?;
        if let Some(c) = client.as_mut().filter(|c| c.move_id == Some(id)) {
            c.move_id = None;
            c.moving_to = None;
            c.updated = m.updated;
            if state == MoveState::Done {
                c.owner = Some(m.to.clone());
                c.status = ClientStatus::Onboarded;
            } else if c.status != ClientStatus::Deleted {
                // Stays where it was.
                if let Some(n) = loads.by_node.get_mut(&m.to) {
                    *n = n.saturating_sub(1);
                }
                if let Some(from) = &m.from {
                    *loads.by_node.entry(from.clone()).or_default() += 1;
                } else {
                    c.owner = None;
                    c.status = ClientStatus::Orphan;
                }
            }
        }
        let mut txn = Txn::new().put_json(Keys::move_record(id), &m)?;
        if let Some(c) = &client {
            txn = txn.put_json(Keys::client(&c.minion_id), c)?;
        }
        self.store
            .transact(txn)
            .await?
            .map_err(|_| DirectorError::Conflict(format!("move {id} changed while finishing")))?;
        drop(loads);
        self.active_moves.lock().await.remove(&id);
        self.cache.invalidate(m.cluster_id);
        if state == MoveState::Done
            && let Some(from) = &m.from
        {
            let payload =
                json!({ "kind": "release-minion", "move_id": id, "minion_id": m.minion_id });
            if let Err(e) = self
                .bus
                .publish_directive(
                    &format!("directive.node.{}", subject_token(from)),
                    Bytes::from(payload.to_string()),
                )
                .await
            {
                tracing::warn!(move_id = id, cause = %e, "release directive not published");
            }
        }
        if let Some(op) = m.operation {
            self.count_in_operation(op, state).await?;
        }
        tracing::info!(move_id = id, minion = %m.minion_id, to = %m.to, state = ?state, "move finished");
        Ok(m)
    }

    async fn count_in_operation(&self, op_id: u64, state: MoveState) -> Result<()> {
        let op = self
            .store
            .update_json::<Operation, _>(Keys::operation(op_id), |op| {
                op.map(|mut op| {
                    match state {
                        MoveState::Done => op.done += 1,
                        _ => op.failed += 1,
                    }
                    if op.done + op.failed >= op.total && op.state == OperationState::Running {
                        op.state = if op.failed == 0 {
                            OperationState::Done
                        } else {
                            OperationState::Failed
                        };
                    }
                    op.updated = now_ms();
                    op
                })
            })
            .await?;
        if let Some(op) = op
            && op.state == OperationState::Done
            && let OperationKind::Drain { node } = &op.kind
        {
            self.finish_drain(node).await?;
        }
        Ok(())
    }

    /// Operations past their deadline with moves left are reported failed
    /// (their moves go on).
    async fn check_deadlines(&self, now: i64) -> Result<()> {
        for op in self.list_operations().await? {
            if op.state == OperationState::Running && op.deadline.is_some_and(|d| d <= now) {
                self.store
                    .update_json::<Operation, _>(Keys::operation(op.id), |o| {
                        o.map(|mut o| {
                            o.state = OperationState::Failed;
                            o.updated = now;
                            o
                        })
                    })
                    .await?;
                tracing::warn!(
                    operation = op.id,
                    done = op.done,
                    total = op.total,
                    "operation missed its deadline"
                );
            }
        }
        Ok(())
    }

    /// One move.
    pub async fn get_move(&self, id: u64) -> Result<MoveRecord> {
        self.store
            .get_json(Keys::move_record(id))
            .await?
            .ok_or_else(|| DirectorError::not_found("move", id.to_string()))
    }

    /// Moves, newest first, optionally only those in flight, at most `limit`.
    pub async fn list_moves(&self, in_flight_only: bool, limit: usize) -> Result<Vec<MoveRecord>> {
        if in_flight_only {
            let ids: BTreeSet<u64> = self.active_moves.lock().await.clone();
            let mut out = Vec::new();
            for id in ids.into_iter().rev().take(limit) {
                if let Some(m) = self.store.get_json(Keys::move_record(id)).await? {
                    out.push(m);
                }
            }
            return Ok(out);
        }
        let mut all: Vec<MoveRecord> = self
            .store
            .scan_prefix_json::<MoveRecord>("move/", usize::MAX)
            .await?
            .into_iter()
            .map(|(_, m)| m)
            .collect();
        all.reverse();
        all.truncate(limit);
        Ok(all)
    }

    /// One operation.
    pub async fn get_operation(&self, id: u64) -> Result<Operation> {
        self.store
            .get_json(Keys::operation(id))
            .await?
            .ok_or_else(|| DirectorError::not_found("operation", id.to_string()))
    }

    /// Every operation, oldest first.
    pub async fn list_operations(&self) -> Result<Vec<Operation>> {
        Ok(self
            .store
            .scan_prefix_json::<Operation>("op/", usize::MAX)
            .await?
            .into_iter()
            .map(|(_, o)| o)
            .collect())
    }
}
