-- The hub's audit is append-only: no UPDATE, no DELETE (restores insert into an empty table).
CREATE FUNCTION hub_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'hub_audit is append-only';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER hub_audit_no_update BEFORE UPDATE OR DELETE ON hub_audit FOR EACH ROW EXECUTE FUNCTION hub_audit_append_only();
