package webui

import (
	"os"
	"regexp"
	"testing"

	"vigil/gateway/config"
)

// jsIDPattern finds the camera id rule in viewurl.js, the console's only
// copy of config.IDPattern (JavaScript cannot import Go).
var jsIDPattern = regexp.MustCompile(`(?m)^const idPattern = /(.*)/;$`)

func TestConsoleIDPatternIsTheConfigRule(t *testing.T) {
	src, err := os.ReadFile("static/assets/viewurl.js")
	if err != nil {
		t.Fatal(err)
	}
	m := jsIDPattern.FindSubmatch(src)
	if m == nil {
		t.Fatal("viewurl.js has no `const idPattern = /…/;` line")
	}
	if got := string(m[1]); got != config.IDPattern {
		t.Fatalf("viewurl.js idPattern is /%s/, config.IDPattern is %s: the console and the gateway disagree on camera ids", got, config.IDPattern)
	}
}
