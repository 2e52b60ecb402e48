package sar

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// SimScene is one line of the simulator's sar.jsonl: an overpass with the
// detections it produced and, for each, the truth (the MMSI the ship
// broadcast or would have, or "false_alarm").
type SimScene struct {
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	Footprint struct {
		MinLat float64 `json:"min_lat"`
		MinLon float64 `json:"min_lon"`
		MaxLat float64 `json:"max_lat"`
		MaxLon float64 `json:"max_lon"`
	} `json:"footprint"`
	Detections []SimDetection `json:"detections"`
}

// SimDetection is a detection with its truth.
type SimDetection struct {
	Lat     float64   `json:"lat"`
	Lon     float64   `json:"lon"`
	Time    time.Time `json:"time"`
	LengthM float64   `json:"length_m"`
	Score   float64   `json:"score"`
	Truth   string    `json:"truth"`
	AISOn   *bool     `json:"ais_on"`
}

// FalseAlarm is SimDetection.Truth for a detection with no ship.
const FalseAlarm = "false_alarm"

// Detection is the detection without its truth.
func (d SimDetection) Detection(scene string) Detection {
	return Detection{Scene: scene, Time: d.Time, Lat: d.Lat, Lon: d.Lon, LengthM: d.LengthM, Score: d.Score, Source: "sim"}
}

// ReadSimScenes reads a sar.jsonl written by lookout simulate.
func ReadSimScenes(r io.Reader) ([]SimScene, error) {
	dec := json.NewDecoder(bufio.NewReader(r))
	var out []SimScene
	for {
		var s SimScene
		err := dec.Decode(&s)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("sar.jsonl scene %d: %w", len(out)+1, err)
		}
		out = append(out, s)
	}
}
