package sqlstore

import (
	"encoding/json"
	"fmt"

	"github.com/lookout-osint/lookout/store"
)

// LearnedPortColumns lists the learned_ports columns in the order
// ScanLearnedPorts reads them.
const LearnedPortColumns = "id, lat, lon, vessels, cell_km, first_seen, last_seen, cells"

// LearnedPortRow flattens p for an INSERT in LearnedPortColumns order; the
// cells become a JSON array.
func LearnedPortRow(p *store.LearnedPort) ([]any, error) {
	cells, err := json.Marshal(p.Cells)
	if err != nil {
		return nil, fmt.Errorf("learned port %s: %w", p.ID, err)
	}
	return []any{p.ID, p.Lat, p.Lon, p.Vessels, p.CellKm, p.First.UTC(), p.Last.UTC(), string(cells)}, nil
}

// ScanLearnedPorts reads rows of LearnedPortColumns.
func ScanLearnedPorts(rows Rows) ([]store.LearnedPort, error) {
	var out []store.LearnedPort
	for rows.Next() {
		var (
			p     store.LearnedPort
			cells string
		)
		if err := rows.Scan(&p.ID, &p.Lat, &p.Lon, &p.Vessels, &p.CellKm, &p.First, &p.Last, &cells); err != nil {
			return nil, fmt.Errorf("learned ports: %w", err)
		}
		if err := json.Unmarshal([]byte(cells), &p.Cells); err != nil {
			return nil, fmt.Errorf("learned port %s cells: %w", p.ID, err)
		}
		p.First, p.Last = p.First.UTC(), p.Last.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// LearnedPortsInsert is the INSERT of one row; both dialects take $n.
const LearnedPortsInsert = "INSERT INTO learned_ports (" + LearnedPortColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
