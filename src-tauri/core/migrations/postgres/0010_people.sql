-- PostgreSQL's version of ../0010_people.sql: the people table, and the roles and rules the
-- server enforces by itself, so that a person connected with psql cannot do what Relman would
-- refuse them. Relman checks the same roles before every write, to refuse in words.
--
-- The group roles are the cluster's (roles are not per database), so creating them is
-- idempotent; the privileges are this schema's.

CREATE TABLE people (
    login  TEXT NOT NULL PRIMARY KEY,
    name   TEXT NOT NULL
);

DO $$
DECLARE
    role TEXT;
BEGIN
    FOREACH role IN ARRAY ARRAY['viewer', 'planner', 'tester', 'release_manager', 'cab_member',
                                'cab_chair', 'admin'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'relman_' || role) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', 'relman_' || role);
            EXCEPTION WHEN OTHERS THEN
                NULL; -- another database's migration created it at the same moment
            END;
        END IF;
        -- Every role reads: each is a member of relman_viewer.
        IF role <> 'viewer' AND NOT pg_has_role('relman_' || role, 'relman_viewer', 'MEMBER') THEN
            BEGIN
                EXECUTE format('GRANT relman_viewer TO %I', 'relman_' || role);
            EXCEPTION WHEN OTHERS THEN
                NULL;
            END;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'relman_' || role) THEN
            RAISE EXCEPTION 'the role relman_% could not be created: the login that migrates needs CREATEROLE', role;
        END IF;
    END LOOP;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO relman_viewer', current_schema());
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO relman_viewer', current_schema());
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO relman_viewer', current_schema());
END $$;

-- What every person's writes touch: the audit chain, the number that tells windows to read
-- again, the calendar feed's numbering (an export remembers it), their own name, and the
-- settings the policy below lets them set.
GRANT INSERT ON audit_log TO relman_viewer;
GRANT UPDATE ON audit_head TO relman_viewer;
GRANT UPDATE (data_version) ON relman_schema TO relman_viewer;
GRANT INSERT, UPDATE, DELETE ON calendar_feed TO relman_viewer;
GRANT INSERT, UPDATE ON people, settings TO relman_viewer;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

GRANT INSERT, UPDATE, DELETE ON releases, cis, ci_relations, changes, change_cis, release_changes,
    components, component_requirements, models, plans TO relman_planner;
GRANT INSERT, UPDATE, DELETE ON environments, env_versions, snapshots, reverts, bookings,
    test_runs, defects TO relman_tester;
GRANT UPDATE ON releases, cis TO relman_release_manager;
GRANT INSERT, UPDATE ON plans TO relman_release_manager;
GRANT INSERT, UPDATE, DELETE ON windows, freezes, service_hours, incidents, release_activities,
    release_costs, release_reviews TO relman_release_manager;
GRANT INSERT ON approvals TO relman_cab_member, relman_cab_chair;
GRANT UPDATE ON releases TO relman_cab_member, relman_cab_chair;
GRANT UPDATE ON changes TO relman_cab_member;
GRANT INSERT, UPDATE ON cab_meetings, cab_meeting_members TO relman_cab_chair;
GRANT DELETE ON settings TO relman_admin;

-- A superuser passes every privilege check in PostgreSQL; the rules below let them pass too,
-- rather than pretend otherwise.
CREATE FUNCTION relman_is_superuser() RETURNS BOOLEAN LANGUAGE sql STABLE AS $f$
    SELECT rolsuper FROM pg_roles WHERE rolname = session_user
$f$;

