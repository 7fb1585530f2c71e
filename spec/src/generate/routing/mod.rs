//! Routing: each entry gets exactly one [`RouteClass`] from the pattern
//! [rules](rules::RULES), unless an [override](overrides::OVERRIDES) names
//! it. `System` entries route on their first parameter carrying system
//! ids, `Action` entries on their first carrying action ids, else on the
//! first naming another node object (a recurring schedule, an image, a
//! snapshot, ...: like an action, it lives on the nodes that hold its
//! parts).
//!
//! The engine fails loudly when no rule or two rules claim an entry, when
//! two override rows name one entry, and when an override row is dead:
//! matches no entry, or agrees with the rules on every entry it matches.

mod overrides;
mod rules;

pub use overrides::{OVERRIDES, Override};
pub use rules::{
    Facts, Group, NAMESPACE_GROUPS, PLACEMENT_METHODS, READ_PREFIXES, RULES, Rule, group_of,
    is_read,
};

use super::GenerateError;
use super::merge::Draft;
use crate::ids::IdKind;
use crate::{Entry, Route, RouteClass};

/// The facts the rules look at for `entry` (whose ids are assigned).
pub fn facts(entry: &Entry) -> Result<Facts, GenerateError> {
    let group = group_of(&entry.namespace).ok_or_else(|| GenerateError::UnknownNamespace {
        namespace: entry.namespace.clone(),
        table: "namespace groups",
    })?;
    Ok(Facts {
        group,
        system_param: entry.ids.first_param(IdKind::System).is_some(),
        action_param: entry.ids.first_param(IdKind::Action).is_some(),
        object_param: entry.ids.first_copied_param().is_some(),
        read: is_read(&entry.namespace, &entry.method),
        placement: entry.namespace == "system"
            && PLACEMENT_METHODS.contains(&entry.method.as_str()),
    })
}

/// The class the rules alone give `entry`: exactly one rule must claim it.
pub fn rule_class(entry: &Entry) -> Result<RouteClass, GenerateError> {
    let facts = facts(entry)?;
    let claims: Vec<&Rule> = RULES.iter().filter(|r| (r.claims)(&facts)).collect();
    match claims.as_slice() {
        [rule] => Ok(rule.class),
        [] => Err(GenerateError::Unclaimed {
            entry: entry.full_name(),
        }),
        many => Err(GenerateError::RuleConflict {
            entry: entry.full_name(),
            rules: many.iter().map(|r| r.name).collect(),
        }),
    }
}

/// Routes every draft, applying `overrides` over the rules.
pub(super) fn assign(drafts: &mut [Draft], overrides: &[Override]) -> Result<(), GenerateError> {
    let mut changed = vec![false; overrides.len()];
    for draft in drafts.iter_mut() {
        let entry = &draft.entry;
        let by_rule = rule_class(entry)?;
        let rows: Vec<usize> = (0..overrides.len())
            .filter(|&i| {
                overrides[i].namespace == entry.namespace && overrides[i].method == entry.method
            })
            .collect();
        let class = match rows.as_slice() {
            [] => by_rule,
            [i] => {
                changed[*i] |= overrides[*i].class != by_rule;
                overrides[*i].class
            }
            _ => {
                return Err(GenerateError::ConflictingRows {
                    table: "routing overrides",
                    entry: entry.full_name(),
                    rows: rows.len(),
                });
            }
        };
        let param = match class {
            RouteClass::System => Some(routed_param(entry, IdKind::System)?),
            RouteClass::Action => Some(routed_param(entry, IdKind::Action).or_else(|_| {
                entry
                    .ids
                    .first_copied_param()
                    .map(|p| p.index)
                    .ok_or_else(|| GenerateError::IdRule {
                        entry: entry.full_name(),
                        why: "routed as Action but no parameter names an action or another node object"
                            .into(),
                    })
            })?),
            _ => None,
        };
        draft.entry.route = Route { class, param };
    }
    match changed.iter().position(|c| !c) {
        Some(i) => Err(GenerateError::DeadRow {
            table: "routing overrides",
            row: format!("{}.{}", overrides[i].namespace, overrides[i].method),
        }),
        None => Ok(()),
    }
}

