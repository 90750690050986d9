package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dvcbot/campaign"
)

// TestBrowser opens the dashboard in a real headless Chromium from a
// signed link, over the sample year: the zone overview and a hamlet's
// page, at a phone's width (390 px) and a desktop's. It saves a
// screenshot of each (in $DVCBOT_SCREENSHOTS, else a temporary folder,
// named in the log) and checks the rendered page: every hamlet present,
// the 95 % line drawn, no horizontal scrolling at phone width, and no
// error in the console.
//
// It needs Chromium (Debian: apt-get install chromium; .ci/run installs
// it) and skips, saying so, without it.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the browser test starts Chromium")
	}
	bin := findChromium()
	if bin == "" {
		t.Skip("Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it): the browser test is skipped")
	}
	var handler http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	defer ts.Close()
	h := newHarness(t, sampleDB(t), func(o *Options) { o.PublicURL = ts.URL })
	handler = h.srv
	link := h.link(zoneLeaderID, campaign.RoleZoneLeader)

	shots := os.Getenv("DVCBOT_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", bin, err)
	}

	// Every console message, exception and browser log entry from now on.
	consoleCtx, stopConsole := context.WithCancel(bctx)
	messages := chromedp.Console(consoleCtx)
	var mu sync.Mutex
	var problems []string
	listened := make(chan struct{})
	go func() {
		defer close(listened)
		for m, err := range messages {
			if err != nil {
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
				mu.Lock()
				problems = append(problems, m.String()+" ("+m.URL+")")
				mu.Unlock()
			}
		}
	}()

	hamlets := sampleCfg.Hamlets
	sizes := []struct {
		name          string
		width, height int64
		mobile        bool
	}{{"dien-thoai-390", 390, 844, true}, {"may-tinh-1280", 1280, 900, false}}
	for i, size := range sizes {
		start := ts.URL + "/"
		if i == 0 {
			start = link // only the first visit opens the link: it sets the session cookie
		}
		run := func(what string, a chromedp.Action[chromedp.Void]) {
			t.Helper()
			if err := chromedp.Do(bctx, a); err != nil {
				t.Fatalf("%s: %s: %v", size.name, what, err)
			}
		}
		eval := func(expr string) any {
			t.Helper()
			v, err := chromedp.Run(bctx, chromedp.Evaluate[any](expr))
			if err != nil {
				t.Fatalf("%s: %s: %v", size.name, expr, err)
			}
			return v
		}
		shot := func(name string) {
			t.Helper()
			b, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("%s: screenshot: %v", size.name, err)
			}
			p := filepath.Join(shots, name+"-"+size.name+".png")
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", p)
		}
		run("viewport", chromedp.EmulateViewport(size.width, size.height, viewportOptions(size.mobile)...))
		run("open the overview", chromedp.Steps(chromedp.Navigate(start), chromedp.WaitVisible(chromedp.CSS("#xep-hang"))))
		loc, err := chromedp.Run(bctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(loc, "/v/") {
			t.Errorf("%s: the address bar still holds the token: %s", size.name, loc)
		}
		names := fmt.Sprint(eval(`Array.from(document.querySelectorAll('#xep-hang tbody tr')).map(r => r.cells[1].innerText.trim()).join('|')`))
		if got := strings.Split(names, "|"); len(got) != len(hamlets) {
			t.Errorf("%s: %d hamlets in the ranking, want %d: %v", size.name, len(got), len(hamlets), got)
		}
		for _, hm := range hamlets {
			if !strings.Contains("|"+names+"|", "|"+hm.Name+"|") {
				t.Errorf("%s: hamlet %s missing from the ranking", size.name, hm.Name)
			}
		}
		// The 95 % line: drawn, across the bars, at 95 % of the axis.
		line := fmt.Sprint(eval(`(() => { const l = document.querySelector('#do-phu svg line.nguong'); if (!l) return 'none';
			const r = l.getBoundingClientRect(); const bg = document.querySelector('#do-phu svg rect.nen').getBoundingClientRect();
			return [l.dataset.threshold, Math.round(1000 * (r.left - bg.left) / bg.width), Math.round(r.height) > 0].join(' ') })()`))
		if line != "0.95 950 true" {
			t.Errorf("%s: the 95%% line: %q, want threshold 0.95 at 950‰ of the axis, visible", size.name, line)
		}
		if bars := fmt.Sprint(eval(`document.querySelectorAll('#do-phu svg g.cot').length`)); bars != fmt.Sprint(len(hamlets)) {
			t.Errorf("%s: %s bars in the coverage chart, want %d", size.name, bars, len(hamlets))
		}
		overflow := fmt.Sprint(eval(`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
		shot("tong-quan")

		run("open a hamlet", chromedp.Steps(chromedp.Navigate(ts.URL+"/ap/"+hamlets[0].ID), chromedp.WaitVisible(chromedp.CSS("#lich"))))
		if days := fmt.Sprint(eval(`document.querySelectorAll('#lich td.dat, #lich td.truot, #lich td.mo, #lich td.nghi').length`)); days == "0" {
			t.Errorf("%s: the hamlet's calendar shows no day", size.name)
		}
		if title := fmt.Sprint(eval(`document.querySelector('h1').innerText`)); title != "Ấp "+hamlets[0].Name {
			t.Errorf("%s: hamlet page heading %q", size.name, title)
		}
		hamletOverflow := fmt.Sprint(eval(`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
		shot("ap")
		if size.mobile && (overflow != "0" || hamletOverflow != "0") {
			t.Errorf("%s: the page scrolls sideways by %s px (overview) and %s px (hamlet)", size.name, overflow, hamletOverflow)
		}
	}
	stopConsole()
	<-listened
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("browser console: %s", p)
	}
}

// viewportOptions make a phone: twice the pixels, mobile layout, touch.
func viewportOptions(mobile bool) []chromedp.EmulateViewportOption {
	if !mobile {
		return nil
	}
	return []chromedp.EmulateViewportOption{chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch}
}

// findChromium is the Chromium to drive: $DVCBOT_CHROMIUM, else the first
// known name on PATH.
func findChromium() string {
	if p := os.Getenv("DVCBOT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}
