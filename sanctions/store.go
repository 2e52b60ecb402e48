package sanctions

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ListDir is where versions before the store's sanctions_lists table kept
// imported lists ($LOOKOUT_LISTS if set, else ~/.lookout/lists); commands
// without a store still read it.
func ListDir() (string, error) {
	if d := os.Getenv("LOOKOUT_LISTS"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("list directory: %w", err)
	}
	return filepath.Join(home, ".lookout", "lists"), nil
}

// SaveList writes l to dir as <name>.json, replacing an earlier import of
// the same list name, and returns the path.
func SaveList(dir string, l *List) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("save list: %w", err)
	}
	path := filepath.Join(dir, fileName(l.Name)+".json")
	tmp, err := os.CreateTemp(dir, ".import-*")
	if err != nil {
		return "", fmt.Errorf("save list: %w", err)
	}
	enc := json.NewEncoder(tmp)
	if err := enc.Encode(l); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", fmt.Errorf("save list %s: %w", l.Name, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("save list %s: %w", l.Name, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("save list %s: %w", l.Name, err)
	}
	return path, nil
}

// LoadDir reads every list saved in dir, in file-name order. A missing
// directory is no lists; a file that cannot be read is reported in the
// error and skipped, and the others are still returned.
func LoadDir(dir string) ([]*List, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var (
		out  []*List
		errs []error
	)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var l List
		if err := json.Unmarshal(b, &l); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
			continue
		}
		out = append(out, &l)
	}
	return out, errors.Join(errs...)
}

func fileName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "list"
	}
	return b.String()
}