fn routed_param(entry: &Entry, kind: IdKind) -> Result<usize, GenerateError> {
    entry
        .ids
        .first_param(kind)
        .map(|p| p.index)
        .ok_or_else(|| GenerateError::IdRule {
            entry: entry.full_name(),
            why: format!("routed as {kind:?} but no parameter carries such ids"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{IdForm, IdInfo, IdParam};
    use crate::{HttpVerb, Param, Type};

    fn draft(namespace: &str, method: &str, sid: bool) -> Draft {
        let mut params = vec![Param {
            name: "sessionKey".into(),
            ty: Type::String,
        }];
        let mut ids = IdInfo::default();
        if sid {
            params.push(Param {
                name: "sid".into(),
                ty: Type::Int,
            });
            ids.params.push(IdParam {
                index: 1,
                kind: IdKind::System,
                form: IdForm::Scalar,
            });
        }
        Draft {
            entry: Entry {
                namespace: namespace.into(),
                method: method.into(),
                params,
                returns: Type::Int,
                returns_name: None,
                result_fields: vec![],
                session: true,
                http: HttpVerb::Post,
                http_params: vec![],
                releases: vec![],
                route: Route {
                    class: RouteClass::Broadcast,
                    param: None,
                },
                deprecated: false,
                since: None,
                ids,
                may_be_nil: false,
            },
            declared_system_params: Default::default(),
        }
    }

    const fn row(namespace: &'static str, method: &'static str, class: RouteClass) -> Override {
        Override {
            namespace,
            method,
            class,
            reason: "test",
        }
    }

    #[test]
    fn rules_route_by_group_verb_and_ids() {
        let mut drafts = [
            draft("system", "listSystems", false),
            draft("system", "getDetails", true),
            draft("user", "listUsers", false),
            draft("user", "create", false),
            draft("system", "createSystemProfile", false),
            draft("api", "getVersion", false),
        ];
        assign(&mut drafts, &[]).unwrap();
        let classes: Vec<_> = drafts.iter().map(|d| d.entry.route.class).collect();
        use RouteClass::*;
        assert_eq!(
            classes,
            [Fanout, System, SharedRead, Broadcast, Placement, Gateway]
        );
        assert_eq!(drafts[1].entry.route.param, Some(1));
    }

    #[test]
    fn dead_and_conflicting_overrides_fail() {
        let mut drafts = [draft("user", "listUsers", false)];
        let nowhere = [row("user", "noSuchMethod", RouteClass::Fanout)];
        assert!(matches!(
            assign(&mut drafts, &nowhere),
            Err(GenerateError::DeadRow { .. })
        ));
        let agreeing = [row("user", "listUsers", RouteClass::SharedRead)];
        assert!(matches!(
            assign(&mut drafts, &agreeing),
            Err(GenerateError::DeadRow { .. })
        ));
        let twice = [
            row("user", "listUsers", RouteClass::Fanout),
            row("user", "listUsers", RouteClass::Broadcast),
        ];
        assert!(matches!(
            assign(&mut drafts, &twice),
            Err(GenerateError::ConflictingRows { rows: 2, .. })
        ));
        let unknown = [draft("nosuch", "list", false)];
        assert!(matches!(
            rule_class(&unknown[0].entry),
            Err(GenerateError::UnknownNamespace { .. })
        ));
    }

    #[test]
    fn an_override_to_system_needs_a_system_parameter() {
        let mut drafts = [draft("user", "listUsers", false)];
        let bad = [row("user", "listUsers", RouteClass::System)];
        assert!(matches!(
            assign(&mut drafts, &bad),
            Err(GenerateError::IdRule { .. })
        ));
    }
}
