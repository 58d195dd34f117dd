package web_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is one tab of a headless Chromium for a test, with the steps
// every browser test takes: run actions, read text, evaluate scripts, take
// screenshots, and collect the script errors the page logs.
type browser struct {
	t     *testing.T
	ctx   context.Context
	stop  context.CancelFunc
	shots string
	// console gets the script errors and what the Content-Security-Policy
	// blocks, except the answers the test provokes on purpose.
	console     []string
	consoleDone chan struct{}
}

// newBrowser starts Chromium with a window of width×height for at most
// timeout. Console messages containing one of expected (a refusal the test
// asks for, such as "status of 409") are not errors.
func newBrowser(t *testing.T, width, height int, timeout time.Duration, expected ...string) *browser {
	t.Helper()
	exe := chromium(t)
	b := &browser{t: t, shots: *screenshots, consoleDone: make(chan struct{})}
	if b.shots == "" {
		b.shots = t.TempDir()
	}
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.WindowSize(width, height),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelTab := chromedp.NewContext(actx)
	b.ctx, b.stop = context.WithTimeout(bctx, timeout)
	t.Cleanup(func() { b.stop(); cancelTab(); cancelAlloc() })
	console := chromedp.Console(b.ctx)
	go func() {
		defer close(b.consoleDone)
		for m, err := range console {
			if err != nil {
				return
			}
			wanted := slices.ContainsFunc(expected, func(s string) bool { return strings.Contains(m.Text, s) })
			if (m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException) && !wanted {
				b.console = append(b.console, m.Text)
			}
		}
	}()
	return b
}

// fail ends the test at step, with where the browser is and what it shows.
func (b *browser) fail(step string, err error) {
	b.t.Helper()
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	body, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("main")))
	b.t.Fatalf("%s: %v\nat %s\n%s", step, err, loc, excerpt(body))
}

func (b *browser) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.fail(step, err)
	}
}

// text is the trimmed text of the element sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.fail("read "+sel, err)
	}
	return strings.TrimSpace(s)
}

// eval runs js in the page (through the debugger, so the page's
// Content-Security-Policy does not apply) and returns its string value.
func (b *browser) eval(step, js string) string {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.fail(step, err)
	}
	return out
}

// shot saves a screenshot of the whole page as name in the screenshots folder.
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fail("screenshot "+name, err)
	}
	if len(png) < 5000 {
		b.t.Errorf("screenshot %s is suspiciously small (%d bytes)", name, len(png))
	}
	if err := os.WriteFile(filepath.Join(b.shots, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// close ends the browser and reports the script errors it logged.
func (b *browser) close() {
	b.t.Helper()
	b.stop()
	<-b.consoleDone
	if len(b.console) > 0 {
		b.t.Errorf("script errors in the browser: %v", b.console)
	}
}

// windowShot saves what the window shows (not the whole page) as name.
func (b *browser) windowShot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.fail("screenshot "+name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}
