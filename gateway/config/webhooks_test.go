package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodWall = `walls:
  - id: hall
`

func TestWebhooksAndRules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "hook.secret")
	if err := os.WriteFile(secretFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse([]byte(goodStation + goodWall + `webhooks:
  - id: city
    url: https://city.example/alarms
    secret_file: ` + secretFile + `
    types: [camera_offline, frozen_image]
  - id: ops
    url: http://127.0.0.1:9000/hook
    secret: hunter2
rules:
  - types: [frozen_image]
    station: bjx
    camera: bjx-nsq-01
    wall: hall
    bookmark: true
    lock: true
    clip: {before: 10s, after: 20s}
    webhooks: [ops]
`))
	if err != nil {
		t.Fatal(err)
	}
	if h := cfg.Webhooks[0]; h.Secret != "s3cret" || !h.Takes("frozen_image") || h.Takes("disk_low") {
		t.Fatalf("webhook = %+v", h)
	}
	if !cfg.Webhooks[1].Takes("disk_low") {
		t.Fatal("a webhook without types takes every type")
	}
	r := cfg.Rules[0]
	if !r.Matches("frozen_image", "bjx", "bjx-nsq-01") || r.Matches("black_image", "bjx", "bjx-nsq-01") ||
		r.Matches("frozen_image", "bjx", "other") || r.Clip.Before.Std().Seconds() != 10 {
		t.Fatalf("rule = %+v", r)
	}
}

func TestBadWebhooksAndRules(t *testing.T) {
	t.Parallel()
	hook := func(url string) string {
		return goodStation + "webhooks:\n  - id: city\n    url: " + url + "\n    secret: hunter2\n"
	}
	rule := func(body string) string {
		return goodStation + goodWall + "webhooks:\n  - id: city\n    url: https://h/\n    secret: x\nrules:\n  - " + body + "\n"
	}
	checkBadConfigs(t, []badConfig{
		{"webhook ftp url", hook("ftp://h/x"), `line 9: webhooks[0].url "ftp://h/x": must be an http:// or https:// URL`},
		{"webhook no host", hook("http:///x"), `line 9: webhooks[0].url "http:/x": must name a host`},
		{"webhook userinfo", hook("https://u:hunter2@h/x"), `line 9: webhooks[0].url: must not carry credentials`},
		{"webhook token shown hidden", hook("ftp://h/x?token=hunter2"), `webhooks[0].url "ftp://h/x?token=***"`},
		{"webhook no secret", goodStation + "webhooks:\n  - id: city\n    url: https://h/\n", `line 8: webhooks[0].secret: a secret (or secret_file) is required`},
		{"webhook both secrets", goodStation + "webhooks:\n  - id: city\n    url: https://h/\n    secret: hunter2\n    secret_file: /x\n",
			`line 11: webhooks[0].secret_file: give secret or secret_file, not both`},
		{"webhook missing secret file", goodStation + "webhooks:\n  - id: city\n    url: https://h/\n    secret_file: /nonexistent/s\n",
			`line 10: webhooks[0].secret_file "/nonexistent/s": cannot read the file`},
		{"webhook unknown type", hook("https://h/") + "    types: [smoke]\n", `line 11: webhooks[0].types[0] "smoke": unknown alarm type`},
		{"webhook duplicate id", hook("https://h/") + "  - id: city\n    url: https://h/\n    secret: x\n", `line 11: webhooks[1].id "city": duplicate id (first used at line 8)`},
		{"rule unknown type", rule("types: [smoke]\n    wall: hall"), `line 14: rules[0].types[0] "smoke": unknown alarm type`},
		{"rule no types", rule("wall: hall"), `rules[0].types: at least one alarm type is required`},
		{"rule unknown camera", rule("types: [video_loss]\n    camera: nope\n    wall: hall"), `line 15: rules[0].camera "nope": no such camera`},
		{"rule unknown station", rule("types: [video_loss]\n    station: nope\n    wall: hall"), `line 15: rules[0].station "nope": no such station`},
		{"rule unknown wall", rule("types: [video_loss]\n    wall: nope"), `line 15: rules[0].wall "nope": no such wall`},
		{"rule unknown webhook", rule("types: [video_loss]\n    webhooks: [nope]"), `line 15: rules[0].webhooks[0] "nope": no such webhook`},
		{"rule no action", rule("types: [video_loss]"), `line 14: rules[0]: no action`},
		{"rule lock without bookmark", rule("types: [video_loss]\n    wall: hall\n    lock: true"), `line 16: rules[0].lock: locks the bookmark`},
		{"rule clip too long", rule("types: [video_loss]\n    clip: {before: 50m, after: 20m}"), `line 15: rules[0].clip: before + after must not exceed recording.max_clip`},
		{"rule clip empty", rule("types: [video_loss]\n    clip: {}"), `rules[0].clip: before + after must be positive`},
	})
}

func TestWebhookSecretNeverInErrors(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(goodStation + "webhooks:\n  - id: BAD ID\n    url: gopher://hunter2@h\n    secret: hunter2\n"))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v", err)
	}
}
