//! Seeding the OpenSCAP XCCDF scans each node numbers on its own.

use super::{SeedSpec, SplitMix64};
use crate::sim::model::{NodeData, XccdfRuleResult, XccdfScan, take_id};

/// The SCAP Security Guide benchmark the seeded scans evaluate.
const BENCHMARK: &str = "xccdf_org.ssgproject.content_benchmark_SLE-15";

/// Its version.
const BENCHMARK_VERSION: &str = "0.1.74";

/// The profiles of each system's two scans, older first: identifier and
/// title.
const PROFILES: [(&str, &str); 2] = [
    (
        "xccdf_org.ssgproject.content_profile_pci-dss",
        "PCI-DSS v3.2.1 Control Baseline for SUSE Linux Enterprise 15",
    ),
    (
        "xccdf_org.ssgproject.content_profile_stig",
        "DISA STIG for SUSE Linux Enterprise 15",
    ),
];

/// The rules a scan draws its results from: idref and idents (the CCE
/// ids are made up, in CCE's form).
const RULES: &[(&str, &[&str])] = &[
    (
        "xccdf_org.ssgproject.content_rule_accounts_password_minlen_login_defs",
        &["CCE-85611-7"],
    ),
    (
        "xccdf_org.ssgproject.content_rule_sshd_disable_root_login",
        &["CCE-85624-0"],
    ),
    (
        "xccdf_org.ssgproject.content_rule_package_aide_installed",
        &["CCE-85633-1"],
    ),
    (
        "xccdf_org.ssgproject.content_rule_service_auditd_enabled",
        &["CCE-85640-6", "CCE-85641-4"],
    ),
    (
        "xccdf_org.ssgproject.content_rule_file_permissions_etc_shadow",
        &["CCE-85652-1"],
    ),
    (
        "xccdf_org.ssgproject.content_rule_partition_for_var_log_audit",
        &[],
    ),
];

/// Rule result types in the order of their ids (`rhnXccdfRuleresultType`),
/// the order `getXccdfScanRuleResults` lists results in.
const RESULT_ORDER: &[&str] = &[
    "pass",
    "fail",
    "error",
    "unknown",
    "notapplicable",
    "notchecked",
    "notselected",
    "informational",
    "fixed",
];

/// Seconds in a day.
const DAY: i64 = 86_400;

/// Two scans of each of the node's first three systems, numbered from 1:
/// a PCI-DSS scan about 100 days old, past the default retention period
/// of 90 days (deletable), then a STIG scan of the day before (not
/// deletable). The XCCDF document's path names the node
/// (`/srv/scap/<node>/ssg-sle15-ds.xml`); the STIG scan also names OVAL
/// files. Each scan's action id is taken from the node's action
/// sequence, so no action the node schedules later gets it, but the
/// simulator keeps no such action: `schedule.*` does not list it.
///
/// Unverified: the profile titles, the benchmark version and the rules'
/// idents; the error text is the one `ScapManager.xccdfEvalResume` adds
/// for `oscap`'s exit code 2 (some rule failed).
pub(super) fn seed_scans(data: &mut NodeData, spec: &SeedSpec) {
    let node = &spec.name;
    let systems: Vec<i32> = data.systems.keys().take(3).copied().collect();
    for system_id in systems {
        for (n, (profile, title)) in PROFILES.into_iter().enumerate() {
            let id = take_id(&mut data.local.next_xccdf_scan_id);
            let mut rng = SplitMix64::from_text(&format!("xccdf:{node}:{id}"));
            let completed = if n == 0 {
                spec.now - 100 * DAY - rng.below(DAY as u64) as i64
            } else {
                spec.now - DAY - rng.below(DAY as u64 / 2) as i64
            };
            let end_time = completed - 30 - rng.below(60) as i64;
            let rule_results = rule_results(&mut rng);
            let failed = rule_results.iter().any(|r| r.result == "fail");
            let scan = XccdfScan {
                id,
                system_id,
                action_id: take_id(&mut data.next_action_id),
                path: format!("/srv/scap/{node}/ssg-sle15-ds.xml"),
                ovalfiles: (n == 1).then(|| format!("/srv/scap/{node}/ssg-sle15-oval.xml")),
                oscap_parameters: format!("--profile {profile}"),
                test_result: format!("xccdf_org.open-scap_testresult_{profile}"),
                benchmark: BENCHMARK.to_owned(),
                benchmark_version: BENCHMARK_VERSION.to_owned(),
                profile: profile.to_owned(),
                profile_title: title.to_owned(),
                start_time: end_time - 120 - rng.below(480) as i64,
                end_time,
                completed,
                errors: if failed {
                    "xccdf_eval: oscap tool returned 2\n".to_owned()
                } else {
                    String::new()
                },
                rule_results,
            };
            data.local.xccdf_scans.insert(id, scan);
        }
    }
}

/// Four of [`RULES`], each passed, failed or not applicable, in the
/// order of their result types.
fn rule_results(rng: &mut SplitMix64) -> Vec<XccdfRuleResult> {
    let mut picked: Vec<usize> = Vec::new();
    while picked.len() < 4 {
        let rule = rng.below(RULES.len() as u64) as usize;
        if !picked.contains(&rule) {
            picked.push(rule);
        }
    }
    let mut results: Vec<XccdfRuleResult> = picked
        .into_iter()
        .map(|rule| {
            let (idref, idents) = RULES[rule];
            let result = ["pass", "pass", "fail", "notapplicable"][rng.below(4) as usize];
            XccdfRuleResult {
                idref: idref.to_owned(),
                result: result.to_owned(),
                idents: idents.iter().map(|i| (*i).to_owned()).collect(),
            }
        })
        .collect();
    results.sort_by_key(|r| RESULT_ORDER.iter().position(|t| *t == r.result));
    results
}
