package sanctions

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// csvLines reads CSV strictly, one record per line. encoding/csv lets a
// quoted field run across lines, so one unclosed quote swallowed the rest
// of a list (two rows read, none rejected, and every ship after the quote
// never screened). No list Lookout reads has a field that spans lines
// (OFAC, UK, their extracts: checked), so here a record ends with its line:
// a line whose quotes do not parse is rejected alone, with its number, and
// the next line is read as the next record.
type csvLines struct {
	br   *bufio.Reader
	line int // number of the line last read (1-based)
}

func newCSVLines(r io.Reader) *csvLines { return &csvLines{br: bufio.NewReaderSize(r, 64*1024)} }

// errCSVLine is a line that is not valid CSV.
type errCSVLine struct {
	Line int
	Msg  string
}

func (e *errCSVLine) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Read returns the next record, an *errCSVLine for a line that does not
// parse (reading may go on), io.EOF at the end, or the reader's error.
// Blank lines are skipped.
func (c *csvLines) Read() ([]string, error) {
	for {
		s, err := c.br.ReadString('\n')
		if s == "" && err != nil {
			return nil, err
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		c.line++
		s = strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
		if strings.TrimSpace(s) == "" {
			continue
		}
		rec, msg := parseCSVLine(s)
		if msg != "" {
			return nil, &errCSVLine{c.line, msg}
		}
		return rec, nil
	}
}

// parseCSVLine splits one line into fields (RFC 4180 quoting, "" for a
// quote inside a quoted field), or says what is wrong with it.
func parseCSVLine(s string) (rec []string, problem string) {
	for {
		if !strings.HasPrefix(s, `"`) {
			i := strings.IndexByte(s, ',')
			f := s
			if i >= 0 {
				f = s[:i]
			}
			if strings.Contains(f, `"`) {
				return nil, "a quote inside an unquoted field"
			}
			rec = append(rec, f)
			if i < 0 {
				return rec, ""
			}
			s = s[i+1:]
			continue
		}
		var b strings.Builder
		s = s[1:]
		for {
			i := strings.IndexByte(s, '"')
			if i < 0 {
				return nil, "unclosed quote"
			}
			b.WriteString(s[:i])
			s = s[i+1:]
			if strings.HasPrefix(s, `"`) {
				b.WriteByte('"')
				s = s[1:]
				continue
			}
			break
		}
		rec = append(rec, b.String())
		switch {
		case s == "":
			return rec, ""
		case s[0] == ',':
			s = s[1:]
		default:
			return nil, "text after a closing quote"
		}
	}
}
