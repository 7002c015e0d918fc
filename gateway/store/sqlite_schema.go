package store

// sqliteMigrations are applied in order, each once, and never edited after
// release: a schema change is a new entry at the end here and, with the same
// meaning, in postgresMigrations.
var sqliteMigrations = []string{
	// 1: initial schema.
	`
CREATE TABLE users (
	username             TEXT PRIMARY KEY,
	password_hash        TEXT NOT NULL,
	role                 TEXT NOT NULL,
	stations             TEXT NOT NULL DEFAULT '[]', -- JSON list, empty = all
	must_change_password INTEGER NOT NULL DEFAULT 0,
	created_at           INTEGER NOT NULL,
	disabled             INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sessions (
	id          TEXT PRIMARY KEY, -- hex SHA-256 of the token; the token itself is never stored
	username    TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
	created_at  INTEGER NOT NULL,
	last_seen   INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
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
	updated_at INTEGER NOT NULL
);
CREATE INDEX layouts_owner ON layouts(owner);
CREATE TABLE walls (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	layout     TEXT NOT NULL DEFAULT '{}',
	updated_at INTEGER NOT NULL
);
CREATE TABLE audit (
	seq       INTEGER PRIMARY KEY,
	time      INTEGER NOT NULL,
	user      TEXT NOT NULL,
	action    TEXT NOT NULL,
	camera    TEXT NOT NULL DEFAULT '',
	detail    TEXT NOT NULL DEFAULT '{}',
	prev_hash TEXT NOT NULL,
	hash      TEXT NOT NULL
);
-- The audit log is evidence: refuse edits at the database level too.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
	BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
	BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TABLE clips (
	id         TEXT PRIMARY KEY,
	camera     TEXT NOT NULL,
	from_time  INTEGER NOT NULL,
	to_time    INTEGER NOT NULL,
	reason     TEXT NOT NULL DEFAULT '',
	exporter   TEXT NOT NULL,
	status     TEXT NOT NULL,
	progress   REAL NOT NULL DEFAULT 0,
	size       INTEGER NOT NULL DEFAULT 0,
	sha256     TEXT NOT NULL DEFAULT '',
	error      TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);
CREATE INDEX clips_created ON clips(created_at);
`,
	// 2: bearer API tokens for tools; like sessions, only a token's hash is kept.
	`
CREATE TABLE api_tokens (
	id         TEXT PRIMARY KEY,
	username   TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	hash       TEXT NOT NULL UNIQUE, -- hex SHA-256 of the token
	created_at INTEGER NOT NULL,
	last_used  INTEGER NOT NULL DEFAULT 0,
	revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_username ON api_tokens(username);
CREATE INDEX audit_time ON audit(time);
`,
	// 3: clip jobs remember what of their range was not recorded, and are
	// found by exporter and status (restart recovery, own lists).
	`
ALTER TABLE clips ADD COLUMN missing TEXT NOT NULL DEFAULT '[]'; -- JSON [{"from","to"}]
CREATE INDEX clips_exporter ON clips(exporter, created_at);
CREATE INDEX clips_status ON clips(status);
`,
	// 4: cluster nodes and camera ownership leases (DESIGN.md "Cluster").
	`
CREATE TABLE nodes (
	name       TEXT PRIMARY KEY,
	instance   TEXT NOT NULL, -- random per process: a second process with the same name is told apart
	version    TEXT NOT NULL DEFAULT '',
	api        TEXT NOT NULL DEFAULT '',
	started_at INTEGER NOT NULL,
	heartbeat  INTEGER NOT NULL,
	stopped    INTEGER NOT NULL DEFAULT 0,
	load       TEXT NOT NULL DEFAULT '{}' -- JSON: cameras, viewers, cpu
);
CREATE TABLE camera_leases (
	camera     TEXT PRIMARY KEY,
	node       TEXT NOT NULL,
	generation INTEGER NOT NULL, -- grows at each change of owner: the fencing token
	expires_at INTEGER NOT NULL
);
CREATE INDEX camera_leases_node ON camera_leases(node);
`,
	// 5: each camera's health as its owner last saw it, for the other nodes.
	`
CREATE TABLE camera_status (
	camera     TEXT PRIMARY KEY,
	node       TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT '{}',
	updated_at INTEGER NOT NULL
);
`,
	// 6: which node holds which recorded time of a camera: recordings stay
	// on the disk of the node that owned the camera then.
	`
CREATE TABLE recording_spans (
	camera     TEXT NOT NULL,
	node       TEXT NOT NULL,
	start_time INTEGER NOT NULL,
	end_time   INTEGER NOT NULL,
	PRIMARY KEY (camera, node, start_time)
);
CREATE INDEX recording_spans_time ON recording_spans(camera, end_time);
`,
	// 7: signed checkpoints of the audit chain's head (seq, hash, time):
	// truncation and recomputation of the chain show against them.
	`
CREATE TABLE audit_checkpoints (
	seq  INTEGER PRIMARY KEY,
	hash TEXT NOT NULL,
	time INTEGER NOT NULL,
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
	from_time  INTEGER NOT NULL,
	to_time    INTEGER NOT NULL,
	title      TEXT NOT NULL,
	note       TEXT NOT NULL DEFAULT '',
	locked     INTEGER NOT NULL DEFAULT 0,
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	locked_by  TEXT NOT NULL DEFAULT '',
	locked_at  INTEGER NOT NULL DEFAULT 0
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
	raised_at  INTEGER NOT NULL,
	cleared_at INTEGER NOT NULL DEFAULT 0,
	acked_by   TEXT NOT NULL DEFAULT '',
	acked_at   INTEGER NOT NULL DEFAULT 0,
	note       TEXT NOT NULL DEFAULT '',
	count      INTEGER NOT NULL DEFAULT 1,
	detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alarms_raised ON alarms(raised_at);
CREATE INDEX alarms_state ON alarms(state);
CREATE TABLE alarm_events (
	alarm  TEXT NOT NULL,
	at     INTEGER NOT NULL,
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
	id           INTEGER PRIMARY KEY,
	webhook      TEXT NOT NULL,
	node         TEXT NOT NULL, -- the node that queued it delivers it
	event        TEXT NOT NULL, -- what happened, e.g. alarm.raised
	body         TEXT NOT NULL,
	state        TEXT NOT NULL, -- pending, delivered, failed
	created_at   INTEGER NOT NULL,
	next_at      INTEGER NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_status  INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	done_at      INTEGER NOT NULL DEFAULT 0
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
	dwell_s    INTEGER NOT NULL,
	cameras    TEXT NOT NULL DEFAULT '[]', -- JSON list of camera ids
	updated_at INTEGER NOT NULL
);
CREATE TABLE favourites (
	username   TEXT NOT NULL,
	camera     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (username, camera)
);
`,
}
