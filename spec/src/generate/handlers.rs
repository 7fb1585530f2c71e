//! Namespace to Java handler class: a table of facts.
//!
//! Source: `HandlerFactory.getDefaultHandlerFactory()` in
//! uyuni-project/uyuni (`java/code/src/com/redhat/rhn/frontend/xmlrpc/
//! HandlerFactory.java`). Namespaces registered there but in no catalog
//! (`taskomatic`, `taskomatic.org`) are left out.
//!
//! Namespaces in the catalogs but not in that file:
//! - `access`, `admin.ssh`, `channel.appstreams`, `recurring.playbook`,
//!   `sync.hub`, `system.appstreams`, `user.notifications`: taken from the
//!   handler map of `com.suse.manager.api.OpenApiConfig` (same repository,
//!   2026), which lists them with their classes.
//! - `admin` (4.3 and 5.0 only): derived. Its six methods are those of
//!   `admin.payg`, documented a second time under the parent namespace, so
//!   it is given `AdminPaygHandler`.

/// `(namespace, full handler class)`, sorted by namespace.
pub const HANDLERS: &[(&str, &str)] = &[
    (
        "access",
        "com.redhat.rhn.frontend.xmlrpc.access.AccessHandler",
    ),
    (
        "actionchain",
        "com.redhat.rhn.frontend.xmlrpc.chain.ActionChainHandler",
    ),
    (
        "activationkey",
        "com.redhat.rhn.frontend.xmlrpc.activationkey.ActivationKeyHandler",
    ),
    ("admin", "com.suse.manager.xmlrpc.admin.AdminPaygHandler"),
    (
        "admin.configuration",
        "com.redhat.rhn.frontend.xmlrpc.admin.configuration.AdminConfigurationHandler",
    ),
    (
        "admin.monitoring",
        "com.redhat.rhn.frontend.xmlrpc.admin.monitoring.AdminMonitoringHandler",
    ),
    (
        "admin.payg",
        "com.suse.manager.xmlrpc.admin.AdminPaygHandler",
    ),
    (
        "admin.ssh",
        "com.redhat.rhn.frontend.xmlrpc.admin.ssh.AdminSshHandler",
    ),
    (
        "ansible",
        "com.redhat.rhn.frontend.xmlrpc.ansible.AnsibleHandler",
    ),
    ("api", "com.redhat.rhn.frontend.xmlrpc.api.ApiHandler"),
    (
        "audit",
        "com.redhat.rhn.frontend.xmlrpc.audit.CVEAuditHandler",
    ),
    ("auth", "com.redhat.rhn.frontend.xmlrpc.auth.AuthHandler"),
    (
        "channel",
        "com.redhat.rhn.frontend.xmlrpc.channel.ChannelHandler",
    ),
    (
        "channel.access",
        "com.redhat.rhn.frontend.xmlrpc.channel.access.ChannelAccessHandler",
    ),
    (
        "channel.appstreams",
        "com.redhat.rhn.frontend.xmlrpc.channel.appstreams.ChannelAppStreamHandler",
    ),
    (
        "channel.org",
        "com.redhat.rhn.frontend.xmlrpc.channel.org.ChannelOrgHandler",
    ),
    (
        "channel.software",
        "com.redhat.rhn.frontend.xmlrpc.channel.software.ChannelSoftwareHandler",
    ),
    (
        "configchannel",
        "com.redhat.rhn.frontend.xmlrpc.configchannel.ConfigChannelHandler",
    ),
    (
        "contentmanagement",
        "com.redhat.rhn.frontend.xmlrpc.contentmgmt.ContentManagementHandler",
    ),
    (
        "distchannel",
        "com.redhat.rhn.frontend.xmlrpc.distchannel.DistChannelHandler",
    ),
    (
        "errata",
        "com.redhat.rhn.frontend.xmlrpc.errata.ErrataHandler",
    ),
    (
        "formula",
        "com.redhat.rhn.frontend.xmlrpc.formula.FormulaHandler",
    ),
    (
        "image",
        "com.redhat.rhn.frontend.xmlrpc.image.ImageInfoHandler",
    ),
    (
        "image.delta",
        "com.redhat.rhn.frontend.xmlrpc.image.DeltaImageInfoHandler",
    ),
    (
        "image.profile",
        "com.redhat.rhn.frontend.xmlrpc.image.profile.ImageProfileHandler",
    ),
    (
        "image.store",
        "com.redhat.rhn.frontend.xmlrpc.image.store.ImageStoreHandler",
    ),
    (
        "kickstart",
        "com.redhat.rhn.frontend.xmlrpc.kickstart.KickstartHandler",
    ),
    (
        "kickstart.filepreservation",
        "com.redhat.rhn.frontend.xmlrpc.kickstart.filepreservation.FilePreservationListHandler",
    ),
    (
        "kickstart.keys",
        "com.redhat.rhn.frontend.xmlrpc.kickstart.keys.CryptoKeysHandler",
    ),
    (
        "kickstart.profile",
        "com.redhat.rhn.frontend.xmlrpc.kickstart.profile.ProfileHandler",
    ),
    (
        "kickstart.profile.keys",
        "com.redhat.rhn.frontend.xmlrpc.kickstart.profile.keys.KeysHandler",
    ),
    (
        "kickstart.profile.software",
        "com.redhat.rhn.frontend.xmlrpc.kickstart.profile.software.SoftwareHandler",
    ),
    (
        "kickstart.profile.system",
        "com.redhat.rhn.frontend.xmlrpc.kickstart.profile.system.SystemDetailsHandler",
    ),
    (
        "kickstart.snippet",
        "com.redhat.rhn.frontend.xmlrpc.kickstart.snippet.SnippetHandler",
    ),
    (
        "kickstart.tree",
        "com.redhat.rhn.frontend.xmlrpc.kickstart.tree.KickstartTreeHandler",
    ),
    (
        "maintenance",
        "com.suse.manager.xmlrpc.maintenance.MaintenanceHandler",
    ),
    ("org", "com.redhat.rhn.frontend.xmlrpc.org.OrgHandler"),
    (
        "org.trusts",
        "com.redhat.rhn.frontend.xmlrpc.org.trusts.OrgTrustHandler",
    ),
    (
        "packages",
        "com.redhat.rhn.frontend.xmlrpc.packages.PackagesHandler",
    ),
    (
        "packages.provider",
        "com.redhat.rhn.frontend.xmlrpc.packages.provider.PackagesProviderHandler",
    ),
    (
        "packages.search",
        "com.redhat.rhn.frontend.xmlrpc.packages.search.PackagesSearchHandler",
    ),
    (
        "preferences.locale",
        "com.redhat.rhn.frontend.xmlrpc.preferences.locale.PreferencesLocaleHandler",
    ),
    ("proxy", "com.redhat.rhn.frontend.xmlrpc.proxy.ProxyHandler"),
    (
        "recurring",
        "com.redhat.rhn.frontend.xmlrpc.recurringaction.RecurringActionHandler",
    ),
    (
        "recurring.custom",
        "com.redhat.rhn.frontend.xmlrpc.recurringaction.RecurringCustomStateHandler",
    ),
    (
        "recurring.highstate",
        "com.redhat.rhn.frontend.xmlrpc.recurringaction.RecurringHighstateHandler",
    ),
    (
        "recurring.playbook",
        "com.redhat.rhn.frontend.xmlrpc.recurringaction.RecurringPlaybookHandler",
    ),
    (
        "recurringaction",
        "com.redhat.rhn.frontend.xmlrpc.recurringaction.LegacyRecurringActionHandler",
    ),
    (
        "saltkey",
        "com.redhat.rhn.frontend.xmlrpc.saltkey.SaltKeyHandler",
    ),
    (
        "schedule",
        "com.redhat.rhn.frontend.xmlrpc.schedule.ScheduleHandler",
    ),
    (
        "subscriptionmatching.pinnedsubscription",
        "com.redhat.rhn.frontend.xmlrpc.subscriptionmatching.PinnedSubscriptionHandler",
    ),
    (
        "sync.content",
        "com.redhat.rhn.frontend.xmlrpc.sync.content.ContentSyncHandler",
    ),
    ("sync.hub", "com.suse.manager.xmlrpc.iss.HubHandler"),
    (
        "sync.master",
        "com.redhat.rhn.frontend.xmlrpc.sync.master.MasterHandler",
    ),
    (
        "sync.slave",
        "com.redhat.rhn.frontend.xmlrpc.sync.slave.SlaveHandler",
    ),
    (
        "system",
        "com.redhat.rhn.frontend.xmlrpc.system.SystemHandler",
    ),
    (
        "system.appstreams",
        "com.redhat.rhn.frontend.xmlrpc.system.appstreams.SystemAppStreamHandler",
    ),
    (
        "system.config",
        "com.redhat.rhn.frontend.xmlrpc.system.config.ServerConfigHandler",
    ),
    (
        "system.custominfo",
        "com.redhat.rhn.frontend.xmlrpc.system.custominfo.CustomInfoHandler",
    ),
    (
        "system.monitoring",
        "com.redhat.rhn.frontend.xmlrpc.system.monitoring.SystemMonitoringHandler",
    ),
    (
        "system.provisioning.powermanagement",
        "com.redhat.rhn.frontend.xmlrpc.system.provisioning.powermanagement.PowerManagementHandler",
    ),
    (
        "system.provisioning.snapshot",
        "com.redhat.rhn.frontend.xmlrpc.system.provisioning.snapshot.SnapshotHandler",
    ),
    (
        "system.scap",
        "com.redhat.rhn.frontend.xmlrpc.system.scap.SystemScapHandler",
    ),
    (
        "system.search",
        "com.redhat.rhn.frontend.xmlrpc.system.search.SystemSearchHandler",
    ),
    (
        "systemgroup",
        "com.redhat.rhn.frontend.xmlrpc.systemgroup.ServerGroupHandler",
    ),
    ("user", "com.redhat.rhn.frontend.xmlrpc.user.UserHandler"),
    (
        "user.external",
        "com.redhat.rhn.frontend.xmlrpc.user.external.UserExternalHandler",
    ),
    (
        "user.notifications",
        "com.redhat.rhn.frontend.xmlrpc.user.UserNotificationsHandler",
    ),
    (
        "virtualhostmanager",
        "com.redhat.rhn.frontend.xmlrpc.virtualhostmanager.VirtualHostManagerHandler",
    ),
];

/// The handler class of `namespace`.
pub fn handler_of(namespace: &str) -> Option<&'static str> {
    HANDLERS
        .binary_search_by(|(ns, _)| (*ns).cmp(namespace))
        .ok()
        .map(|i| HANDLERS[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_answers() {
        assert!(HANDLERS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(
            handler_of("system.config"),
            Some("com.redhat.rhn.frontend.xmlrpc.system.config.ServerConfigHandler")
        );
        assert_eq!(handler_of("taskomatic"), None);
    }
}
