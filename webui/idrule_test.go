package webui

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"vigil/internal/ids"
)

// The console's id rule is served from ids.Pattern itself, under the
// versioned prefix the modules import each other by, plainly, and from a
// development directory that has no such file.
func TestIDRuleModuleCarriesTheGoPattern(t *testing.T) {
	quoted, _ := json.Marshal(ids.Pattern)
	want := "export const idPattern = new RegExp(" + string(quoted) + ");"
	h := Handler("")
	version := strings.Split(assetLink.FindStringSubmatch(body(t, get(t, h, "/")))[1], "/")[2]
	for _, c := range []struct {
		h    http.Handler
		path string
	}{
		{h, "/assets/" + version + "/idrule.js"},
		{h, "/assets/idrule.js"},
		{Handler(t.TempDir()), "/assets/idrule.js"},
	} {
		res := get(t, c.h, c.path)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != contentTypes[".js"] {
			t.Fatalf("%s: %d %q", c.path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if text := body(t, res); !strings.Contains(text, want) {
			t.Errorf("%s is\n%s\nwant a line %s", c.path, text, want)
		}
	}
	if res := get(t, h, "/assets/idrule.js"); res.Header.Get("ETag") == "" {
		t.Error("idrule.js has no ETag: browsers would fetch it again every time")
	}
}

// The module's text is a string literal of exactly the pattern, whatever
// characters a future rule holds.
func TestIDRuleModuleQuotesThePattern(t *testing.T) {
	for _, pattern := range []string{ids.Pattern, `^a"b\c</script>$`, "^\u2028$"} {
		text := string(idRuleModule(pattern))
		start := strings.Index(text, "new RegExp(") + len("new RegExp(")
		end := strings.LastIndex(text, ");")
		var got string
		if err := json.Unmarshal([]byte(text[start:end]), &got); err != nil || got != pattern {
			t.Errorf("idRuleModule(%q) quotes it as %s (%v)", pattern, text[start:end], err)
		}
	}
}
