-- Change capture for the cluster director, version 8. nodectl installs it
-- at start when suma_cluster_capture_version does not say 8 yet, so a
-- restart takes no lock on Uyuni's tables. The script is idempotent and
-- safe to run by hand: it waits at most 500 ms for each table lock and
-- fails rather than make Uyuni's own transactions wait or deadlock (nodectl
-- then retries).
--
-- Triggers write each change into suma_cluster_outbox in the same
-- transaction as the change, and the outbox NOTIFYs suma_cluster_outbox at
-- commit. nodectl publishes the rows in id order and sets published_at only
-- after the bus acknowledged them.
--
-- Topics:
--   system-registered  {local_id, minion_id, machine_id}  one per Salt system,
--                      at commit of the transaction that created its
--                      suseMinionInfo row (rhnServer as it is then)
--   system-deleted     {local_id}                         rhnServer row deleted
--   object-deleted     {kind, local_id}                   a row of an object the node
--                      numbers itself and the cluster maps deleted: kind
--                      action (rhnAction), schedule (suseRecurringAction), image
--                      (suseImageInfo), snapshot (rhnSnapshot), ansible_path
--                      (suseAnsiblePath), notification (suseUserNotification),
--                      package_profile (rhnServerProfile), pinned_subscription
--                      (susePinnedSubscription), xccdf_scan
--                      (rhnXccdfTestresult), rows a cascade from their
--                      system or user deletes included
--   <kind>.<op>        {table, op, row}                   kind: channel, org, user,
--                      activation-key, activation-key-token; op: insert,
--                      update (only when the row changed), delete.
--                      Password columns are never copied.

BEGIN;
SET LOCAL lock_timeout = '500ms';
SELECT pg_advisory_xact_lock(6004434557390946305);

CREATE TABLE IF NOT EXISTS suma_cluster_outbox (
    id           BIGSERIAL PRIMARY KEY,
    topic        TEXT NOT NULL,
    payload      JSONB NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS suma_cluster_outbox_pending
    ON suma_cluster_outbox (id) WHERE published_at IS NULL;

-- One NOTIFY per statement; PostgreSQL folds repeats within a transaction
-- and delivers at commit.
CREATE OR REPLACE FUNCTION suma_cluster_outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('suma_cluster_outbox', '');
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS suma_cluster_outbox_notify ON suma_cluster_outbox;
CREATE TRIGGER suma_cluster_outbox_notify
    AFTER INSERT ON suma_cluster_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION suma_cluster_outbox_notify();

-- A system registered: deferred to commit, so the event sees the final
-- rhnServer row (machine id set later in the same transaction) and the
-- final minion id; none when the system was deleted again before commit.
CREATE OR REPLACE FUNCTION suma_cluster_system_registered() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    minion  TEXT;
    machine TEXT;
BEGIN
    SELECT m.minion_id, s.machine_id INTO minion, machine
      FROM suseMinionInfo m JOIN rhnServer s ON s.id = m.server_id
     WHERE m.server_id = NEW.server_id;
    IF minion IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO suma_cluster_outbox (topic, payload)
    VALUES ('system-registered', jsonb_build_object(
        'local_id', NEW.server_id::BIGINT,
        'minion_id', minion,
        'machine_id', machine));
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS suma_cluster_system_registered ON suseMinionInfo;
CREATE CONSTRAINT TRIGGER suma_cluster_system_registered
    AFTER INSERT ON suseMinionInfo
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION suma_cluster_system_registered();

CREATE OR REPLACE FUNCTION suma_cluster_system_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO suma_cluster_outbox (topic, payload)
    VALUES ('system-deleted', jsonb_build_object('local_id', OLD.id::BIGINT));
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS suma_cluster_system_deleted ON rhnServer;
CREATE TRIGGER suma_cluster_system_deleted
    AFTER DELETE ON rhnServer
    FOR EACH ROW EXECUTE FUNCTION suma_cluster_system_deleted();

-- Objects the node numbers itself: the cluster forgets their ids when they
-- go. TG_ARGV[0] names the kind as the director spells it, TG_ARGV[1] the
-- topic; the tables are named below as PostgreSQL folds Uyuni's unquoted
-- names.
CREATE OR REPLACE FUNCTION suma_cluster_object_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO suma_cluster_outbox (topic, payload)
    VALUES (COALESCE(TG_ARGV[1], 'object-deleted'), jsonb_build_object(
        'kind', TG_ARGV[0], 'local_id', OLD.id::BIGINT));
    RETURN NULL;
END $$;

-- Objects (topic object-deleted) and content every node syncs or makes,
-- and numbers on its own (packages, errata, software channels,
-- repositories, content filters, configuration channels, source
-- packages; topic
-- content-deleted): the cluster
-- forgets this node's id for it when it goes here.
DO $$
DECLARE
    t RECORD;
    name TEXT;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('rhnaction', 'action', 'object'),
        ('suserecurringaction', 'schedule', 'object'),
        ('suseimageinfo', 'image', 'object'),
        ('rhnsnapshot', 'snapshot', 'object'),
        ('suseansiblepath', 'ansible_path', 'object'),
        ('suseusernotification', 'notification', 'object'),
        ('rhnserverprofile', 'package_profile', 'object'),
        ('susepinnedsubscription', 'pinned_subscription', 'object'),
        ('rhnxccdftestresult', 'xccdf_scan', 'object'),
        ('rhnpackage', 'package', 'content'),
        ('rhnerrata', 'erratum', 'content'),
        ('rhnchannel', 'channel', 'content'),
        ('rhncontentsource', 'repository', 'content'),
        ('susecontentfilter', 'content_filter', 'content'),
        ('rhnconfigchannel', 'config_channel', 'content'),
        ('rhnpackagesource', 'source_package', 'content')
    ) AS v (tbl, kind, what) LOOP
        name := 'suma_cluster_' || t.what || '_deleted';
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', name, t.tbl);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I '
                       'FOR EACH ROW EXECUTE FUNCTION suma_cluster_object_deleted(%L, %L)',
                       name, t.tbl, t.kind, t.what || '-deleted');
    END LOOP;
