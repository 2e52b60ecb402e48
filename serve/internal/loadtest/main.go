// Command loadtest measures lookout serve's latency for the two requests an
// analyst waits on: a vessel dossier and a one-day track. It picks the
// highest-risk vessel, sends a bounded number of requests of each kind from
// a few concurrent clients on loopback and prints percentiles. Used by
// scripts/bench-serve.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server")
	n := flag.Int("n", 400, "requests per kind")
	c := flag.Int("c", 4, "concurrent clients")
	flag.Parse()
	if err := run(*base, *n, *c); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: %d %s", url, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func run(base string, n, c int) error {
	var top struct {
		Scores []struct {
			MMSI uint32 `json:"mmsi"`
		} `json:"scores"`
	}
	if err := getJSON(base+"/api/risk?limit=1", &top); err != nil {
		return err
	}
	if len(top.Scores) == 0 {
		return fmt.Errorf("the store has no scored vessel")
	}
	m := top.Scores[0].MMSI
	var d struct {
		Name      string    `json:"name"`
		FirstSeen time.Time `json:"first_seen"`
		LastSeen  time.Time `json:"last_seen"`
	}
	if err := getJSON(fmt.Sprintf("%s/api/vessels/%d", base, m), &d); err != nil {
		return err
	}
	// One day in the middle of the vessel's history.
	mid := d.FirstSeen.Add(d.LastSeen.Sub(d.FirstSeen) / 2).Truncate(24 * time.Hour)
	fmt.Printf("vessel %d %q, seen %s to %s; %d requests of each kind, %d clients\n",
		m, d.Name, d.FirstSeen.Format(time.DateOnly), d.LastSeen.Format(time.DateOnly), n, c)
	for _, k := range []struct{ name, url string }{
		{"dossier", fmt.Sprintf("%s/api/vessels/%d", base, m)},
		{"one-day track", fmt.Sprintf("%s/api/vessels/%d/track?since=%d&until=%d", base, m, mid.Unix(), mid.Add(24*time.Hour).Unix())},
		{"full track (simplified)", fmt.Sprintf("%s/api/vessels/%d/track", base, m)},
	} {
		lat, size, err := load(k.url, n, c)
		if err != nil {
			return err
		}
		slices.Sort(lat)
		q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		fmt.Printf("%-24s p50 %7s  p90 %7s  p99 %7s  max %7s  (%d bytes)\n", k.name,
			ms(q(0.5)), ms(q(0.9)), ms(q(0.99)), ms(lat[len(lat)-1]), size)
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// load sends n GETs of url from c clients and returns each latency.
func load(url string, n, c int) ([]time.Duration, int, error) {
	var (
		mu   sync.Mutex
		lat  []time.Duration
		size int
		ferr error
		wg   sync.WaitGroup
	)
	jobs := make(chan struct{}, n)
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				t := time.Now()
				resp, err := http.Get(url)
				if err == nil {
					var b []byte
					b, err = io.ReadAll(resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("%s: %d %s", url, resp.StatusCode, b)
					}
					mu.Lock()
					size = len(b)
					mu.Unlock()
				}
				el := time.Since(t)
				mu.Lock()
				if err != nil && ferr == nil {
					ferr = err
				}
				lat = append(lat, el)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return lat, size, ferr
}
