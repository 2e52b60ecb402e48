-- Lookout store schema, PostgreSQL + PostGIS dialect. Keep in step with
-- ../duckdb/schema.sql and ../SCHEMA.md. Every table with a place has a
-- geometry(Point, 4326) column and a spatial index (GiST; BRIN on
-- positions), so QGIS lists it as a layer.
-- positions is the big table (hundreds of millions of rows), laid out for
-- COPY speed and size: the place is stored once, as the geometry (read lat
-- and lon with ST_Y(geom) and ST_X(geom)); fixed-width columns first, so
-- little is lost to alignment; MMSI as integer (AIS sends 30 bits).
CREATE TABLE IF NOT EXISTS positions (
	ts      timestamptz NOT NULL,
	mmsi    integer     NOT NULL,
	flags   integer     NOT NULL,
	sog     real,
	cog     real,
	heading smallint,
	status  smallint    NOT NULL,
	station text,
	geom    geometry(Point, 4326) NOT NULL
);
-- No btree: maintaining one on every row made COPY about twice as costly
-- and was a fifth of the table's size. Each batch is written sorted by
-- MMSI, so a vessel's rows of one batch sit in a few pages and a
-- block-range (BRIN) index finds them; the store's vessel queries turn
-- sequential scans off, since the planner, seeing no overall correlation
-- between mmsi and row order, underrates that index. The same index serves
-- time windows (ts) and map extents (geom, QGIS's && queries): one
-- multi-column BRIN costs COPY half as much as three (each index is called
-- for every row, and each summary pass reads the new pages again). The
-- store summarises new block ranges after each batch.
CREATE INDEX IF NOT EXISTS positions_brin ON positions USING brin (mmsi, ts, geom) WITH (pages_per_range = 8);
-- Databases created while positions had three BRIN indexes.
DROP INDEX IF EXISTS positions_mmsi, positions_ts, positions_geom;

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

-- A half of a file's batch of positions committed ahead of the batch
-- itself (parallel.go): positions from_pos < n <= to_pos of the file with
-- odd MMSIs are stored. The batch's transaction deletes the row.
CREATE TABLE IF NOT EXISTS file_parts (
	hash     text   NOT NULL,
	from_pos bigint NOT NULL,
	to_pos   bigint NOT NULL,
	PRIMARY KEY (hash, from_pos)
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

CREATE TABLE IF NOT EXISTS sanctions_lists (
	name     text        PRIMARY KEY,
	source   text        NOT NULL,
	imported timestamptz NOT NULL,
	sha256   text        NOT NULL,
	entries  integer     NOT NULL,
	data     bytea       NOT NULL
);

CREATE TABLE IF NOT EXISTS meta (
	key   text PRIMARY KEY,
	value text NOT NULL
);
INSERT INTO meta VALUES ('schema_version', '1') ON CONFLICT DO NOTHING;

-- Port areas learned from where vessels stopped (detect's learned areas);
-- cells is a JSON array of {lat, lon, vessels} cell centres.
CREATE TABLE IF NOT EXISTS learned_ports (
	id         text             PRIMARY KEY,
	lat        double precision NOT NULL,
	lon        double precision NOT NULL,
	vessels    integer          NOT NULL,
	cell_km    double precision NOT NULL,
	first_seen timestamptz      NOT NULL,
	last_seen  timestamptz      NOT NULL,
	cells      text             NOT NULL,
	geom       geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
);
CREATE INDEX IF NOT EXISTS learned_ports_geom ON learned_ports USING gist (geom);
