package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Chromium is the browser used for PDF output and the rendering test:
// $LOOKOUT_CHROMIUM (scripts/ci-web-deps exports it), else Debian's.
var Chromium = cmp.Or(os.Getenv("LOOKOUT_CHROMIUM"), "/usr/bin/chromium")

// ErrNoChromium says PDF output needs a headless Chromium.
var ErrNoChromium = errors.New("PDF output needs Chromium (" + Chromium + ", or set LOOKOUT_CHROMIUM; on Debian/Ubuntu: apt-get install chromium); the HTML report prints to PDF from any browser too")

// PDF renders an HTML report file to PDF with headless Chromium, offline.
func PDF(ctx context.Context, htmlPath, pdfPath string) error {
	if _, err := os.Stat(Chromium); err != nil {
		return ErrNoChromium
	}
	abs, err := filepath.Abs(htmlPath)
	if err != nil {
		return err
	}
	out, err := filepath.Abs(pdfPath)
	if err != nil {
		return err
	}
	profile, err := os.MkdirTemp("", "lookout-chromium-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	cmd := exec.CommandContext(ctx, Chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--user-data-dir="+profile, "--no-pdf-header-footer", "--print-to-pdf="+out, "file://"+abs)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("chromium --print-to-pdf: %w: %s", err, msg)
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		return fmt.Errorf("chromium wrote no PDF: %s", msg)
	}
	return nil
}
