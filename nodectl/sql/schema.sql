-- The tables nodectl's change capture reads, in the shape of Uyuni's
-- (same names, key columns and references; the many other columns of the
-- real tables are left out). For tests and development only: a real node
-- has these tables already. Idempotent.

CREATE SEQUENCE IF NOT EXISTS web_customer_id_seq;
CREATE TABLE IF NOT EXISTS web_customer (
    id       NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('web_customer_id_seq'),
    name     VARCHAR(128) NOT NULL,
    created  TIMESTAMPTZ DEFAULT current_timestamp NOT NULL,
    modified TIMESTAMPTZ DEFAULT current_timestamp NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS web_contact_id_seq;
CREATE TABLE IF NOT EXISTS web_contact (
    id       NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('web_contact_id_seq'),
    org_id   NUMERIC NOT NULL REFERENCES web_customer (id) ON DELETE CASCADE,
    login    VARCHAR(64) NOT NULL,
    -- In Uyuni a password hash: the capture never ships it.
    password VARCHAR(110) NOT NULL DEFAULT '',
    created  TIMESTAMPTZ DEFAULT current_timestamp NOT NULL
);

-- Uyuni's system ids start at 1000010000.
CREATE SEQUENCE IF NOT EXISTS rhn_server_id_seq START WITH 1000010000;
CREATE TABLE IF NOT EXISTS rhnServer (
    id                NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('rhn_server_id_seq'),
    org_id            NUMERIC NOT NULL REFERENCES web_customer (id) ON DELETE CASCADE,
    digital_server_id VARCHAR(1024) NOT NULL,
    name              VARCHAR(128),
    hostname          VARCHAR(128),
    machine_id        VARCHAR(256),
    created           TIMESTAMPTZ DEFAULT current_timestamp NOT NULL
);

-- Salt minions: in Uyuni the minion id lives here, not in rhnServer.
CREATE TABLE IF NOT EXISTS suseMinionInfo (
    server_id NUMERIC NOT NULL PRIMARY KEY REFERENCES rhnServer (id) ON DELETE CASCADE,
    minion_id VARCHAR(256) NOT NULL,
    created   TIMESTAMPTZ DEFAULT current_timestamp NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS rhn_channel_id_seq START WITH 101;
CREATE TABLE IF NOT EXISTS rhnChannel (
    id             NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('rhn_channel_id_seq'),
    label          VARCHAR(128) NOT NULL UNIQUE,
    name           VARCHAR(256) NOT NULL,
    parent_channel NUMERIC REFERENCES rhnChannel (id),
    org_id         NUMERIC REFERENCES web_customer (id) ON DELETE CASCADE
);

CREATE SEQUENCE IF NOT EXISTS rhn_reg_token_seq;
CREATE TABLE IF NOT EXISTS rhnRegToken (
    id          NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('rhn_reg_token_seq'),
    org_id      NUMERIC NOT NULL REFERENCES web_customer (id) ON DELETE CASCADE,
    note        VARCHAR(2048) NOT NULL,
    usage_limit NUMERIC DEFAULT 0
);

-- The activation key string of a registration token.
CREATE TABLE IF NOT EXISTS rhnActivationKey (
    token        VARCHAR(48) NOT NULL UNIQUE,
    reg_token_id NUMERIC NOT NULL REFERENCES rhnRegToken (id) ON DELETE CASCADE
);

-- Objects each node numbers itself (the capture reports their deletion).
CREATE SEQUENCE IF NOT EXISTS rhn_event_id_seq;
CREATE TABLE IF NOT EXISTS rhnAction (
    id     NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('rhn_event_id_seq'),
    org_id NUMERIC NOT NULL REFERENCES web_customer (id) ON DELETE CASCADE,
    name   VARCHAR(128)
);

CREATE SEQUENCE IF NOT EXISTS suse_recurring_action_id_seq;
CREATE TABLE IF NOT EXISTS suseRecurringAction (
    id        NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('suse_recurring_action_id_seq'),
    name      VARCHAR(256) NOT NULL,
    minion_id NUMERIC REFERENCES suseMinionInfo (server_id) ON DELETE CASCADE,
    org_id    NUMERIC REFERENCES web_customer (id) ON DELETE CASCADE
);

CREATE SEQUENCE IF NOT EXISTS suse_imginfo_imgid_seq;
CREATE TABLE IF NOT EXISTS suseImageInfo (
    id     NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('suse_imginfo_imgid_seq'),
    name   VARCHAR(128) NOT NULL,
    org_id NUMERIC NOT NULL REFERENCES web_customer (id) ON DELETE CASCADE
);

-- No cascade, as in Uyuni: deleting a system deletes its snapshots first.
CREATE SEQUENCE IF NOT EXISTS rhn_snapshot_id_seq;
CREATE TABLE IF NOT EXISTS rhnSnapshot (
    id        NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('rhn_snapshot_id_seq'),
    org_id    NUMERIC NOT NULL REFERENCES web_customer (id),
    server_id NUMERIC NOT NULL REFERENCES rhnServer (id),
    reason    VARCHAR(4000) NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS suse_ansible_path_seq;
CREATE TABLE IF NOT EXISTS suseAnsiblePath (
    id        NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('suse_ansible_path_seq'),
    server_id NUMERIC NOT NULL REFERENCES suseMinionInfo (server_id) ON DELETE CASCADE,
    path      VARCHAR(1024) NOT NULL,
    type      VARCHAR(16) NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS suse_notif_message_id_seq;
CREATE TABLE IF NOT EXISTS suseNotificationMessage (
    id   NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('suse_notif_message_id_seq'),
    type VARCHAR(256) NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS suse_user_notif_id_seq;
CREATE TABLE IF NOT EXISTS suseUserNotification (
    id         NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('suse_user_notif_id_seq'),
    user_id    NUMERIC NOT NULL REFERENCES web_contact (id) ON DELETE CASCADE,
    message_id NUMERIC NOT NULL REFERENCES suseNotificationMessage (id) ON DELETE CASCADE,
    read       CHAR(1) DEFAULT ('N') NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS rhn_server_profile_id_seq;
CREATE TABLE IF NOT EXISTS rhnServerProfile (
    id     NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('rhn_server_profile_id_seq'),
    org_id NUMERIC NOT NULL REFERENCES web_customer (id) ON DELETE CASCADE,
    name   VARCHAR(128)
);

CREATE SEQUENCE IF NOT EXISTS suse_pinsub_id_seq;
CREATE TABLE IF NOT EXISTS susePinnedSubscription (
    id           NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('suse_pinsub_id_seq'),
    server_id    NUMERIC NOT NULL REFERENCES rhnServer (id),
    orderitem_id NUMERIC NOT NULL
);

-- An OpenSCAP scan's results (Uyuni's keys to rhnActionScap and the
-- benchmark and profile tables left out).
CREATE SEQUENCE IF NOT EXISTS rhn_xccdf_tresult_id_seq;
CREATE TABLE IF NOT EXISTS rhnXccdfTestresult (
    id         NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('rhn_xccdf_tresult_id_seq'),
    server_id  NUMERIC NOT NULL REFERENCES rhnServer (id) ON DELETE CASCADE,
    identifier VARCHAR(120) NOT NULL
);

-- Content every node syncs and numbers on its own (the capture reports
-- its deletion, so the cluster forgets the node's id for it).
CREATE SEQUENCE IF NOT EXISTS rhn_package_id_seq;
CREATE TABLE IF NOT EXISTS rhnPackage (
    id     NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('rhn_package_id_seq'),
    org_id NUMERIC REFERENCES web_customer (id) ON DELETE CASCADE
);

-- Repositories (content sources) and content lifecycle filters: made on
-- every node and numbered by each.
CREATE SEQUENCE IF NOT EXISTS rhn_chan_content_src_id_seq;
CREATE TABLE IF NOT EXISTS rhnContentSource (
    id         NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('rhn_chan_content_src_id_seq'),
    org_id     NUMERIC REFERENCES web_customer (id) ON DELETE CASCADE,
    label      VARCHAR(128) NOT NULL,
    source_url VARCHAR(2048) NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS suse_ct_filter_seq;
CREATE TABLE IF NOT EXISTS suseContentFilter (
    id     NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('suse_ct_filter_seq'),
    org_id NUMERIC NOT NULL REFERENCES web_customer (id) ON DELETE CASCADE,
    name   VARCHAR(128) NOT NULL
);

-- A source package (Uyuni's other columns left out).
CREATE SEQUENCE IF NOT EXISTS rhn_package_source_id_seq;
CREATE TABLE IF NOT EXISTS rhnPackageSource (
    id            NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('rhn_package_source_id_seq'),
    org_id        NUMERIC REFERENCES web_customer (id) ON DELETE CASCADE,
    source_rpm_id NUMERIC NOT NULL
);

-- Global configuration channels: made on every node and numbered by each.
CREATE SEQUENCE IF NOT EXISTS rhn_confchan_id_seq;
CREATE TABLE IF NOT EXISTS rhnConfigChannel (
    id               NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('rhn_confchan_id_seq'),
    org_id           NUMERIC NOT NULL REFERENCES web_customer (id) ON DELETE CASCADE,
    confchan_type_id NUMERIC NOT NULL,
    name             VARCHAR(128) NOT NULL,
    label            VARCHAR(128) NOT NULL,
    description      VARCHAR(1024) NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS rhn_errata_id_seq;
CREATE TABLE IF NOT EXISTS rhnErrata (
    id            NUMERIC NOT NULL PRIMARY KEY DEFAULT nextval('rhn_errata_id_seq'),
    advisory      VARCHAR(100) NOT NULL,
    advisory_name VARCHAR(100) NOT NULL,
    org_id        NUMERIC REFERENCES web_customer (id) ON DELETE CASCADE
);
