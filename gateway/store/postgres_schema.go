package store

// postgresMigrations has one entry for each of sqliteMigrations, with the
// same tables, columns, constraints and meaning in PostgreSQL's dialect:
// times are BIGINT Unix milliseconds, flags INTEGER 0/1, JSON as TEXT, so
// the repository code and the audit hashes are identical on both. A schema
// change is a new entry at the end of both lists (TestSchemasAgree checks
// they describe the same columns).
var postgresMigrations = []string{
	// 1: initial schema.
	`
CREATE TABLE users (
	username             TEXT PRIMARY KEY,
	password_hash        TEXT NOT NULL,
	role                 TEXT NOT NULL,
	stations             TEXT NOT NULL DEFAULT '[]',
	must_change_password INTEGER NOT NULL DEFAULT 0,
	created_at           BIGINT NOT NULL,
	disabled             INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sessions (
	id          TEXT PRIMARY KEY,
	username    TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
	created_at  BIGINT NOT NULL,
	last_seen   BIGINT NOT NULL,
	expires_at  BIGINT NOT NULL,
	revoked     INTEGER NOT NULL DEFAULT 0,
	remote_addr TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_username ON sessions(username);
CREATE TABLE layouts (
	id         TEXT PRIMARY KEY,
	owner      TEXT NOT NULL,
	name       TEXT NOT NULL,
	shared     INTEGER NOT NULL DEFAULT 0,
	station    TEXT NOT NULL DEFAULT '',
	grid       TEXT NOT NULL,
	cameras    TEXT NOT NULL DEFAULT '[]',
	updated_at BIGINT NOT NULL
);
CREATE INDEX layouts_owner ON layouts(owner);
CREATE TABLE walls (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	layout     TEXT NOT NULL DEFAULT '{}',
	updated_at BIGINT NOT NULL
);
CREATE TABLE audit (
	seq       BIGINT PRIMARY KEY,
	time      BIGINT NOT NULL,
	"user"    TEXT NOT NULL,
	action    TEXT NOT NULL,
	camera    TEXT NOT NULL DEFAULT '',
	detail    TEXT NOT NULL DEFAULT '{}',
	prev_hash TEXT NOT NULL,
	hash      TEXT NOT NULL
);
-- The audit log is evidence: refuse edits at the database level too.
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit is append-only';
END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
	FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
	FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
	FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TABLE clips (
	id         TEXT PRIMARY KEY,
	camera     TEXT NOT NULL,
	from_time  BIGINT NOT NULL,
	to_time    BIGINT NOT NULL,
	reason     TEXT NOT NULL DEFAULT '',
	exporter   TEXT NOT NULL,
	status     TEXT NOT NULL,
	progress   DOUBLE PRECISION NOT NULL DEFAULT 0,
	size       BIGINT NOT NULL DEFAULT 0,
	sha256     TEXT NOT NULL DEFAULT '',
	error      TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL
);
CREATE INDEX clips_created ON clips(created_at);
`,
	// 2: bearer API tokens for tools; like sessions, only a token's hash is kept.
	`
CREATE TABLE api_tokens (
	id         TEXT PRIMARY KEY,
	username   TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	hash       TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	last_used  BIGINT NOT NULL DEFAULT 0,
	revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_username ON api_tokens(username);
CREATE INDEX audit_time ON audit(time);
`,
	// 3: clip jobs remember what of their range was not recorded.
	`
ALTER TABLE clips ADD COLUMN missing TEXT NOT NULL DEFAULT '[]';
CREATE INDEX clips_exporter ON clips(exporter, created_at);
CREATE INDEX clips_status ON clips(status);
`,
	// 4: cluster nodes and camera ownership leases.
	`
CREATE TABLE nodes (
	name       TEXT PRIMARY KEY,
	instance   TEXT NOT NULL,
	version    TEXT NOT NULL DEFAULT '',
	api        TEXT NOT NULL DEFAULT '',
	started_at BIGINT NOT NULL,
	heartbeat  BIGINT NOT NULL,
	stopped    INTEGER NOT NULL DEFAULT 0,
	load       TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE camera_leases (
	camera     TEXT PRIMARY KEY,
	node       TEXT NOT NULL,
	generation BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX camera_leases_node ON camera_leases(node);
`,
	// 5: each camera's health as its owner last saw it, for the other nodes.
	`
CREATE TABLE camera_status (
	camera     TEXT PRIMARY KEY,
	node       TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT '{}',
	updated_at BIGINT NOT NULL
);
`,
	// 6: which node holds which recorded time of a camera: recordings stay
	// on the disk of the node that owned the camera then.
	`
CREATE TABLE recording_spans (
	camera     TEXT NOT NULL,
	node       TEXT NOT NULL,
	start_time BIGINT NOT NULL,
	end_time   BIGINT NOT NULL,
	PRIMARY KEY (camera, node, start_time)
);
CREATE INDEX recording_spans_time ON recording_spans(camera, end_time);
`,
	// 7: signed checkpoints of the audit chain's head (seq, hash, time):
	// truncation and recomputation of the chain show against them.
	`
CREATE TABLE audit_checkpoints (
	seq  BIGINT PRIMARY KEY,
	hash TEXT NOT NULL,
	time BIGINT NOT NULL,
	key  TEXT NOT NULL,
	sig  TEXT NOT NULL
);
`,
	// 8: bookmarks: a point or range of a camera's recording with a title
	// and note; a locked one is evidence that retention keeps.
	`
CREATE TABLE bookmarks (
	id         TEXT PRIMARY KEY,
	camera     TEXT NOT NULL,
	station    TEXT NOT NULL DEFAULT '',
	from_time  BIGINT NOT NULL,
	to_time    BIGINT NOT NULL,
	title      TEXT NOT NULL,
	note       TEXT NOT NULL DEFAULT '',
	locked     INTEGER NOT NULL DEFAULT 0,
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	locked_by  TEXT NOT NULL DEFAULT '',
	locked_at  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX bookmarks_camera_time ON bookmarks(camera, to_time);
CREATE INDEX bookmarks_locked ON bookmarks(locked);
`,
	// 9: alarms (one row per alarm: dedupe keeps a flapping camera to one
	// open row with a count) and each alarm's history.
	`
CREATE TABLE alarms (
	id         TEXT PRIMARY KEY,
	type       TEXT NOT NULL,
	camera     TEXT NOT NULL DEFAULT '',
	station    TEXT NOT NULL DEFAULT '',
	subject    TEXT NOT NULL DEFAULT '',
	state      TEXT NOT NULL,
	raised_at  BIGINT NOT NULL,
	cleared_at BIGINT NOT NULL DEFAULT 0,
	acked_by   TEXT NOT NULL DEFAULT '',
	acked_at   BIGINT NOT NULL DEFAULT 0,
	note       TEXT NOT NULL DEFAULT '',
	count      BIGINT NOT NULL DEFAULT 1,
	detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alarms_raised ON alarms(raised_at);
CREATE INDEX alarms_state ON alarms(state);
CREATE TABLE alarm_events (
	alarm  TEXT NOT NULL,
	at     BIGINT NOT NULL,
	event  TEXT NOT NULL,
	actor  TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alarm_events_alarm ON alarm_events(alarm, at);
`,
	// 10: webhook deliveries: the queue of each webhook (pending, in id
	// order) and, once delivered or given up, its delivery log.
	`
CREATE TABLE webhook_deliveries (
	id           BIGSERIAL PRIMARY KEY,
	webhook      TEXT NOT NULL,
	node         TEXT NOT NULL, -- the node that queued it delivers it
	event        TEXT NOT NULL, -- what happened, e.g. alarm.raised
	body         TEXT NOT NULL,
	state        TEXT NOT NULL, -- pending, delivered, failed
	created_at   BIGINT NOT NULL,
	next_at      BIGINT NOT NULL,
	attempts     BIGINT NOT NULL DEFAULT 0,
	last_status  BIGINT NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	done_at      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries(webhook, node, state, id);
`,
	// 11: tours (轮巡), shared like layouts, and each user's favourite
	// cameras (DESIGN.md "PTZ, presets, tours").
	`
CREATE TABLE tours (
	id         TEXT PRIMARY KEY,
	owner      TEXT NOT NULL,
	name       TEXT NOT NULL,
	shared     INTEGER NOT NULL DEFAULT 0,
	dwell_s    BIGINT NOT NULL,
	cameras    TEXT NOT NULL DEFAULT '[]', -- JSON list of camera ids
	updated_at BIGINT NOT NULL
);
CREATE TABLE favourites (
	username   TEXT NOT NULL,
	camera     TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (username, camera)
);
`,
}
