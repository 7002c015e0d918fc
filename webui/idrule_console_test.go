package webui_test

import (
	"encoding/json"
	"strings"
	"testing"

	"vigil/gateway/browsertest"
	"vigil/internal/ids"
)

// idSamples are ids the Go rule accepts and refuses; the console must
// answer each the same way. None holds "," or spaces, which a cameras=
// list splits and trims before the rule sees them.
var idSamples = []string{
	"bjx-nsq-01", "0", "-", strings.Repeat("a", 64), strings.Repeat("a", 65),
	"", "Gate", "BJX-NSQ-01", "gate_1", "gate.1", "..", "../etc", "a/b",
	"câmera", "摄像头", "ｇate", "gate\u212a", "gate\n", "%61", strings.Repeat("é", 32),
}

// The console's id rule is the gateway's: the pattern the page imports is
// ids.Pattern, parseView keeps exactly the ids ids.Valid accepts, and an
// ONVIF device's name always becomes an id the gateway accepts.
func TestConsoleIDRuleIsTheGatewayRule(t *testing.T) {
	b, _, base := startConsole(t)
	b.Navigate(base + "/")
	b.WaitVisible("#login-form", wait)

	source := browsertest.MustEval[string](b, `import('/assets/idrule.js').then((m) => m.idPattern.source)`)
	if source != ids.Pattern {
		t.Fatalf("the console's idPattern is /%s/, the gateway's ids.Pattern %s", source, ids.Pattern)
	}

	samples, _ := json.Marshal(idSamples)
	kept := browsertest.MustEval[[]bool](b, `import('/assets/viewurl.js').then((m) => `+string(samples)+`.map((id) => {
		const q = encodeURIComponent(id);
		const station = m.parseView('?station=' + q).station;
		const camera = m.parseView('?cameras=x,' + q).cameras[1];
		return station === id && camera === id && id !== '';
	}))`)
	for i, id := range idSamples {
		if kept[i] != ids.Valid(id) {
			t.Errorf("parseView keeps %q: %v; ids.Valid: %v", id, kept[i], ids.Valid(id))
		}
	}

	made := browsertest.MustEval[[]string](b, `import('/assets/onvifadmin.js').then((m) => `+string(samples)+`.map((name, n) => m.cameraID(name, n)))`)
	for i, id := range made {
		if !ids.Valid(id) {
			t.Errorf("cameraID(%q) = %q, which the gateway refuses", idSamples[i], id)
		}
	}
	checkErrors(t, b)
}