CREATE FUNCTION relman_holds(role TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $f$
    SELECT pg_has_role(session_user, 'relman_' || role, 'MEMBER')
$f$;

-- The audit records the login that writes, whatever name a client sends.
CREATE FUNCTION relman_audit_actor() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    IF NEW.actor <> CAST(session_user AS TEXT) AND NOT relman_is_superuser() THEN
        RAISE EXCEPTION 'the audit records the login that writes (%), not %', session_user, NEW.actor;
    END IF;
    RETURN NEW;
END
$f$;
CREATE TRIGGER audit_log_actor BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION relman_audit_actor();

-- Segregation of duties: a CAB member decides under their own login, a CAB chair records the
-- decision of a member present at a meeting, and the release's requester never decides.
CREATE FUNCTION relman_check_approval() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
    requester TEXT;
BEGIN
    IF relman_is_superuser() THEN
        RETURN NEW;
    END IF;
    IF NEW.meeting_id IS NULL THEN
        IF NOT relman_holds('cab_member') THEN
            RAISE EXCEPTION '% is not a CAB member: only CAB members decide on releases', session_user;
        END IF;
        IF NEW.approver <> CAST(session_user AS TEXT) THEN
            RAISE EXCEPTION 'a decision is recorded under the login that makes it (%), not %', session_user, NEW.approver;
        END IF;
    ELSIF NOT relman_holds('cab_chair') THEN
        RAISE EXCEPTION '% is not a CAB chair: only a CAB chair records decisions taken in a meeting', session_user;
    END IF;
    SELECT COALESCE(r.requester, r.created_by) INTO requester FROM releases r WHERE r.id = NEW.release_id;
    IF requester = NEW.approver THEN
        RAISE EXCEPTION '% requested this release and cannot also decide on it', requester;
    END IF;
    RETURN NEW;
END
$f$;
CREATE TRIGGER approvals_segregation BEFORE INSERT ON approvals
    FOR EACH ROW EXECUTE FUNCTION relman_check_approval();

-- Settings: an administrator sets any; a planner the status mappings of imports; everyone the
-- options of their own exports.
CREATE FUNCTION relman_may_set(key TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $f$
    SELECT key IN ('document_options', 'rendering')
        OR (starts_with(key, 'status_map.') AND relman_holds('planner'))
        OR relman_holds('admin')
$f$;
ALTER TABLE settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON settings FOR SELECT USING (true);
CREATE POLICY sets_what_the_role_allows ON settings FOR INSERT WITH CHECK (relman_may_set(key));
CREATE POLICY changes_what_the_role_allows ON settings FOR UPDATE
    USING (relman_may_set(key)) WITH CHECK (relman_may_set(key));
CREATE POLICY removes_what_the_role_allows ON settings FOR DELETE USING (relman_may_set(key));

-- A person names themselves; an administrator may name anyone.
ALTER TABLE people ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON people FOR SELECT USING (true);
CREATE POLICY names_themselves ON people FOR INSERT
    WITH CHECK (login = CAST(session_user AS TEXT) OR relman_holds('admin'));
CREATE POLICY renames_themselves ON people FOR UPDATE
    USING (login = CAST(session_user AS TEXT) OR relman_holds('admin'))
    WITH CHECK (login = CAST(session_user AS TEXT) OR relman_holds('admin'));

-- Granting and revoking: administrators only, Relman's roles only, existing logins only. It
-- runs as the schema's owner (who created the roles), so administrators need no CREATEROLE.
CREATE FUNCTION relman_set_role(person TEXT, role TEXT, granted BOOLEAN) RETURNS VOID
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
BEGIN
    IF NOT pg_has_role(session_user, 'relman_admin', 'MEMBER') THEN
        RAISE EXCEPTION '% is not an administrator: only administrators grant and revoke roles', session_user
            USING ERRCODE = '42501';
    END IF;
    IF role NOT IN ('viewer', 'planner', 'tester', 'release_manager', 'cab_member', 'cab_chair', 'admin') THEN
        RAISE EXCEPTION '''%'' is not one of viewer, planner, tester, release_manager, cab_member, cab_chair, admin', role;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = person AND rolcanlogin) THEN
        RAISE EXCEPTION 'there is no login named % on this server; its administrator creates it first (CREATE ROLE % LOGIN)', person, person;
    END IF;
    IF granted THEN
        EXECUTE format('GRANT %I TO %I', 'relman_' || role, person);
    ELSE
        EXECUTE format('REVOKE %I FROM %I', 'relman_' || role, person);
    END IF;
END
$f$;
REVOKE ALL ON FUNCTION relman_set_role(TEXT, TEXT, BOOLEAN) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION relman_set_role(TEXT, TEXT, BOOLEAN) TO relman_admin;
