// Package webui serves the dispatch console: one HTML page and its ES modules,
// styles and icons, embedded in the binary with go:embed.
//
// Routes (mount the handler for "GET /" beside the more specific API routes):
//
//	GET /                    index.html
//	GET /wall/{id}           index.html (the kiosk view picks the wall from the path)
//	GET /assets/{file...}    static assets, revalidated (no-cache + ETag)
//	GET /assets/v-{ver}/...  the same assets, immutable; index.html links to these
//
// The embedded build rewrites the page's "/assets/" links to the versioned
// prefix, whose version is a hash of every embedded file, so browsers may cache
// assets forever and still see a new build at once. Modules import each other
// with relative paths, so they stay inside one version.
//
// The few modules that carry a rule of the gateway's Go code (idrule.js: the
// id rule) are written from that code at start (generated.go), not shipped
// as copies.
//
// With a development directory (laid out like webui/static) every request reads
// from disk and nothing is cached, as go2rtc's www/static.go does.
package webui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"vigil/gateway/httpsec"
)

//go:embed static
var embedded embed.FS

// zeroTime makes http.ServeContent omit Last-Modified: the files carry no
// meaningful time, and ETags do the revalidation.
var zeroTime time.Time

// contentTypes fixes the types of the files the console ships, independent
// of the host's mime.types.
var contentTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".json":  "application/json",
	".woff2": "font/woff2",
}

// Handler returns the console's handler. devDir, when not empty, is a
// directory laid out like webui/static that is served from disk.
func Handler(devDir string) http.Handler {
	var s *site
	if devDir != "" {
		s = &site{fsys: os.DirFS(devDir), dev: true}
	} else {
		sub, err := fs.Sub(embedded, "static")
		if err != nil {
			panic(err) // the embed directive guarantees the directory
		}
		s = newEmbeddedSite(sub)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveIndex)
	mux.HandleFunc("GET /wall/{id}", s.serveIndex)
	mux.HandleFunc("GET /assets/{file...}", s.serveAsset)
	return mux
}

// site is one set of console files.
type site struct {
	fsys    fs.FS
	dev     bool
	version string            // hash of every file; empty in development
	index   []byte            // index.html with versioned links; nil in development
	etags   map[string]string // file → ETag; nil in development
}

func newEmbeddedSite(fsys fs.FS) *site {
	s := &site{fsys: fsys, etags: map[string]string{}}
	all := sha256.New()
	add := func(name string, data []byte) {
		sum := sha256.Sum256(data)
		s.etags[name] = `"` + hex.EncodeToString(sum[:8]) + `"`
		all.Write([]byte(name))
		all.Write(sum[:])
	}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err == nil {
			add(name, data)
		}
		return err
	})
	if err != nil {
		panic(err) // embedded files are always readable
	}
	for _, name := range generatedNames() {
		add(name, generated[name])
	}
	s.version = hex.EncodeToString(all.Sum(nil)[:6])
	index, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		panic(err)
	}
	s.index = bytes.ReplaceAll(index, []byte(`"/assets/`), []byte(`"/assets/v-`+s.version+`/`))
	return s
}

func (s *site) serveIndex(w http.ResponseWriter, r *http.Request) {
	data := s.index
	if data == nil {
		var err error
		if data, err = fs.ReadFile(s.fsys, "index.html"); err != nil {
			http.Error(w, "console not found", http.StatusInternalServerError)
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", contentTypes[".html"])
	h.Set("Cache-Control", "no-cache")
	httpsec.Set(h)
	http.ServeContent(w, r, "index.html", zeroTime, bytes.NewReader(data))
}

func (s *site) serveAsset(w http.ResponseWriter, r *http.Request) {
	name, immutable := s.assetName(r.PathValue("file"))
	ctype, ok := contentTypes[path.Ext(name)]
	if !ok || !fs.ValidPath(name) {
		http.NotFound(w, r)
		return
	}
	data, err := readFile(s.fsys, name)
	if err != nil {
		http.NotFound(w, r) // also directories
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	switch {
	case immutable:
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	case s.dev:
		h.Set("Cache-Control", "no-store")
	default:
		h.Set("Cache-Control", "no-cache")
	}
	if etag := s.etags[name]; etag != "" {
		h.Set("ETag", etag)
	}
	http.ServeContent(w, r, name, zeroTime, bytes.NewReader(data))
}

// assetName maps the path below /assets/ to a file name in the site, and
// reports whether it may be cached forever (it names the current version).
// An older version's path is served too, but revalidated, so that a page
// loaded before an upgrade still finds its modules.
func (s *site) assetName(file string) (name string, immutable bool) {
	if ver, rest, ok := strings.Cut(file, "/"); ok && strings.HasPrefix(ver, "v-") {
		return "assets/" + rest, !s.dev && ver == "v-"+s.version
	}
	return "assets/" + file, false
}