END $$;

-- Shared data: one row change, one event. TG_ARGV[0] names the kind.
CREATE OR REPLACE FUNCTION suma_cluster_capture_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    op       TEXT := lower(TG_OP);
    row_data JSONB;
BEGIN
    IF TG_OP = 'DELETE' THEN
        row_data := to_jsonb(OLD);
    ELSE
        row_data := to_jsonb(NEW);
    END IF;
    IF TG_OP = 'UPDATE' AND to_jsonb(OLD) = row_data THEN
        RETURN NULL;
    END IF;
    row_data := row_data - 'password';
    INSERT INTO suma_cluster_outbox (topic, payload)
    VALUES (TG_ARGV[0] || '.' || op, jsonb_build_object(
        'table', TG_TABLE_NAME, 'op', op, 'row', row_data));
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS suma_cluster_capture ON rhnChannel;
CREATE TRIGGER suma_cluster_capture AFTER INSERT OR UPDATE OR DELETE ON rhnChannel
    FOR EACH ROW EXECUTE FUNCTION suma_cluster_capture_row('channel');
DROP TRIGGER IF EXISTS suma_cluster_capture ON rhnRegToken;
CREATE TRIGGER suma_cluster_capture AFTER INSERT OR UPDATE OR DELETE ON rhnRegToken
    FOR EACH ROW EXECUTE FUNCTION suma_cluster_capture_row('activation-key');
DROP TRIGGER IF EXISTS suma_cluster_capture ON rhnActivationKey;
CREATE TRIGGER suma_cluster_capture AFTER INSERT OR UPDATE OR DELETE ON rhnActivationKey
    FOR EACH ROW EXECUTE FUNCTION suma_cluster_capture_row('activation-key-token');
DROP TRIGGER IF EXISTS suma_cluster_capture ON web_customer;
CREATE TRIGGER suma_cluster_capture AFTER INSERT OR UPDATE OR DELETE ON web_customer
    FOR EACH ROW EXECUTE FUNCTION suma_cluster_capture_row('org');
DROP TRIGGER IF EXISTS suma_cluster_capture ON web_contact;
CREATE TRIGGER suma_cluster_capture AFTER INSERT OR UPDATE OR DELETE ON web_contact
    FOR EACH ROW EXECUTE FUNCTION suma_cluster_capture_row('user');

CREATE TABLE IF NOT EXISTS suma_cluster_capture_version (version INT NOT NULL);
DELETE FROM suma_cluster_capture_version;
INSERT INTO suma_cluster_capture_version (version) VALUES (8);

COMMIT;
