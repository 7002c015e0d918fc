package webui

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"vigil/gateway/httpsec"
)

func get(t *testing.T, h http.Handler, path string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var assetLink = regexp.MustCompile(`"(/assets/[^"]+)"`)

func TestIndexAndWall(t *testing.T) {
	h := Handler("")
	for _, path := range []string{"/", "/wall/control-room-1"} {
		res := get(t, h, path)
		if res.StatusCode != 200 {
			t.Fatalf("%s: status %d", path, res.StatusCode)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q", path, cc)
		}
		if csp := res.Header.Get("Content-Security-Policy"); csp != httpsec.ContentSecurityPolicy {
			t.Errorf("%s: CSP %q, want httpsec's %q", path, csp, httpsec.ContentSecurityPolicy)
		}
		page := body(t, res)
		links := assetLink.FindAllStringSubmatch(page, -1)
		if len(links) < 3 {
			t.Fatalf("%s: %d asset links", path, len(links))
		}
		for _, l := range links {
			if !strings.HasPrefix(l[1], "/assets/v-") {
				t.Errorf("%s: unversioned link %s", path, l[1])
			}
			if res := get(t, h, l[1]); res.StatusCode != 200 {
				t.Errorf("%s: link %s: status %d", path, l[1], res.StatusCode)
			}
		}
	}
}

func TestNotFound(t *testing.T) {
	h := Handler("")
	for _, path := range []string{
		"/index.html", "/nope", "/wall/", "/wall/a/b", "/assets/", "/assets/nope.js",
		"/assets/../index.html", "/assets/%2e%2e/index.html", "/assets/v-x/../../webui.go",
	} {
		if res := get(t, h, path); res.StatusCode != 404 && res.StatusCode != http.StatusTemporaryRedirect {
			t.Errorf("%s: status %d, want 404", path, res.StatusCode)
		}
	}
}

func TestAssetTypesAndCaching(t *testing.T) {
	s := Handler("")
	version := assetLink.FindStringSubmatch(body(t, get(t, s, "/")))[1]
	version = strings.Split(version, "/")[2] // "v-…"
	cases := map[string]string{
		"app.js":     "text/javascript; charset=utf-8",
		"i18n.js":    "text/javascript; charset=utf-8",
		"styles.css": "text/css; charset=utf-8",
		"icon.svg":   "image/svg+xml",
	}
	for name, ctype := range cases {
		res := get(t, s, "/assets/"+version+"/"+name)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != ctype {
			t.Errorf("%s: %d %q, want 200 %q", name, res.StatusCode, res.Header.Get("Content-Type"), ctype)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s versioned: Cache-Control %q", name, cc)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", name)
		}

		res = get(t, s, "/assets/"+name)
		etag := res.Header.Get("ETag")
		if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-cache" || etag == "" {
			t.Errorf("%s plain: %d Cache-Control %q ETag %q", name, res.StatusCode, res.Header.Get("Cache-Control"), etag)
		}
		if res := get(t, s, "/assets/"+name, "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
			t.Errorf("%s: If-None-Match gave %d", name, res.StatusCode)
		}
		// A page from an older build still finds its modules, revalidated.
		if res := get(t, s, "/assets/v-0ld/"+name); res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s old version: %d %q", name, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
}

func TestDevDirServesFromDisk(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("index.html", `<link href="/assets/a.css">one`)
	write("assets/a.css", "a{}")
	h := Handler(dir)
	if got := body(t, get(t, h, "/")); got != `<link href="/assets/a.css">one` {
		t.Errorf("index %q: dev mode must not rewrite links", got)
	}
	write("index.html", "two")
	if got := body(t, get(t, h, "/")); got != "two" {
		t.Errorf("index after edit %q", got)
	}
	res := get(t, h, "/assets/a.css")
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("dev asset: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
}

// The console must run under the strict CSP: no inline script, no inline
// handlers or styles, no eval, nothing from another origin.
func TestStaticFilesAreCSPClean(t *testing.T) {
	forbidden := []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`), // inline script body
		regexp.MustCompile(`\beval\s*\(|new Function\s*\(|innerHTML|insertAdjacentHTML|document\.write`),
		regexp.MustCompile(`(?:src|href)\s*=\s*"(?:https?:)?//`), // remote resources
		regexp.MustCompile(`import\s+[^;]*?from\s+['"](?:https?:)?//`),
	}
	htmlOnly := []*regexp.Regexp{
		regexp.MustCompile(`\son[a-z]+\s*=`), // onclick=…
		regexp.MustCompile(`\sstyle\s*=`),    // style attributes
		regexp.MustCompile(`<style`),
	}
	err := fs.WalkDir(embedded, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(name, ".svg") {
			return err
		}
		data, _ := fs.ReadFile(embedded, name)
		checks := forbidden
		if strings.HasSuffix(name, ".html") {
			checks = append(checks, htmlOnly...)
		}
		for _, re := range checks {
			if loc := re.FindIndex(data); loc != nil {
				t.Errorf("%s: forbidden %q at %d", name, data[loc[0]:loc[1]], loc[0])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The shipped console keeps no test hooks in page globals: tests observe it
// through gateway/browsertest's injected probe instead.
func TestShippedConsoleHasNoTestGlobals(t *testing.T) {
	global := regexp.MustCompile(`\b(?:globalThis|window|self)\.__[A-Za-z]\w*`)
	err := fs.WalkDir(embedded, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := fs.ReadFile(embedded, name)
		for _, m := range global.FindAll(data, -1) {
			t.Errorf("%s: test global %s in the shipped console", name, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Every relative module import must name a file that exists.
func TestModuleImportsResolve(t *testing.T) {
	imp := regexp.MustCompile(`(?m)^import\s[^;]*?from\s+'(\./[^']+)'`)
	files, _ := fs.Glob(embedded, "static/assets/*.js")
	if len(files) == 0 {
		t.Fatal("no modules")
	}
	for _, f := range files {
		data, _ := fs.ReadFile(embedded, f)
		for _, m := range imp.FindAllStringSubmatch(string(data), -1) {
			name := "assets/" + strings.TrimPrefix(m[1], "./")
			if _, gen := generated[name]; gen {
				continue
			}
			if _, err := fs.Stat(embedded, "static/"+name); err != nil {
				t.Errorf("%s imports %s: %v", f, m[1], err)
			}
		}
	}
}
