-- Lookout store schema, DuckDB dialect. Times are TIMESTAMP in UTC.
-- Keep in step with ../postgres/schema.sql and ../SCHEMA.md.
CREATE TABLE IF NOT EXISTS positions (
	mmsi    UINTEGER  NOT NULL,
	ts      TIMESTAMP NOT NULL,
	lat     DOUBLE    NOT NULL,
	lon     DOUBLE    NOT NULL,
	sog     REAL,
	cog     REAL,
	heading SMALLINT,
	status  UTINYINT,
	station VARCHAR,
	flags   UINTEGER  NOT NULL
);
CREATE TABLE IF NOT EXISTS identities (
	mmsi        UINTEGER  NOT NULL,
	ts          TIMESTAMP NOT NULL,
	imo         UINTEGER,
	name        VARCHAR,
	callsign    VARCHAR,
	ship_type   UTINYINT,
	length      REAL,
	beam        REAL,
	draught     REAL,
	destination VARCHAR
);
CREATE TABLE IF NOT EXISTS events (
	id           VARCHAR   PRIMARY KEY,
	type         VARCHAR   NOT NULL,
	mmsi         UINTEGER  NOT NULL,
	other_mmsi   UINTEGER,
	start_time   TIMESTAMP NOT NULL,
	end_time     TIMESTAMP NOT NULL,
	lat          DOUBLE    NOT NULL,
	lon          DOUBLE    NOT NULL,
	port         VARCHAR,
	port_id      VARCHAR,
	port_group   VARCHAR,
	from_port    VARCHAR,
	from_port_id VARCHAR,
	from_group   VARCHAR,
	confidence   DOUBLE    NOT NULL,
	source       VARCHAR,
	evidence     VARCHAR,
	provisional  BOOLEAN   NOT NULL DEFAULT false
);
-- Files made before events could be provisional.
ALTER TABLE events ADD COLUMN IF NOT EXISTS provisional BOOLEAN DEFAULT false;
CREATE TABLE IF NOT EXISTS checkpoints (
	mmsi    UINTEGER  PRIMARY KEY,
	data    BLOB      NOT NULL,
	updated TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
	hash       VARCHAR   PRIMARY KEY,
	name       VARCHAR   NOT NULL,
	size       BIGINT    NOT NULL,
	positions  BIGINT    NOT NULL,
	identities BIGINT    NOT NULL,
	events     BIGINT    NOT NULL,
	done       BOOLEAN   NOT NULL,
	updated    TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS sar_detections (
	id           VARCHAR   PRIMARY KEY,
	ts           TIMESTAMP NOT NULL,
	lat          DOUBLE    NOT NULL,
	lon          DOUBLE    NOT NULL,
	length_m     REAL,
	scene_id     VARCHAR,
	source       VARCHAR,
	matched_mmsi UINTEGER,
	confidence   DOUBLE
);
CREATE TABLE IF NOT EXISTS sanctions_lists (
	name     VARCHAR   PRIMARY KEY,
	source   VARCHAR   NOT NULL,
	imported TIMESTAMP NOT NULL,
	sha256   VARCHAR   NOT NULL,
	entries  INTEGER   NOT NULL,
	data     BLOB      NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
	key   VARCHAR PRIMARY KEY,
	value VARCHAR NOT NULL
);
INSERT INTO meta VALUES ('schema_version', '1') ON CONFLICT DO NOTHING;
-- Port areas learned from where vessels stopped (detect's learned areas);
-- cells is a JSON array of {lat, lon, vessels} cell centres.
CREATE TABLE IF NOT EXISTS learned_ports (
	id         VARCHAR   PRIMARY KEY,
	lat        DOUBLE    NOT NULL,
	lon        DOUBLE    NOT NULL,
	vessels    INTEGER   NOT NULL,
	cell_km    DOUBLE    NOT NULL,
	first_seen TIMESTAMP NOT NULL,
	last_seen  TIMESTAMP NOT NULL,
	cells      VARCHAR   NOT NULL
);
