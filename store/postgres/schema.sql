-- Lookout store schema, PostgreSQL + PostGIS dialect. Keep in step with
-- ../duckdb/schema.sql and ../SCHEMA.md. Every table with a place has a
-- geometry(Point, 4326) column computed from lat/lon and a GiST index, so
-- QGIS lists it as a layer.
CREATE TABLE IF NOT EXISTS positions (
	mmsi    bigint           NOT NULL,
	ts      timestamptz      NOT NULL,
	lat     double precision NOT NULL,
	lon     double precision NOT NULL,
	sog     real,
	cog     real,
	heading smallint,
	status  smallint,
	station text,
	flags   integer          NOT NULL,
	geom    geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
);
-- A vessel's track is found through a btree on (mmsi, ts); positions are
-- written in batches sorted by MMSI, which keeps its inserts local. Time
-- windows and map extents use block-range (BRIN) indexes, a fraction of the
-- cost of a GiST index on every row (which made COPY three times slower);
-- positions_geom is the spatial index QGIS's && queries use. The store
-- summarises new block ranges after each batch. (A BRIN index on mmsi was
-- tried: the planner ignores it once batches interleave, and seq-scans.)
CREATE INDEX IF NOT EXISTS positions_mmsi_ts ON positions (mmsi, ts);
CREATE INDEX IF NOT EXISTS positions_ts ON positions USING brin (ts);
CREATE INDEX IF NOT EXISTS positions_geom ON positions USING brin (geom) WITH (pages_per_range = 8);

CREATE TABLE IF NOT EXISTS identities (
	mmsi        bigint      NOT NULL,
	ts          timestamptz NOT NULL,
	imo         bigint,
	name        text,
	callsign    text,
	ship_type   smallint,
	length      real,
	beam        real,
	draught     real,
	destination text
);
CREATE INDEX IF NOT EXISTS identities_mmsi_ts ON identities (mmsi, ts);
CREATE INDEX IF NOT EXISTS identities_imo ON identities (imo) WHERE imo IS NOT NULL;

CREATE TABLE IF NOT EXISTS events (
	id           text             PRIMARY KEY,
	type         text             NOT NULL,
	mmsi         bigint           NOT NULL,
	other_mmsi   bigint,
	start_time   timestamptz      NOT NULL,
	end_time     timestamptz      NOT NULL,
	lat          double precision NOT NULL,
	lon          double precision NOT NULL,
	port         text,
	port_id      text,
	port_group   text,
	from_port    text,
	from_port_id text,
	from_group   text,
	confidence   double precision NOT NULL,
	source       text,
	evidence     jsonb,
	provisional  boolean          NOT NULL DEFAULT false,
	geom         geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
);
-- Databases made before events could be provisional.
ALTER TABLE events ADD COLUMN IF NOT EXISTS provisional boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS events_provisional ON events (id) WHERE provisional;
CREATE INDEX IF NOT EXISTS events_mmsi ON events (mmsi);
CREATE INDEX IF NOT EXISTS events_other_mmsi ON events (other_mmsi) WHERE other_mmsi IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_type_start ON events (type, start_time);
CREATE INDEX IF NOT EXISTS events_geom ON events USING gist (geom);

CREATE TABLE IF NOT EXISTS checkpoints (
	mmsi    bigint      PRIMARY KEY,
	data    bytea       NOT NULL,
	updated timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS files (
	hash       text        PRIMARY KEY,
	name       text        NOT NULL,
	size       bigint      NOT NULL,
	positions  bigint      NOT NULL,
	identities bigint      NOT NULL,
	events     bigint      NOT NULL,
	done       boolean     NOT NULL,
	updated    timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS sar_detections (
	id           text             PRIMARY KEY,
	ts           timestamptz      NOT NULL,
	lat          double precision NOT NULL,
	lon          double precision NOT NULL,
	length_m     real,
	scene_id     text,
	source       text,
	matched_mmsi bigint,
	confidence   double precision,
	geom         geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
);
CREATE INDEX IF NOT EXISTS sar_detections_geom ON sar_detections USING gist (geom);
CREATE INDEX IF NOT EXISTS sar_detections_ts ON sar_detections (ts);

CREATE TABLE IF NOT EXISTS sanctions_entities (
	key        text PRIMARY KEY,
	list       text NOT NULL,
	list_id    text NOT NULL,
	name       text NOT NULL,
	imos       bigint[],
	mmsis      bigint[],
	call_signs text[],
	flags      text[],
	programs   text[],
	designated date,
	source     text
);

CREATE TABLE IF NOT EXISTS meta (
	key   text PRIMARY KEY,
	value text NOT NULL
);
INSERT INTO meta VALUES ('schema_version', '1') ON CONFLICT DO NOTHING;
